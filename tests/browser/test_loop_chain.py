"""The whole chain of the pilot in one browser walk, every step through the pages a person uses:

a new job seeker registers, builds a profile and shows interest in a vacancy; the coach sees the interest,
shortlists and proposes; the job seeker finds the proposal at /mijn/voorstellen and agrees; the coach
introduces; the employer sees name and contact and records "gesprek gepland", then "aangenomen"; the
dashboard counts the placement; and each step's e-mail is in the mail folder, to the right person.
axe-core on every page: zero violations.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session, col, select

from api import models as t
from api.services import pipeline
from tests.browser.conftest import Live, axe_check, login, shot
from tests.browser.test_jobseeker import PASSWORD, register
from tests.browser.test_loop_jobseeker import build_profile, mails_to

pytestmark = pytest.mark.browser
COACH = "sanne.devries@example.org"
EMPLOYER = "werken@dezevenbruggen.example"
PHONE = "06 1122 3344"


def _employer_vacancy(live: Live) -> int:
    """An open vacancy of the demo employer that nobody has been proposed for yet."""
    with Session(live.hub.engine) as db:
        taken = set(db.exec(select(t.Introduction.vacancy_id)).all())
        for v in db.exec(select(t.Vacancy).join(t.Organisation, col(t.Organisation.id) == t.Vacancy.organisation_id)
                         .where(t.Organisation.email == EMPLOYER, t.Vacancy.status == "open")
                         .order_by(col(t.Vacancy.id))).all():
            if v.id not in taken:
                assert v.id is not None
                return v.id
    raise AssertionError("the demo employer has no open vacancy without introductions")


def _placements(live: Live) -> int:
    with Session(live.hub.engine) as db:
        rep: dict[str, Any] = pipeline.report(live.hub, db, "nl")  # type: ignore[assignment]
    return sum(rep["placements_per_month"].values())


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()


def test_the_whole_chain_in_the_browser(page: Any, live: Live) -> None:
    vid = _employer_vacancy(live)
    placed_before = _placements(live)

    # 1. A new job seeker: register, build a profile (talent pool), leave a phone number, show interest.
    address = register(page, live)
    build_profile(page, live)
    page.goto(f"{live.url}/profiel")
    page.get_by_label("Telefoonnummer (mag je leeg laten)").fill(PHONE)
    page.get_by_role("button", name="Bewaar telefoonnummer").click()
    axe_check(page)
    page.goto(f"{live.url}/vacatures/{vid}")
    axe_check(page)
    page.get_by_role("button", name="Ik heb interesse").click()
    assert "Je hebt interesse getoond op" in page.locator("#interesse ~ p").first.inner_text()
    axe_check(page)
    with Session(live.hub.engine) as db:
        name = db.exec(select(t.User.name).where(t.User.email == address)).one()
    assert any("interesse" in m and name in m for m in mails_to(live, COACH)), "no interest mail to the coach"
    _logout(page)

    # 2. The coach sees the interest on the board, shortlists the person and proposes with a message.
    login(page, live, COACH)
    page.goto(f"{live.url}/coach/pijplijn")
    assert name in page.locator("main").inner_text(), "the interest is not on the coach's board"
    axe_check(page)
    page.goto(f"{live.url}/vacatures/{vid}")
    page.get_by_role("link", name="Bekijk de kandidaten en de shortlist").click()
    axe_check(page)
    interest = page.locator("section[aria-labelledby=interesse]")
    interest.get_by_role("button", name=f"Zet op de shortlist {name}").click()
    assert page.get_by_role("status").inner_text() == "De kandidaat staat op de shortlist."
    axe_check(page)
    with Session(live.hub.engine) as db:
        ref = db.exec(select(t.Profile.ref).join(t.User, col(t.User.id) == t.Profile.user_id)
                      .where(t.User.email == address)).one()
    card = page.locator(f"#lijst-{ref}")
    card.get_by_label(f"Bericht aan {name} (niet verplicht)").fill("Je gastvrijheid past goed bij dit werk.")
    card.get_by_role("button", name=f"Stel voor {name}").click()
    assert "Je voorstel is gemaakt" in page.get_by_role("status").inner_text()
    axe_check(page)
    assert any("/mijn/voorstellen" in m for m in mails_to(live, address)), "no proposal mail to the job seeker"
    _logout(page)

    # 3. The job seeker finds the proposal and agrees.
    login(page, live, address, PASSWORD)
    page.get_by_role("link", name=re.compile("^Voorstellen")).click()
    assert page.url.endswith("/mijn/voorstellen")
    axe_check(page)
    assert page.get_by_text("De werkgever ziet dan je naam, e-mailadres en telefoonnummer.").first.is_visible()
    assert page.get_by_text("Je gastvrijheid past goed bij dit werk.").is_visible()
    page.get_by_role("button", name="Ja, stel me voor").click()
    assert "De coach stelt je voor aan de werkgever" in page.get_by_role("status").inner_text()
    axe_check(page)
    assert any("ja" in m.lower() and name in m for m in mails_to(live, COACH)), "no agreement mail to the coach"
    _logout(page)

    # 4. The coach introduces the candidate to the employer.
    with Session(live.hub.engine) as db:
        iid = db.exec(select(t.Introduction.id).where(t.Introduction.vacancy_id == vid)).one()
    employer_mails_before = len(mails_to(live, EMPLOYER))
    login(page, live, COACH)
    page.goto(f"{live.url}/coach/pijplijn")
    page.locator(f"#voorstel-{iid}").get_by_role("button", name="Stel voor aan werkgever").click()
    assert page.get_by_role("status").inner_text() == "Het voorstel is een stap verder gezet."
    axe_check(page)
    new_mails = mails_to(live, EMPLOYER)[employer_mails_before:]
    assert any(name in m and address in m and PHONE in m for m in new_mails), "no introduction mail to the employer"
    _logout(page)

    # 5. The employer sees name and contact, records the interview and then the hire.
    login(page, live, EMPLOYER)
    page.goto(f"{live.url}/werkgever/vacature/{vid}/kandidaten#voorstellen")
    box = page.locator(f"#introductie-{iid}")
    text = box.inner_text()
    assert name in text and address in text and PHONE in text
    axe_check(page)
    box.get_by_role("button", name="Gesprek gepland").click()
    assert "Gesprek" in page.locator(f"#introductie-{iid}").inner_text()
    axe_check(page)
    page.locator(f"#introductie-{iid}").get_by_role("button", name="Aangenomen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Heb je de kandidaat aangenomen?"
    axe_check(page)
    page.get_by_role("button", name="Ja, aangenomen").click()
    assert "Aangenomen" in page.locator(f"#introductie-{iid}").inner_text()
    axe_check(page)
    shot(page, "chain-employer-hired")
    _logout(page)

    # 6. The dashboard counts the placement.
    assert _placements(live) == placed_before + 1
    login(page, live, COACH)
    page.goto(f"{live.url}/coach/dashboard")
    placed = page.locator("section[aria-labelledby=plaatsingen] td.num")
    assert sum(int(x) for x in placed.all_inner_texts()) >= 1
    axe_check(page)
