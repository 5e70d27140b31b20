"""A new job seeker end to end: register, walk the four-step wizard, see matches with explanations."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.browser.conftest import Live, axe_check, shot

pytestmark = pytest.mark.browser
PASSWORD = "mijn-geheime-zin"
_n = itertools.count(1)


def register(page: Any, live: Live) -> str:
    email = f"nieuw{next(_n)}@example.org"
    page.goto(f"{live.url}/registreren")
    page.get_by_label("Je naam").fill("Noor de Vries")
    page.get_by_label("E-mailadres").fill(email)
    page.locator("#f-password").fill(PASSWORD)
    page.locator("#f-password2").fill(PASSWORD)
    page.get_by_label("Ik ga akkoord met de voorwaarden").check()
    page.get_by_role("button", name="Account maken").click()
    page.wait_for_url("**/profiel/stap/1")
    return email


def test_wizard_to_matches(page: Any, live: Live) -> None:
    register(page, live)
    assert page.get_by_text("Stap 1 van 4").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Wat kun je?"
    axe_check(page)

    # Step 1: type, the suggestions appear while typing (htmx), tick two, add them.
    page.get_by_label("Typ wat je kunt").press_sequentially("schoonmaken", delay=40)
    options = page.locator("#suggestions input[type=checkbox]")
    options.first.wait_for()
    axe_check(page)
    shot(page, "jobseeker-wizard-step1")
    options.nth(0).check()
    options.nth(1).check()
    page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
    assert "2 vaardigheden toegevoegd" in page.get_by_role("status").inner_text()
    assert page.locator(".myskills li").count() == 2
    axe_check(page)

    # Step 2: an earlier job, its usual skills start ticked.
    # "Volgende stap" submits step 1's form: anything still ticked would be saved on the way.
    page.get_by_role("button", name="Volgende stap: Welk werk heb je gedaan?").click()
    assert page.get_by_text("Stap 2 van 4").is_visible()
    page.get_by_label("Welk werk heb je gedaan?").fill("kok")
    page.get_by_role("button", name="Zoek", exact=True).click()
    axe_check(page)
    page.get_by_role("link", name="kok", exact=True).click()
    assert page.locator("input[name=skill]:checked").count() > 0
    axe_check(page)
    page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
    assert "toegevoegd" in page.get_by_role("status").inner_text()

    # Step 3: a short CV; the found skills come with the words they were found in.
    page.get_by_role("link", name="Volgende stap: Plak je cv").click()
    page.get_by_label("Je cv of een beschrijving van je werk").fill(
        "Ik werkte vier jaar in de bediening van een café. Ik ben gastvrij en werk hygiënisch. "
        "Ik deed ook de kassa en hielp in de zorg als vrijwilliger bij het rondbrengen van maaltijden.")
    page.get_by_role("button", name="Zoek vaardigheden in mijn tekst").click()
    assert page.get_by_text("In je tekst:").first.is_visible()
    axe_check(page)
    page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
    assert page.get_by_role("status").is_visible()

    # Step 4: levels in plain words, where and how much, consent.
    page.get_by_role("link", name="Volgende stap: Over jou").click()
    axe_check(page)
    for group in page.locator("details.skill-level").all():  # levels are optional, folded away
        group.locator("summary").click()
        group.get_by_label("Ik kan het goed").check()
    page.get_by_label("Je postcode").fill("2312 AB")
    page.get_by_label("Hoe ver wil je reizen?").fill("20")
    page.get_by_label("Minste aantal uren per week").fill("16")
    page.get_by_label("Meeste aantal uren per week").fill("36")
    page.get_by_label("Horeca").check()
    page.get_by_label("Zorg").check()
    page.get_by_label("Ik doe mee met de talentpool").check()
    page.get_by_role("button", name="Opslaan en matches bekijken").click()

    # Matches: explained, with the training that closes the gap, and other work that fits.
    page.wait_for_url("**/mijn")
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn matches"
    matches = page.locator("article.match")
    assert matches.count() > 0
    first = matches.first
    assert first.get_attribute("id", timeout=1000).startswith("v")
    assert first.get_by_role("heading", name="Dit past").is_visible()
    assert first.locator("p.score").inner_text().startswith("Je hebt ")  # "Je hebt 2 van de 3 eisen."
    assert page.get_by_role("heading", name="Dit mist nog").count() > 0
    assert page.get_by_role("heading", name="Leer wat mist").count() > 0
    assert page.get_by_role("heading", name="Waar passen je vaardigheden nog meer?").is_visible()
    axe_check(page)
    shot(page, "jobseeker-matches")

    page.get_by_role("link", name="Bekijk of verander je profiel").click()
    assert page.get_by_role("cell", name="Ik kan het goed").count() > 0
    axe_check(page)
    page.get_by_role("link", name="Download je gegevens of verwijder je account").click()
    axe_check(page)


def test_wizard_without_javascript(browser: Any, live: Live) -> None:
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        register(page, live)
        page.get_by_label("Typ wat je kunt").fill("gastvrij")
        page.get_by_role("button", name="Zoek", exact=True).click()
        page.locator("#suggestions input[type=checkbox]").first.check()
        page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
        assert page.locator(".myskills li").count() == 1
    finally:
        context.close()


def test_wrong_postcode_and_erasing_the_account(page: Any, live: Live) -> None:
    email = register(page, live)
    page.get_by_label("Typ wat je kunt").press_sequentially("koken", delay=40)
    page.locator("#suggestions input[type=checkbox]").first.check()
    page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
    page.goto(f"{live.url}/profiel/stap/4")
    page.get_by_label("Je postcode").fill("9999 ZZ")
    page.get_by_role("button", name="Opslaan en matches bekijken").click()
    assert "postcode" in page.locator("#f-postcode-error").inner_text()
    assert page.get_by_label("Je postcode").get_attribute("aria-invalid") == "true"
    axe_check(page)

    page.goto(f"{live.url}/profiel/gegevens")
    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Verwijder mijn account voorgoed").click()
    page.wait_for_url(f"{live.url}/?verwijderd=1")
    page.goto(f"{live.url}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").is_visible()
