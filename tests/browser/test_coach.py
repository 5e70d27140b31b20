"""The coach's path in a real browser: talent pool, a candidate (note, proposal), the board, the dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live, axe_check, login, shot

pytestmark = pytest.mark.browser
COACH = "sanne.devries@example.org"


def test_coach_main_path(page: Any, live: Live) -> None:
    login(page, live, COACH)
    assert page.url.endswith("/coach")
    axe_check(page)

    # Skill suggestions arrive while typing (htmx); the filter itself is a plain GET form.
    page.get_by_label("Zoek een vaardigheid").press_sequentially("wondzorg", delay=30)
    page.locator("#suggestions input[name=skill]").first.wait_for()
    page.get_by_label("Zoek een vaardigheid").fill("")
    page.get_by_label("Sector", exact=True).select_option("zorg")
    page.get_by_role("button", name="Zoeken").click()
    assert "sector=zorg" in page.url
    assert "mensen gevonden" in page.get_by_role("status").inner_text()
    axe_check(page)
    shot(page, "coach-talentpool")

    # A candidate: add a note, then propose them for one of their best vacancies.
    page.locator(".people .card h3 a").first.click()
    assert "/coach/kandidaat/" in page.url
    axe_check(page)
    page.get_by_label("Nieuwe notitie").fill("Wil graag een proefdag. Belt vrijdag terug.")
    page.get_by_role("button", name="Notitie opslaan").click()
    assert page.get_by_role("status").inner_text() == "Je notitie is opgeslagen."
    assert page.get_by_text("Wil graag een proefdag. Belt vrijdag terug.").is_visible()
    axe_check(page)
    radios = page.get_by_role("group", name="Kies een vacature").get_by_role("radio")
    proposed = False
    for i in range(radios.count()):  # the demo data already proposed some people for their best match
        page.get_by_role("group", name="Kies een vacature").get_by_role("radio").nth(i).check()
        page.get_by_role("button", name="Stel voor", exact=True).click()
        if page.locator(".notice").count():
            proposed = True
            break
        axe_check(page)  # the refusal is shown next to the choice
    assert proposed, "no vacancy left to propose this candidate for"
    assert "Je voorstel is gemaakt" in page.locator(".notice").inner_text()

    # The board: move one introduction a step forward.
    page.get_by_role("link", name="Voorstellen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Voorstellen"
    axe_check(page)
    step = page.locator(".board-cards li[id^='voorstel-'] .moves button:not(.secondary):not(.link)").first
    card_id = step.locator("xpath=ancestor::li[contains(@class,'card')]").get_attribute("id")
    before = page.locator(f"#{card_id}").locator("xpath=ancestor::section").get_attribute("aria-labelledby")
    step.click()
    assert page.get_by_role("status").inner_text() == "Het voorstel is een stap verder gezet."
    after = page.locator(f"#{card_id}").locator("xpath=ancestor::section").get_attribute("aria-labelledby")
    assert after != before
    axe_check(page)
    shot(page, "coach-pijplijn")
    # On a phone the columns become one list, without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # The project board's dashboard: charts with a table of the same numbers.
    page.get_by_role("link", name="Dashboard").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert page.locator("svg[role=img]").count() >= 4
    assert page.locator("figure.chart table").count() == page.locator("svg[role=img]").count()
    axe_check(page)
    shot(page, "coach-dashboard")
