"""A worker that stops answers a request that reached it just before (api/serving.py).

The reload test in tests/test_deploy.py shows the whole path under load, where the race is rare; this one
makes the race happen every time: a connection is accepted, the server is told to stop, and only then does
the request arrive."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import uvicorn
from uvicorn.supervisors import multiprocess

from api import serving


async def _hello(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _answer_after_stop(server_class: type[uvicorn.Server]) -> bytes:
    """Connect, let the server accept, tell it to stop, wait until it no longer listens, then send a request;
    what comes back (b"" when the connection is closed unanswered)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = server_class(uvicorn.Config(_hello, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            while not server.server_state.connections and time.monotonic() < deadline:
                time.sleep(0.005)
            assert server.server_state.connections, "the connection was not accepted"
            server.should_exit = True
            while any(s.is_serving() for s in server.servers) and time.monotonic() < deadline:
                time.sleep(0.005)
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while chunk := conn.recv(4096):
                answer += chunk
            return answer
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_request_on_its_way_when_the_worker_stops_is_answered() -> None:
    answer = _answer_after_stop(serving.GracefulServer)
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok"), answer


def test_plain_uvicorn_drops_that_request() -> None:
    """The race the graceful server exists for (if uvicorn fixes it, api/serving.py can go)."""
    assert _answer_after_stop(uvicorn.Server) == b""


def test_tom_serve_starts_graceful_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serving.run` hands uvicorn's supervisor the graceful worker, and puts the usual one back after."""
    seen: list[type] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.append(multiprocess.Process))
    usual = multiprocess.Process
    serving.run("web.app:create_app", factory=True, workers=2)
    assert seen == [serving._Worker] and multiprocess.Process is usual
    assert issubclass(serving._Worker, usual) and isinstance(serving._Worker.server, property)
