"""Taxonomy service: the loaded taxonomy and its search indexes, shared by API, CLI and web."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from api.embeddings import load_encoder
from api.settings import Settings
from taxonomy.esco import Progress
from taxonomy.model import ConceptKind, Taxonomy
from taxonomy.normaliser import ConceptIndex, Encoder, Match
from taxonomy.store import ImportReport, TaxonomyStore

FRESH_EVERY = 2.0  # seconds between checks for a changed taxonomy (another process may import)


class TaxonomyService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = TaxonomyStore(settings.home, settings.builtin_taxonomy_dir)
        self._lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._indexes: dict[str, ConceptIndex] = {}
        self._encoder: Encoder | None = None
        self._fingerprint: str | None = None
        self._checked = 0.0

    def _fresh(self) -> None:
        # Looking for a changed taxonomy costs a directory scan: at most once every few seconds.
        now = time.monotonic()
        if self._fingerprint is not None and now - self._checked < FRESH_EVERY:
            return
        self._checked = now
        fp = self.store.fingerprint()
        if fp != self._fingerprint:
            self._taxonomy, self._indexes, self._fingerprint = None, {}, fp

    @property
    def taxonomy(self) -> Taxonomy:
        with self._lock:
            self._fresh()
            if self._taxonomy is None:
                self._taxonomy = self.store.load()
            return self._taxonomy

    def encoder(self) -> Encoder | None:
        if self.settings.embedding_model and self._encoder is None:
            self._encoder = load_encoder(self.settings.embedding_model)
        return self._encoder

    def index(self, kind: ConceptKind) -> ConceptIndex:
        tax = self.taxonomy
        with self._lock:
            idx = self._indexes.get(kind)
            if idx is None:
                idx = self.store.index(kind, self.encoder(), self.settings.embedding_model, taxonomy=tax)
                self._indexes[kind] = idx
            return idx

    def suggest_skills(self, text: str, top: int = 10, lang: str = "nl") -> list[Match]:
        return self.index("skill").suggest(text, top=top, lang=lang)

    def extract_skills(self, text: str, top: int = 10, lang: str = "nl") -> list[Match]:
        return self.index("skill").extract(text, top=top, lang=lang)

    def suggest_occupations(self, text: str, top: int = 10, lang: str = "nl") -> list[Match]:
        return self.index("occupation").suggest(text, top=top, lang=lang)

    def import_esco(self, paths: list[Path], progress: Progress | None = None) -> ImportReport:
        report = self.store.import_esco(paths, progress)
        with self._lock:
            self._fingerprint = None
        return report
