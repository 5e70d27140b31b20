"""All long-lived services of one app process, built once from the settings (no import-time globals)."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.engine import Engine

from api.db import make_engine
from api.mail import Mailer, make_mailer
from api.ratelimit import RateLimiter
from api.services.accounts import Accounts
from api.services.errors import BadInput
from api.services.geo import Gazetteer
from api.services.indexes import LiveIndexes
from api.services.matching import MatchingService
from api.services.taxonomy import TaxonomyService
from api.settings import Settings
from taxonomy.model import Concept


class Hub:
    def __init__(self, settings: Settings, engine: Engine | None = None, mailer: Mailer | None = None,
                 matching: MatchingService | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.db_url)
        # ``matching`` can be shared between hubs on the same taxonomy (tests build many apps).
        self.matching = matching or MatchingService(TaxonomyService(settings))
        self.taxonomy = self.matching.taxonomy
        self.indexes = LiveIndexes(self.matching)
        self.mailer = mailer or make_mailer(settings.mail_backend, settings.home, settings)
        self.accounts = Accounts(settings, self.mailer)
        self.suggest_limiter = RateLimiter(settings.suggest_rate, settings.suggest_burst)

    def warm(self) -> None:
        """Load what the first request would otherwise wait for: the search indexes and the model
        (a couple of seconds), and run one query through each so that lazy parts are ready too."""
        self.taxonomy.suggest_skills("koken", top=1)
        self.taxonomy.suggest_occupations("kok", top=1)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.settings.data_dir / "geo" / "places.toml")

    @cached_property
    def _slugs(self) -> dict[str, str]:
        return {c.builtin: c.id for c in self.taxonomy.taxonomy.concepts.values() if c.builtin}

    def concept(self, ref: str, kind: str) -> Concept:
        """The concept a client named by id (or built-in slug); a clear error when there is none of that kind."""
        tax = self.taxonomy.taxonomy
        c = tax.concepts.get(ref) or tax.concepts.get(self._slugs.get(ref, ""))
        if c is None or c.kind != kind:
            raise BadInput(f"{ref!r} is not a known {kind} in the taxonomy")
        return c

    def label(self, concept_id: str | None, lang: str = "nl") -> str | None:
        if concept_id is None:
            return None
        c = self.taxonomy.taxonomy.concepts.get(concept_id)
        return c.label(lang) if c else concept_id
