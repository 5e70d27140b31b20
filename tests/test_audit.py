"""`make test` runs scripts/audit.py: a dependency with a known vulnerability fails the build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AUDIT = ROOT / "scripts" / "audit.py"
pytestmark = pytest.mark.skipif(not (Path(sys.executable).parent / "pip-audit").exists(),
                                reason="pip-audit is not installed (make test installs it)")


class FakeOsv(BaseHTTPRequestHandler):
    """An OSV server that knows one advisory: every installed ``vulnerable`` package is affected."""

    vulnerable = "jinja2"

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vulns = []
        if query["package"]["name"].lower() == self.vulnerable:
            vulns = [{"id": "GHSA-test-0000-0000", "summary": "made up for this test",
                      "modified": "2026-01-01T00:00:00Z",
                      "affected": [{"package": {"name": "jinja2", "ecosystem": "PyPI"},
                                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                                                {"fixed": "999.0"}]}]}]}]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osv() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeOsv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()


def test_a_known_vulnerability_fails_the_audit(osv: str) -> None:
    env = {**os.environ, "TOM_AUDIT_OSV_URL": osv}
    done = subprocess.run([sys.executable, str(AUDIT)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "GHSA-test-0000-0000" in done.stderr and "jinja2" in done.stderr.lower()
    assert "1 with known vulnerabilities" in done.stdout


def test_the_audit_passes_when_no_advisory_applies(osv: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FakeOsv, "vulnerable", "no-such-package")
    env = {**os.environ, "TOM_AUDIT_OSV_URL": osv}
    done = subprocess.run([sys.executable, str(AUDIT)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 with known vulnerabilities, 0 could not be audited" in done.stdout
