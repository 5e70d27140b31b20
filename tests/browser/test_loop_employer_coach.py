"""The coach and employer half of the loop in a real browser: interest → shortlist → proposal with a message →
(the candidate agrees) → introduced → the employer sees name and contact and records "gesprek gepland" →
the coach's "aangenomen" with a confirmation, and a step back → the employer's "aangenomen" (confirmed) →
the dashboard counts the placement. axe-core on every page: zero violations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from api import models as t
from tests.browser.conftest import DEMO_PASSWORD, Live, axe_check, login, shot

pytestmark = pytest.mark.browser
COACH = "sanne.devries@example.org"
EMPLOYER = "werken@dezevenbruggen.example"
PHONE = "06 9876 5432"


def _setup(live: Live) -> tuple[int, str, str, str]:
    """A vacancy of the demo employer and a talent-pool member with no introduction for it, who showed interest
    (the "Ik heb interesse" button is on the job seeker's pages; here the row is written directly)."""
    with Session(live.hub.engine) as db:
        v = db.exec(select(t.Vacancy).join(t.Organisation, col(t.Organisation.id) == t.Vacancy.organisation_id)
                    .where(t.Organisation.email == EMPLOYER, t.Vacancy.status == "open")
                    .order_by(col(t.Vacancy.id))).first()
        assert v is not None and v.id is not None
        taken = set(db.exec(select(t.Introduction.profile_id).where(t.Introduction.vacancy_id == v.id)).all())
        p, u = next((p, u) for p, u in db.exec(
            select(t.Profile, t.User).join(t.User, col(t.User.id) == t.Profile.user_id)
            .where(col(t.Profile.in_talent_pool).is_(True)).order_by(col(t.Profile.id))).all()
            if p.id not in taken and u.language == "nl")
        u.phone = PHONE
        db.add(u)
        db.add(t.Interest(profile_id=p.id or 0, vacancy_id=v.id))
        db.commit()
        return v.id, p.ref, u.name, u.email


def _placements(live: Live, shown_months: int | None = None) -> int:
    """Placements in the report; with ``shown_months``, only the months the dashboard shows (the last ones)."""
    from api.services import pipeline

    with Session(live.hub.engine) as db:
        rep: dict[str, Any] = pipeline.report(live.hub, db, "nl")  # type: ignore[assignment]
    months = list(rep["introductions_per_month"])[-shown_months:] if shown_months else list(rep["placements_per_month"])
    return sum(rep["placements_per_month"].get(m, 0) for m in months)


def _logout(page: Any) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()


def test_shortlist_propose_introduce_interview_hire(page: Any, live: Live) -> None:
    vid, ref, name, email = _setup(live)
    before = _placements(live)

    # The coach finds the vacancy's candidates from the public vacancy page.
    login(page, live, COACH)
    page.goto(f"{live.url}/vacatures/{vid}")
    page.get_by_role("link", name="Bekijk de kandidaten en de shortlist").click()
    assert page.url.endswith(f"/coach/vacature/{vid}")
    axe_check(page)
    interest = page.locator("section[aria-labelledby=interesse]")
    assert name in interest.inner_text()
    interest.get_by_role("button", name=f"Zet op de shortlist {name}").click()
    assert page.get_by_role("status").inner_text() == "De kandidaat staat op de shortlist."
    axe_check(page)
    card = page.locator(f"#lijst-{ref}")
    card.get_by_label(f"Bericht aan {name} (niet verplicht)").fill("Dit past goed bij je ervaring. Groet, Sanne")
    card.get_by_role("button", name=f"Stel voor {name}").click()
    assert "Je voorstel is gemaakt" in page.get_by_role("status").inner_text()
    axe_check(page)
    shot(page, "coach-shortlist")

    # The candidate agrees (their page is /mijn/voorstellen; here through the JSON API).
    api = f"{live.url}/api/v1"
    token = httpx.post(f"{api}/auth/tokens", json={"email": email, "password": DEMO_PASSWORD, "name": "t"}).json()
    h = {"Authorization": f"Bearer {token['token']}"}
    intro = next(i for i in httpx.get(f"{api}/introductions?limit=100", headers=h).json()["items"]
                 if i["vacancy_id"] == vid)
    iid = intro["id"]
    assert httpx.post(f"{api}/introductions/{iid}/status", json={"status": "candidate_agreed"},
                      headers=h).status_code == 200

    # The coach introduces them to the employer on the board.
    page.get_by_role("link", name="Voorstellen", exact=True).click()
    axe_check(page)
    page.locator(f"#voorstel-{iid}").get_by_role("button", name="Stel voor aan werkgever").click()
    assert page.get_by_role("status").inner_text() == "Het voorstel is een stap verder gezet."
    axe_check(page)
    _logout(page)

    # The employer sees name, e-mail and phone, and records the interview.
    login(page, live, EMPLOYER)
    page.goto(f"{live.url}/werkgever/vacature/{vid}/kandidaten#voorstellen")
    box = page.locator(f"#introductie-{iid}")
    assert name in box.inner_text() and email in box.inner_text() and PHONE in box.inner_text()
    axe_check(page)
    box.get_by_role("button", name="Gesprek gepland").click()
    assert page.get_by_role("status").inner_text() == "Bewaard. De coach ziet het ook."
    assert "Gesprek" in page.locator(f"#introductie-{iid}").inner_text()
    axe_check(page)
    shot(page, "werkgever-introducties")
    _logout(page)

    # The coach records "aangenomen": a confirmation first; then a step back; then again.
    login(page, live, COACH)
    page.goto(f"{live.url}/coach/pijplijn")
    page.locator(f"#voorstel-{iid}").get_by_role("link", name="Aangenomen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Is de kandidaat aangenomen?"
    axe_check(page)
    page.get_by_role("button", name="Ja, aangenomen").click()
    assert page.locator("#kolom-hired").locator("xpath=..").locator(f"#voorstel-{iid}").count() == 1
    assert _placements(live) == before + 1
    page.locator(f"#voorstel-{iid}").get_by_role("button", name="Zet een stap terug").click()
    assert "De stap is teruggezet" in page.get_by_role("status").inner_text()
    assert page.locator("#kolom-interview").locator("xpath=..").locator(f"#voorstel-{iid}").count() == 1
    assert _placements(live) == before
    axe_check(page)
    _logout(page)

    # The employer records "aangenomen" (also with a confirmation).
    login(page, live, EMPLOYER)
    page.goto(f"{live.url}/werkgever/vacature/{vid}/kandidaten#voorstellen")
    page.locator(f"#introductie-{iid}").get_by_role("button", name="Aangenomen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Heb je de kandidaat aangenomen?"
    axe_check(page)
    page.get_by_role("button", name="Ja, aangenomen").click()
    assert "Aangenomen" in page.locator(f"#introductie-{iid}").inner_text()
    assert _placements(live) == before + 1
    _logout(page)

    # The dashboard counts it.
    login(page, live, COACH)
    page.get_by_role("link", name="Dashboard").click()
    placed = page.locator("section[aria-labelledby=plaatsingen] td.num")
    assert sum(int(x) for x in placed.all_inner_texts()) == _placements(live, shown_months=12)
    axe_check(page)
