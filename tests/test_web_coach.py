"""Coach pages without JavaScript: talent pool, a candidate (notes, propose), a vacancy's shortlist, the
pipeline board and the dashboard."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.models import Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy, employer, jobseeker, staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COACH = "coach@gemeente.example"


def csrf(page: str) -> str:
    m = CSRF.search(page)
    assert m, "no csrf token on the page"
    return m.group(1)


def login(c: TestClient, email: str, password: str = PASSWORD) -> None:
    r = c.post("/inloggen", data={"email": email, "password": password, "csrf_token": csrf(c.get("/inloggen").text)},
               follow_redirects=False)
    assert r.status_code == 303, r.text


def text(page: str) -> str:
    """The page's text without tags, with entities decoded and white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@dataclass
class World:
    app: FastAPI
    api: TestClient  # bearer-token API calls
    web: TestClient  # the coach's browser (session cookie)
    amira: dict[str, str]  # job seeker in horeca/zorg, in the talent pool
    amira_profile: int
    vacancy: int


@pytest.fixture
def world(hub: Hub) -> Iterator[World]:
    from web.app import create_app

    app = create_app(hub=hub)
    with TestClient(app) as api, TestClient(app) as web:
        boss = employer(api)
        r = api.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=boss)
        assert r.status_code == 201, r.text
        amira = jobseeker(api, **cook_profile(hub))
        assert api.put("/api/v1/me/consents", json={"talent_pool": True}, headers=amira).status_code == 200
        bram = jobseeker(api, "bram@example.org", "Bram Techniek", postcode="2316 AB", sectors=["techniek"])
        assert api.put("/api/v1/me/consents", json={"talent_pool": True}, headers=bram).status_code == 200
        jobseeker(api, "nina@example.org", "Nina Nietinpool", sectors=["horeca"])  # not in the pool
        staff(api, hub, Role.coach, COACH)
        login(web, COACH)
        pid = api.get("/api/v1/me/profile", headers=amira).json()["id"]
        yield World(app, api, web, amira, pid, r.json()["id"])


# --------------------------------------------------------------------------- who may come in
def test_anonymous_goes_to_login(hub: Hub) -> None:
    from web.app import create_app

    with TestClient(create_app(hub=hub)) as c:
        for url in ("/coach", "/coach/pijplijn", "/coach/dashboard", "/coach/kandidaat/1", "/coach/vacature/1"):
            r = c.get(url, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/inloggen?next="), url
        r = c.post("/coach/pijplijn/1", data={"status": "introduced"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")


def test_other_roles_are_refused(world: World, hub: Hub) -> None:
    with TestClient(world.app) as js:
        login(js, "amira@example.org")
        for url in ("/coach", "/coach/pijplijn", "/coach/dashboard", f"/coach/kandidaat/{world.amira_profile}"):
            r = js.get(url)
            assert r.status_code == 403 and "Geen toegang" in r.text, url
        r = js.post(f"/coach/kandidaat/{world.amira_profile}/notitie",
                    data={"text": "x", "csrf_token": csrf(js.get("/").text)})
        assert r.status_code == 403
    staff(world.api, hub, Role.admin, "beheer@gemeente.example")
    with TestClient(world.app) as admin:
        login(admin, "beheer@gemeente.example")
        assert admin.get("/coach/dashboard").status_code == 200  # the project board's figures
        assert admin.get("/coach").status_code == 403
        assert admin.get("/coach/pijplijn").status_code == 403


# --------------------------------------------------------------------------- talent pool
def test_talent_pool_filters(world: World, hub: Hub) -> None:
    page = world.web.get("/coach").text
    assert "Amira Test" in page and "Bram Techniek" in page and "Nietinpool" not in page
    assert f'href="/coach/kandidaat/{world.amira_profile}"' in page
    assert "2 mensen gevonden" in text(page)
    zorg = world.web.get("/coach", params={"sector": "zorg"}).text
    assert "Amira Test" in zorg and "Bram Techniek" not in zorg and "1 persoon gevonden" in text(zorg)
    near = world.web.get("/coach", params={"plaats": "Leiden", "km": "15"}).text
    assert "Amira Test" in near
    # Skills: typing shows suggestions on the page itself (no JavaScript); ticking one filters.
    typed = world.web.get("/coach", params={"q": "koken"}).text
    assert 'name="skill"' in typed and 'id="suggestions"' in typed
    cid = hub.concept("koken-volgens-recept", "skill").id
    skilled = world.web.get("/coach", params={"skill": cid}).text
    assert "Amira Test" in skilled and "Bram Techniek" not in skilled
    assert f'value="{cid}" checked' in skilled  # the chosen skill stays chosen
    soon = world.web.get("/coach", params={"beschikbaar": "2020-01-01"}).text
    assert "Amira Test" in soon  # no date given means available now


def test_talent_pool_bad_input_next_to_the_field(world: World) -> None:
    r = world.web.get("/coach", params={"km": "veel", "beschikbaar": "morgen", "skill": "bestaat-niet"})
    assert r.status_code == 422
    assert 'id="f-km-error"' in r.text and 'id="f-beschikbaar-error"' in r.text and 'id="f-skill-error"' in r.text
    assert re.search(r'id="f-km"[^>]*aria-invalid="true"', r.text)
    assert "Amira Test" not in r.text
    r = world.web.get("/coach", params={"plaats": "Nergenshuizen", "km": "10"})
    assert r.status_code == 422 and 'id="f-plaats-error"' in r.text
    assert "We kunnen deze plaats of postcode niet vinden" in r.text
    r = world.web.get("/coach", params={"sector": "bouw"})
    assert r.status_code == 422 and 'id="f-sector-error"' in r.text


# --------------------------------------------------------------------------- one candidate
def test_candidate_note(world: World) -> None:
    url = f"/coach/kandidaat/{world.amira_profile}"
    page = world.web.get(url).text
    assert "<h1>Amira Test</h1>" in page and "Ik kook graag." in page and "Kok" in page
    token = csrf(page)
    r = world.web.post(url + "/notitie", data={"text": "Belt maandag terug.", "csrf_token": "fout"})
    assert r.status_code == 400 and "De pagina was verlopen" in r.text
    r = world.web.post(url + "/notitie", data={"text": "   ", "csrf_token": token})
    assert r.status_code == 422 and 'id="f-text-error"' in r.text and 'aria-invalid="true"' in r.text
    r = world.web.post(url + "/notitie", data={"text": "Belt maandag terug.", "csrf_token": token},
                       follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(url)
    page = world.web.get(r.headers["location"]).text
    assert "Je notitie is opgeslagen." in page and "Belt maandag terug." in page
    assert world.web.get("/coach/kandidaat/999999").status_code == 404
    back = world.web.get(url + "/notitie", follow_redirects=False)  # e.g. the language switch after an error
    assert back.status_code == 303 and back.headers["location"] == url


def test_candidate_propose(world: World) -> None:
    url = f"/coach/kandidaat/{world.amira_profile}"
    token = csrf(world.web.get(url).text)
    r = world.web.post(url + "/voorstel", data={"csrf_token": token})
    assert r.status_code == 422 and 'id="f-vacancy_id-error"' in r.text
    r = world.web.post(url + "/voorstel", data={"vacancy_id": str(world.vacancy), "csrf_token": token},
                       follow_redirects=False)
    assert r.status_code == 303
    assert "Je voorstel is gemaakt" in world.web.get(r.headers["location"]).text
    intros = world.api.get("/api/v1/introductions", headers=world.amira).json()["items"]
    assert [(i["vacancy_id"], i["status"]) for i in intros] == [(world.vacancy, "proposed")]
    again = world.web.post(url + "/voorstel", data={"vacancy_id": str(world.vacancy), "csrf_token": token})
    assert again.status_code == 409 and "al voorgesteld bij deze vacature" in again.text


def test_vacancy_shortlist_propose(world: World) -> None:
    url = f"/coach/vacature/{world.vacancy}"
    page = world.web.get(url).text
    assert "<h1>Kok</h1>" in page and "Amira Test" in page and "Bram Techniek" not in page
    ref = re.search(r'name="candidate_ref" value="([^"]+)"', page)
    assert ref
    r = world.web.post(url + "/voorstel", data={"candidate_ref": ref.group(1), "csrf_token": csrf(page)},
                       follow_redirects=False)
    assert r.status_code == 303
    r = world.web.post(url + "/voorstel", data={"candidate_ref": ref.group(1), "csrf_token": csrf(page)})
    assert r.status_code == 409 and 'role="alert"' in r.text
    assert world.web.get("/coach/vacature/999999").status_code == 404


def test_distances_read_as_in_the_page_language(world: World) -> None:
    """Coach pages format distances as the job seeker's do: '3,4 km' in Dutch, '3.4 km' in English."""
    for url in (f"/coach/vacature/{world.vacancy}", f"/coach/kandidaat/{world.amira_profile}"):
        nl, en = text(world.web.get(url).text), text(world.web.get(url, params={"lang": "en"}).text)
        assert re.search(r"· \d+,\d km", nl) and not re.search(r"\d\.\d km", nl), url
        assert re.search(r"· \d+\.\d km", en) and not re.search(r"\d,\d km", en), url


# --------------------------------------------------------------------------- pipeline board
def test_board_moves_one_step_and_detects_conflicts(world: World) -> None:
    page = world.web.get(f"/coach/kandidaat/{world.amira_profile}").text
    world.web.post(f"/coach/kandidaat/{world.amira_profile}/voorstel",
                   data={"vacancy_id": str(world.vacancy), "csrf_token": csrf(page)})
    board = world.web.get("/coach/pijplijn").text
    for word in ("Voorgesteld", "Kandidaat akkoord", "Voorgesteld aan werkgever", "Gesprek", "Aangenomen",
                 "Afgewezen", "Ingetrokken"):
        assert f">{word} <span" in board
    assert "Wacht op akkoord van de kandidaat." in board
    assert 'value="introduced"' not in board  # only the candidate can agree first
    iid = world.api.get("/api/v1/introductions", headers=world.amira).json()["items"][0]["id"]
    r = world.api.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"},
                       headers=world.amira)
    assert r.status_code == 200, r.text
    board = world.web.get("/coach/pijplijn").text
    card = board[board.index(f'id="voorstel-{iid}"'):]
    assert 'value="introduced"' in card and "Amira Test" in card and "Kok" in card
    version = re.search(r'name="version" value="(\d+)"', card)
    assert version
    token = csrf(board)
    r = world.web.post(f"/coach/pijplijn/{iid}", data={"status": "introduced", "version": version.group(1),
                                                       "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert "een stap verder gezet" in world.web.get(r.headers["location"]).text
    intro = world.api.get(f"/api/v1/introductions/{iid}", headers=world.amira).json()
    assert intro["status"] == "introduced"
    # The same button again with the old version: someone else already moved it.
    r = world.web.post(f"/coach/pijplijn/{iid}", data={"status": "interview", "version": version.group(1),
                                                       "csrf_token": token})
    assert r.status_code == 409 and "Iemand anders heeft dit voorstel net veranderd" in r.text
    r = world.web.post(f"/coach/pijplijn/{iid}", data={"status": "candidate_agreed", "version": str(intro["version"]),
                                                       "csrf_token": token})
    assert r.status_code in (403, 409) and 'role="alert"' in r.text
    r = world.web.post(f"/coach/pijplijn/{iid}", data={"status": "onzin", "csrf_token": token})
    assert r.status_code == 400
    r = world.web.post(f"/coach/pijplijn/{iid}", data={"status": "interview", "csrf_token": "fout"})
    assert r.status_code == 400
    assert world.api.get(f"/api/v1/introductions/{iid}", headers=world.amira).json()["status"] == "introduced"


# --------------------------------------------------------------------------- dashboard
def test_dashboard_charts_have_tables(world: World) -> None:
    page = world.web.get(f"/coach/kandidaat/{world.amira_profile}").text
    world.web.post(f"/coach/kandidaat/{world.amira_profile}/voorstel",
                   data={"vacancy_id": str(world.vacancy), "csrf_token": csrf(page)})
    r = world.web.get("/coach/dashboard")
    assert r.status_code == 200
    assert r.text.count('role="img"') >= 4 and "<title" in r.text
    assert r.text.count("<table>") == r.text.count('role="img"')
    assert '<th scope="row">Horeca</th><td class="num">1</td>' in r.text  # Amira (horeca and zorg)
    assert '<th scope="row">Techniek</th><td class="num">1</td>' in r.text  # Bram
    assert "Nieuwe voorstellen per maand" in r.text and "<script" not in r.text.split("</head>")[1]
    en = world.web.get("/coach/dashboard", params={"lang": "en"}).text
    assert "Profiles per sector" in en and "Placements per month" in en
