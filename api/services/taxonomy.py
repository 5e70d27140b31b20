"""Taxonomy service: the loaded taxonomy and its search indexes, shared by API, CLI and web."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api.settings import Settings
from taxonomy.encoders import EmbeddingModelError, Encoder, load_encoder
from taxonomy.esco import Progress
from taxonomy.model import ConceptKind, Taxonomy
from taxonomy.normaliser import ConceptIndex, Match
from taxonomy.store import ImportReport, TaxonomyStore

FRESH_EVERY = 2.0  # seconds between checks for a changed taxonomy (another process may import)
_ENCODERS: dict[str, Encoder | None] = {}  # per process: one loaded model, shared by every service
_ENCODERS_LOCK = threading.Lock()


def _single_threaded_blas() -> None:
    """One BLAS thread per process: a query's matrix-vector products are small, and OpenBLAS's
    threads waiting for each other on a busy machine made them 100x slower (16 ms instead of 0.1 ms);
    a server runs many queries side by side instead."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn; without it queries are only slower
        return
    threadpool_limits(1, user_api="blas")


def shared_encoder(name: str, cache_dir: Path | None = None) -> Encoder | None:
    """The encoder for ``name``, loaded once per process; None (after one clear line on stderr)
    when it cannot be loaded, so everything keeps working lexically. ``cache_dir`` keeps what makes
    the next load faster (the first caller's is used; its contents depend only on the model)."""
    with _ENCODERS_LOCK:
        if name not in _ENCODERS:
            _single_threaded_blas()
            try:
                _ENCODERS[name] = load_encoder(name, cache_dir).ready()
            except EmbeddingModelError as exc:
                # one line on stderr (CLI and server alike), not a log record that handlers may repeat
                print(f"tom: {exc}; continuing with lexical matching only", file=sys.stderr, flush=True)
                _ENCODERS[name] = None
        return _ENCODERS[name]


class TaxonomyService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = TaxonomyStore(settings.home, settings.builtin_taxonomy_dir)
        self._lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._indexes: dict[str, ConceptIndex] = {}
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
        """The configured sentence encoder (the default model unless ``TOM_EMBEDDING_MODEL=none``),
        or None when there is none or it cannot be loaded."""
        name = self.settings.encoder_model
        return shared_encoder(name, self.store.cache_dir) if name else None

    def index(self, kind: ConceptKind, progress: Callable[[int, int], None] | None = None) -> ConceptIndex:
        """The search index for ``kind``; ``progress`` hears (done, total) while label vectors are computed."""
        tax = self.taxonomy
        with self._lock:
            idx = self._indexes.get(kind)
            if idx is None:
                idx = self.store.index(kind, self.encoder(), taxonomy=tax, progress=progress)
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
