"""The job seeker's side of the introductions loop, on SQLite and PostgreSQL: interest in a vacancy, proposals
at /mijn/voorstellen and their answers, shared notes, phone, the vacancy alert, and the e-mails of each step."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import models as t
from api.models import Role
from api.services import alerts
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, Headers, cook_profile, cook_vacancy, employer, jobseeker, staff
from web.app import create_app

SEEKER = "amira@example.org"


@pytest.fixture
def app(hub: Hub):  # type: ignore[no-untyped-def]
    return create_app(hub=hub)


@pytest.fixture
def web(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf token on the page"
    return m.group(1)


def login(web: TestClient, email_: str) -> str:
    token = csrf(web.get("/inloggen").text)
    r = web.post("/inloggen", data={"email": email_, "password": PASSWORD, "csrf_token": token},
                 follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf(web.get("/profiel").text if email_ == SEEKER else web.get("/").text)


def mails(hub: Hub) -> list[EmailMessage]:
    folder = hub.settings.home / "mail"
    files = sorted(folder.glob("*.eml"), key=lambda f: f.stat().st_mtime_ns) if folder.exists() else []
    out = []
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        out.append(msg)
    return out


def to(hub: Hub, address: str) -> list[EmailMessage]:
    return [m for m in mails(hub) if m["To"] == address]


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class World:
    coach: Headers
    employer: Headers
    seeker: Headers
    vacancy: int


def world(hub: Hub, api: TestClient, *, pool: bool = True, seeker_lang: str = "nl") -> World:
    coach = staff(api, hub, Role.coach, "coach@gemeente.example")
    emp = employer(api)
    r = api.post("/api/v1/vacancies", headers=emp, json=cook_vacancy(hub))
    assert r.status_code == 201, r.text
    seeker = jobseeker(api, SEEKER, "Amira Test", **cook_profile(hub))
    if pool:
        assert api.put("/api/v1/me/consents", headers=seeker, json={"talent_pool": True}).status_code == 200
    with Session(hub.engine) as db:
        u = db.exec(select(t.User).where(t.User.email == SEEKER)).one()
        u.language, u.phone = seeker_lang, "06 12345678"
        db.add(u)
        db.commit()
    return World(coach, emp, seeker, r.json()["id"])


def propose(hub: Hub, api: TestClient, w: World, message: str = "") -> dict[str, object]:
    ref = api.get("/api/v1/me/profile", headers=w.seeker).json()["ref"]
    r = api.post("/api/v1/introductions", headers=w.coach, json={"vacancy_id": w.vacancy, "candidate_ref": ref})
    assert r.status_code == 201, r.text
    intro: dict[str, object] = r.json()
    if message:
        with Session(hub.engine) as db:  # the coach's form (other branch) stores it; here we set it directly
            row = db.get(t.Introduction, intro["id"])
            assert row is not None
            row.message = message
            db.add(row)
            db.commit()
    return intro


# --------------------------------------------------------------------------- interest
def test_interest_shown_twice_taken_back_and_told_to_the_coach(hub: Hub, api: TestClient) -> None:
    w = world(hub, api)
    url = f"/api/v1/vacancies/{w.vacancy}/interest"
    assert api.get(url, headers=w.seeker).status_code == 404
    r = api.post(url, headers=w.seeker)
    assert r.status_code == 201 and r.json()["vacancy_id"] == w.vacancy
    assert api.post(url, headers=w.seeker).status_code == 200  # twice: same interest, no second mail
    told = to(hub, "coach@gemeente.example")
    assert len(told) == 1 and "Amira Test" in told[0]["Subject"] and "Kok" in body(told[0])
    assert told[0]["Content-Language"] == "nl"
    assert [i["vacancy_id"] for i in api.get("/api/v1/me/interests", headers=w.seeker).json()] == [w.vacancy]
    assert api.delete(url, headers=w.seeker).status_code == 204
    assert api.delete(url, headers=w.seeker).status_code == 404
    assert api.post(url, headers=w.employer).status_code == 403
    assert api.post("/api/v1/vacancies/999999/interest", headers=w.seeker).status_code == 404


def test_interest_needs_the_talent_pool_and_an_open_vacancy(hub: Hub, api: TestClient) -> None:
    w = world(hub, api, pool=False)
    r = api.post(f"/api/v1/vacancies/{w.vacancy}/interest", headers=w.seeker)
    assert r.status_code == 409 and "talent pool" in r.json()["detail"]
    api.put("/api/v1/me/consents", headers=w.seeker, json={"talent_pool": True})
    api.patch(f"/api/v1/vacancies/{w.vacancy}", headers=w.employer, json={"status": "closed"})
    assert api.post(f"/api/v1/vacancies/{w.vacancy}/interest", headers=w.seeker).status_code == 404
    assert mails(hub) == []


def test_interest_button_on_the_vacancy_page(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    token = login(web, SEEKER)
    page = web.get(f"/vacatures/{w.vacancy}").text
    assert "Ik heb interesse" in page
    r = web.post(f"/vacatures/{w.vacancy}/interesse", data={"csrf_token": "fout"})
    assert r.status_code == 400 and "verlopen" in r.text
    assert api.get(f"/api/v1/vacancies/{w.vacancy}/interest", headers=w.seeker).status_code == 404
    r = web.post(f"/vacatures/{w.vacancy}/interesse", data={"csrf_token": token})
    assert r.status_code == 200 and "Je hebt interesse getoond op" in r.text and "Ik heb toch geen interesse" in r.text
    r = web.post(f"/vacatures/{w.vacancy}/interesse", data={"csrf_token": token, "action": "terug"})
    assert "Je interesse is teruggenomen" in r.text
    r = web.post(f"/vacatures/{w.vacancy}/interesse", data={"csrf_token": token, "action": "terug"})
    assert r.status_code == 404 and "Er is niets veranderd" in r.text
    r = web.post("/vacatures/999999/interesse", data={"csrf_token": token})
    assert r.status_code == 404 and "bestaat niet meer" in r.text


# --------------------------------------------------------------------------- proposals
def test_proposal_mail_page_and_yes(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    intro = propose(hub, api, w, "Ik denk dat dit echt iets voor je is.")
    mail = to(hub, SEEKER)
    assert len(mail) == 1 and mail[0]["Content-Language"] == "nl" and "Kok" in mail[0]["Subject"]
    assert "/mijn/voorstellen" in body(mail[0]) and "telefoonnummer" in body(mail[0])

    mine = api.get("/api/v1/me/proposals", headers=w.seeker).json()
    assert [(p["id"], p["status"], p["message"], p["proposer"]) for p in mine] == [
        (intro["id"], "proposed", "Ik denk dat dit echt iets voor je is.", "coach test")]
    assert mine[0]["explanation"]["score"] > 0 and [h["status"] for h in mine[0]["history"]] == ["proposed"]
    assert api.get("/api/v1/me/proposals", headers=w.employer).status_code == 403

    token = login(web, SEEKER)
    page = web.get("/mijn/voorstellen").text
    assert 'class="count">1' in page  # the menu counts what waits for an answer
    assert "Ik denk dat dit echt iets voor je is." in page and "coach test" in page
    assert "De werkgever ziet dan je naam, e-mailadres en telefoonnummer." in page
    assert "Waarom past dit bij je?" in page and "Ja, stel me voor" in page and "Nee, bedankt" in page

    iid, version = intro["id"], intro["version"]
    r = web.post(f"/mijn/voorstellen/{iid}", data={"answer": "ja", "version": version})  # no CSRF token
    assert r.status_code == 400
    r = web.post(f"/mijn/voorstellen/{iid}", data={"csrf_token": token, "answer": "ja", "version": 99})
    assert r.status_code == 409 and "net veranderd" in r.text
    assert api.get(f"/api/v1/introductions/{iid}", headers=w.seeker).json()["status"] == "proposed"

    r = web.post(f"/mijn/voorstellen/{iid}", data={"csrf_token": token, "answer": "ja", "version": version})
    assert r.status_code == 200 and "De coach stelt je voor aan de werkgever" in r.text
    assert api.get(f"/api/v1/introductions/{iid}", headers=w.seeker).json()["status"] == "candidate_agreed"
    told = to(hub, "coach@gemeente.example")
    assert len(told) == 1 and "Amira Test" in told[0]["Subject"]

    r = web.post(f"/mijn/voorstellen/{iid}", data={"csrf_token": token, "answer": "ja", "version": version + 1})
    assert r.status_code == 409 and "al beantwoord" in r.text
    assert "Je zei ja" in r.text  # the history

    # The coach introduces: the employer's users get name, e-mail and phone.
    r = api.post(f"/api/v1/introductions/{iid}/status", headers=w.coach, json={"status": "introduced"})
    assert r.status_code == 200
    hr = to(hub, "hr@brasserie.example")
    assert len(hr) == 1 and "Amira Test" in body(hr[0]) and SEEKER in body(hr[0]) and "06 12345678" in body(hr[0])


def test_no_with_a_reason_and_refusals(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api, seeker_lang="en")
    intro = propose(hub, api, w)
    mail = to(hub, SEEKER)
    assert mail[0]["Content-Language"] == "en" and "A vacancy for you" in mail[0]["Subject"]
    token = login(web, SEEKER)
    iid = intro["id"]
    r = web.post(f"/mijn/voorstellen/{iid}", data={"csrf_token": token, "answer": "nee", "version": intro["version"],
                                                   "reason": "Te ver  weg"})
    assert r.status_code == 200 and "Thank you" in r.text
    with Session(hub.engine) as db:
        last = db.exec(select(t.IntroductionEvent).where(t.IntroductionEvent.introduction_id == iid)
                       .order_by(t.IntroductionEvent.id.desc())).first()  # type: ignore[union-attr]
        assert last is not None and last.status == "declined" and last.reason == "Te ver weg"
    told = to(hub, "coach@gemeente.example")
    assert len(told) == 1 and "Te ver weg" in body(told[0])
    # The reason is the candidate's own words: employers never get it through the API.
    emp = api.get(f"/api/v1/introductions/{iid}", headers=w.employer).json()
    assert "Te ver weg" not in str(emp)
    r = web.post(f"/mijn/voorstellen/{iid}", data={"csrf_token": token, "answer": "nee", "version": 2})
    assert r.status_code == 409 and "already answered" in r.text

    # A withdrawn proposal: the answer is refused and nothing changes.
    second = propose(hub, api, w)
    api.post(f"/api/v1/introductions/{second['id']}/status", headers=w.coach, json={"status": "withdrawn"})
    r = web.post(f"/mijn/voorstellen/{second['id']}", data={"csrf_token": token, "answer": "ja", "version": 2})
    assert r.status_code == 409 and "withdrew" in r.text

    # Someone else's introduction: 404, as if it did not exist.
    other = jobseeker(api, "bas@example.org", "Bas", **cook_profile(hub))
    api.put("/api/v1/me/consents", headers=other, json={"talent_pool": True})
    ref = api.get("/api/v1/me/profile", headers=other).json()["ref"]
    theirs = api.post("/api/v1/introductions", headers=w.coach,
                      json={"vacancy_id": w.vacancy, "candidate_ref": ref}).json()
    r = web.post(f"/mijn/voorstellen/{theirs['id']}", data={"csrf_token": token, "answer": "ja", "version": 1})
    assert r.status_code == 404
    assert api.get(f"/api/v1/introductions/{theirs['id']}", headers=other).json()["status"] == "proposed"


def test_employer_and_coach_cannot_use_the_job_seeker_pages(hub: Hub, api: TestClient, web: TestClient) -> None:
    world(hub, api)
    login(web, "hr@brasserie.example")
    assert web.get("/mijn/voorstellen").status_code == 403


# --------------------------------------------------------------------------- notes, phone
def test_only_shared_notes_reach_the_job_seeker(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    intro = propose(hub, api, w)
    with Session(hub.engine) as db:
        coach = db.exec(select(t.User).where(t.User.email == "coach@gemeente.example")).one()
        p = db.exec(select(t.Profile).join(t.User, t.User.id == t.Profile.user_id)  # type: ignore[arg-type]
                    .where(t.User.email == SEEKER)).one()
        db.add(t.Note(author_id=coach.id, profile_id=p.id, text="Goed gesprek gehad.", shared=True))
        db.add(t.Note(author_id=coach.id, profile_id=p.id, text="Alleen voor coaches.", shared=False))
        db.add(t.Note(author_id=coach.id, introduction_id=intro["id"], text="Bel de werkgever dinsdag.", shared=True))
        db.commit()
    notes = api.get("/api/v1/me/notes", headers=w.seeker).json()
    assert [n["text"] for n in notes] == ["Goed gesprek gehad.", "Bel de werkgever dinsdag."]
    assert {n["author"] for n in notes} == {"coach test"}
    login(web, SEEKER)
    page = web.get("/profiel").text
    assert "Goed gesprek gehad." in page and "coach test" in page and "Alleen voor coaches." not in page
    assert "Bel de werkgever dinsdag." in web.get("/mijn/voorstellen").text


def test_phone_is_optional_and_checked(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    token = login(web, SEEKER)
    r = web.post("/profiel/contact", data={"csrf_token": token, "phone": "bel me"})
    assert r.status_code == 422 and 'id="f-phone-error"' in r.text
    r = web.post("/profiel/contact", data={"csrf_token": token, "phone": " +31  6 1234 5678 "})
    assert r.status_code == 200
    assert api.get("/api/v1/me/settings", headers=w.seeker).json()["phone"] == "+31 6 1234 5678"
    r = api.put("/api/v1/me/phone", headers=w.seeker, json={"phone": ""})
    assert r.status_code == 200 and r.json()["phone"] is None
    assert api.put("/api/v1/me/phone", headers=w.seeker, json={"phone": "12"}).status_code == 422


# --------------------------------------------------------------------------- vacancy alert
def test_alert_mails_fitting_vacancies_once_and_unsubscribes(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    token = login(web, SEEKER)
    r = web.post("/profiel/meldingen", data={"csrf_token": token, "alerts": "1"})
    assert r.status_code == 200 and 'id="f-alerts" name="alerts" value="1" checked' in r.text
    old = api.post("/api/v1/vacancies", headers=w.employer, json=cook_vacancy(hub, title="Kok (oud)")).json()["id"]
    other = api.post("/api/v1/vacancies", headers=w.employer,  # a sector the person did not choose
                     json=cook_vacancy(hub, title="Kok op de bouw", sector="techniek")).json()["id"]
    with Session(hub.engine) as db:  # posted a month ago: not new, it is on /mijn already
        row = db.get(t.Vacancy, old)
        assert row is not None
        row.created_at = row.created_at - timedelta(days=30)
        db.add(row)
        db.commit()
        first = alerts.run(hub, db)
    assert (first.people, first.mailed, first.vacancies) == (1, 1, 1)  # not the old one, not the other sector
    mail = to(hub, SEEKER)
    assert len(mail) == 1 and f"/vacatures/{w.vacancy}" in body(mail[0])
    assert f"/vacatures/{old}" not in body(mail[0]) and f"/vacatures/{other}" not in body(mail[0])
    link = re.search(r"http://\S+/afmelden/(\S+)", body(mail[0]))
    assert link
    with Session(hub.engine) as db:
        again = alerts.run(hub, db)
    assert again.mailed == 0 and len(to(hub, SEEKER)) == 1  # never the same vacancy twice

    anon = TestClient(web.app)
    page = anon.get(f"/afmelden/{link[1]}")
    assert page.status_code == 200 and "Ja, meld me af" in page.text
    assert api.get("/api/v1/me/settings", headers=w.seeker).json()["alerts_enabled"] is True  # GET changed nothing
    assert anon.post(f"/afmelden/{link[1]}", data={"csrf_token": "fout"}).status_code == 400
    r = anon.post(f"/afmelden/{link[1]}", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 200 and "Je bent afgemeld" in r.text
    assert api.get("/api/v1/me/settings", headers=w.seeker).json()["alerts_enabled"] is False
    assert anon.get("/afmelden/onbekend").status_code == 404


# --------------------------------------------------------------------------- vacancy page
def test_vacancy_page_shows_salary_and_how_to_apply(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    with Session(hub.engine) as db:
        v = db.get(t.Vacancy, w.vacancy)
        assert v is not None
        v.salary_min, v.salary_max, v.salary_currency, v.salary_period = 2600, 3100, "EUR", "MONTH"
        v.apply_email, v.apply_contact, v.apply_url = "werk@brasserie.example", "Els de Vries", "https://x.example/a"
        db.add(v)
        db.commit()
    page = web.get(f"/vacatures/{w.vacancy}").text
    assert "€ 2.600 – € 3.100 per maand" in page and "Horeca" in page
    assert 'href="mailto:werk@brasserie.example"' in page and "Els de Vries" in page
    assert 'href="https://x.example/a"' in page
    page = web.get(f"/vacatures/{w.vacancy}?lang=en").text
    assert "€2,600 – €3,100 per month" in page and "Hospitality" in page


def test_a_search_too_long_is_a_page_not_json(hub: Hub, api: TestClient, web: TestClient) -> None:
    world(hub, api)
    login(web, SEEKER)
    for url in ("/profiel/stap/1", "/profiel/stap/2"):
        r = web.get(url, params={"q": "koken " * 50})
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), url
        assert "te lang" in r.text, url
    r = web.get("/vacatures", params={"q": "x" * 300})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")


def test_wizard_next_step_saves_what_was_ticked(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    token = login(web, SEEKER)
    page = web.get("/profiel/stap/1", params={"q": "gastvrij"}).text
    assert 'form="add-skills" name="next" value="2"' in page
    gastvrij = hub.concept("gastvrij-zijn", "skill").id
    r = web.post("/profiel/stap/1", data={"csrf_token": token, "skill": gastvrij, "next": "2"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/profiel/stap/2?opgeslagen=1"
    skills = {s["concept_id"] for s in api.get("/api/v1/me/profile", headers=w.seeker).json()["skills"]}
    assert gastvrij in skills
    r = web.post("/profiel/stap/1", data={"csrf_token": token, "next": "2"}, follow_redirects=False)
    assert r.headers["location"] == "/profiel/stap/2"  # nothing ticked: just go on

    cv = "Ik werkte drie jaar in een restaurant. Ik ben gastvrij en werk hygienisch en ik kan reanimeren."
    found = web.post("/profiel/stap/3", data={"csrf_token": token, "action": "zoek", "cv": cv}).text
    assert 'form="add-skills" name="next" value="4"' in found
    ticked = [s for s in re.findall(r'name="skill" value="([^"]+)"', found) if s not in skills]
    assert ticked
    r = web.post("/profiel/stap/3", data={"csrf_token": token, "action": "bewaar", "skill": ticked[:1], "next": "4"})
    assert r.status_code == 200 and r.url.path == "/profiel/stap/4" and "1 vaardigheid toegevoegd" in r.text
    new = [s for s in api.get("/api/v1/me/profile", headers=w.seeker).json()["skills"] if s["concept_id"] == ticked[0]]
    assert new[0]["source"] == "work"
    assert r.text.count('<details class="skill-level">') == len(skills) + 1  # levels folded away, optional


# --------------------------------------------------------------------------- SMTP
def test_smtp_backend_delivers_to_a_local_server(tmp_path: Path) -> None:
    import socketserver
    import threading

    got: list[bytes] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:  # just enough SMTP for smtplib
            self.wfile.write(b"220 stub\r\n")
            while line := self.rfile.readline():
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    self.wfile.write(b"250 stub\r\n")
                elif cmd == b"DATA":
                    self.wfile.write(b"354 go\r\n")
                    data = b""
                    while (chunk := self.rfile.readline()) != b".\r\n":
                        data += chunk
                    got.append(data)
                    self.wfile.write(b"250 ok\r\n")
                elif cmd == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        from api.mail import make_mailer
        from api.settings import Settings

        settings = Settings(TOM_HOME=tmp_path, TOM_MAIL_BACKEND="smtp", TOM_SMTP_HOST="127.0.0.1",  # type: ignore[call-arg]
                            TOM_SMTP_PORT=server.server_address[1], TOM_SMTP_STARTTLS=False,
                            TOM_SMTP_FROM="Pilot <pilot@example.org>")
        make_mailer(settings.mail_backend, settings.home, settings).send("amira@example.org", "Hallo", "Tekst €", "nl")
        server.shutdown()
    msg = email.message_from_bytes(got[0], policy=email.policy.default)
    assert msg["To"] == "amira@example.org" and msg["From"] == "Pilot <pilot@example.org>"
    assert msg["Content-Language"] == "nl" and "Tekst €" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_smtp_backend_needs_a_host(tmp_path: Path) -> None:
    from api.mail import make_mailer
    from api.settings import Settings

    settings = Settings(TOM_HOME=tmp_path, TOM_MAIL_BACKEND="smtp")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="TOM_SMTP_HOST"):
        make_mailer(settings.mail_backend, settings.home, settings)


def test_a_reason_cannot_pose_as_a_step_back(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    intro = propose(hub, api, w)
    r = api.post(f"/api/v1/introductions/{intro['id']}/status", headers=w.seeker,
                 json={"status": "declined", "version": intro["version"], "reason": "Undo"})
    assert r.status_code == 422
    token = login(web, SEEKER)
    r = web.post(f"/mijn/voorstellen/{intro['id']}", data={"csrf_token": token, "answer": "nee",
                                                           "version": intro["version"], "reason": "undo"})
    assert r.status_code == 200
    with Session(hub.engine) as db:
        reasons = db.exec(select(t.IntroductionEvent.reason)
                          .where(t.IntroductionEvent.introduction_id == intro["id"])).all()
    assert "undo" not in reasons and "\u201cundo\u201d" in reasons


def test_matches_say_where_interest_was_shown(hub: Hub, api: TestClient, web: TestClient) -> None:
    w = world(hub, api)
    login(web, SEEKER)
    page = web.get("/mijn").text
    assert f'href="/vacatures/{w.vacancy}#interesse"' in page and "Je hebt interesse getoond" not in page
    api.post(f"/api/v1/vacancies/{w.vacancy}/interest", headers=w.seeker)
    page = web.get("/mijn").text
    assert "Je hebt interesse getoond op" in page and f'href="/vacatures/{w.vacancy}#interesse"' not in page


def test_ids_out_of_range_get_a_page(hub: Hub, api: TestClient, web: TestClient) -> None:
    world(hub, api)
    token = login(web, SEEKER)
    for url in ("/mijn/voorstellen/99999999999", "/vacatures/99999999999/interesse"):
        r = web.post(url, data={"csrf_token": token, "answer": "ja", "version": 1})
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), url
