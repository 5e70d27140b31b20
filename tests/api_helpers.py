"""Small helpers for the API tests: accounts of each role, signed in with a bearer token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.models import Role, UserCreate
from api.services.hub import Hub

PASSWORD = "een-lang-wachtwoord"
Headers = dict[str, str]


def token(client: TestClient, email: str, password: str = PASSWORD) -> Headers:
    r = client.post("/api/v1/auth/tokens", json={"email": email, "password": password, "name": "test"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def jobseeker(client: TestClient, email: str = "amira@example.org", name: str = "Amira Test",
              **profile: Any) -> Headers:
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name,
                                                   "accept_terms": True})
    assert r.status_code == 201, r.text
    h = token(client, email)
    if profile:
        r = client.put("/api/v1/me/profile", json=profile, headers=h)
        assert r.status_code == 200, r.text
    return h


def employer(client: TestClient, email: str = "hr@brasserie.example", org: str = "Brasserie Test") -> Headers:
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "role": "employer",
                                                   "organisation_name": org, "accept_terms": True})
    assert r.status_code == 201, r.text
    return token(client, email)


def staff(client: TestClient, hub: Hub, role: Role, email: str) -> Headers:
    with Session(hub.engine) as db:
        hub.accounts.register(db, UserCreate(email=email, password=PASSWORD, name=f"{role.value} test", role=role),
                              allow_roles=(Role.coach, Role.admin))
        db.commit()
    return token(client, email)


def sid(hub: Hub, slug: str) -> str:
    """Concept id of a built-in skill slug."""
    return hub.concept(slug, "skill").id


def cook_vacancy(hub: Hub, **over: Any) -> dict[str, Any]:
    body = {"title": "Kok", "description": "Wij zoeken een kok voor onze brasserie.", "place": "Leiden",
            "postcode": "2311 CS", "hours_min": 24, "hours_max": 38, "sector": "horeca",
            "requirements": [{"concept_id": sid(hub, "koken-volgens-recept")},
                             {"concept_id": sid(hub, "hygienisch-werken")},
                             {"concept_id": sid(hub, "betalingen-afhandelen")},
                             {"concept_id": sid(hub, "snijtechnieken-toepassen"), "essential": False}]}
    body.update(over)
    return body


def cook_profile(hub: Hub, **over: Any) -> dict[str, Any]:
    body = {"postcode": "2316 AB", "max_km": 20, "sectors": ["horeca", "zorg"], "about": "Ik kook graag.",
            "skills": [{"concept_id": sid(hub, "koken-volgens-recept"), "level": 3, "source": "work"},
                       {"concept_id": sid(hub, "hygienisch-werken"), "level": 3, "source": "education"}]}
    body.update(over)
    return body
