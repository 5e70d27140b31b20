"""Accounts and role boundaries: who may read or change what. One test per boundary."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.models import LoginSession, Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy, employer, jobseeker, staff

PERSONAL = [
    ("GET", "/api/v1/me/profile"), ("PUT", "/api/v1/me/profile"), ("GET", "/api/v1/me/matches"),
    ("GET", "/api/v1/me/careers"), ("GET", "/api/v1/me/export"), ("POST", "/api/v1/me/erase"),
    ("GET", "/api/v1/me/consents"), ("PUT", "/api/v1/me/consents"), ("GET", "/api/v1/me/profile/history"),
    ("GET", "/api/v1/talent-pool"), ("GET", "/api/v1/talent-pool/abcdef"), ("GET", "/api/v1/profiles/1"),
    ("GET", "/api/v1/profiles/1/matches"), ("GET", "/api/v1/introductions"), ("GET", "/api/v1/introductions/1"),
    ("POST", "/api/v1/introductions"), ("GET", "/api/v1/notes"), ("POST", "/api/v1/notes"),
    ("GET", "/api/v1/reports/summary"), ("GET", "/api/v1/admin/users"), ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/v1/vacancies/1/candidates"), ("POST", "/api/v1/vacancies"), ("GET", "/api/v1/auth/tokens"),
    ("GET", "/api/v1/coach/vacancies/1/shortlist"), ("POST", "/api/v1/coach/vacancies/1/shortlist"),
    ("DELETE", "/api/v1/coach/vacancies/1/shortlist/abcdef"), ("POST", "/api/v1/introductions/1/undo"),
]


@pytest.mark.parametrize(("method", "path"), PERSONAL)
def test_anonymous_gets_401_on_every_personal_endpoint(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path, json={})
    assert r.status_code == 401, (path, r.text)
    assert r.json()["detail"]


def test_wrong_roles_are_refused(client: TestClient, hub: Hub) -> None:
    seeker = jobseeker(client, **cook_profile(hub))
    emp = employer(client)
    coach = staff(client, hub, Role.coach, "coach@example.org")
    admin = staff(client, hub, Role.admin, "admin@example.org")
    refused = [
        (seeker, "GET", "/api/v1/talent-pool"), (seeker, "GET", "/api/v1/reports/summary"),
        (seeker, "GET", "/api/v1/notes"), (seeker, "GET", "/api/v1/admin/users"),
        (seeker, "POST", "/api/v1/vacancies"), (seeker, "GET", "/api/v1/profiles/1"),
        (emp, "GET", "/api/v1/me/profile"), (emp, "GET", "/api/v1/me/matches"), (emp, "GET", "/api/v1/notes"),
        (emp, "GET", "/api/v1/reports/summary"), (emp, "GET", "/api/v1/profiles/1"),
        (coach, "GET", "/api/v1/admin/users"), (coach, "POST", "/api/v1/admin/users"),
        (coach, "GET", "/api/v1/admin/audit"), (coach, "GET", "/api/v1/me/profile"),
        (admin, "GET", "/api/v1/notes"), (admin, "GET", "/api/v1/profiles/1"), (admin, "GET", "/api/v1/introductions"),
        (seeker, "GET", "/api/v1/coach/vacancies/1/shortlist"), (emp, "POST", "/api/v1/coach/vacancies/1/shortlist"),
        (admin, "GET", "/api/v1/coach/vacancies/1/shortlist"), (emp, "POST", "/api/v1/introductions/1/undo"),
    ]
    for headers, method, path in refused:
        body = cook_vacancy(hub) if path == "/api/v1/vacancies" else {}
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 403, (method, path, r.status_code, r.text)


@pytest.fixture
def two_employers(client: TestClient, hub: Hub) -> dict[str, object]:
    a = employer(client, "a@one.example", "Bedrijf Een")
    b = employer(client, "b@two.example", "Bedrijf Twee")
    va = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=a).json()["id"]
    seeker = jobseeker(client, **cook_profile(hub))
    client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True}, headers=seeker)
    ref = client.get("/api/v1/me/profile", headers=seeker).json()["ref"]
    return {"a": a, "b": b, "va": va, "seeker": seeker, "ref": ref}


def test_employer_cannot_touch_another_organisations_vacancy(client: TestClient, hub: Hub, two_employers) -> None:
    b, va = two_employers["b"], two_employers["va"]
    assert client.put(f"/api/v1/vacancies/{va}", json=cook_vacancy(hub, title="Gekaapt"), headers=b).status_code == 403
    assert client.patch(f"/api/v1/vacancies/{va}", json={"status": "closed"}, headers=b).status_code == 403
    assert client.get(f"/api/v1/vacancies/{va}/candidates", headers=b).status_code == 403
    assert client.get(f"/api/v1/vacancies/{va}").json()["title"] == "Kok"
    # Nor post for them.
    r = client.post("/api/v1/vacancies", json=cook_vacancy(hub, organisation_id=1), headers=b)
    assert r.status_code == 403


def test_employer_cannot_introduce_for_or_read_another_organisation(client: TestClient, two_employers) -> None:
    a, b, va, ref = two_employers["a"], two_employers["b"], two_employers["va"], two_employers["ref"]
    r = client.post("/api/v1/introductions", json={"vacancy_id": va, "candidate_ref": ref}, headers=b)
    assert r.status_code == 404
    iid = client.post("/api/v1/introductions", json={"vacancy_id": va, "candidate_ref": ref}, headers=a).json()["id"]
    assert client.get(f"/api/v1/introductions/{iid}", headers=b).status_code == 404
    assert client.get("/api/v1/introductions", headers=b).json()["total"] == 0
    assert client.post(f"/api/v1/introductions/{iid}/status", json={"status": "withdrawn"},
                       headers=b).status_code == 404


def test_job_seeker_cannot_see_or_answer_anothers_introduction(client: TestClient, two_employers) -> None:
    a, va, ref = two_employers["a"], two_employers["va"], two_employers["ref"]
    iid = client.post("/api/v1/introductions", json={"vacancy_id": va, "candidate_ref": ref}, headers=a).json()["id"]
    other = jobseeker(client, "ander@example.org", "Ander Persoon")
    assert client.get(f"/api/v1/introductions/{iid}", headers=other).status_code == 404
    assert client.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"},
                       headers=other).status_code == 404
    assert client.get("/api/v1/introductions", headers=other).json()["items"] == []
    # The employer cannot agree for the candidate.
    assert client.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"},
                       headers=a).status_code == 403


def test_employer_never_sees_people_who_said_no(client: TestClient, hub: Hub, two_employers) -> None:
    a, va, seeker, ref = two_employers["a"], two_employers["va"], two_employers["seeker"], two_employers["ref"]
    assert client.get(f"/api/v1/talent-pool/{ref}", headers=a).status_code == 200
    client.put("/api/v1/me/consents", json={"employer_visibility": False}, headers=seeker)
    assert client.get(f"/api/v1/talent-pool/{ref}", headers=a).status_code == 404
    assert client.get("/api/v1/talent-pool", headers=a).json()["total"] == 0
    assert client.get(f"/api/v1/vacancies/{va}/candidates", headers=a).json()["items"] == []
    r = client.post("/api/v1/introductions", json={"vacancy_id": va, "candidate_ref": ref}, headers=a)
    assert r.status_code == 404
    # Leaving the pool hides them from coaches too.
    coach = staff(client, hub, Role.coach, "coach@example.org")
    pid = client.get("/api/v1/talent-pool", headers=coach).json()["items"][0]["profile_id"]
    client.put("/api/v1/me/consents", json={"talent_pool": False}, headers=seeker)
    assert client.get(f"/api/v1/profiles/{pid}", headers=coach).status_code == 404
    assert client.post("/api/v1/notes", json={"profile_id": pid, "text": "x"}, headers=coach).status_code == 404
    log = client.get("/api/v1/me/consents", headers=seeker).json()
    assert [(c["kind"], c["granted"]) for c in log][-2:] == [("employer_visibility", False), ("talent_pool", False)]


def test_token_of_another_user_cannot_be_revoked(client: TestClient) -> None:
    a = jobseeker(client)
    b = jobseeker(client, "b@example.org", "B")
    tid = client.get("/api/v1/auth/tokens", headers=a).json()[0]["id"]
    assert client.delete(f"/api/v1/auth/tokens/{tid}", headers=b).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{tid}", headers=a).status_code == 204
    assert client.get("/api/v1/me/profile", headers=a).status_code == 401


# --------------------------------------------------------------------------- accounts
def test_registration_rejects_bad_input_with_a_message(client: TestClient) -> None:
    ok = {"email": "x@example.org", "password": PASSWORD, "accept_terms": True}
    cases = [({**ok, "password": "kort"}, 422), ({**ok, "email": "geen-adres"}, 422),
             ({**ok, "accept_terms": False}, 422), ({**ok, "role": "coach"}, 422), ({**ok, "role": "employer"}, 422),
             ({**ok, "extra": 1}, 422)]
    for body, code in cases:
        r = client.post("/api/v1/auth/register", json=body)
        assert r.status_code == code, (body, r.text)
        assert r.json()["detail"]
    assert client.post("/api/v1/auth/register", json=ok).status_code == 201
    r = client.post("/api/v1/auth/register", json={**ok, "email": "X@Example.org"})
    assert r.status_code == 409 and "already" in r.json()["detail"]


def test_cookie_session_needs_csrf_and_rotates_on_login(client: TestClient, hub: Hub) -> None:
    jobseeker(client)
    r = client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    csrf = r.json()["csrf_token"]
    first = client.cookies.get("tom_session")
    assert client.get("/api/v1/me/profile").status_code == 200
    r = client.put("/api/v1/me/profile", json={"about": "zonder token"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = client.put("/api/v1/me/profile", json={"about": "met token"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    # A new login gets a new session id; the old one stops working.
    r = client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
    second = client.cookies.get("tom_session")
    assert second and second != first
    client.cookies.clear()
    assert client.get("/api/v1/me/profile", headers={"Cookie": f"tom_session={first}"}).status_code == 401
    assert client.get("/api/v1/me/profile", headers={"Cookie": f"tom_session={second}"}).status_code == 200
    r = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": r.json()["csrf_token"],
                                                    "Cookie": f"tom_session={second}"})
    assert r.status_code == 204
    assert client.get("/api/v1/me/profile", headers={"Cookie": f"tom_session={second}"}).status_code == 401


def test_cookie_is_secure_over_https(hub: Hub) -> None:
    from api.main import create_app

    with TestClient(create_app(hub=hub), base_url="https://testserver") as c:
        jobseeker(c)
        r = c.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
        assert "Secure" in r.headers["set-cookie"]


def test_behind_a_tls_proxy_every_cookie_is_secure(hub: Hub) -> None:
    """TOM_COOKIE_SECURE=true: the app sees plain http from its proxy, yet both cookies are Secure."""
    from api.settings import Settings
    from web.app import create_app

    settings = Settings(TOM_HOME=hub.settings.home, DATABASE_URL=hub.settings.db_url,  # type: ignore[call-arg]
                        TOM_COOKIE_SECURE=True)
    with TestClient(create_app(hub=Hub(settings, matching=hub.matching))) as c:
        page = c.get("/inloggen")  # the login form, with its double-submit CSRF cookie
        assert page.status_code == 200
        assert "tom_csrf" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
        jobseeker(c)
        r = c.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
        assert "Secure" in r.headers["set-cookie"]


def test_sessions_expire(client: TestClient, hub: Hub) -> None:
    jobseeker(client)
    client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
    with Session(hub.engine) as db:
        for s in db.exec(select(LoginSession)).all():
            s.expires_at = s.created_at - timedelta(seconds=1)
            db.add(s)
        db.commit()
    assert client.get("/api/v1/me/profile").status_code == 401


def test_login_is_rate_limited(client: TestClient) -> None:
    jobseeker(client)
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": "fout-wachtwoord"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # Another account from the same client is not locked yet.
    jobseeker(client, "ander@example.org", "Ander")


def test_password_reset_by_mail(client: TestClient, hub: Hub) -> None:
    jobseeker(client)
    assert client.post("/api/v1/auth/password-reset", json={"email": "niemand@example.org"}).status_code == 202
    assert not (hub.settings.home / "mail").exists()  # nothing sent, and the answer did not tell
    assert client.post("/api/v1/auth/password-reset", json={"email": "amira@example.org"}).status_code == 202
    mails = list((hub.settings.home / "mail").glob("*.eml"))
    assert len(mails) == 1
    msg = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    assert msg["To"] == "amira@example.org"
    raw = re.search(r"token=([\w-]+)", msg.get_body().get_content()).group(1)  # type: ignore[union-attr]
    new = "een-nieuw-wachtwoord"
    assert client.post("/api/v1/auth/password-reset/confirm", json={"token": raw, "password": new}).status_code == 200
    assert client.post("/api/v1/auth/password-reset/confirm", json={"token": raw, "password": new}).status_code == 422
    assert client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": PASSWORD}
                       ).status_code == 401
    assert client.post("/api/v1/auth/login", json={"email": "amira@example.org", "password": new}).status_code == 200


def test_bad_input_gets_4xx_with_a_message(client: TestClient, hub: Hub) -> None:
    me = jobseeker(client)
    emp = employer(client)
    cases = [
        ("PUT", "/api/v1/me/profile", {"postcode": "abc"}, me),
        ("PUT", "/api/v1/me/profile", {"postcode": "9999 ZZ", "place": "Atlantis"}, me),
        ("PUT", "/api/v1/me/profile", {"sectors": ["ruimtevaart"]}, me),
        ("PUT", "/api/v1/me/profile", {"hours_min": 30, "hours_max": 10}, me),
        ("PUT", "/api/v1/me/profile/skills", {"concept_id": "bestaat-niet"}, me),
        ("PUT", "/api/v1/me/profile/skills", {"concept_id": "koken-volgens-recept", "level": 7}, me),
        ("POST", "/api/v1/vacancies", cook_vacancy(hub, requirements=[{"concept_id": "kok"}]), emp),
        ("POST", "/api/v1/vacancies", cook_vacancy(hub, title=""), emp),
        ("GET", "/api/v1/vacancies?limit=1000", None, None),
        ("GET", "/api/v1/vacancies/abc", None, None),
    ]
    for method, path, body, headers in cases:
        r = client.request(method, path, json=body, headers=headers)
        assert 400 <= r.status_code < 500, (path, body, r.status_code)
        assert r.json()["detail"], (path, body)
    assert client.get("/api/v1/me/profile", headers=me).json()["postcode"] is None  # nothing half-stored


def test_security_headers(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "same-origin"
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def test_nulls_and_huge_numbers_are_4xx_not_500(client: TestClient, hub: Hub) -> None:
    me = jobseeker(client, **cook_profile(hub))
    r = client.put("/api/v1/me/profile", json={"sectors": None, "about": None, "place": ""}, headers=me)
    assert r.status_code == 200 and r.json()["sectors"] == [] and r.json()["about"] == ""
    for path in ("/api/v1/vacancies/18446744073709551615", "/api/v1/vacancies/18446744073709551615/jobposting"):
        r = client.get(path)
        assert r.status_code == 422 and r.json()["detail"]
    r = client.post("/api/v1/introductions/99999999999999999999/status", json={"status": "declined"}, headers=me)
    assert r.status_code == 422


def test_suggestions_are_rate_limited_per_client(tom_home: Path) -> None:
    from api.main import create_app
    from api.settings import Settings

    # Lexical only: with the model the first suggestion loads it and encodes the labels, which takes
    # long enough for the bucket (0.5 per second) to refill before the fourth request.
    settings = Settings(TOM_HOME=tom_home, TOM_SUGGEST_RATE=0.5, TOM_SUGGEST_BURST=3,  # type: ignore[call-arg]
                        TOM_EMBEDDING_MODEL="none")
    with TestClient(create_app(settings)) as c:
        codes = [c.get("/api/v1/skills/suggest", params={"q": "lassen"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/api/v1/occupations/suggest", params={"q": "kok"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert c.get("/api/v1/health").status_code == 200  # other endpoints are not limited
