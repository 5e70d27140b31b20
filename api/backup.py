"""Backup and restore of the database: SQLite through its online backup API, PostgreSQL with pg_dump.

Both are consistent snapshots taken while the app runs. A restore checks the file first (a SQLite
database, or a pg_dump custom-format archive, of this application) and leaves the database as it
was when the file is not usable.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from api.db import normalise_url


class BackupError(RuntimeError):
    """One line for the operator."""


def _sqlite_path(url: str) -> Path | None:
    u = make_url(normalise_url(url))
    return Path(u.database) if u.drivername.startswith("sqlite") and u.database else None


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(normalise_url(url))
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d",
            u.database or "postgres"]
    env = {"PGPASSWORD": u.password} if u.password else {}
    return args, env


def _tool(name: str) -> str:
    exe = shutil.which(name) or next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))),
                                     None)
    if exe is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return exe


def _run(cmd: list[str], env: dict[str, str]) -> None:
    import os

    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{Path(cmd[0]).name}: {last}")


def backup(url: str, target: Path) -> None:
    tmp = target.with_name(target.name + ".part")
    if (path := _sqlite_path(url)) is not None:
        if not path.exists():
            raise BackupError(f"{path}: no database here")
        src, dst = sqlite3.connect(path), sqlite3.connect(tmp)
        try:
            src.backup(dst)  # a consistent snapshot, even while the app writes
        finally:
            dst.close()
            src.close()
    else:
        args, env = _pg_args(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args], env)
    tmp.replace(target)  # the backup file appears only when complete


def _check_sqlite_file(source: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            (version,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
            con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except (sqlite3.Error, TypeError):
        raise BackupError(f"{source}: not a Talent op Maat SQLite backup") from None
    if not version:
        raise BackupError(f"{source}: not a Talent op Maat SQLite backup")


def restore(url: str, source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if (path := _sqlite_path(url)) is not None:
        _check_sqlite_file(source)
        src, dst = sqlite3.connect(source), sqlite3.connect(path, timeout=30)
        try:
            src.backup(dst)  # replaces the live database's pages in one step
        finally:
            dst.close()
            src.close()
        return
    args, env = _pg_args(url)
    listing = subprocess.run([_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True)
    if listing.returncode != 0 or "TABLE DATA public alembic_version" not in listing.stdout:
        raise BackupError(f"{source}: not a Talent op Maat pg_dump archive")
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args,
          str(source)], env)
