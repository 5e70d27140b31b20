"""The skill space's "similar" links, computed once per model and taxonomy and cached under ``TOM_HOME/cache``.

Finding each skill's nearest skills by meaning takes one S × S matrix product over the concept
vectors (5–8 s for full ESCO). The result — a few thousand skill pairs with their cosine — is
written as one ``.npy`` file keyed by the model, the taxonomy fingerprint and the link rule
(``links-skill-{model}-{taxonomy}-{rule}.npy``), and read back memory-mapped in milliseconds at
every later start. Pairs are stored by skill column: the sorted skill ids, as
:meth:`matching.space.SkillSpace.from_taxonomy` numbers them. A file that cannot be read or does
not fit the taxonomy is computed again; deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path

import numpy as np

from api.services.taxonomy import TaxonomyService
from matching.space import SimilarityRule, SkillSpace, similar_pairs
from taxonomy.encoders import EmbeddingModelError, load_encoder
from taxonomy.store import atomic_write

RULE = SimilarityRule()  # the rule the service uses (see its docstring for why)
PAIR = np.dtype([("a", "<i4"), ("b", "<i4"), ("sim", "<f4")])

Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]  # skill column a, skill column b (a < b), cosine


def skill_columns(svc: TaxonomyService) -> list[str]:
    """Skill ids in column order (the order of ``SkillSpace.from_taxonomy``)."""
    return SkillSpace.skill_order(svc.taxonomy)


def cache_path(svc: TaxonomyService, rule: SimilarityRule = RULE) -> Path | None:
    """Where the links of the configured model live; None without a model."""
    name = svc.settings.encoder_model
    if not name:
        return None
    try:
        key = load_encoder(name).key  # the key only: the model itself is not loaded
    except EmbeddingModelError:
        return None
    mk = hashlib.sha256(key.encode()).hexdigest()[:12]
    return svc.store.cache_dir / f"links-skill-{mk}-{svc.store.fingerprint()}-{rule.key}.npy"


def read_pairs(path: Path, n_skills: int, rule: SimilarityRule = RULE) -> Pairs | None:
    """The cached pairs, or None when the file is missing, unreadable or does not fit."""
    if not path.exists():
        return None
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if arr.dtype != PAIR or arr.ndim != 1:
        return None
    a, b, sim = np.asarray(arr["a"]), np.asarray(arr["b"]), np.asarray(arr["sim"])
    if len(arr) and not (a.min() >= 0 and b.max() < n_skills and bool(np.all(a < b))
                         and bool(np.all((sim >= rule.min_sim - 1e-6) & (sim <= 1.0 + 1e-6)))):
        return None
    return a, b, sim


def write_pairs(path: Path, pairs: Pairs) -> None:
    arr = np.zeros(len(pairs[0]), dtype=PAIR)
    arr["a"], arr["b"], arr["sim"] = pairs
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    # this model's links of an older taxonomy or rule are of no more use
    prefix = "-".join(path.name.split("-")[:3]) + "-"
    for old in path.parent.glob(prefix + "*"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()
    atomic_write(path, buf.getvalue())


def compute_pairs(svc: TaxonomyService, columns: list[str], rule: SimilarityRule = RULE) -> Pairs | None:
    """Pairs from the skill index's concept vectors (loads the model and label vectors); None when the
    model cannot be loaded."""
    idx = svc.index("skill")
    vecs = idx.concept_vectors()
    if vecs is None:
        return None
    col = {s: j for j, s in enumerate(columns)}
    out = np.zeros((len(columns), vecs.shape[1]), dtype=np.float32)  # a skill without labels: no links
    for row, cid in enumerate(idx.concept_ids):
        j = col.get(cid)
        if j is not None:
            out[j] = vecs[row]
    return similar_pairs(out, rule)


def similarity_pairs(svc: TaxonomyService, rule: SimilarityRule = RULE) -> Pairs | None:
    """The similar-skill pairs for the current taxonomy and model: from the cache, else computed and
    cached. None without a model (``TOM_EMBEDDING_MODEL=none``) or when it cannot be loaded."""
    path = cache_path(svc, rule)
    if path is None:
        return None
    columns = skill_columns(svc)
    got = read_pairs(path, len(columns), rule)
    if got is not None:
        return got
    pairs = compute_pairs(svc, columns, rule)
    if pairs is not None:
        with contextlib.suppress(OSError):  # a read-only home still works, only slower
            write_pairs(path, pairs)
    return pairs
