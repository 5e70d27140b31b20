"""Where the taxonomy lives under ``TOM_HOME`` and how imports change it.

* ``taxonomy/esco.json.gz`` — the ESCO layer: everything imported from ESCO packages.
* The built-in Dutch taxonomy (``data/taxonomy``) is laid over it at load time, so our Dutch
  labels and synonyms always stay, and a new release of them needs no re-import.
* ``cache/`` — the merged taxonomy (pickled) and the search indexes (:func:`pack`: pickled objects,
  memory-mapped arrays), keyed by a fingerprint of their inputs; label vectors per model; deleting
  it is always safe.

Imports are transactional: the new layer is written to a temporary file, flushed, and moved
over the old one in one rename. An interrupted import leaves the previous layer as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import gzip
import hashlib
import io
import json
import mmap
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from taxonomy.builtin import load_builtin
from taxonomy.encoders import Encoder
from taxonomy.errors import TaxonomyError
from taxonomy.esco import Progress, apply_package, read_packages
from taxonomy.merge import overlay
from taxonomy.model import ConceptKind, Taxonomy
from taxonomy.normaliser import ConceptIndex, Semantic

# Bump when the merged structure or index layout changes, so old caches are not read.
FORMAT_VERSION = "1"
# what a Semantic keeps besides the label vectors (an older cache without one of them is rebuilt from them)
SEM_ARRAYS = ("centroid", "basis", "cell_coarse", "cell_center", "cell_order", "cell_start",
              "label_spread")


@dataclass
class ImportReport:
    files: list[str]
    skipped: list[str]
    languages: list[str]
    changed: bool
    before: dict[str, int]
    after: dict[str, int]


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def _loading() -> Iterator[None]:
    """Pause the cyclic garbage collector while a cache file is unpickled, then move what was loaded
    out of its way (``gc.freeze``).

    The taxonomy and its indexes are hundreds of thousands of dicts, lists and objects; while they
    were being unpickled the collector walked all of them again each time a generation filled up
    (six full passes, about 1.3 s of a 4–5 s start), and once more at the first request. None of
    them is part of a reference cycle, so they are freed by reference counting when a newer
    taxonomy replaces them, frozen or not.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


_MAGIC = b"TOMCACHE1\n"
_ALIGN = 64


def pack(objects: object, arrays: dict[str, np.ndarray]) -> bytes:
    """One cache file: ``objects`` pickled, then ``arrays`` as raw aligned bytes that :func:`unpack`
    maps into memory instead of reading (server workers share them in the page cache)."""
    blob = pickle.dumps(objects, protocol=pickle.HIGHEST_PROTOCOL)
    spec: dict[str, list[object]] = {}
    offset = 0
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        spec[name] = [a.dtype.str, list(a.shape), offset]
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"pickle": len(blob), "arrays": spec}).encode()
    start = -(-(len(_MAGIC) + 8 + len(header) + len(blob)) // _ALIGN) * _ALIGN
    out = bytearray(start + offset)
    out[:len(_MAGIC)] = _MAGIC
    out[len(_MAGIC):len(_MAGIC) + 8] = len(header).to_bytes(8, "little")
    pos = len(_MAGIC) + 8
    out[pos:pos + len(header)] = header
    out[pos + len(header):pos + len(header) + len(blob)] = blob
    for name, a in arrays.items():
        at = start + int(spec[name][2])  # type: ignore[call-overload]
        out[at:at + a.nbytes] = np.ascontiguousarray(a).tobytes()
    return bytes(out)


def unpack(path: Path) -> tuple[object, dict[str, np.ndarray]]:
    """What :func:`pack` wrote: the objects, and the arrays mapped copy-on-write (writing to one
    changes this process's copy only). Raises on a torn or foreign file."""
    with path.open("rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    if mm[:len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path.name}: not a cache file")
    pos = len(_MAGIC) + 8
    hlen = int.from_bytes(mm[len(_MAGIC):pos], "little")
    header = json.loads(mm[pos:pos + hlen])
    blob_at = pos + hlen
    start = -(-(blob_at + header["pickle"]) // _ALIGN) * _ALIGN
    with _loading():
        objects = pickle.loads(mm[blob_at:blob_at + header["pickle"]])
    arrays = {}
    for name, (dtype, shape, offset) in header["arrays"].items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        if start + offset + count * dt.itemsize > len(mm):
            raise ValueError(f"{path.name}: cut short")
        arrays[name] = np.frombuffer(mm, dtype=dt, count=count, offset=start + offset).reshape(shape)
    return objects, arrays


class _Csr:
    """Stands in for a CSR matrix in a packed index: its three arrays are stored apart."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape


def _pack_index(idx: ConceptIndex) -> bytes:
    state = idx.__getstate__()
    arrays: dict[str, np.ndarray] = {}
    for k, v in list(state.items()):
        if isinstance(v, np.ndarray):
            arrays[k], state[k] = v, None
        elif isinstance(v, sp.csr_matrix):
            v.sort_indices()
            arrays[f"{k}.data"], arrays[f"{k}.indices"], arrays[f"{k}.indptr"] = v.data, v.indices, v.indptr
            state[k] = _Csr(v.shape)
    return pack(state, arrays)


def _unpack_index(path: Path) -> ConceptIndex:
    state, arrays = unpack(path)
    if not isinstance(state, dict):
        raise ValueError(f"{path.name}: not an index")
    for k, v in state.items():
        if k in arrays:
            state[k] = arrays[k]
        elif isinstance(v, _Csr):
            m = sp.csr_matrix((arrays[f"{k}.data"], arrays[f"{k}.indices"], arrays[f"{k}.indptr"]), shape=v.shape,
                              copy=False)
            m.has_sorted_indices = True  # sorted when packed: scipy would otherwise check (or sort) again
            state[k] = m
    idx = ConceptIndex.__new__(ConceptIndex)
    idx.__setstate__(state)
    return idx


def _load_vectors(path: Path, rows: int) -> np.ndarray | None:
    """A cached (rows, d) vector file, memory-mapped; None when missing, unreadable or of another shape."""
    if not path.exists():
        return None
    with contextlib.suppress(Exception):
        vec = np.asarray(np.load(path, mmap_mode="r"))  # plain view: memmap indexing is slow
        if vec.ndim == 2 and vec.shape[0] == rows:
            return vec
    return None


def _content_key(texts: list[str]) -> str:
    """A short hash of a list of texts (what a cache file was computed from)."""
    data = ("\x1f".join(texts) + ("\x1f" if texts else "")).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:16]


def _npy(vec: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, vec)
    return buf.getvalue()


class TaxonomyStore:
    def __init__(self, home: Path, builtin_dir: Path) -> None:
        self.home = Path(home)
        self.builtin_dir = Path(builtin_dir)
        self.esco_path = self.home / "taxonomy" / "esco.json.gz"
        self.cache_dir = self.home / "cache"

    # -- reading -------------------------------------------------------------------------
    def esco_layer(self) -> Taxonomy:
        if not self.esco_path.exists():
            return Taxonomy()
        try:
            with gzip.open(self.esco_path, "rt", encoding="utf-8") as f:
                return Taxonomy.from_dict(json.load(f))
        except (OSError, EOFError, json.JSONDecodeError, TypeError, ValueError) as exc:
            raise TaxonomyError(f"{self.esco_path}: unreadable taxonomy state ({exc})") from None

    def fingerprint(self) -> str:
        """Hash of everything the merged taxonomy is made from."""
        h = hashlib.sha256(FORMAT_VERSION.encode())
        files = sorted(self.builtin_dir.glob("**/*.toml"))
        if self.esco_path.exists():
            files.append(self.esco_path)
        for p in files:
            st = p.stat()
            h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
        return h.hexdigest()[:16]

    def load(self) -> Taxonomy:
        """The effective taxonomy: ESCO layer with the built-in Dutch taxonomy laid over it."""
        key = self.fingerprint()
        cached = self.cache_dir / f"taxonomy-{key}.pickle"
        if cached.exists():
            with contextlib.suppress(Exception), cached.open("rb") as f, _loading():
                tax = pickle.load(f)
                if isinstance(tax, Taxonomy):
                    return tax
        tax = overlay(self.esco_layer(), load_builtin(self.builtin_dir))
        self._write_cache(cached, "taxonomy-", pickle.dumps(tax, protocol=pickle.HIGHEST_PROTOCOL))
        return tax

    def index(self, kind: ConceptKind, encoder: Encoder | None = None, taxonomy: Taxonomy | None = None,
              progress: Callable[[int, int], None] | None = None) -> ConceptIndex:
        """The search index for ``kind``, from the cache when the taxonomy has not changed.

        With an ``encoder``, label vectors are cached too, per model (``encoder.key``) and taxonomy
        fingerprint; computing them reports (done, total) to ``progress``.
        """
        key = self.fingerprint()
        path = self.cache_dir / f"index-{kind}-{key}.cache"
        idx: ConceptIndex | None = None
        if path.exists():
            with contextlib.suppress(Exception):
                idx = _unpack_index(path)
            if idx is not None and (len(idx.desc_text) != len(idx.concept_ids) or idx.context_of is None):
                idx = None  # cached before descriptions (or occupation context) were kept
        if idx is None:
            idx = ConceptIndex.build(taxonomy or self.load(), kind)
            self._write_cache(path, f"index-{kind}-", _pack_index(idx))
        if encoder is not None:
            mk = hashlib.sha256(encoder.key.encode()).hexdigest()[:12]
            # label vectors as .npy, memory-mapped: server workers share one copy in the page cache. They
            # are keyed by the texts they encode, not the fingerprint: an upgrade or a moved install that
            # leaves the labels alone does not encode them again (minutes on full ESCO).
            lkey = _content_key(idx.label_text)
            lpath = self.cache_dir / f"emb-{kind}-{mk}-{lkey}.npy"
            # description vectors as used (a concept without one holds its centroid): labels count too
            dkey = _content_key([lkey, *map(str, idx.concept_start.tolist()), *idx.desc_text])
            dpath = self.cache_dir / f"embd-{kind}-{mk}-{dkey}.npy"
            cpath = self.cache_dir / f"embc-{kind}-{mk}-{key}.cache"
            # a skill's occupation context as used (one row per concept): the occupations' texts and who needs whom
            ctx_of, okey = idx.context_of, ""
            if ctx_of is not None and idx.context_text:
                rel = hashlib.sha256(b"".join(np.ascontiguousarray(a, dtype=t).tobytes() for a, t in (
                    (ctx_of.indptr, np.int64), (ctx_of.indices, np.int64), (ctx_of.data, np.float32)))).hexdigest()
                okey = _content_key([lkey, rel, *idx.context_text])
            opath = self.cache_dir / f"embo-{kind}-{mk}-{okey}.npy"
            label_vec = _load_vectors(lpath, len(idx.label_text))
            desc_vec = _load_vectors(dpath, len(idx.concept_ids))
            ctx_vec = _load_vectors(opath, len(idx.concept_ids)) if okey else None
            sem: Semantic | None = None
            if label_vec is not None and desc_vec is not None and (ctx_vec is not None or not okey) \
                    and cpath.exists():
                with contextlib.suppress(Exception):
                    _, z = unpack(cpath)
                    sem = Semantic(label_vec, **{name: z[name] for name in SEM_ARRAYS}, desc=desc_vec, hub=z["hub"],
                                   context=ctx_vec)
                    if sem.centroid.shape != (len(idx.concept_ids), label_vec.shape[1]) \
                            or desc_vec.shape != sem.centroid.shape \
                            or (ctx_vec is not None and ctx_vec.shape != sem.centroid.shape):
                        sem = None
            if sem is None:
                # what is not cached is encoded in one pass (labels, descriptions, occupations), so progress
                # counts them all
                have = [i for i, t in enumerate(idx.desc_text) if t] if desc_vec is None else []
                occ_texts = idx.context_text if okey and ctx_vec is None else []
                texts = (idx.label_text if label_vec is None else []) + [idx.desc_text[i] for i in have] + occ_texts
                vecs = encoder.encode_many(texts, progress) if texts else np.zeros((0, 1), np.float32)
                if label_vec is None:
                    label_vec = vecs[:len(idx.label_text)]
                    self._write_cache(lpath, f"emb-{kind}-{mk}-", _npy(label_vec))
                fresh = desc_vec is None
                if fresh:
                    desc_vec = np.zeros((len(idx.concept_ids), label_vec.shape[1]), dtype=np.float32)
                    if have:
                        at = len(vecs) - len(occ_texts)
                        desc_vec[have] = vecs[at - len(have):at]
                if occ_texts:
                    ctx_vec = idx.context_from(vecs[len(vecs) - len(occ_texts):])
                    if ctx_vec is not None:
                        self._write_cache(opath, f"embo-{kind}-{mk}-", _npy(ctx_vec))
                # centroids, the coarse search and hubness come from the label vectors: no encoding
                sem = idx.semantic(label_vec, desc_vec, ctx_vec)
                if fresh and sem.desc is not None:  # stored as used: concepts without one hold their centroid
                    self._write_cache(dpath, f"embd-{kind}-{mk}-", _npy(sem.desc))
                arrays = {name: getattr(sem, name) for name in (*SEM_ARRAYS, "hub")}
                self._write_cache(cpath, f"embc-{kind}-{mk}-", pack(None, arrays))
            idx.attach_encoder(encoder, sem)
        return idx

    def _write_cache(self, path: Path, prefix: str, data: bytes) -> None:
        """Write a cache file and drop older ones of the same family."""
        try:
            for old in self.cache_dir.glob(prefix + "*"):
                if old != path:
                    with contextlib.suppress(OSError):
                        old.unlink()
            atomic_write(path, data)
        except OSError:
            pass  # a read-only home still works, only slower

    # -- importing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / ".taxonomy.lock").open("w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def import_esco(self, paths: list[Path], progress: Progress | None = None) -> ImportReport:
        """Read ESCO packages and merge them into the stored ESCO layer in one step."""
        pkg = read_packages(paths, progress)  # raises before anything changes
        with self._lock():
            # Under the lock no other import writes: a temp file here was left by one that was killed.
            for stale in self.esco_path.parent.glob(f".{self.esco_path.name}.*"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            old = self.esco_layer()
            new = apply_package(old, pkg)
            before, after = old.counts(), new.counts()
            changed = new.to_dict() != old.to_dict()
            if changed:
                payload = json.dumps(new.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
                atomic_write(self.esco_path, gzip.compress(payload, compresslevel=5, mtime=0))
        return ImportReport(pkg.files, pkg.skipped, sorted(pkg.languages), changed, before, after)
