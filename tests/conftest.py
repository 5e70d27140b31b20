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
