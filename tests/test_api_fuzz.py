"""schemathesis against the live OpenAPI schema: no server errors, and every answer matches the schema.

Runs the schemathesis command line against a real server with the demo data, once as a coach and
once as a job seeker (between them every operation gets past its role check). Account-changing
operations (login, registration, tokens, erasure) are left out: they would lock the accounts out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import Live, live  # noqa: F401 - the live server fixture

EXCLUDE = r"/auth/(login|logout|tokens|register|password-reset.*)|/me/erase"


@pytest.mark.parametrize("email", ["sanne.devries@example.org", "daan.verhoeven@example.org"])
def test_schemathesis_finds_nothing(live: Live, email: str, tmp_path: Path) -> None:  # noqa: F811
    exe = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    r = httpx.post(f"{live.url}/api/v1/auth/tokens", json={"email": email, "password": "demo-wachtwoord"})
    assert r.status_code == 201
    run = subprocess.run([exe, "run", f"{live.url}/openapi.json", "--checks",
                          "not_a_server_error,response_schema_conformance", "-H",
                          f"Authorization: Bearer {r.json()['token']}", "--max-examples", "10",
                          "--seed", "20261202", "--exclude-path-regex", EXCLUDE, "--no-color"],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache goes there
    assert run.returncode == 0, run.stdout[-4000:]
