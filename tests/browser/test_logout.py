"""After "Uitloggen", the browser's Back button shows nothing personal: personal pages are sent with
`Cache-Control: no-store` (so neither the cache nor the back/forward cache keeps them) and the logout
answer clears the site's cache."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live, login

pytestmark = pytest.mark.browser
SEEKER = "daan.verhoeven@example.org"  # demo data: a job seeker whose profile shows his postcode


@pytest.mark.parametrize("path", ["/profiel", "/mijn"])
def test_back_after_logout_shows_nothing_personal(page: Any, live: Live, path: str) -> None:
    login(page, live, SEEKER)
    page.goto(f"{live.url}{path}")
    personal = page.content()
    assert "Uitloggen" in personal and ("2321" in personal or "Daan" in personal or "monteur" in personal)
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    assert "Uitloggen" not in page.content()
    page.go_back()
    page.wait_for_load_state()
    # The page is asked again, and the server now sends the login page instead.
    assert "/inloggen" in page.url, page.url
    html = page.content()
    assert "Uitloggen" not in html and "2321" not in html and "Daan" not in html
