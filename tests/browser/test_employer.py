"""An employer's path: post a vacancy in steps, see it in the list, look at candidates, ask for an introduction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.browser.conftest import Live, axe_check, login, shot

pytestmark = pytest.mark.browser

EMPLOYER = "werken@dezevenbruggen.example"  # Brasserie De Zeven Bruggen in data/demo/vacancies/horeca.jsonld


def test_post_a_vacancy_and_ask_for_an_introduction(page: Any, live: Live) -> None:
    login(page, live, EMPLOYER)
    assert page.url.endswith("/werkgever")
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn vacatures"
    axe_check(page)

    page.get_by_role("link", name="Nieuwe vacature").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Nieuwe vacature"
    axe_check(page)
    # Posting an empty form: the errors are listed on top and shown next to the fields.
    page.get_by_role("button", name="Plaats vacature").click()
    assert page.get_by_role("alert").count() == 1
    assert page.get_by_label("Titel van de vacature").get_attribute("aria-invalid") == "true"
    axe_check(page)

    # Step 1: the title suggests an occupation; tick two of its skills and add them.
    page.get_by_label("Titel van de vacature").fill("Kok à la carte")
    page.get_by_role("button", name="Zoek het beroep").click()
    occupations = page.get_by_role("group", name="Dit lijkt op het beroep …")
    assert occupations.get_by_role("radio", checked=True).count() == 1
    usual = page.locator("input[id^='os-']")
    assert usual.count() >= 2
    labels = [page.locator(f"label[for='os-{i}']").inner_text() for i in (1, 2)]
    usual.nth(0).check()
    usual.nth(1).check()
    page.get_by_role("button", name="Voeg de aangevinkte vaardigheden toe").first.click()

    # Step 4: both are now chosen; the second is only nice to have.
    for label in labels:
        assert page.get_by_role("group", name=label).get_by_label("Moet").is_checked()
    page.get_by_role("group", name=labels[1]).get_by_label("Mooi meegenomen").check()

    # Step 3: typing shows suggestions at once (htmx); tick one.
    page.get_by_label("Zoek een vaardigheid").press_sequentially("hygiënisch werk", delay=20)
    hit = page.locator("#suggestions input[type=checkbox]").first
    hit.wait_for()
    hit.check()

    # Step 5: where and when.
    page.get_by_label("Plaats of postcode").fill("2311 CS")
    page.get_by_label("Uren per week, minimaal").fill("24")
    page.get_by_label("Uren per week, maximaal").fill("32")
    page.get_by_label("Reageren kan tot en met").fill((date.today() + timedelta(days=60)).isoformat())
    axe_check(page)
    shot(page, "employer-vacancy-form")

    page.get_by_role("button", name="Plaats vacature").click()
    assert "/werkgever?melding=geplaatst" in page.url
    assert "Je vacature staat online" in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="Kok à la carte", exact=True).count() == 1
    axe_check(page)

    # The vacancy asks for what was chosen: the public page lists the nice-to-have apart.
    page.get_by_role("link", name="Kok à la carte", exact=True).click()
    nice = page.locator("ul.skills.nice").inner_text()
    assert labels[1] in nice and labels[0] not in nice
    page.go_back()

    page.get_by_role("link", name="Bekijk kandidaten voor Kok à la carte").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kandidaten voor Kok à la carte"
    cards = page.locator("ol.candidates > li")
    assert cards.count() >= 1
    first = cards.first
    assert "Kandidaat 1" in first.inner_text() and "%" in first.inner_text()
    axe_check(page)
    shot(page, "employer-candidates")

    first.get_by_role("button", name="Vraag de coach om een introductie").click()
    assert "Je vraag is verstuurd" in page.get_by_role("status").inner_text()
    assert "Introductie gevraagd" in page.locator("ol.candidates > li").first.inner_text()
    rows = page.locator("ol.intros > li")
    assert rows.count() == 1 and "Gevraagd" in rows.first.inner_text()
    assert "naam volgt na akkoord" in rows.first.inner_text()
    axe_check(page)


def test_close_and_reopen_a_vacancy(page: Any, live: Live) -> None:
    login(page, live, EMPLOYER)
    first = page.locator("ul.employer-vacancies > li").first
    title = first.locator("h2").inner_text()
    first.get_by_role("button", name=f"Sluit {title}").click()
    assert "gesloten" in page.get_by_role("status").inner_text()
    first = page.locator("ul.employer-vacancies > li").first
    assert "Status: gesloten" in first.inner_text()
    axe_check(page)
    first.get_by_role("button", name=f"Open weer {title}").click()
    assert "weer open" in page.get_by_role("status").inner_text()
