"""All configuration, read from the environment (or a ``.env`` file) in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    tom_home: Path = Field(default=Path("var"), alias="TOM_HOME",
                           description="State folder: database, imported taxonomy, caches.")
    database_url: str | None = Field(default=None, alias="DATABASE_URL",
                                     description="SQLAlchemy URL; default SQLite under TOM_HOME.")
    embedding_model: str | None = Field(default=None, alias="TOM_EMBEDDING_MODEL",
                                        description="sentence-transformers model name or local path; "
                                        "unset = lexical matching only.")
    data_dir: Path = Field(default=REPO_ROOT / "data", alias="TOM_DATA_DIR",
                           description="Data written by the project (built-in taxonomy, demo data).")

    @property
    def home(self) -> Path:
        return self.tom_home.expanduser().resolve()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'tom.sqlite'}"

    @property
    def builtin_taxonomy_dir(self) -> Path:
        return self.data_dir / "taxonomy"


@lru_cache
def get_settings() -> Settings:
    return Settings()
