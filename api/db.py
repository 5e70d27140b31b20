"""Database engine and migrations: SQLite under TOM_HOME by default (WAL), PostgreSQL through DATABASE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3 (the driver we install)."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable at WAL checkpoints; safe against app crashes
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


class SchemaError(RuntimeError):
    """The database cannot be used as it is; one line saying what to do."""


def ensure_schema(url: str) -> bool:
    """Make sure the schema is at head before a command uses the database. Returns True when it was created.

    An embedded SQLite database without any tables (a fresh TOM_HOME) gets the schema right away: that is
    what a user who just installed the app expects. A database at an older revision, or a server database
    (PostgreSQL) without tables, is left alone: upgrading it is the operator's step (`tom db upgrade`),
    taken once and deliberately, not by whichever command happens to run first.
    """
    from sqlalchemy import inspect

    engine = make_engine(url)
    try:
        try:
            current = current_revision(engine)
            empty = current is None and not inspect(engine).get_table_names()
        except Exception as exc:
            raise SchemaError(f"cannot open the database: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    head = head_revision(url)
    if current == head:
        return False
    if empty and normalise_url(url).startswith("sqlite"):
        try:
            upgrade(url)
        except Exception as exc:
            raise SchemaError(f"cannot create the database: {str(exc).splitlines()[0]}") from None
        return True
    if empty:
        raise SchemaError("the database has no tables yet: run `tom db upgrade` first")
    raise SchemaError("the database schema is not up to date: run `tom db upgrade` first")
