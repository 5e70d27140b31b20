"""Backup and restore on SQLite and PostgreSQL: what was backed up comes back, a bad file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from api.backup import BackupError, backup, restore
from api.models import User, UserCreate
from api.services.hub import Hub


def _emails(hub: Hub) -> list[str]:
    with Session(hub.engine) as db:
        return sorted(u.email for u in db.exec(select(User)).all())


def _add(hub: Hub, email: str) -> None:
    with Session(hub.engine) as db:
        hub.accounts.register(db, UserCreate(email=email, password="een-lang-wachtwoord", accept_terms=True))
        db.commit()


def test_backup_and_restore(hub: Hub, tmp_path: Path) -> None:
    _add(hub, "voor@example.org")
    target = tmp_path / "tom.backup"
    backup(hub.settings.db_url, target)
    assert target.exists() and not (tmp_path / "tom.backup.part").exists()
    _add(hub, "na@example.org")
    hub.engine.dispose()
    restore(hub.settings.db_url, target)
    assert _emails(hub) == ["voor@example.org"]


def test_a_bad_backup_file_changes_nothing(hub: Hub, tmp_path: Path) -> None:
    _add(hub, "blijft@example.org")
    bad = tmp_path / "bad.backup"
    bad.write_bytes(b"dit is geen backup")
    with pytest.raises(BackupError, match="not a Talent op Maat"):
        restore(hub.settings.db_url, bad)
    with pytest.raises(BackupError, match="no such file"):
        restore(hub.settings.db_url, tmp_path / "missing.backup")
    assert _emails(hub) == ["blijft@example.org"]
