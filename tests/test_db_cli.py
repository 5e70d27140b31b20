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


def test_db_upgrade_is_idempotent_and_serve_refuses_an_old_schema(tom_home: Path) -> None:
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 1 and "tom db upgrade" in r.output
    for _ in range(2):
        r = runner.invoke(app, ["db", "upgrade"])
        assert r.exit_code == 0, r.output
    from api.db import head_revision

    assert f"revision {head_revision('sqlite://')}" in r.output
    assert (tom_home / "tom.sqlite").exists()


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
