"""The job seeker's side of the loop in a browser, on the demo data: salary and interest on a vacancy page, a
coach's proposal answered at /mijn/voorstellen, the profile page on a phone, unsubscribing from the alert;
axe-core on every page, and the mails of each step in the mail folder."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from api import models as t
from api.services import alerts, pipeline
from api.services.accounts import Principal
from tests.browser.conftest import DEMO_PASSWORD, Live, axe_check, shot
from tests.browser.test_jobseeker import register

pytestmark = pytest.mark.browser
COACH = "sanne.devries@example.org"
EMPLOYER = "werken@dezevenbruggen.example"


def mails_to(live: Live, address: str) -> list[str]:
    out = []
    for f in sorted((live.hub.settings.home / "mail").glob("*.eml")):
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        if msg["To"] == address:
            out.append(f"{msg['Subject']}\n{msg.get_body(('plain',)).get_content()}")  # type: ignore[union-attr]
    return out


def build_profile(page: Any, live: Live) -> None:
    """Two horeca skills, a postcode in Leiden and the talent pool: enough for matches and proposals."""
    for word in ("gastvrij", "koken"):
        page.goto(f"{live.url}/profiel/stap/1?q={word}")
        page.locator("#suggestions input[type=checkbox]").first.check()
        page.get_by_role("button", name="Voeg toe aan mijn profiel").click()
    page.goto(f"{live.url}/profiel/stap/4")
    axe_check(page)
    page.get_by_label("Je postcode").fill("2312 AB")
    page.get_by_label("Ik doe mee met de talentpool").check()
    page.get_by_role("button", name="Opslaan en matches bekijken").click()
    page.wait_for_url("**/mijn")


def test_interest_proposal_and_yes(page: Any, live: Live) -> None:
    address = register(page, live)
    build_profile(page, live)

    # A vacancy page: facts with the salary as people read it, and "Ik heb interesse".
    page.locator("article.match h3 a").first.click()
    assert re.search(r"€ \d[\d.]* (– € \d[\d.]* )?per (maand|uur)", page.locator("dl.facts").inner_text())
    axe_check(page)
    vacancy_id = int(page.url.rsplit("/", 1)[1].split("?")[0])
    page.get_by_role("button", name="Ik heb interesse").click()
    assert "Je hebt interesse getoond op" in page.locator("#interesse ~ p").first.inner_text()
    axe_check(page)
    shot(page, "jobseeker-vacancy-interest")
    assert any("heeft interesse" in m for m in mails_to(live, COACH))

    # The coach proposes (the coach's pages are another branch's; the same service call they make).
    with Session(live.hub.engine, info={"hub": live.hub}) as db:
        coach = db.exec(select(t.User).where(t.User.email == COACH)).one()
        ref = db.exec(select(t.Profile.ref).join(t.User, t.User.id == t.Profile.user_id)  # type: ignore[arg-type]
                      .where(t.User.email == address)).one()
        intro = pipeline.propose(db, Principal(coach, "session"), t.IntroductionCreate(vacancy_id=vacancy_id,
                                                                                       candidate_ref=ref))
        intro.message = "Deze past bij je ervaring in de keuken."
        db.add(intro)
        db.commit()
    assert any("/mijn/voorstellen" in m for m in mails_to(live, address))

    page.goto(f"{live.url}/mijn")
    menu = page.get_by_role("link", name=re.compile("^Voorstellen"))
    assert "1" in menu.inner_text()
    menu.click()
    axe_check(page)
    assert page.get_by_text("De werkgever ziet dan je naam, e-mailadres en telefoonnummer.").is_visible()
    assert page.get_by_text("Deze past bij je ervaring in de keuken.").is_visible()
    shot(page, "jobseeker-proposals")
    page.get_by_role("button", name="Ja, stel me voor").click()
    assert "De coach stelt je voor aan de werkgever" in page.get_by_role("status").inner_text()
    page.get_by_text("Geschiedenis").click()
    assert page.locator(".history li", has_text="Je zei ja").is_visible()
    axe_check(page)
    assert any("zegt ja" in m for m in mails_to(live, COACH))


def test_profile_on_a_phone_and_the_alert(browser: Any, live: Live) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        address = register(page, live)
        build_profile(page, live)
        page.goto(f"{live.url}/profiel")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"/profiel is {width} px wide on a 360 px phone"
        assert page.get_by_text("Waar geleerd").first.is_visible()
        axe_check(page)
        page.get_by_label("Telefoonnummer (mag je leeg laten)").fill("06 12345678")
        page.get_by_role("button", name="Bewaar telefoonnummer").click()
        page.get_by_label("Stuur me een mail als er een nieuwe vacature is die goed bij me past.").check()
        page.get_by_role("button", name="Bewaar", exact=True).click()
        axe_check(page)

        # A new vacancy that asks what this person can do: the alert is for vacancies that fit well.
        with Session(live.hub.engine) as db:
            user = db.exec(select(t.User).where(t.User.email == address)).one()
            prof = db.exec(select(t.Profile).where(t.Profile.user_id == user.id)).one()
            held = [s.concept_id for s in db.exec(select(t.ProfileSkill).where(t.ProfileSkill.profile_id == prof.id))]
        token = httpx.post(f"{live.url}/api/v1/auth/tokens", json={"email": EMPLOYER, "password": DEMO_PASSWORD,
                                                                     "name": "t"}).json()["token"]
        r = httpx.post(f"{live.url}/api/v1/vacancies", headers={"Authorization": f"Bearer {token}"}, json={
            "title": "Medewerker keuken", "description": "Koken en gasten ontvangen.", "place": "Leiden",
            "postcode": "2311 CS", "sector": "horeca", "requirements": [{"concept_id": c} for c in held]})
        assert r.status_code == 201, r.text
        with Session(live.hub.engine) as db:
            alerts.run(live.hub, db)
        mail = mails_to(live, address)
        link = re.search(r"http://\S+(/afmelden/\S+)", mail[-1])
        assert link, mail
        anon = browser.new_context(locale="nl-NL")
        other = anon.new_page()
        other.goto(f"{live.url}{link[1]}")
        axe_check(other)
        other.get_by_role("button", name="Ja, meld me af").click()
        assert "Je bent afgemeld" in other.get_by_role("status").inner_text()
        axe_check(other)
        anon.close()
    finally:
        context.close()
