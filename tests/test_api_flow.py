"""Each role's path through the JSON API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.models import Role
from api.services.hub import Hub
from tests.api_helpers import PASSWORD, cook_profile, cook_vacancy, employer, jobseeker, sid, staff


def test_job_seeker_builds_a_profile_and_sees_explained_matches(client: TestClient, hub: Hub) -> None:
    emp = employer(client)
    r = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp)
    assert r.status_code == 201, r.text
    vac = r.json()
    assert (vac["place"] == "Leiden" and vac["occupation"] is None) or isinstance(vac["occupation"], str)

    me = jobseeker(client, **cook_profile(hub))
    prof = client.get("/api/v1/me/profile", headers=me).json()
    assert prof["place"] == "Leiden"  # geocoded from the postcode
    assert {s["label"] for s in prof["skills"]} == {"koken volgens recept", "hygiënisch werken"}

    matches = client.get("/api/v1/me/matches", headers=me).json()
    assert [m["vacancy"]["id"] for m in matches["items"]] == [vac["id"]]
    ex = matches["items"][0]["explanation"]
    assert 0 < ex["score"] < 100
    assert {m["skill"]["label"] for m in ex["matched"] if m["credit"] == 1} >= {"koken volgens recept"}
    missing = [m["label"] for m in ex["missing_essential"]]
    assert missing == [hub.label(sid(hub, "betalingen-afhandelen"))]
    training = matches["items"][0]["training"]
    assert training and any(t["label"] == missing[0] for m in training["modules"] for t in m["teaches"])
    assert matches["items"][0]["vacancy"]["distance_km"] is not None

    # Adding the missing skill raises the score, and the history shows how the profile grew.
    r = client.put("/api/v1/me/profile/skills", json={"concept_id": "betalingen-afhandelen", "level": 2}, headers=me)
    assert r.status_code == 200, r.text
    after = client.get("/api/v1/me/matches", headers=me).json()["items"][0]["explanation"]
    assert after["score"] > ex["score"] and after["missing_essential"] == []
    hist = client.get("/api/v1/me/profile/history", headers=me).json()
    assert [h["action"] for h in hist] == ["added", "added", "added"]

    careers = client.get("/api/v1/me/careers", headers=me).json()
    assert careers and all(0 <= c["explanation"]["score"] <= 100 for c in careers)
    assert {c["kind"] for c in careers} <= {"current", "same_sector", "other_sector"}
    assert all(c["explanation"]["missing_essential"] for c in careers if c["kind"] != "current")


def test_index_follows_every_write(client: TestClient, hub: Hub) -> None:
    emp = employer(client)
    me = jobseeker(client, **cook_profile(hub))
    assert client.get("/api/v1/me/matches", headers=me).json()["items"] == []
    vid = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
    assert [m["vacancy"]["id"] for m in client.get("/api/v1/me/matches", headers=me).json()["items"]] == [vid]
    # Edit: the new requirements count at once.
    body = cook_vacancy(hub, requirements=[{"concept_id": sid(hub, "koken-volgens-recept")}])
    assert client.put(f"/api/v1/vacancies/{vid}", json=body, headers=emp).status_code == 200
    ex = client.get("/api/v1/me/matches", headers=me).json()["items"][0]["explanation"]
    assert ex["missing_essential"] == []
    # Close: gone from matches, still visible to its employer.
    assert client.patch(f"/api/v1/vacancies/{vid}", json={"status": "closed"}, headers=emp).status_code == 200
    assert client.get("/api/v1/me/matches", headers=me).json()["items"] == []
    assert client.get(f"/api/v1/vacancies/{vid}").status_code == 404
    assert client.get(f"/api/v1/vacancies/{vid}", headers=emp).json()["status"] == "closed"


def test_employer_sees_anonymised_candidates_and_the_pipeline_runs(client: TestClient, hub: Hub) -> None:
    emp = employer(client)
    vid = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
    me = jobseeker(client, **cook_profile(hub))
    hidden = jobseeker(client, "verborgen@example.org", "Niet Zichtbaar", **cook_profile(hub))
    coach = staff(client, hub, Role.coach, "coach@example.org")

    # Not in the pool yet: nobody sees them.
    assert client.get(f"/api/v1/vacancies/{vid}/candidates", headers=emp).json()["items"] == []
    assert client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True},
                      headers=me).status_code == 200
    assert client.put("/api/v1/me/consents", json={"talent_pool": True}, headers=hidden).status_code == 200

    cands = client.get(f"/api/v1/vacancies/{vid}/candidates", headers=emp).json()["items"]
    assert len(cands) == 1  # the one who allows employers
    c = cands[0]["candidate"]
    assert c["name"] is None and c["profile_id"] is None and "about" not in c and "email" not in c
    assert c["region"] == "Leiden" and c["skills"]
    assert "Amira" not in str(cands)

    coach_view = client.get(f"/api/v1/vacancies/{vid}/candidates", headers=coach).json()["items"]
    assert {x["candidate"]["name"] for x in coach_view} == {"Amira Test", "Niet Zichtbaar"}

    # The same pair shows the same facts to the job seeker, the employer and the coach.
    seeker = client.get("/api/v1/me/matches", headers=me).json()["items"][0]["explanation"]
    coach_amira = next(x["explanation"] for x in coach_view if x["candidate"]["name"] == "Amira Test")
    assert cands[0]["explanation"] == seeker == coach_amira
    assert (seeker["must_haves_held"], seeker["must_haves"]) == (2, 3)
    assert [m["label"] for m in seeker["missing_essential"]] == [hub.label(sid(hub, "betalingen-afhandelen"))]

    # Employer asks for an introduction; the candidate agrees; only then the employer learns the name.
    r = client.post("/api/v1/introductions", json={"vacancy_id": vid, "candidate_ref": c["candidate_ref"]},
                    headers=emp)
    assert r.status_code == 201, r.text
    intro = r.json()
    assert intro["status"] == "proposed" and intro["candidate_name"] is None
    again = client.post("/api/v1/introductions", json={"vacancy_id": vid, "candidate_ref": c["candidate_ref"]},
                        headers=emp)
    assert again.status_code == 409
    mine = client.get("/api/v1/introductions", headers=me).json()["items"]
    assert [i["id"] for i in mine] == [intro["id"]]
    # The coach cannot agree on the candidate's behalf.
    assert client.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": "candidate_agreed"},
                       headers=coach).status_code == 403
    r = client.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": "candidate_agreed"}, headers=me)
    assert r.status_code == 200, r.text
    # Agreed is not enough: the employer learns name and contact once the coach introduced them.
    seen = client.get(f"/api/v1/introductions/{intro['id']}", headers=emp).json()
    assert seen["candidate_name"] is None and seen["candidate_email"] is None and "Amira" not in str(seen)
    for step in ("introduced", "interview", "hired"):
        r = client.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": step}, headers=coach)
        assert r.status_code == 200, r.text
    final = r.json()
    assert [e["status"] for e in final["events"]] == ["proposed", "candidate_agreed", "introduced", "interview",
                                                       "hired"]
    assert [e["actor_role"] for e in final["events"]] == ["employer", "jobseeker", "coach", "coach", "coach"]
    seen = client.get(f"/api/v1/introductions/{intro['id']}", headers=emp).json()
    assert (seen["candidate_name"], seen["candidate_email"]) == ("Amira Test", "amira@example.org")
    # A finished pipeline does not move on.
    assert client.post(f"/api/v1/introductions/{intro['id']}/status", json={"status": "declined"},
                       headers=coach).status_code == 409

    report = client.get("/api/v1/reports/summary", headers=coach).json()
    assert sum(report["placements_per_month"].values()) == 1
    assert report["profiles_per_sector"]["horeca"] == 2


def test_coach_notes_and_pool_filters(client: TestClient, hub: Hub) -> None:
    coach = staff(client, hub, Role.coach, "coach@example.org")
    me = jobseeker(client, **cook_profile(hub))
    client.put("/api/v1/me/consents", json={"talent_pool": True}, headers=me)
    far = jobseeker(client, "ver@example.org", "Ver Weg", **cook_profile(hub, postcode="2401 AB", sectors=["techniek"]))
    client.put("/api/v1/me/consents", json={"talent_pool": True}, headers=far)

    pool = client.get("/api/v1/talent-pool", headers=coach).json()
    assert pool["total"] == 2
    near = client.get("/api/v1/talent-pool", params={"place": "Oegstgeest", "max_km": 6}, headers=coach).json()
    assert [c["name"] for c in near["items"]] == ["Amira Test"]
    horeca = client.get("/api/v1/talent-pool", params={"sector": "horeca"}, headers=coach).json()
    assert [c["name"] for c in horeca["items"]] == ["Amira Test"]
    skill = client.get("/api/v1/talent-pool", params={"skill": "koken-volgens-recept"}, headers=coach).json()
    assert skill["total"] == 2
    page = client.get("/api/v1/talent-pool", params={"limit": 1, "offset": 1}, headers=coach).json()
    assert page["total"] == 2 and len(page["items"]) == 1

    pid = horeca["items"][0]["profile_id"]
    r = client.post("/api/v1/notes", json={"profile_id": pid, "text": "Wil graag de zorg in."}, headers=coach)
    assert r.status_code == 201, r.text
    assert [n["text"] for n in client.get("/api/v1/notes", params={"profile_id": pid}, headers=coach).json()] == \
        ["Wil graag de zorg in."]
    assert client.get(f"/api/v1/profiles/{pid}/matches", headers=coach).status_code == 200
    # The job seeker can read what coaches wrote and who looked, in the export.
    export = client.get("/api/v1/me/export", headers=me).json()
    assert [n["text"] for n in export["coach_notes"]] == ["Wil graag de zorg in."]
    assert any(a["action"] == "view" and a["actor_role"] == "coach" for a in export["access_log"])
    assert "password_hash" not in str(export)


def test_erasure_removes_the_person_and_keeps_the_counts(client: TestClient, hub: Hub) -> None:
    emp = employer(client)
    vid = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
    me = jobseeker(client, **cook_profile(hub))
    client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True}, headers=me)
    ref = client.get("/api/v1/me/profile", headers=me).json()["ref"]
    iid = client.post("/api/v1/introductions", json={"vacancy_id": vid, "candidate_ref": ref}, headers=emp).json()["id"]
    coach = staff(client, hub, Role.coach, "coach@example.org")

    assert client.post("/api/v1/me/erase", json={"password": "wrong-password"}, headers=me).status_code == 401
    assert client.post("/api/v1/me/erase", json={"password": PASSWORD}, headers=me).status_code == 204
    assert client.get("/api/v1/me/profile", headers=me).status_code == 401  # the token went with the account
    assert client.post("/api/v1/auth/tokens", json={"email": "amira@example.org", "password": PASSWORD}
                       ).status_code == 401
    intro = client.get(f"/api/v1/introductions/{iid}", headers=coach).json()
    assert intro["candidate_ref"] is None and intro["candidate_name"] is None
    assert client.get(f"/api/v1/vacancies/{vid}/candidates", headers=emp).json()["items"] == []
    report = client.get("/api/v1/reports/summary", headers=coach).json()
    assert report["erased_accounts"] == 1 and "horeca" not in report["profiles_per_sector"]
    assert sum(sum(m.values()) for m in report["introductions_per_month"].values()) == 1


def test_optimistic_locking_refuses_a_lost_update(client: TestClient, hub: Hub) -> None:
    me = jobseeker(client, **cook_profile(hub))
    v = client.get("/api/v1/me/profile", headers=me).json()["version"]
    assert client.put("/api/v1/me/profile", json={"about": "eerste", "version": v}, headers=me).status_code == 200
    r = client.put("/api/v1/me/profile", json={"about": "tweede, op oude versie", "version": v}, headers=me)
    assert r.status_code == 409 and "reload" in r.json()["detail"]
    assert client.get("/api/v1/me/profile", headers=me).json()["about"] == "eerste"


def test_two_coaches_moving_one_introduction_at_once_lose_no_update(client: TestClient, hub: Hub) -> None:
    from concurrent.futures import ThreadPoolExecutor

    emp = employer(client)
    vid = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
    me = jobseeker(client, **cook_profile(hub))
    client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": True}, headers=me)
    ref = client.get("/api/v1/me/profile", headers=me).json()["ref"]
    iid = client.post("/api/v1/introductions", json={"vacancy_id": vid, "candidate_ref": ref}, headers=emp).json()["id"]
    intro = client.post(f"/api/v1/introductions/{iid}/status", json={"status": "candidate_agreed"}, headers=me).json()
    coaches = [staff(client, hub, Role.coach, f"coach{i}@example.org") for i in (1, 2)]
    moves = [("introduced", coaches[0]), ("withdrawn", coaches[1])]

    def move(m: tuple[str, dict[str, str]]) -> int:
        return client.post(f"/api/v1/introductions/{iid}/status",
                           json={"status": m[0], "version": intro["version"]}, headers=m[1]).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(move, moves))
    assert codes == [200, 409]
    final = client.get(f"/api/v1/introductions/{iid}", headers=coaches[0]).json()
    assert final["status"] in ("introduced", "withdrawn") and len(final["events"]) == 3


def test_a_job_seeker_editing_while_a_coach_reads_loses_nothing(client: TestClient, hub: Hub) -> None:
    from concurrent.futures import ThreadPoolExecutor

    me = jobseeker(client, **cook_profile(hub))
    client.put("/api/v1/me/consents", json={"talent_pool": True, "employer_visibility": False}, headers=me)
    start = client.get("/api/v1/me/profile", headers=me).json()
    coach = staff(client, hub, Role.coach, "coach@example.org")
    extra = [c.id for c in hub.taxonomy.taxonomy.concepts.values() if c.kind == "skill" and c.builtin
             and c.id not in {s["concept_id"] for s in start["skills"]}][:25]

    def edit() -> list[int]:
        return [client.put("/api/v1/me/profile/skills", json={"concept_id": cid, "level": 2}, headers=me).status_code
                for cid in extra]

    def read() -> list[tuple[int, int]]:
        seen = []
        for _ in range(40):
            r = client.get(f"/api/v1/profiles/{start['id']}", headers=coach)
            assert r.status_code == 200, r.text
            seen.append((r.json()["version"], len(r.json()["skills"])))
        return seen

    with ThreadPoolExecutor(2) as pool:
        edits, reads = pool.submit(edit), pool.submit(read)
        assert edits.result() == [200] * len(extra)
        seen = reads.result()
    assert [n for _, n in seen] == sorted(n for _, n in seen)  # the coach never sees a skill vanish
    final = client.get(f"/api/v1/profiles/{start['id']}", headers=coach).json()
    assert final["version"] == start["version"] + len(extra)
    assert {s["concept_id"] for s in final["skills"]} == {s["concept_id"] for s in start["skills"]} | set(extra)


def test_report_lists_the_must_haves_near_matches_miss_with_general_skills_apart(client: TestClient,
                                                                                   hub: Hub) -> None:
    """The dashboard's "most missing skills" (issue 14): what keeps otherwise good matches from being
    full ones, rare trade skills before general ones, and general (transversal) skills in their own list."""
    emp = employer(client)
    ask = ["clienten-wassen", "tillift-gebruiken", "transfers-maken", "samenwerken"]
    body = cook_vacancy(hub, title="Helpende zorg", sector="zorg",
                        requirements=[{"concept_id": sid(hub, s)} for s in ask])
    assert client.post("/api/v1/vacancies", json=body, headers=emp).status_code == 201
    coach = staff(client, hub, Role.coach, "coach@example.org")
    holds = {"a@example.org": ["clienten-wassen", "transfers-maken", "samenwerken"],  # misses the tillift
             "b@example.org": ["clienten-wassen", "transfers-maken", "samenwerken"],
             "c@example.org": ["clienten-wassen", "tillift-gebruiken", "transfers-maken"],  # misses samenwerken
             "d@example.org": ["clienten-wassen"]}  # misses three: not a near match
    for email, skills in holds.items():
        h = jobseeker(client, email, email, **cook_profile(hub, skills=[{"concept_id": sid(hub, s)} for s in skills]))
        assert client.put("/api/v1/me/consents", json={"talent_pool": True}, headers=h).status_code == 200
    rep = client.get("/api/v1/reports/summary", headers=coach).json()
    zorg = rep["most_missing_skills"]["zorg"]
    assert [(x["id"], x["count"]) for x in zorg] == [(sid(hub, "tillift-gebruiken"), 2)]
    assert [(x["id"], x["count"]) for x in rep["most_missing_transversal"]] == [(sid(hub, "samenwerken"), 1)]
    assert rep["pool_with_a_good_match"] == 3
