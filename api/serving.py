"""`tom serve`: uvicorn, with workers that answer the requests already on their way when they stop.

A uvicorn worker told to stop (SIGTERM: `systemctl reload` replaces the workers one by one, see
deploy/systemd) closes its listening socket and at once closes every connection without a request in
progress. A connection it accepted a moment earlier, whose request it has not read yet, counts as idle: it is
closed unanswered and the client sees "server disconnected" — nginx retries that only for GET, so a form
sent during a reload could be lost (measured: 2 of ~26,000 requests over 8 reloads under load). Here a
stopping worker first stops accepting, waits ``SHUTDOWN_GRACE`` seconds so that those requests are read
(they then run to the end as in-progress requests), and only then closes what is still idle. The other
workers keep accepting meanwhile, as before.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

SHUTDOWN_GRACE = 0.5  # s: far longer than a request takes to arrive after its connection, short for a reload


class GracefulServer(uvicorn.Server):
    """uvicorn's server, with a grace period between "stop accepting" and "close idle connections"."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        await asyncio.sleep(SHUTDOWN_GRACE)
        await super().shutdown(sockets)  # closing the listeners again does nothing


class _Worker(multiprocess.Process):
    """A uvicorn worker process whose server is a GracefulServer."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = GracefulServer(config=self.config)
        return self._server


def run(app: str, **options: Any) -> None:
    """``uvicorn.run(app, **options)`` with graceful workers (the supervisor makes workers by this name)."""
    usual = multiprocess.Process
    multiprocess.Process = _Worker  # type: ignore[misc]
    try:
        uvicorn.run(app, **options)
    finally:
        multiprocess.Process = usual  # type: ignore[misc]
