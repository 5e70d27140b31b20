"""Pages anyone can see: home, vacancies, a vacancy, login, registration — in Dutch and English."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import Live, axe_check, shot

pytestmark = pytest.mark.browser


def test_home_and_vacancies_are_accessible(page: Any, live: Live) -> None:
    page.goto(live.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Werk dat past bij wat je kunt"
    axe_check(page)
    shot(page, "home")
    page.get_by_role("link", name="Bekijk alle vacatures").click()
    page.get_by_label("Sector").select_option("zorg")
    page.get_by_role("button", name="Zoeken").click()
    assert "sector=zorg" in page.url
    axe_check(page)
    page.locator(".card h3 a").first.click()
    axe_check(page)
    ld = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert ld["@type"] == "JobPosting" and ld["industry"] == "zorg"
    shot(page, "vacancy")


def test_skip_link_and_keyboard_focus(page: Any, live: Live) -> None:
    page.goto(live.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def test_login_and_registration_forms(page: Any, live: Live) -> None:
    page.goto(live.url + "/inloggen")
    axe_check(page)
    page.get_by_label("E-mailadres").fill("niemand@example.org")
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").inner_text().startswith("Het e-mailadres of het wachtwoord klopt niet")
    axe_check(page)
    page.goto(live.url + "/registreren")
    page.get_by_role("button", name="Account maken").click()
    assert page.locator("#f-email-error").is_visible()
    assert page.get_by_label("E-mailadres").get_attribute("aria-invalid") == "true"
    axe_check(page)


def test_english_switch(page: Any, live: Live) -> None:
    page.goto(live.url + "/")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Work that fits what you can do"
    axe_check(page)
    page.get_by_role("link", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"


@pytest.mark.parametrize("path", ["/privacy", "/wachtwoord-vergeten", "/wachtwoord/nieuw?token=x", "/bestaat-niet",
                                  "/registreren?rol=werkgever", "/vacatures?lang=en"])
def test_other_pages_are_accessible(page: Any, live: Live, path: str) -> None:
    page.goto(live.url + path)
    axe_check(page)


def test_password_reset_request_page(page: Any, live: Live) -> None:
    page.goto(live.url + "/wachtwoord-vergeten")
    page.get_by_label("E-mailadres").fill("sanne.devries@example.org")
    page.get_by_role("button", name="Stuur mij een link").click()
    assert "krijg je een e-mail" in page.get_by_role("status").inner_text()
    axe_check(page)
