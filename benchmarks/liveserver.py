"""Run `tom serve` as a real process group on a free loopback port (for load and crash tests).

Used by `benchmarks/load.py` and by `tests/test_faults.py`: both need the server exactly as an
operator runs it (uvicorn, N worker processes), not an app inside the test process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tom_env(home: Path, db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOM_") and k != "DATABASE_URL"}
    return {**env, "TOM_HOME": str(home), "DATABASE_URL": db_url, **extra}


def tom(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """Run one `tom` command; raise with its stderr when it fails."""
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"tom {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


class Server:
    """`tom serve --workers N` in its own process group; `kill()` is kill -9 of the whole group."""

    def __init__(self, env: dict[str, str], workers: int = 1, port: int | None = None) -> None:
        self.env, self.workers = env, workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: a full pipe would block a busy server.
        self.log = Path(env["TOM_HOME"]) / f"serve-{self.port}.log"

    def start(self, timeout: float = 120) -> Server:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tom serve exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"tom serve did not answer on {self.url} within {timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL to the server and its workers at once: no shutdown handler runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
