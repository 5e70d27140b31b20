"""Issue 13, employer and coach side: salary and how to apply, the employer's introductions (anonymous until
the coach introduces), the shared shortlist, interest on the board, "aangenomen" with confirmation and a step
back, notes with author and sharing. Every test runs on SQLite and PostgreSQL (the ``hub`` fixture)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from api import models as t
from api.models import Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy, employer, jobseeker, staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COACH = "coach@gemeente.example"
MESSAGE = "Hoi Amira, deze keuken zoekt iemand zoals jij. Groet, Co"


def csrf(page: str) -> str:
    m = CSRF.search(page)
    assert m, "no csrf token on the page"
    return m.group(1)


def login(c: TestClient, email: str) -> None:
    r = c.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": csrf(c.get("/inloggen").text)},
               follow_redirects=False)
    assert r.status_code == 303, r.text


def text(page: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@dataclass
class World:
    app: FastAPI
    hub: Hub
    api: TestClient
    coach: TestClient  # logged-in coach browser
    boss: TestClient  # logged-in employer browser
    boss_h: dict[str, str]
    coach_h: dict[str, str]
    amira: dict[str, str]
    amira_profile: int
    amira_ref: str
    vacancy: int


@pytest.fixture
def world(hub: Hub) -> Iterator[World]:
    from web.app import create_app

    app = create_app(hub=hub)
    with TestClient(app) as api, TestClient(app) as coach, TestClient(app) as boss:
        boss_h = employer(api)
        r = api.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=boss_h)
        assert r.status_code == 201, r.text
        amira = jobseeker(api, **cook_profile(hub))
        assert api.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True},
                       headers=amira).status_code == 200
        with Session(hub.engine) as db:  # the phone number comes from the job seeker's pages (other branch)
            u = db.exec(select(t.User).where(t.User.email == "amira@example.org")).one()
            u.phone = "06 1234 5678"
            db.add(u)
            db.commit()
        coach_h = staff(api, hub, Role.coach, COACH)
        login(coach, COACH)
        login(boss, "hr@brasserie.example")
        prof = api.get("/api/v1/me/profile", headers=amira).json()
        yield World(app, hub, api, coach, boss, boss_h, coach_h, amira, prof["id"], prof["ref"], r.json()["id"])


def _intro_id(w: World) -> int:
    return int(w.api.get("/api/v1/introductions", headers=w.amira).json()["items"][0]["id"])


def _version(w: World, iid: int) -> int:
    return int(w.api.get(f"/api/v1/introductions/{iid}", headers=w.coach_h).json()["version"])


# --------------------------------------------------------------------------- item 5: salary and how to apply
def _form(w: World, **over: str | list[str]) -> dict[str, str | list[str]]:
    page = w.boss.get("/werkgever/vacature/nieuw").text
    skill = w.hub.concept("koken-volgens-recept", "skill").id
    data: dict[str, str | list[str]] = {"csrf_token": csrf(page), "action": "save", "title": "Zelfstandig kok",
                                        "skill": [skill], "where": "2311 CS"}
    data.update(over)
    return data


def test_vacancy_form_salary_and_how_to_apply_reach_the_api_and_the_jobposting(world: World) -> None:
    w = world
    r = w.boss.post("/werkgever/vacature/nieuw", data=_form(
        w, salary_min="2.600", salary_max="€ 3.100", salary_period="MONTH", apply_contact="Sanne de Vries",
        apply_email="werken@brasserie.example", apply_phone="071 123 45 67",
        apply_url="https://brasserie.example/werken", direct_apply="1"), follow_redirects=False)
    assert r.status_code == 303, r.text
    vid = max(v["id"] for v in w.api.get("/api/v1/vacancies", headers=w.boss_h).json()["items"])
    v = w.api.get(f"/api/v1/vacancies/{vid}").json()
    assert (v["salary_min"], v["salary_max"], v["salary_currency"], v["salary_period"]) == (2600, 3100, "EUR", "MONTH")
    assert v["apply_url"] == "https://brasserie.example/werken" and v["direct_apply"] is True
    assert (v["apply_email"], v["apply_phone"], v["apply_contact"]) == ("werken@brasserie.example", "071 123 45 67",
                                                                        "Sanne de Vries")
    page = w.api.get(f"/vacatures/{vid}").text
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["baseSalary"] == {"@type": "MonetaryAmount", "currency": "EUR", "value": {
        "@type": "QuantitativeValue", "unitText": "MONTH", "minValue": 2600, "maxValue": 3100}}
    assert ld["applicationContact"]["@type"] == "ContactPoint"
    assert ld["applicationContact"]["email"] == "werken@brasserie.example"
    assert ld["applicationContact"]["url"] == "https://brasserie.example/werken"
    assert ld["applicationContact"]["telephone"] == "071 123 45 67" and ld["directApply"] is True
    assert ld["url"].endswith(f"/vacatures/{vid}")
    # The edit form shows it again as typed-back amounts; saving unchanged keeps it.
    edit = w.boss.get(f"/werkgever/vacature/{vid}/bewerken").text
    assert 'value="2600"' in edit and 'value="MONTH" selected' in edit and "checked" in edit


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"salary_min": "3000", "salary_max": "2000", "salary_period": "MONTH"}, "salary_max", "lager dan het laagste"),
    ({"salary_min": "veel", "salary_period": "MONTH"}, "salary_min", "Vul een bedrag in euro in"),
    ({"salary_min": "-5", "salary_period": "MONTH"}, "salary_min", "Vul een bedrag in euro in"),
    ({"salary_min": "2600"}, "salary_period", "per uur, week, maand of jaar"),
    ({"salary_min": "14", "salary_period": "FORTNIGHT"}, "salary_period", "Kies per uur"),
    ({"apply_url": "javascript:alert(1)"}, "apply_url", "begint met https://"),
    ({"apply_url": "ftp://brasserie.example"}, "apply_url", "begint met https://"),
    ({"apply_email": "geen-adres"}, "apply_email", "geldig e-mailadres"),
    ({"apply_phone": "bel me"}, "apply_phone", "telefoonnummer"),
    ({"direct_apply": "1"}, "apply_url", "direct kunnen solliciteren"),
])
def test_vacancy_form_refuses_bad_salary_or_contact_next_to_the_field(world: World, fields: dict[str, str],
                                                                      field: str, message: str) -> None:
    r = world.boss.post("/werkgever/vacature/nieuw", data=_form(world, **fields))
    assert r.status_code == 422
    assert f'id="f-{field}-error"' in r.text and message in text(r.text)
    assert world.api.get("/api/v1/vacancies", headers=world.boss_h).json()["total"] == 1  # nothing saved


def test_vacancy_api_validates_salary_and_apply_fields(world: World) -> None:
    w = world
    for bad in ({"salary_min": 3000, "salary_max": 2000, "salary_period": "MONTH"},
                {"salary_min": 2000}, {"salary_min": 0, "salary_period": "MONTH"},
                {"salary_min": 10, "salary_period": "FORTNIGHT"}, {"apply_url": "javascript:alert(1)"},
                {"apply_url": "https://"}, {"apply_email": "x"}, {"apply_phone": "call me"},
                {"salary_currency": "euro", "salary_min": 1, "salary_period": "HOUR"}):
        r = w.api.post("/api/v1/vacancies", json=cook_vacancy(w.hub, **bad), headers=w.boss_h)
        assert r.status_code == 422, bad
    r = w.api.post("/api/v1/vacancies", json=cook_vacancy(w.hub, salary_min=14.5, salary_max=14.5,
                                                          salary_period="HOUR"), headers=w.boss_h)
    assert r.status_code == 201 and r.json()["salary_currency"] == "EUR"


def test_employer_page_distances_follow_the_language(world: World) -> None:
    page = world.boss.get(f"/werkgever/vacature/{world.vacancy}/kandidaten").text
    assert re.search(r"\d+,\d km van je vacature", page) and not re.search(r"\d+\.\d km", page)
    en = world.boss.get(f"/werkgever/vacature/{world.vacancy}/kandidaten?lang=en").text
    assert re.search(r"\d+\.\d km", en)


# --------------------------------------------------------------------------- item 6: the employer's introductions
def _propose_with_message(w: World) -> int:
    page = w.coach.get(f"/coach/vacature/{w.vacancy}").text
    r = w.coach.post(f"/coach/vacature/{w.vacancy}/shortlist",
                     data={"csrf_token": csrf(page), "candidate_ref": w.amira_ref, "action": "add"},
                     follow_redirects=False)
    assert r.status_code == 303 and "gedaan=lijst" in r.headers["location"]
    page = w.coach.get(r.headers["location"]).text
    assert "De kandidaat staat op de shortlist." in page and 'id="lijst-' in page
    r = w.coach.post(f"/coach/vacature/{w.vacancy}/voorstel",
                     data={"csrf_token": csrf(page), "candidate_ref": w.amira_ref, "message": MESSAGE},
                     follow_redirects=False)
    assert r.status_code == 303
    return _intro_id(w)


def _nothing_personal(w: World, iid: int) -> None:
    """Every employer page and endpoint about this introduction: no name, contact or free text."""
    seen = [w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text,
            w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten?lang=en").text,
            w.boss.get("/werkgever").text,
            json.dumps(w.api.get(f"/api/v1/introductions/{iid}", headers=w.boss_h).json()),
            json.dumps(w.api.get("/api/v1/introductions", headers=w.boss_h).json()),
            json.dumps(w.api.get(f"/api/v1/vacancies/{w.vacancy}/candidates", headers=w.boss_h).json()),
            json.dumps(w.api.get("/api/v1/talent-pool", headers=w.boss_h).json())]
    for body in seen:
        for secret in ("Amira", "amira@example.org", "1234 5678", "Ik kook graag", "deze keuken zoekt", "2316"):
            assert secret not in body, secret


def test_employer_sees_name_and_contact_only_after_the_coach_introduced(world: World) -> None:
    w = world
    iid = _propose_with_message(w)
    _nothing_personal(w, iid)
    with Session(w.hub.engine) as db:
        assert db.get(t.Introduction, iid).message == MESSAGE  # type: ignore[union-attr]
    # Outcome buttons are refused before the introduction (403), and not on the page at all.
    page = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text
    assert f'action="/werkgever/introductie/{iid}"' not in page
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": csrf(page), "status": "interview"})
    assert r.status_code == 403 and "Dit kan pas als de coach" in r.text
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "declined"},
                      headers=w.boss_h).status_code == 403
    # The candidate agrees: still nothing for the employer.
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"},
                      headers=w.amira).status_code == 200
    _nothing_personal(w, iid)
    # The coach introduces: name, e-mail and phone; never the coach's message.
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "introduced"},
                      headers=w.coach_h).status_code == 200
    page = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text
    assert "Amira Test" in page and 'href="mailto:amira@example.org"' in page and "06 1234 5678" in page
    assert "deze keuken zoekt" not in page and "Ik kook graag" not in page
    api = w.api.get(f"/api/v1/introductions/{iid}", headers=w.boss_h).json()
    assert (api["candidate_name"], api["candidate_email"], api["candidate_phone"]) == (
        "Amira Test", "amira@example.org", "06 1234 5678")
    assert "deze keuken zoekt" not in json.dumps(api)


def test_employer_records_interview_then_hired_and_the_dashboard_counts_it(world: World) -> None:
    w = world
    iid = _propose_with_message(w)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=w.amira)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "introduced"}, headers=w.coach_h)
    page = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text
    card = page[page.index(f'id="introductie-{iid}"'):]
    assert 'value="interview"' in card and 'value="hired"' in card and "Niet gekozen" in card
    version = re.search(r'name="version" value="(\d+)"', card).group(1)  # type: ignore[union-attr]
    token = csrf(page)
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "interview",
                                                           "version": version}, follow_redirects=False)
    assert r.status_code == 303 and "melding=uitkomst" in r.headers["location"]
    after = w.boss.get(r.headers["location"]).text
    assert "Bewaard. De coach ziet het ook." in after and "Gesprek" in after
    # The same form again (stale version): 409 with a plain message, nothing changed.
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "interview",
                                                           "version": version})
    assert r.status_code == 409 and "net veranderd" in r.text
    # No CSRF token: 400, nothing changed.
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"status": "hired"})
    assert r.status_code == 400 and "De pagina was verlopen" in r.text
    # Nonsense status: 422.
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "introduced"})
    assert r.status_code == 422
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=w.boss_h).json()["status"] == "interview"
    # "Aangenomen" asks first (a page of its own); nothing changes until the employer confirms.
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "hired"})
    assert r.status_code == 200 and "Heb je de kandidaat aangenomen?" in r.text and 'name="bevestigd"' in r.text
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=w.boss_h).json()["status"] == "interview"
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "hired",
                                                           "bevestigd": "ja"}, follow_redirects=False)
    assert r.status_code == 303
    # Answering twice: a finished introduction does not move on.
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": token, "status": "declined"})
    assert r.status_code == 409 and "Deze stap kan nu niet" in r.text
    report = w.api.get("/api/v1/reports/summary", headers=w.coach_h).json()
    assert sum(report["placements_per_month"].values()) == 1
    dash = w.coach.get("/coach/dashboard").text
    placed = dash[dash.index('id="plaatsingen"'):]
    placed = placed[:placed.index("</section>")]
    assert re.search(r'<td class="num">1</td>', placed), placed


def test_employer_not_chosen_and_someone_elses_introduction(world: World) -> None:
    w = world
    iid = _propose_with_message(w)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=w.amira)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "introduced"}, headers=w.coach_h)
    # Another employer cannot see or move it: 404 on the page and in the API.
    other = employer(w.api, "hr@ander.example", "Ander Bedrijf")
    with TestClient(w.app) as c:
        login(c, "hr@ander.example")
        r = c.post(f"/werkgever/introductie/{iid}", data={"csrf_token": csrf(c.get("/werkgever").text),
                                                          "status": "hired"})
        assert r.status_code == 404 and "Amira" not in r.text
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=other).status_code == 404
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "hired"},
                      headers=other).status_code == 404
    page = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": csrf(page), "status": "declined"},
                    follow_redirects=False)
    assert r.status_code == 303
    after = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text
    card = text(after[after.index(f'id="introductie-{iid}"'):])
    assert "Niet gekozen" in card
    assert w.boss.get(f"/werkgever/introductie/{iid}", follow_redirects=False).status_code == 303


def test_employer_answers_a_withdrawn_introduction(world: World) -> None:
    w = world
    iid = _propose_with_message(w)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=w.amira)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "introduced"}, headers=w.coach_h)
    page = w.boss.get(f"/werkgever/vacature/{w.vacancy}/kandidaten").text  # the form as the employer saw it
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "withdrawn"},
                      headers=w.coach_h).status_code == 200
    r = w.boss.post(f"/werkgever/introductie/{iid}", data={"csrf_token": csrf(page), "status": "hired"})
    assert r.status_code == 409 and 'role="alert"' in r.text and "Deze stap kan nu niet" in r.text
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=w.coach_h).json()["status"] == "withdrawn"
    assert "Amira" not in r.text  # withdrawn: the name is gone again


# --------------------------------------------------------------------------- item 7: the shortlist
def test_shortlist_api_is_shared_between_coaches_and_audited(world: World) -> None:
    w = world
    url = f"/api/v1/coach/vacancies/{w.vacancy}/shortlist"
    r = w.api.post(url, json={"candidate_ref": w.amira_ref}, headers=w.coach_h)
    assert r.status_code == 201 and r.json()["name"] == "Amira Test" and r.json()["added_by"] == "coach test"
    assert w.api.post(url, json={"candidate_ref": w.amira_ref}, headers=w.coach_h).status_code == 409
    other = staff(w.api, w.hub, Role.coach, "coach2@gemeente.example")
    listed = w.api.get(url, headers=other).json()
    assert [e["candidate_ref"] for e in listed] == [w.amira_ref]
    # Not for employers, job seekers or anonymous callers; unknown people and vacancies are 404.
    for h in (w.boss_h, w.amira):
        assert w.api.get(url, headers=h).status_code == 403
        assert w.api.post(url, json={"candidate_ref": w.amira_ref}, headers=h).status_code == 403
        assert w.api.delete(f"{url}/{w.amira_ref}", headers=h).status_code == 403
    assert w.api.get(url).status_code == 401
    assert w.api.post(url, json={"candidate_ref": "onbekend1"}, headers=w.coach_h).status_code == 404
    assert w.api.get("/api/v1/coach/vacancies/999999/shortlist", headers=w.coach_h).status_code == 404
    assert w.api.delete(f"{url}/{w.amira_ref}", headers=other).status_code == 204
    assert w.api.delete(f"{url}/{w.amira_ref}", headers=other).status_code == 404
    assert w.api.get(url, headers=w.coach_h).json() == []
    with Session(w.hub.engine) as db:
        actions = {(a.action, a.subject_type) for a in db.exec(select(t.AuditEntry)).all()}
    assert {("create", "shortlist_entry"), ("delete", "shortlist_entry"), ("view", "shortlist")} <= actions


def test_shortlist_page_add_propose_remove(world: World) -> None:
    w = world
    page = w.coach.get(f"/coach/vacature/{w.vacancy}").text
    assert "Nog niemand op de shortlist" in page and 'value="add"' in page
    token = csrf(page)
    url = f"/coach/vacature/{w.vacancy}/shortlist"
    assert w.coach.post(url, data={"csrf_token": token, "candidate_ref": w.amira_ref, "action": "add"},
                        follow_redirects=False).status_code == 303
    r = w.coach.post(url, data={"csrf_token": token, "candidate_ref": w.amira_ref, "action": "add"})
    assert r.status_code == 409 and "staat al op de shortlist" in r.text
    r = w.coach.post(url, data={"candidate_ref": w.amira_ref, "action": "remove"})
    assert r.status_code == 400 and "De pagina was verlopen" in r.text
    r = w.coach.post(url, data={"csrf_token": token, "candidate_ref": w.amira_ref, "action": "gooi"})
    assert r.status_code == 422
    page = w.coach.get(f"/coach/vacature/{w.vacancy}").text
    assert "Bericht aan Amira Test" in page and "Haal van de shortlist" in page
    # A message that is too long is refused and kept in the form.
    r = w.coach.post(f"/coach/vacature/{w.vacancy}/voorstel",
                     data={"csrf_token": token, "candidate_ref": w.amira_ref, "message": "x" * 2001})
    assert r.status_code == 422 and "te lang" in r.text and "x" * 2001 in r.text
    assert w.api.get("/api/v1/introductions", headers=w.amira).json()["total"] == 0
    r = w.coach.post(f"/coach/vacature/{w.vacancy}/voorstel",
                     data={"csrf_token": token, "candidate_ref": w.amira_ref, "message": MESSAGE},
                     follow_redirects=False)
    assert r.status_code == 303
    page = w.coach.get(r.headers["location"]).text
    assert "Je voorstel is gemaakt" in page and "Voorgesteld." in page
    r = w.coach.post(url, data={"csrf_token": token, "candidate_ref": w.amira_ref, "action": "remove"},
                     follow_redirects=False)
    assert r.status_code == 303
    r = w.coach.post(url, data={"csrf_token": token, "candidate_ref": w.amira_ref, "action": "remove"})
    assert r.status_code == 404 and "niet (meer) op de shortlist" in r.text


def test_links_to_a_vacancys_candidates_for_coaches_only(world: World) -> None:
    w = world
    link = f'href="/coach/vacature/{w.vacancy}"'
    assert link in w.coach.get("/vacatures").text and link in w.coach.get(f"/vacatures/{w.vacancy}").text
    assert link not in w.boss.get("/vacatures").text and link not in w.api.get(f"/vacatures/{w.vacancy}").text
    assert w.boss.get(f"/coach/vacature/{w.vacancy}").status_code == 403


# --------------------------------------------------------------------------- item 8: the board
def test_interest_is_on_the_board_with_employer_and_place_and_can_be_proposed(world: World) -> None:
    w = world
    with Session(w.hub.engine) as db:  # the job seeker's "Ik heb interesse" (written by the other branch's page)
        db.add(t.Interest(profile_id=w.amira_profile, vacancy_id=w.vacancy))
        db.commit()
    board = w.coach.get("/coach/pijplijn").text
    col_ = board[board.index('id="kolom-interesse"'):board.index('id="kolom-proposed"')]
    assert "Amira Test" in col_ and "Kok" in col_ and "Brasserie Test" in col_ and "Leiden" in col_
    assert "Heeft interesse" in w.coach.get(f"/coach/vacature/{w.vacancy}").text
    r = w.coach.post(f"/coach/vacature/{w.vacancy}/voorstel",
                     data={"csrf_token": csrf(board), "candidate_ref": w.amira_ref, "terug": "bord"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/coach/pijplijn")
    board = w.coach.get(r.headers["location"]).text
    col_ = board[board.index('id="kolom-interesse"'):board.index('id="kolom-proposed"')]
    assert "Amira Test" not in col_  # now a card of its own
    card = board[board.index(f'id="voorstel-{_intro_id(w)}"'):]
    assert "Brasserie Test" in card[:2000] and "Leiden" in card[:2000]


def _to_interview(w: World) -> int:
    iid = _propose_with_message(w)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=w.amira)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "introduced"}, headers=w.coach_h)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "interview"}, headers=w.coach_h)
    return iid


def test_hired_asks_for_confirmation_and_can_be_undone(world: World) -> None:
    w = world
    iid = _to_interview(w)
    board = w.coach.get("/coach/pijplijn").text
    card = board[board.index(f'id="voorstel-{iid}"'):]
    assert f'href="/coach/pijplijn/{iid}/aangenomen"' in card and 'value="hired"' not in card.split("</li>")[0]
    token = csrf(board)
    # A POST without the confirmation shows the confirmation page; nothing changes.
    r = w.coach.post(f"/coach/pijplijn/{iid}", data={"csrf_token": token, "status": "hired",
                                                     "version": str(_version(w, iid))})
    assert r.status_code == 200 and "Is de kandidaat aangenomen?" in r.text and 'name="bevestigd"' in r.text
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=w.coach_h).json()["status"] == "interview"
    page = w.coach.get(f"/coach/pijplijn/{iid}/aangenomen")
    assert page.status_code == 200 and "Ja, aangenomen" in page.text and "Brasserie Test" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    r = w.coach.post(f"/coach/pijplijn/{iid}", data={"csrf_token": token, "status": "hired", "bevestigd": "ja",
                                                     "version": version}, follow_redirects=False)
    assert r.status_code == 303
    report = w.api.get("/api/v1/reports/summary", headers=w.coach_h).json()
    assert sum(report["placements_per_month"].values()) == 1
    # Undo: one step back, with its own history row; the placement no longer counts.
    board = w.coach.get("/coach/pijplijn").text
    card = board[board.index(f'id="voorstel-{iid}"'):]
    assert f'action="/coach/pijplijn/{iid}/terug"' in card
    hired_version = _version(w, iid)
    r = w.coach.post(f"/coach/pijplijn/{iid}/terug", data={"csrf_token": token, "version": str(hired_version)},
                     follow_redirects=False)
    assert r.status_code == 303 and "gedaan=terug" in r.headers["location"]
    assert "De stap is teruggezet" in w.coach.get(r.headers["location"]).text
    intro = w.api.get(f"/api/v1/introductions/{iid}", headers=w.coach_h).json()
    assert intro["status"] == "interview"
    assert [e["status"] for e in intro["events"]][-2:] == ["hired", "interview"]
    with Session(w.hub.engine) as db:
        last = db.exec(select(t.IntroductionEvent).where(t.IntroductionEvent.introduction_id == iid)
                       .order_by(col(t.IntroductionEvent.id).desc())).first()
        assert last is not None and last.reason == "undo"
    report = w.api.get("/api/v1/reports/summary", headers=w.coach_h).json()
    assert sum(report["placements_per_month"].values()) == 0
    # The same undo again with the old version: 409, nothing lost.
    r = w.coach.post(f"/coach/pijplijn/{iid}/terug", data={"csrf_token": token, "version": str(hired_version)})
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert w.api.get(f"/api/v1/introductions/{iid}", headers=w.coach_h).json()["status"] == "interview"
    # Hired again through the API: counted once more.
    assert w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "hired"},
                      headers=w.coach_h).status_code == 200
    report = w.api.get("/api/v1/reports/summary", headers=w.coach_h).json()
    assert sum(report["placements_per_month"].values()) == 1


def test_a_candidates_own_answer_cannot_be_undone(world: World) -> None:
    w = world
    iid = _propose_with_message(w)
    w.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=w.amira)
    r = w.api.post(f"/api/v1/introductions/{iid}/undo", json={}, headers=w.coach_h)
    assert r.status_code == 409
    assert w.api.post(f"/api/v1/introductions/{iid}/undo", json={}, headers=w.boss_h).status_code == 403
    assert w.api.post(f"/api/v1/introductions/{iid}/undo", json={}, headers=w.amira).status_code == 403
    assert w.api.post("/api/v1/introductions/999999/undo", json={}, headers=w.coach_h).status_code == 404
    board = w.coach.get("/coach/pijplijn").text
    assert f'action="/coach/pijplijn/{iid}/terug"' not in board
    r = w.coach.post(f"/coach/pijplijn/{iid}/terug", data={"csrf_token": csrf(board)})
    assert r.status_code == 409
    r = w.coach.post("/coach/pijplijn/999999/terug", data={"csrf_token": csrf(board)})
    assert r.status_code == 404 and "bestaat niet meer" in r.text


def test_notes_show_author_and_who_may_read_them(world: World) -> None:
    w = world
    url = f"/coach/kandidaat/{w.amira_profile}"
    page = w.coach.get(url).text
    assert "Deze persoon kan de notities ook lezen" not in page
    assert 'name="shared" value="nee"' in page and "Alleen voor coaches" in page and "Ook voor de kandidaat" in page
    token = csrf(page)
    for note, shared in (("Alleen voor ons.", "nee"), ("Goed gesprek gehad.", "ja")):
        r = w.coach.post(url + "/notitie", data={"csrf_token": token, "text": note, "shared": shared},
                         follow_redirects=False)
        assert r.status_code == 303
    r = w.coach.post(url + "/notitie", data={"csrf_token": token, "text": "x", "shared": "iedereen"})
    assert r.status_code == 422 and "Kies wie de notitie mag lezen" in r.text
    notes = w.api.get(f"/api/v1/notes?profile_id={w.amira_profile}", headers=w.coach_h).json()
    assert [(n["text"], n["shared"]) for n in notes] == [("Alleen voor ons.", False), ("Goed gesprek gehad.", True)]
    page = text(w.coach.get(url).text)
    assert "coach test" in page and "Ook voor de kandidaat" in page


def test_propose_from_the_candidate_page_with_a_message(world: World) -> None:
    w = world
    url = f"/coach/kandidaat/{w.amira_profile}"
    page = w.coach.get(url).text
    assert 'name="message"' in page
    r = w.coach.post(url + "/voorstel", data={"csrf_token": csrf(page), "vacancy_id": str(w.vacancy),
                                              "message": "y" * 2001})
    assert r.status_code == 422 and "te lang" in r.text and "y" * 2001 in r.text
    r = w.coach.post(url + "/voorstel", data={"csrf_token": csrf(page), "vacancy_id": str(w.vacancy),
                                              "message": MESSAGE}, follow_redirects=False)
    assert r.status_code == 303
    with Session(w.hub.engine) as db:
        assert db.get(t.Introduction, _intro_id(w)).message == MESSAGE  # type: ignore[union-attr]


def test_english_pages(world: World) -> None:
    w = world
    _propose_with_message(w)
    assert "Shortlist" in w.coach.get(f"/coach/vacature/{w.vacancy}?lang=en").text
    board = w.coach.get("/coach/pijplijn?lang=en").text
    assert "Is interested" in board and "Heeft interesse" not in board
    form = w.boss.get("/werkgever/vacature/nieuw?lang=en").text
    assert "Step 6: salary and how to apply" in form and "per month" in form


# --------------------------------------------------------------------------- properties
@settings(deadline=None)  # the first example imports the web layer
@given(cents=st.integers(min_value=1, max_value=1_000_000_000), lang=st.sampled_from(["nl", "en"]))
def test_an_amount_shown_in_the_form_reads_back_the_same(cents: int, lang: str) -> None:
    """The edit form shows a stored salary the way it reads it back: saving unchanged never changes it."""
    from web.routes.employer import _amount, parse_amount

    x = cents / 100
    assert parse_amount(_amount(x, lang), lang) == x


@settings(deadline=None)
@given(euros=st.integers(min_value=1000, max_value=9_999_999))
def test_dutch_thousands_points_are_not_decimals(euros: int) -> None:
    from web.routes.employer import parse_amount

    dutch = f"{euros:,}".replace(",", ".")  # 2.600 / 1.234.567
    assert parse_amount(dutch, "nl") == euros and parse_amount(f"€ {dutch},00", "nl") == euros
    assert parse_amount(f"{euros:,}", "en") == euros


@given(moves=st.lists(st.sampled_from(["step", "undo"]), max_size=30))
def test_undo_takes_back_exactly_the_last_step_in_force(moves: list[str]) -> None:
    """Whatever mix of steps and undos, the steps in force are the plain steps minus the ones taken back,
    and an undo never removes the first step (the proposal)."""
    from api.services.pipeline import UNDO, steps

    events, expected = [t.IntroductionEvent(introduction_id=1, status="proposed")], ["s0"]
    for n, m in enumerate(moves, 1):
        if m == "step":
            events.append(t.IntroductionEvent(introduction_id=1, status=f"s{n}"))
            expected.append(f"s{n}")
        else:
            events.append(t.IntroductionEvent(introduction_id=1, status="x", reason=UNDO))
            if len(expected) > 1:
                expected.pop()
    live = steps(events)
    assert len(live) == len(expected) and live[0].status == "proposed"
    assert [e.status for e in live[1:]] == expected[1:]
