"""Two app processes on one database stay consistent: each applies the other's writes to its index."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi.testclient import TestClient

from api.services.hub import Hub
from tests.api_helpers import cook_profile, cook_vacancy, employer, jobseeker

OTHER_PROCESS = textwrap.dedent("""
    import json, sys
    from sqlmodel import Session, select
    from api.models import User, VacancyIn, RequirementIn
    from api.services.accounts import Principal
    from api.services.hub import Hub
    from api.services import vacancies
    from api.settings import Settings

    hub = Hub(Settings(TOM_HOME=sys.argv[1], DATABASE_URL=sys.argv[2]))
    with Session(hub.engine) as db:
        hub.indexes.ensure(db)  # built before the other process writes
        emp = db.exec(select(User).where(User.role == "employer")).first()
        body = VacancyIn(title="Kok (van proces 2)", place="Leiden", sector="horeca",
                         requirements=[RequirementIn(concept_id="koken-volgens-recept")])
        v = vacancies.create(hub, db, Principal(emp, "token"), body)
        print(json.dumps({"created": v.id}), flush=True)
        sys.stdin.readline()  # wait until the first process has written too
        index = hub.indexes.ensure(db).vacancies
        print(json.dumps({"indexed": [i for i in range(1, 10) if str(i) in index]}), flush=True)
""")


def test_two_processes_see_each_others_writes(client: TestClient, hub: Hub, tmp_path: Path) -> None:
    emp = employer(client)
    me = jobseeker(client, **cook_profile(hub))
    first = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=emp).json()["id"]
    assert [m["vacancy"]["id"] for m in client.get("/api/v1/me/matches", headers=me).json()["items"]] == [first]

    proc = subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, str(tmp_path / "home2"), hub.settings.db_url],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    try:
        assert proc.stdout is not None and proc.stdin is not None
        created = json.loads(proc.stdout.readline())["created"]
        # This process's index picks up the other's vacancy on the next query.
        ids = {m["vacancy"]["id"] for m in client.get("/api/v1/me/matches", headers=me).json()["items"]}
        assert ids == {first, created}
        # And the other process picks up a write made here.
        third = client.post("/api/v1/vacancies", json=cook_vacancy(hub, title="Zelfstandig kok"), headers=emp).json()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        indexed = json.loads(proc.stdout.readline())["indexed"]
        assert third["id"] in indexed and created in indexed
    finally:
        proc.kill()
        proc.wait()
