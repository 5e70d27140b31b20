"""Stored and reflected XSS: text people type comes back escaped on every page that shows it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.models import Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy, employer, jobseeker, staff

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_login(c: TestClient, email: str) -> None:
    token = CSRF.search(c.get("/inloggen").text).group(1)  # type: ignore[union-attr]
    r = c.post("/inloggen", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303


def assert_escaped(html: str, shown: bool = True) -> None:
    """Never the raw payload; where the page shows the text, its escaped form."""
    assert "<script>alert" not in html and "<img src=x" not in html
    if shown:
        assert "&lt;script&gt;alert" in html or "\\u003cscript" in html


def test_stored_text_is_escaped_everywhere(hub: Hub) -> None:
    from web.app import create_app

    app = create_app(hub=hub)
    api = TestClient(app)
    emp = employer(api, "hr@xss.example", "Bedrijf " + PAYLOAD)
    body = cook_vacancy(hub, title="Kok " + PAYLOAD, description="Tekst " + PAYLOAD)
    vid = api.post("/api/v1/vacancies", json=body, headers=emp).json()["id"]
    me = jobseeker(api, "x@example.org", "Naam " + PAYLOAD, **cook_profile(hub, about="Over mij " + PAYLOAD))
    api.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True}, headers=me)
    coach = staff(api, hub, Role.coach, "coach@example.org")
    pid = api.get("/api/v1/talent-pool", headers=coach).json()["items"][0]["profile_id"]
    api.post("/api/v1/notes", json={"profile_id": pid, "text": "Notitie " + PAYLOAD}, headers=coach)

    public = TestClient(app)
    for path in ("/vacatures", f"/vacatures/{vid}", f"/vacatures?q={PAYLOAD}"):
        assert_escaped(public.get(path).text)
    js = TestClient(app)
    web_login(js, "x@example.org")
    assert_escaped(js.get("/mijn").text, shown=False)
    assert_escaped(js.get("/profiel").text, shown=False)
    c = TestClient(app)
    web_login(c, "coach@example.org")
    for path in ("/coach", f"/coach/kandidaat/{pid}", f"/coach/vacature/{vid}", "/coach/pijplijn"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert_escaped(r.text, shown=path != "/coach/pijplijn")
    e = TestClient(app)
    web_login(e, "hr@xss.example")
    assert_escaped(e.get("/werkgever").text)
    assert_escaped(e.get(f"/werkgever/vacature/{vid}/kandidaten").text)


def test_reflected_input_is_escaped_and_redirects_stay_here(hub: Hub) -> None:
    from web.app import create_app

    c = TestClient(create_app(hub=hub))
    for path in (f"/vacatures?q={PAYLOAD}", f"/fragment/vaardigheden?q={PAYLOAD}", f"/inloggen?next={PAYLOAD}"):
        html = c.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html
    r = c.get("/taal/en?next=//evil.example/x", follow_redirects=False)
    assert r.headers["location"] == "/"
    token = CSRF.search(c.get("/inloggen").text).group(1)  # type: ignore[union-attr]
    jobseeker(c, "y@example.org", "Y")
    r = c.post("/inloggen", data={"email": "y@example.org", "password": PASSWORD, "csrf_token": token,
                                  "next": "https://evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/")
