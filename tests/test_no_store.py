"""Personal pages and personal API answers are never stored by the browser or a cache in between
(`Cache-Control: no-store`), and logging out clears what the browser kept: Back shows nothing personal."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.models import Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, employer, jobseeker, staff


@pytest.fixture
def web(hub: Hub) -> TestClient:
    from web.app import create_app

    with TestClient(create_app(hub=hub)) as c:
        yield c  # type: ignore[misc]


def _login(c: TestClient, email: str) -> str:
    r = c.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"  # the answer carries the CSRF token
    return str(r.json()["csrf_token"])


def _get_paths(c: TestClient) -> list[str]:
    """Every GET page (the web routers) and API endpoint (the OpenAPI schema), path parameters filled with 1."""
    import web.routes

    paths = [p for p, ops in c.app.openapi()["paths"].items() if "get" in ops]  # type: ignore[attr-defined]
    for info in pkgutil.iter_modules(web.routes.__path__):
        module = importlib.import_module(f"web.routes.{info.name}")
        router = getattr(module, "router", None)
        paths += [r.path for r in getattr(router, "routes", []) if isinstance(r, APIRoute) and "GET" in r.methods]
    return sorted({re.sub(r"\{[^}]+\}", "1", p) for p in paths})


@pytest.mark.parametrize("role", ["jobseeker", "employer", "coach"])
def test_every_page_seen_logged_in_is_no_store(web: TestClient, hub: Hub, role: str) -> None:
    email = {"jobseeker": "amira@example.org", "employer": "hr@brasserie.example", "coach": "co@example.org"}[role]
    if role == "jobseeker":
        jobseeker(web, **cook_profile(hub))
    elif role == "employer":
        employer(web)
    else:
        staff(web, hub, Role.coach, email)
    _login(web, email)
    paths = _get_paths(web)
    assert "/mijn" in paths and "/api/v1/me/profile" in paths and "/coach" in paths
    for path in paths:
        r = web.get(path, follow_redirects=False)
        assert r.headers.get("Cache-Control") == "no-store", (path, r.status_code)


def test_bearer_answers_are_no_store_and_anonymous_public_pages_are_not(web: TestClient, hub: Hub) -> None:
    me = jobseeker(web, **cook_profile(hub))
    for path in ("/api/v1/me/profile", "/api/v1/me/matches", "/api/v1/me/export", "/api/v1/auth/me"):
        r = web.get(path, headers=me)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path
    web.cookies.clear()
    for path in ("/vacatures", "/privacy", "/api/v1/health", "/api/v1/vacancies", "/static/style.css"):
        r = web.get(path)
        assert r.status_code == 200, path
        # Anything that sets a cookie (here the form's CSRF cookie) must not be shared by a cache either.
        assert ("no-store" in r.headers.get("Cache-Control", "")) == ("set-cookie" in r.headers), path


def test_after_logout_nothing_personal_comes_back(web: TestClient, hub: Hub) -> None:
    jobseeker(web, **cook_profile(hub, postcode="2312 AB"))
    csrf = _login(web, "amira@example.org")
    page = web.get("/profiel")
    assert page.status_code == 200 and "2312" in page.text and page.headers["Cache-Control"] == "no-store"
    r = web.post("/uitloggen", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["Clear-Site-Data"] == '"cache"'
    # Back re-asks the server (nothing was stored), and the server now sends the login page.
    again = web.get("/profiel", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/inloggen")
    assert "2312" not in web.get("/profiel").text
