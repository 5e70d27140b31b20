"""Shared fixtures.

The official ESCO files are never copied into the repository: tests read them from the folder
``shared`` beside the repository and skip when it is not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import get_settings
from taxonomy.store import TaxonomyStore

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILTIN_DIR = REPO_ROOT / "data" / "taxonomy"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
ESCO_DIR = SHARED_DIR / "esco"
ESCO_EN_ZIP = ESCO_DIR / "v1.1.1" / "ESCO dataset - v1.1.1 - classification - en - csv.zip"
ESCO_NL_DIR = ESCO_DIR / "v1.1.1-nl"

# Environment variables the settings read; tests start from none of them.
_SETTINGS_ENV = ("TOM_HOME", "DATABASE_URL", "TOM_EMBEDDING_MODEL", "TOM_DATA_DIR")


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} not found (the official ESCO files live in ../shared)")
    return path


@pytest.fixture(scope="session")
def builtin_dir() -> Path:
    return BUILTIN_DIR


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ``shared`` folder beside the repository (skips when missing)."""
    return _need(SHARED_DIR)


@pytest.fixture(scope="session")
def esco_dir(shared_dir: Path) -> Path:
    """``shared/esco`` with the v1.1.1 (all languages' relations + English) and v1.1.1-nl folders."""
    _need(ESCO_DIR / "v1.1.1")
    _need(ESCO_NL_DIR)
    return ESCO_DIR


@pytest.fixture(scope="session")
def esco_en_zip(esco_dir: Path) -> Path:
    """The real English ESCO v1.1.1 classification zip."""
    return _need(ESCO_EN_ZIP)


@pytest.fixture
def tom_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty TOM_HOME in tmp, set in the environment, with the settings cache cleared."""
    home = tmp_path / "home"
    home.mkdir()
    for name in _SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOM_HOME", str(home))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def esco_home(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> TaxonomyStore:
    """A store with the full real ESCO v1.1.1 (en) + v1.1.1-nl imported once per session.

    Use only from tests marked ``slow``. Treat it as read-only.
    """
    home = tmp_path_factory.mktemp("esco_home")
    store = TaxonomyStore(home, BUILTIN_DIR)
    store.import_esco([esco_dir / "v1.1.1", esco_dir / "v1.1.1-nl"])
    return store


# --------------------------------------------------------------------------- databases for the API tests
# Every API test runs on SQLite and on PostgreSQL. `.ci/run` starts a throw-away PostgreSQL cluster and
# passes its URL in TOM_TEST_POSTGRES_URL; without it, a local cluster is started here when the server
# binaries are installed, else the PostgreSQL variants are skipped (saying why).
PG_SCRIPT = REPO_ROOT / "scripts" / "pg-test-cluster"


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    import os
    import shutil
    import subprocess

    url = os.environ.get("TOM_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if not (shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))):
        yield None
        return
    folder = Path(f"/tmp/tom-pg-pytest-{os.getpid()}")
    try:
        out = subprocess.run([str(PG_SCRIPT), "start", str(folder), str(56000 + os.getpid() % 1000)],
                             check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"could not start a PostgreSQL test cluster: {exc.stderr.strip()}")
    try:
        yield out.stdout.strip()
    finally:
        subprocess.run([str(PG_SCRIPT), "stop", str(folder)], check=False)


@pytest.fixture(scope="session")
def shared_matching(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One MatchingService over the built-in taxonomy for all API tests (building it takes a second)."""
    from api.services.matching import MatchingService
    from api.services.taxonomy import TaxonomyService
    from api.settings import Settings

    home = tmp_path_factory.mktemp("shared_home")
    return MatchingService(TaxonomyService(Settings(TOM_HOME=home)))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def _migrated(tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None) -> dict[str, str | None]:
    """Schemas at head, made once: a SQLite template file and the PostgreSQL test database."""
    from api.db import upgrade

    template = tmp_path_factory.mktemp("sqlite_template") / "tom.sqlite"
    upgrade(f"sqlite:///{template}")
    if postgres_url:
        upgrade(postgres_url)
    return {"sqlite": str(template), "postgresql": postgres_url}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, _migrated: dict[str, str | None], tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    import shutil

    from sqlalchemy import text
    from sqlmodel import SQLModel

    from api.db import make_engine

    if request.param == "sqlite":
        target = tmp_path / "tom.sqlite"
        shutil.copy(str(_migrated["sqlite"]), target)
        yield f"sqlite:///{target}"
        return
    url = _migrated["postgresql"]
    if not url:
        pytest.skip("no PostgreSQL server here (install Debian's postgresql, or run .ci/run)")
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def hub(db_url: str, tom_home: Path, shared_matching):  # type: ignore[no-untyped-def]
    from api.services.hub import Hub
    from api.settings import Settings

    settings = Settings(TOM_HOME=tom_home, DATABASE_URL=db_url, TOM_LOGIN_MAX_FAILURES=5)  # type: ignore[call-arg]
    h = Hub(settings, matching=shared_matching)
    yield h
    h.engine.dispose()


@pytest.fixture
def client(hub):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.main import create_app

    with TestClient(create_app(hub=hub)) as c:
        yield c
