"""Browser tests: Playwright driving Debian's headless Chromium against a live server with the demo data.

The server runs in a thread on a free loopback port, on a temporary SQLite database with
`tom demo load` applied once per session. axe-core (the npm package, installed by `make test`)
is injected into each page to check accessibility (WCAG 2.1 A and AA rules).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.services.hub import Hub

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from liveserver import free_port  # noqa: E402

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "docs" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
DEMO_PASSWORD = "demo-wachtwoord"


def chromium_path() -> str | None:
    return os.environ.get("TOM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Live:
    url: str
    hub: Hub


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn
    from sqlmodel import Session

    from api.db import upgrade
    from api.services import demo
    from api.settings import Settings
    from web.app import create_app

    home = tmp_path_factory.mktemp("browser_home")
    settings = Settings(TOM_HOME=home, DATABASE_URL=f"sqlite:///{home / 'tom.sqlite'}")  # type: ignore[call-arg]
    upgrade(settings.db_url)
    hub = Hub(settings)
    with Session(hub.engine) as db:
        demo.load(hub, db, settings.data_dir)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(hub=hub), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield Live(url, hub)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium here (make test installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    blocked: list[str] = []
    p.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield p
    context.close()
    assert not blocked, "the page broke its Content-Security-Policy:\n" + "\n".join(blocked[:5])


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_check(page: Any) -> None:
    """Zero axe-core violations of the WCAG 2.0/2.1 A and AA rules on the current page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm install` (make test does)")
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP stays in force.
    page.evaluate(_axe_source())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in result["violations"]]
    assert not problems, f"axe-core on {page.url}:\n" + "\n".join(problems)


def login(page: Any, live: Live, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live.url}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert "/inloggen" not in page.url, f"login as {email} failed"


def shot(page: Any, name: str) -> None:
    """A full-page screenshot: into docs/screenshots with TOM_SCREENSHOTS=1 (to refresh the docs), else
    into a temp folder, so that a test run does not rewrite the committed pictures."""
    folder = SHOTS if os.environ.get("TOM_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "tom-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
