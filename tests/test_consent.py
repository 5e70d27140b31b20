"""The consent log and the stored consents agree: "employers may see my profile" without the talent pool is
refused with a message (API and form), never stored half and logged whole."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from api.models import ConsentUpdate, Profile
from api.services import profiles
from api.services.accounts import Principal
from api.services.errors import BadInput
from api.services.hub import Hub
from tests.api_helpers import jobseeker


@pytest.fixture
def web(hub: Hub) -> Iterator[TestClient]:
    from web.app import create_app

    with TestClient(create_app(hub=hub)) as c:
        yield c


def _state(c: TestClient, me: dict[str, str]) -> tuple[tuple[bool, bool], list[tuple[str, bool]]]:
    p = c.get("/api/v1/me/profile", headers=me).json()
    log = [(x["kind"], x["granted"]) for x in c.get("/api/v1/me/consents", headers=me).json() if x["kind"] != "terms"]
    return (p["in_talent_pool"], p["visible_to_employers"]), log


def test_visibility_without_the_pool_is_refused_and_not_logged(client: TestClient) -> None:
    me = jobseeker(client)
    for body in ({"employer_visibility": True}, {"talent_pool": False, "employer_visibility": True}):
        r = client.put("/api/v1/me/consents", json=body, headers=me)
        assert r.status_code == 422 and "talent_pool" in r.json()["detail"]
    assert _state(client, me) == ((False, False), [])


def test_leaving_the_pool_logs_the_end_of_visibility_too(client: TestClient) -> None:
    me = jobseeker(client)
    assert client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True},
                      headers=me).status_code == 200
    assert client.put("/api/v1/me/consents", json={"talent_pool": False}, headers=me).status_code == 200
    stored, log = _state(client, me)
    assert stored == (False, False)
    assert log == [("talent_pool", True), ("employer_visibility", True), ("talent_pool", False),
                   ("employer_visibility", False)]


choice = st.sampled_from([None, True, False])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(choice, choice), min_size=1, max_size=5))
def test_the_last_logged_consent_is_always_what_is_stored(hub: Hub, steps: list[tuple[bool | None, bool | None]]
                                                          ) -> None:
    """Whatever sequence of changes is asked for (the state carries over between examples), after each one the
    latest log entry of each kind says what the profile holds, and nobody is visible outside the pool."""
    with Session(hub.engine) as db:
        from api.models import User

        user = db.exec(select(User).where(User.email == "prop@example.org")).first()
        if user is None:
            from api.models import UserCreate

            user = hub.accounts.register(db, UserCreate(email="prop@example.org", password="een-lang-wachtwoord",
                                                        accept_terms=True))
            db.commit()
        who = Principal(user, "token")
        for pool, visible in steps:
            p = profiles.own_profile(db, who)
            try:
                profiles.set_consents(db, who, p, ConsentUpdate(talent_pool=pool, employer_visibility=visible))
            except BadInput:
                assert visible and not (pool if pool is not None else p.in_talent_pool)
            p = db.exec(select(Profile).where(Profile.user_id == who.id)).one()
            db.refresh(p)
            last = {c.kind: c.granted for c in profiles.consents(db, who.id)}
            assert last.get("talent_pool", False) == p.in_talent_pool
            assert last.get("employer_visibility", False) == p.visible_to_employers
            assert p.in_talent_pool or not p.visible_to_employers


def test_the_wizard_says_visibility_needs_the_pool_and_saves_nothing(web: TestClient, hub: Hub) -> None:
    me = jobseeker(web, "noor@example.org")
    r = web.post("/api/v1/auth/login", json={"email": "noor@example.org", "password": "een-lang-wachtwoord"})
    token = r.json()["csrf_token"]
    page = web.get("/profiel/stap/4").text
    version = re.search(r'name="version" value="(\d+)"', page)[1]  # type: ignore[index]
    form = {"csrf_token": token, "version": version, "postcode": "2312 ab", "max_km": "15",
            "employer_visibility": "1"}
    r = web.post("/profiel/stap/4", data=form, follow_redirects=False)
    assert r.status_code == 422 and "alleen zien als je meedoet met de talentpool" in r.text
    assert _state(web, me) == ((False, False), [])
    assert web.get("/api/v1/me/profile", headers=me).json()["postcode"] is None  # nothing half-saved
    r = web.post("/profiel/stap/4", data={**form, "talent_pool": "1"}, follow_redirects=False)
    assert r.status_code == 303
    assert _state(web, me) == ((True, True), [("talent_pool", True), ("employer_visibility", True)])
