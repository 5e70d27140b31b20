"""Crashes: kill -9 of an import or of the server mid-way; afterwards the data is whole — nothing
acknowledged is lost, nothing is half-written, and a rerun or restart carries on."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, func, select

from api.main import create_app
from api.models import Vacancy, VacancySkill
from api.services.hub import Hub

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_speed import generate  # noqa: E402
from liveserver import Server, tom, tom_env  # noqa: E402


def _count(hub: Hub) -> int:
    with Session(hub.engine) as db:
        return int(db.exec(select(func.count()).select_from(Vacancy)).one())


def test_an_import_killed_half_way_completes_on_the_next_run(hub: Hub, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    n = 4000
    generate(n, "structured", feed)
    env = tom_env(hub.settings.home, hub.settings.db_url)
    cmd = [sys.executable, "-m", "api.cli", "vacancies", "import", str(feed), "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while _count(hub) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the importer and its workers, mid-way
    proc.wait()
    partial = _count(hub)
    assert 0 < partial < n, partial  # whole batches were committed, the rest was not
    with Session(hub.engine) as db:
        if hub.settings.db_url.startswith("sqlite"):
            assert db.exec(text("PRAGMA integrity_check")).one()[0] == "ok"  # type: ignore[call-overload]
        orphans = db.exec(select(func.count()).select_from(VacancySkill).where(
            VacancySkill.vacancy_id.not_in(select(Vacancy.id)))).one()  # type: ignore[attr-defined]
        assert orphans == 0
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"imported={n - partial} updated=0 skipped=0 rejected=0"
    assert _count(hub) == n


def test_the_server_killed_during_writes_keeps_every_acknowledged_write(hub: Hub) -> None:
    """kill -9 of `tom serve` (two workers) while a job seeker and an employer write; after a restart
    every write that was answered 2xx is there, and nothing is half-written."""
    import threading

    import httpx

    skills = sorted(c.id for c in hub.taxonomy.taxonomy.concepts.values() if c.kind == "skill" and c.builtin)
    req = [{"concept_id": sid} for sid in skills[:3]]
    env = tom_env(hub.settings.home, hub.settings.db_url)
    acked_skills: list[str] = []
    acked_vacancies: list[int] = []
    server = Server(env, workers=2).start()
    try:
        http = httpx.Client(base_url=server.url, timeout=10)
        me, emp = _account(http, "jobseeker"), _account(http, "employer")

        def add_skills() -> None:
            for concept_id in skills:
                try:
                    r = http.put("/api/v1/me/profile/skills", json={"concept_id": concept_id}, headers=me)
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    acked_skills.append(concept_id)

        def add_vacancies() -> None:
            for i in range(10_000):
                try:
                    r = http.post("/api/v1/vacancies", headers=emp, json={
                        "title": f"Monteur {i}", "place": "Leiden", "sector": "techniek", "requirements": req})
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    acked_vacancies.append(r.json()["id"])

        writers = [threading.Thread(target=add_skills), threading.Thread(target=add_vacancies)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 60
        while (len(acked_skills) < 15 or len(acked_vacancies) < 15) and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # both writers are mid-request now
        for w in writers:
            w.join(timeout=30)
        assert len(acked_skills) >= 15 and len(acked_vacancies) >= 15, server.log_tail()
        assert len(acked_skills) < len(skills), "the writer finished before the kill; nothing was tested"
    finally:
        server.kill()

    with Session(hub.engine) as db:
        if hub.settings.db_url.startswith("sqlite"):
            assert db.exec(text("PRAGMA integrity_check")).one()[0] == "ok"  # type: ignore[call-overload]
        # Each vacancy is whole: it has all its requirements or it does not exist.
        per_vacancy = db.exec(select(VacancySkill.vacancy_id, func.count()).group_by(VacancySkill.vacancy_id)).all()
        assert {n for _, n in per_vacancy} == {3}
        assert len(per_vacancy) == _count(hub)

    # A restart: a new app on the same database builds its indexes from what is stored.
    with TestClient(create_app(hub=Hub(hub.settings, matching=hub.matching))) as http:
        me, emp = _token(http, "jobseeker"), _token(http, "employer")
        profile = http.get("/api/v1/me/profile", headers=me).json()
        stored = {s["concept_id"] for s in profile["skills"]}
        assert set(acked_skills) <= stored
        assert len(stored) - len(acked_skills) <= 1  # at most the one in flight when killed
        history = http.get("/api/v1/me/profile/history", headers=me).json()
        assert len(history) == len(stored)  # every stored skill has its history line, and no more
        stored_vacancies = {v["id"] for v in _all_pages(http, "/api/v1/vacancies", emp, mine=True)}
        assert set(acked_vacancies) <= stored_vacancies
        assert len(stored_vacancies) - len(acked_vacancies) <= 1
        # The restarted app's index holds every stored vacancy: the job seeker, who has the three
        # required skills, is matched to each of them.
        matched = {m["vacancy"]["id"] for m in _all_pages(http, "/api/v1/me/matches", me)}
        assert matched == stored_vacancies


def _account(http: Any, role: str) -> dict[str, str]:
    body: dict[str, Any] = {"email": f"{role}@example.org", "password": "een-lang-wachtwoord", "name": role,
                            "accept_terms": True, "role": role}
    if role == "employer":
        body["organisation_name"] = "Installatiebedrijf Test"
    r = http.post("/api/v1/auth/register", json=body)
    assert r.status_code == 201, r.text
    return _token(http, role)


def _token(http: Any, role: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/tokens", json={"email": f"{role}@example.org", "password": "een-lang-wachtwoord",
                                               "name": "t"})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _all_pages(http: Any, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = http.get(path, params={**params, "limit": 100, "offset": len(items)}, headers=headers).json()
        items += page["items"]
        if len(page["items"]) < 100:
            return items


def test_an_esco_import_killed_while_it_stores_leaves_a_whole_taxonomy(tom_home: Path, esco_dir: Path) -> None:
    """The real ESCO v1.1.1 en + nl import is killed the moment it starts writing its layer (or, if that
    moment is missed, while it builds the search caches): the taxonomy is then the old one or the new
    one — never a broken one — and it answers."""
    env = {**os.environ, "TOM_HOME": str(tom_home)}
    before = tom(env, "taxonomy", "status")
    layer = tom_home / "taxonomy" / "esco.json.gz"
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "taxonomy", "import-esco", "-q",
                             str(esco_dir / "v1.1.1"), str(esco_dir / "v1.1.1-nl")],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while not (layer.exists() or any(layer.parent.glob(f".{layer.name}.*"))) and time.monotonic() < deadline:
        assert proc.poll() is None, "the import ended before it wrote anything"
        time.sleep(0.005)
    assert proc.poll() is None, "the import ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = tom(env, "taxonomy", "status")
    skills = int(re.search(r"skill: (\d+)", after).group(1))  # type: ignore[union-attr]
    assert after == before or skills > 13_000, after
    score, label = tom(env, "taxonomy", "suggest", "lassen", "--top", "1").split()[:2]
    assert label == "lassen" and float(score) >= 0.8  # calibrated: an exact label is "this is it"
