"""The schema, `tom db upgrade`, `tom demo load`, `tom users create` and `tom gdpr retention`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, func, select
from typer.testing import CliRunner

from api.cli import app
from api.db import make_engine
from api.models import Introduction, Profile, User, Vacancy, utcnow
from api.services import gdpr
from api.services.hub import Hub

runner = CliRunner()


def test_migrations_create_exactly_the_models(db_url: str) -> None:
    """Alembic's head schema and the SQLModel tables agree (no forgotten migration)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_db_upgrade_is_idempotent_and_commands_refuse_an_old_schema(tom_home: Path) -> None:
    from api.db import head_revision, upgrade

    upgrade(f"sqlite:///{tom_home / 'tom.sqlite'}", "0001")  # a database made by an older release
    for cmd in (["serve"], ["gdpr", "retention"], ["vacancies", "export"], ["demo", "load"]):
        r = runner.invoke(app, cmd)
        assert r.exit_code == 1 and r.output.count("\n") == 1 and "run `tom db upgrade` first" in r.output, cmd
    for _ in range(2):
        r = runner.invoke(app, ["db", "upgrade"])
        assert r.exit_code == 0, r.output
    assert f"revision {head_revision('sqlite://')}" in r.output
    assert (tom_home / "tom.sqlite").exists()


FEED = ('{"@type": "JobPosting", "title": "Kok", "description": "Koken volgens recept en hygienisch werken.", '
        '"hiringOrganization": {"name": "Brasserie"}, "jobLocation": {"address": {"addressLocality": "Leiden"}}}\n')
# Every command that uses the database, as a user types it on a fresh install (nothing before it).
FRESH_COMMANDS = [
    (["vacancies", "import", "{tmp}/feed.jsonl", "-q"], "imported=1"),
    (["vacancies", "export", "--jsonl"], ""),
    (["gdpr", "retention"], "notices=0 erased=0"),
    (["users", "create", "co@example.org", "--password", "een-lang-wachtwoord"], "created coach"),
    (["geo", "import-postcodes", "{tmp}/NL.txt"], "postcodes=1"),
    (["db", "restore", "{tmp}/missing.sqlite"], None),  # nothing to restore: one line
    (["db", "backup", "{tmp}/b.sqlite"], None),  # no database yet: one line
]


@pytest.mark.parametrize("cmd, out", FRESH_COMMANDS, ids=lambda x: "-".join(x[:2]) if isinstance(x, list) else "")
def test_every_command_works_on_a_fresh_home_or_says_why_in_one_line(
        tom_home: Path, tmp_path: Path, cmd: list[str], out: str | None) -> None:
    (tmp_path / "feed.jsonl").write_text(FEED, encoding="utf-8")
    (tmp_path / "NL.txt").write_text("NL\t2311\tLeiden\tZuid-Holland\tZH\tLeiden\t0546\t\t\t52.16\t4.49\t6\n",
                                     encoding="utf-8")
    r = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in cmd])
    assert "Traceback" not in r.output and (r.exception is None or isinstance(r.exception, SystemExit)), r.output
    if out is None:
        assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1, r.output
        return
    assert r.exit_code == 0, r.output
    assert out in r.stdout
    # The schema was created on the way, once, and said so on stderr.
    assert (tom_home / "tom.sqlite").exists() and "created a new database" in r.stderr
    assert "created a new database" not in runner.invoke(app, ["gdpr", "retention"]).stderr


def test_a_fresh_server_database_is_not_created_behind_the_operators_back(
        tom_home: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str | None) -> None:
    """PostgreSQL without tables: the operator runs `tom db upgrade` (once, deliberately)."""
    from sqlalchemy import text

    from api.settings import get_settings

    if not postgres_url:
        pytest.skip("no PostgreSQL server here (install Debian's postgresql, or run .ci/run)")
    engine = make_engine(postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS tom_fresh"))
        conn.execute(text("CREATE DATABASE tom_fresh"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", postgres_url.rsplit("/", 1)[0] + "/tom_fresh")
    get_settings.cache_clear()
    r = runner.invoke(app, ["gdpr", "retention"])
    assert r.exit_code == 1 and r.stderr.strip() == "tom: the database has no tables yet: run `tom db upgrade` first"
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["gdpr", "retention"]).stdout.strip() == "notices=0 erased=0"


def test_db_upgrade_on_a_bad_url_fails_in_one_line(tom_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "database upgrade failed" in r.output


def test_demo_load_fills_every_role_and_is_idempotent(tom_home: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["demo", "load"])
    assert r.exit_code == 0, r.output
    counts = dict(kv.split("=") for kv in r.output.split())
    assert int(counts["vacancies"]) >= 140 and int(counts["skipped"]) == 9 and int(counts["introductions"]) >= 6
    again = runner.invoke(app, ["demo", "load"])
    assert again.output.split() == ["users=0", "vacancies=0", "skipped=9", "introductions=0"]
    engine = make_engine(f"sqlite:///{tom_home / 'tom.sqlite'}")
    with Session(engine) as db:
        roles = dict(db.exec(select(User.role, func.count()).group_by(User.role)).all())
        assert roles["jobseeker"] == 45 and roles["coach"] == 3 and roles["admin"] == 1 and roles["employer"] >= 40
        sectors = dict(db.exec(select(Vacancy.sector, func.count()).group_by(Vacancy.sector)).all())
        assert set(sectors) == {"techniek", "horeca", "zorg"} and min(sectors.values()) >= 45
        assert db.exec(select(func.count()).select_from(Profile).where(Profile.lat.is_not(None))).one() == 45  # type: ignore[union-attr]
        assert {i.status for i in db.exec(select(Introduction)).all()} >= {"proposed", "hired", "interview"}
    engine.dispose()


def test_users_create_makes_a_coach_and_refuses_bad_input(tom_home: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    r = runner.invoke(app, ["users", "create", "coach@example.org", "--role", "coach", "--name", "Co Ach",
                            "--password", "een-lang-wachtwoord"])
    assert r.exit_code == 0 and "created coach" in r.output
    r = runner.invoke(app, ["users", "create", "coach@example.org", "--password", "een-lang-wachtwoord"])
    assert r.exit_code == 1 and "already exists" in r.output
    r = runner.invoke(app, ["users", "create", "x@example.org", "--role", "jobseeker", "--password", "x" * 12])
    assert r.exit_code == 1
    r = runner.invoke(app, ["users", "create", "y@example.org", "--password", "kort"])
    assert r.exit_code == 1 and "password" in r.output


def test_retention_warns_then_erases_inactive_job_seekers(hub: Hub) -> None:
    from api.models import UserCreate

    with Session(hub.engine) as db:
        for email in ("oud@example.org", "actief@example.org"):
            hub.accounts.register(db, UserCreate(email=email, password="een-lang-wachtwoord", accept_terms=True))
        db.commit()
        old = db.exec(select(User).where(User.email == "oud@example.org")).one()
        old.last_active_at = utcnow() - timedelta(days=hub.settings.inactive_days + 1)
        db.add(old)
        db.commit()
        assert gdpr.retention(hub, db) == (1, 0)
        mails = list((hub.settings.home / "mail").glob("*.eml"))
        assert len(mails) == 1 and "oud@example.org" in mails[0].read_text()
        assert gdpr.retention(hub, db) == (0, 0)  # one notice only
        later = utcnow() + timedelta(days=hub.settings.notice_days + 1)
        assert gdpr.retention(hub, db, now=later) == (0, 1)
        assert [u.email for u in db.exec(select(User)).all()] == ["actief@example.org"]
        # Logging in during the notice period keeps the account.
        active = db.exec(select(User)).one()
        active.last_active_at = utcnow() - timedelta(days=hub.settings.inactive_days + 1)
        db.add(active)
        db.commit()
        gdpr.retention(hub, db)
        hub.accounts.authenticate(db, "actief@example.org", "een-lang-wachtwoord")
        db.commit()
        assert gdpr.retention(hub, db, now=later) == (0, 0)
        assert json.dumps([u.email for u in db.exec(select(User)).all()]) == '["actief@example.org"]'


def test_database_down_gives_a_clear_503(tom_home: Path) -> None:
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    settings = Settings(TOM_HOME=tom_home, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")  # type: ignore[call-arg]
    with TestClient(create_app(settings)) as c:
        for path in ("/api/v1/health", "/api/v1/vacancies"):
            r = c.get(path)
            assert r.status_code == 503 and "database" in r.json()["detail"]
            assert r.headers["Retry-After"]


def test_db_backup_and_restore_commands(tom_home: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    r = runner.invoke(app, ["db", "backup", str(tmp_path / "b.sqlite")])
    assert r.exit_code == 0 and (tmp_path / "b.sqlite").exists()
    assert runner.invoke(app, ["db", "restore", str(tmp_path / "b.sqlite")]).exit_code == 0
    r = runner.invoke(app, ["db", "restore", str(tmp_path / "nope.sqlite")])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "no such file" in r.output
