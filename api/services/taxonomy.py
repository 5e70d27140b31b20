"""Taxonomy service: the loaded taxonomy and its search indexes, shared by API, CLI and web."""

from __future__ import annotations

import threading
from pathlib import Path

from api.embeddings import load_encoder
from api.settings import Settings
from taxonomy.esco import Progress
from taxonomy.model import ConceptKind, Taxonomy
from taxonomy.normaliser import ConceptIndex, Encoder, Match
from taxonomy.store import ImportReport, TaxonomyStore


class TaxonomyService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = TaxonomyStore(settings.home, settings.builtin_taxonomy_dir)
        self._lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._indexes: dict[str, ConceptIndex] = {}
        self._encoder: Encoder | None = None
        self._fingerprint: str | None = None

    def _fresh(self) -> None:
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
