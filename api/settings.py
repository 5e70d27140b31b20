"""All configuration, read from the environment (or a ``.env`` file) in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.proxy import IPNetwork, parse_networks
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
    trusted_proxies: str = Field(default="", alias="TOM_TRUSTED_PROXIES",
                                 description="Addresses or networks of reverse proxies (comma-separated, e.g. "
                                 "'127.0.0.1,::1'): only from these are X-Forwarded-For/-Proto believed. "
                                 "Default none.")
    cookie_secure: bool | None = Field(default=None, alias="TOM_COOKIE_SECURE",
                                       description="Secure cookies; unset = only when the request came over https.")
    login_max_failures: int = Field(default=5, alias="TOM_LOGIN_MAX_FAILURES",
                                    description="Failed logins per account (and 4x per client address) "
                                    "in 15 minutes before login is refused for a while.")
    mail_backend: str = Field(default="file", alias="TOM_MAIL_BACKEND",
                              description="'file' (e-mails as .eml under TOM_HOME/mail), 'console' or 'smtp'.")
    smtp_host: str | None = Field(default=None, alias="TOM_SMTP_HOST", description="SMTP server (backend 'smtp').")
    smtp_port: int = Field(default=587, alias="TOM_SMTP_PORT", description="SMTP port.")
    smtp_user: str | None = Field(default=None, alias="TOM_SMTP_USER", description="SMTP login; unset = none.")
    smtp_password: str | None = Field(default=None, alias="TOM_SMTP_PASSWORD", description="SMTP password.")
    smtp_starttls: bool = Field(default=True, alias="TOM_SMTP_STARTTLS",
                                description="Switch to TLS with STARTTLS before logging in.")
    smtp_from: str | None = Field(default=None, alias="TOM_SMTP_FROM",
                                  description="Sender address; unset = Talent op Maat <noreply@talentopmaat.invalid>.")
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

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        parse_networks(value)  # a typo here must stop the start, not silently trust nobody (or everybody)
        return value

    @property
    def trusted_networks(self) -> tuple[IPNetwork, ...]:
        return parse_networks(self.trusted_proxies)

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
