"""All configuration, read from the environment (or a ``.env`` file) in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from taxonomy.encoders import model_name

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    tom_home: Path = Field(default=Path("var"), alias="TOM_HOME",
                           description="State folder: database, imported taxonomy, caches.")
    database_url: str | None = Field(default=None, alias="DATABASE_URL",
                                     description="SQLAlchemy URL; default SQLite under TOM_HOME.")
    embedding_model: str | None = Field(default=None, alias="TOM_EMBEDDING_MODEL",
                                        description="Sentence encoder: 'use-multilingual' (default when unset), "
                                        "'e5-small', a sentence-transformers folder, or 'none' (lexical only).")
    data_dir: Path = Field(default=REPO_ROOT / "data", alias="TOM_DATA_DIR",
                           description="Data written by the project (built-in taxonomy, demo data).")

    session_hours: int = Field(default=12, alias="TOM_SESSION_HOURS",
                               description="A login session ends this many hours after login.")
    cookie_secure: bool | None = Field(default=None, alias="TOM_COOKIE_SECURE",
                                       description="Secure cookies; unset = only when the request came over https.")
    login_max_failures: int = Field(default=5, alias="TOM_LOGIN_MAX_FAILURES",
                                    description="Failed logins per account (and 4x per client address) "
                                    "in 15 minutes before login is refused for a while.")
    mail_backend: str = Field(default="file", alias="TOM_MAIL_BACKEND",
                              description="'file' (e-mails as .eml under TOM_HOME/mail) or 'console'.")
    public_url: str = Field(default="http://127.0.0.1:8000", alias="TOM_PUBLIC_URL",
                            description="Base address used in links inside e-mails.")
    inactive_days: int = Field(default=730, alias="TOM_INACTIVE_DAYS",
                               description="Job-seeker accounts unused this long get a notice ...")
    notice_days: int = Field(default=30, alias="TOM_NOTICE_DAYS",
                             description="... and are erased this many days after the notice.")
    suggest_rate: float = Field(default=20.0, alias="TOM_SUGGEST_RATE",
                                description="Skill/occupation suggestions per second per client address ...")
    suggest_burst: int = Field(default=60, alias="TOM_SUGGEST_BURST",
                               description="... with bursts up to this many; more answers 429.")
    demo_password: str = Field(default="demo-wachtwoord", alias="TOM_DEMO_PASSWORD",
                               description="Password of every account `tom demo load` creates.")

    @property
    def home(self) -> Path:
        return self.tom_home.expanduser().resolve()

    @property
    def encoder_model(self) -> str | None:
        """The embedding model to use: the default when unset, None for 'none'."""
        return model_name(self.embedding_model)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'tom.sqlite'}"

    @property
    def builtin_taxonomy_dir(self) -> Path:
        return self.data_dir / "taxonomy"


@lru_cache
def get_settings() -> Settings:
    return Settings()
