"""Crashes: kill -9 an import half-way, run it again, and the data is whole — no duplicates, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, func, select

from api.models import Vacancy, VacancySkill
from api.services.hub import Hub

ROOT = Path(__file__).resolve().parents[1]


def _count(hub: Hub) -> int:
    with Session(hub.engine) as db:
        return int(db.exec(select(func.count()).select_from(Vacancy)).one())


def test_an_import_killed_half_way_completes_on_the_next_run(hub: Hub, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from import_speed import generate

    feed = tmp_path / "feed.jsonl"
    n = 4000
    generate(n, "structured", feed)
    env = {**os.environ, "TOM_HOME": str(hub.settings.home), "DATABASE_URL": hub.settings.db_url}
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
