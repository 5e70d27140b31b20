"""The normaliser: from a person's words to taxonomy concepts.

Hybrid retrieval over every label (preferred, alternative, hidden; all languages) of the
concepts of one kind (skills or occupations):

1. **exact** — the phrase key (folded, stopwords out, stemmed per language, spaces dropped)
   equals a label's key: "CV-ketels" = "cv ketel".
2. **word** — cosine between TF-IDF vectors of stemmed words plus compound parts
   ("metaalbewerkingsmachines" also counts as "metaal", "bewerking", "machine").
   Words the index does not know are corrected to the closest known word (rapidfuzz) first.
3. **char** — cosine between character 3–5-gram TF-IDF vectors: robust to typos, inflection
   and compounds the splitter misses.
4. **semantic** (on by default, see :mod:`taxonomy.encoders`) — cosines between the query's vector
   and the concept's label vectors (best label, and their mean) and its description; with the
   multilingual model this is how Dutch text reaches concepts that only have English labels, and
   meaning beats shared words.
5. **bridge** (lexical, always on) — Dutch words translated to English words learned from the
   concepts that have labels in both languages, so Dutch text still reaches English-only concepts.

Lexical label score (all terms in [0, 1])::

    s = max(exact, W_WORD·word + W_CHAR·char) · label_weight

A concept's lexical score is the best of its labels' scores, plus a small bonus when several of its
labels agree; without a model :func:`calibrate` maps it to a 0–1 confidence. With a model,
:meth:`ConceptIndex.fuse` adds the semantic channel (and, for skills, a prior for concepts named in the
user's language) and :meth:`ConceptIndex.calibrate_fused` gives the confidence (formulas, weights and
how they were chosen are in their docstrings); extraction scores each (sentence, skill) pair with
:meth:`ConceptIndex._extract_confidence`.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from taxonomy.model import Concept, ConceptKind, Taxonomy
from taxonomy.text import (
    NEGATORS,
    STOPWORDS,
    content_tokens,
    dutch_infinitives,
    fold,
    negated_clauses,
    phrase_key,
    sentences,
    span_tokens,
    split_compound,
    stem_tokens,
)

Encoder = Callable[[list[str]], np.ndarray]  # texts -> (n, d) L2-normalised float32

KIND_WEIGHT = {"preferred": 1.0, "alt": 0.97, "hidden": 0.9}
W_WORD, W_CHAR = 0.55, 0.45
N_FEATURES = 2**20
OTHER_LANG = 0.5
WINDOW_MIN = 0.8  # word cosine a window of a text needs to count as a mention
CHUNK_CACHE = 50_000  # sentences whose extraction results are remembered (then the cache starts over)
BRIDGE = 0.7
SEM_RANK = 128  # dimensions of the coarse semantic concept search
CELL_SIZE = 100  # concepts per cell of the coarse search (about; k-means)
PROBE = 20  # the coarse search reads the nearest cells until they hold PROBE·k concepts
SEM_CANDIDATES = 100  # concepts taken from the coarse semantic search (plus the lexical top LEX_CANDIDATES)
# per kind: occupations have ~19 labels each, so each candidate costs more; 60 gave the same top 10
# for every dev-set title as 100
SEM_CANDIDATES_OF = {"skill": SEM_CANDIDATES, "occupation": 60}
LEX_CANDIDATES = 50
# Fusion weights per kind (b_max, b_centroid, floor, hubness β, b_description, b_context), see ConceptIndex.fuse
FUSION = {"skill": (0.5, 1.0, 0.0, 0.3, 0.6, 0.6), "occupation": (0.25, 1.0, 0.3, 0.0, 0.0, 0.0)}
# a skill's occupation context (see ConceptIndex.context_from): how much each relation counts
CONTEXT_RELATION = {"essential": 1.0, "optional": 0.5}
HUB_K, HUB_SAMPLE = 5, 40_000  # hubness: nearest query-like labels per concept, and how many labels are sampled
DESC_LANGS = ("nl", "en")  # a concept's description in the first of these it has (the model is cross-lingual)
HUB_LANG = "nl"  # the labels that stand in for queries (the users' language; all labels when there are none)
# prior for a concept with a preferred label in the user's language (see ConceptIndex.fuse); every
# occupation has a Dutch label, so for occupations it would change nothing
LANG_PRIOR = {"skill": 0.25, "occupation": 0.0}
FUSED_CALIBRATION = {"skill": (2.41, 1.30, -6.42), "occupation": (3.14, 1.01, -4.84)}  # see calibrate_fused
EXTRACT_SEM_CANDIDATES = 30  # concepts a chunk offers by meaning alone
# extraction with a model: weights of [lex, one_word, several_words, sem_max, sem_centroid,
# one_word·sem_centroid, lex·sem_centroid] and the bias (see ConceptIndex._extract_confidence)
EXTRACT_WEIGHTS = (0.797, -0.355, 0.265, -1.607, 6.124, 0.691, 2.959, -3.877 + 1.53)
EXTRACT_SAID = 0.6  # a label of several words said word for word ("ik ben gastvrij") is at least "confident"
CHUNK_KEEP, CHUNK_DAMP = 2, 0.5  # one sentence claims few skills: the 3rd best loses 0.5 logit, the 4th 1.0, ...
COPULA = frozenset({"ben", "bent", "is", "zijn", "was", "waren", "blijf", "blijft"})  # forms of "zijn" before a quality
INTENSIFIERS = frozenset({"heel", "erg", "zeer", "echt", "best", "vrij", "nogal", "altijd", "ontzettend", "super"})
EXACT_LEX = 0.96  # a lexical score this high is a label said (almost) word for word
EXACT_CONFIDENCE = 0.8  # floor of the confidence of a label said word for word (see calibrate_fused)
AGREE_MIN, AGREE_STEP, AGREE_MAX = 0.5, 0.02, 0.06  # synonym agreement bonus (see concept_scores)


@dataclass
class Semantic:
    """Label vectors of one index and what makes searching them fast.

    ``label_vec`` (L, d) float32 (memory-mapped from the cache; a query reads only its candidates'
    rows). ``centroid`` (C, d) is each concept's L2-normalised mean label vector. A query first
    ranks concepts on their centroids projected on the top ``SEM_RANK`` principal directions
    (``cell_coarse``), then the candidates are scored exactly. On a large index the coarse vectors are
    grouped into about C/100 cells (k-means): ``cell_coarse`` holds them cell by cell (row i is concept
    ``cell_order[i]``; cell j is rows ``cell_start[j]:cell_start[j + 1]``, its mean ``cell_center[j]``),
    and a query reads only the cells nearest to it (see :meth:`candidates`).

    ``desc`` (C, d) is the vector of each concept's description (its centroid when it has none),
    ``hub`` (C,) how close its centroid comes to labels of *other* concepts (see :func:`hubness`) and
    ``context`` (C, d) a skill's occupation context (:meth:`ConceptIndex.context_from`; zero rows for
    skills no occupation needs); all feed :meth:`ConceptIndex.fuse` (None: that term is left out).
    """

    label_vec: np.ndarray  # (L, d) float32
    centroid: np.ndarray  # (C, d) float32
    basis: np.ndarray  # (d, r) float32
    cell_coarse: np.ndarray  # (C, r) float32, in cell order
    cell_center: np.ndarray  # (n_cells, r) float32
    cell_order: np.ndarray  # (C,) int64: the concept of each coarse row
    cell_start: np.ndarray  # (n_cells + 1,) int64
    label_spread: np.ndarray  # (C,) float32: the lowest cosine between one of a concept's labels and its centroid
    desc: np.ndarray | None = None  # (C, d) float32
    hub: np.ndarray | None = None  # (C,) float32
    context: np.ndarray | None = None  # (C, d) float32

    @classmethod
    def build(cls, label_vec: np.ndarray, concept_start: np.ndarray, desc_vec: np.ndarray | None = None,
              query_rows: np.ndarray | None = None, context_vec: np.ndarray | None = None) -> Semantic:
        """From the label vectors (and, when given, description vectors (C, d) with zero rows for
        concepts without one, the label rows that stand in for queries in :func:`hubness`, and the
        occupation context vectors (C, d), kept as they are)."""
        v = np.asarray(label_vec, dtype=np.float32)
        if len(concept_start) == 0 or len(v) == 0:
            d = v.shape[1] if v.ndim == 2 else 1
            z = np.zeros((0, d), dtype=np.float32)
            return cls(v.reshape(-1, d), z, np.zeros((d, 0), np.float32), z[:, :0], z[:, :0],
                       np.zeros(0, np.int64), np.zeros(1, np.int64), np.zeros(0, np.float32), z,
                       np.zeros(0, np.float32))
        sums = np.add.reduceat(v, concept_start, axis=0)
        centroid = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)).astype(np.float32)
        # top right-singular vectors of the centroid matrix (eigenvectors of its d×d Gram matrix):
        # the r directions that keep dot products with the centroids best
        w, vecs = np.linalg.eigh(centroid.T.astype(np.float64) @ centroid)
        r = min(SEM_RANK, centroid.shape[1])
        basis = np.ascontiguousarray(vecs[:, np.argsort(-w)[:r]], dtype=np.float32)
        coarse = centroid @ basis
        n = len(centroid)
        n_cells = n // CELL_SIZE
        if n_cells < 2:
            order = np.arange(n, dtype=np.int64)
            center, start = coarse.mean(axis=0, keepdims=True), np.array([0, n], dtype=np.int64)
        else:
            from sklearn.cluster import KMeans

            km = KMeans(n_cells, n_init=1, max_iter=50, random_state=0).fit(coarse)
            order = np.argsort(km.labels_, kind="stable").astype(np.int64)
            start = np.searchsorted(km.labels_[order], np.arange(n_cells + 1)).astype(np.int64)
            center = km.cluster_centers_
        owner = np.repeat(np.arange(n), np.diff(np.append(concept_start, len(v))))
        spread = np.minimum.reduceat(np.einsum("ij,ij->i", v, centroid[owner]), concept_start)
        # the bound needs unit label vectors (an Encoder's contract); any other concept is always read
        unit = np.abs(np.einsum("ij,ij->i", v, v) - 1.0) < 1e-3
        spread[~np.logical_and.reduceat(unit, concept_start)] = -np.inf
        desc = centroid  # a concept without a description: its centroid stands in
        if desc_vec is not None:
            dv = np.asarray(desc_vec, dtype=np.float32)
            has = np.linalg.norm(dv, axis=1) > 0.5  # unit rows; zero rows: no description
            desc = np.ascontiguousarray(np.where(has[:, None], dv, centroid), dtype=np.float32)
        rows = np.arange(len(v)) if query_rows is None or len(query_rows) == 0 else np.asarray(query_rows)
        hub = hubness(centroid, v, rows, concept_start)
        context = None if context_vec is None else np.ascontiguousarray(context_vec, dtype=np.float32)
        return cls(v, centroid, basis, np.ascontiguousarray(coarse[order], dtype=np.float32),
                   np.ascontiguousarray(center, dtype=np.float32), order, start, spread.astype(np.float32),
                   desc, hub, context)

    def max_label_cosine_bound(self, concepts: np.ndarray, centroid_cos: np.ndarray) -> np.ndarray:
        """An upper bound of the best label cosine of ``concepts`` with a unit query vector, from their
        centroid cosines (shape (n,)): ``cos(max(0, θ − α))``, θ = the query's angle to the centroid,
        α = the widest angle between one of the concept's labels and its centroid (a label within α of
        the centroid is at least θ − α away from the query). 1e-5 above it for float rounding; infinite
        for a concept whose label vectors are not unit length."""
        spread = self.label_spread[concepts].astype(np.float64)
        theta = np.arccos(np.clip(centroid_cos, -1.0, 1.0))
        alpha = np.arccos(np.clip(spread, -1.0, 1.0))
        return np.where(np.isfinite(spread), np.cos(np.maximum(theta - alpha, 0.0)) + 1e-5, np.inf)

    def candidates(self, q: np.ndarray, k: int, every_cell: bool = False) -> np.ndarray:
        """The ``k`` concepts whose centroids are (approximately) closest to ``q``.

        Only the cells whose centers are closest to ``q`` are read, until they hold at least
        ``PROBE·k`` concepts (an inverted-file search): on full ESCO about 15 % of the coarse
        vectors instead of all of them (0.15 ms instead of 0.3–0.9 ms, most of it memory traffic
        that also slows the rest of a query). Of the exact top 100 for 2,000 label vectors as
        queries, PROBE 12 finds 83 %, 16: 86 %, 20: 89 %, 24: 91 % (k-means with more restarts or
        iterations: the same); 20 costs no measurable time over 12 in one process (suggest p50
        5.04 vs 5.02 ms, alternating), the exhaustive search +0.47 ms. What the search misses sits at
        the far end of the list, yet it shows: skill MRR@10 0.3618 (12), 0.3628 (20), 0.3644 (all
        cells), with the cells re-clustered after a change of the built-in taxonomy (before it: 0.3639
        with 12). Small indexes (and the whole index when fewer than ``PROBE·k`` concepts, or
        ``every_cell``) are searched in full.
        """
        n = len(self.cell_coarse)
        if n <= k:
            return np.arange(n, dtype=np.int64)
        qb = q @ self.basis
        rows: np.ndarray | slice = slice(None)
        n_cells = len(self.cell_center)
        if n_cells > 1 and n > PROBE * k and not every_cell:
            near = np.argsort(-(self.cell_center @ qb))
            sizes = np.diff(self.cell_start)[near]
            take = near[: int(np.searchsorted(np.cumsum(sizes), PROBE * k)) + 1]
            rows = np.concatenate([np.arange(self.cell_start[c], self.cell_start[c + 1]) for c in take])
        s = self.cell_coarse[rows] @ qb
        best = np.argpartition(-s, k - 1)[:k]
        return self.cell_order[rows][best].astype(np.int64)


def hubness(centroid: np.ndarray, label_vec: np.ndarray, rows: np.ndarray, concept_start: np.ndarray,
            k: int = HUB_K, most: int = HUB_SAMPLE) -> np.ndarray:
    """Per concept: the mean cosine between its centroid and the ``k`` nearest of the label vectors
    ``rows`` (labels of other concepts standing in for queries; at most ``most`` of them, evenly
    spaced), minus the mean of that over all concepts. Shape (C,) float32.

    A "hub" is a concept whose vector is close to everything (short generic labels such as
    "spelling"): a high value means a high cosine with a query says less. Subtracting
    ``β·hub`` from the query's cosines is the concept side of CSLS (Conneau et al. 2018).
    """
    n = len(centroid)
    if n == 0 or len(rows) == 0:
        return np.zeros(n, dtype=np.float32)
    if len(rows) > most:
        rows = rows[np.linspace(0, len(rows) - 1, most).astype(np.int64)]
    sample = np.ascontiguousarray(label_vec[rows], dtype=np.float32)
    owner = np.searchsorted(concept_start, rows, side="right") - 1
    k = max(1, min(k, len(rows) - 1))
    out = np.zeros(n, dtype=np.float32)
    for a in range(0, n, 512):
        m = centroid[a:a + 512] @ sample.T
        m[owner[None, :] == np.arange(a, a + len(m))[:, None]] = -1.0  # a concept's own labels are no neighbours
        out[a:a + len(m)] = -np.partition(-m, k - 1, axis=1)[:, :k].mean(axis=1)
    return out - out.mean()


_Offer = tuple[int, np.ndarray, int, tuple[int, int] | None]  # concept, evidence features, label, span
_Scored = tuple[int, float, int, tuple[int, int] | None]  # concept, score, label, span


@dataclass(slots=True, frozen=True)
class Match:
    """One suggested concept. ``score`` is calibrated to 0–1; ``how`` says which channel found it.

    Frozen: answers are remembered and handed to more than one caller.
    """

    concept_id: str
    label: str
    score: float
    matched_label: str
    how: str
    span: tuple[int, int] | None = None
    evidence: str | None = None
    label_lang: str = ""  # language of ``label``: another than the user's when the concept has none in theirs
    matched_lang: str = ""  # language of ``matched_label``


def calibrate(raw: np.ndarray) -> np.ndarray:
    """Map raw similarity (0–1.1) to a 0–1 confidence with a logistic curve.

    ``conf = 1 / (1 + exp(-k (raw - m)))`` with m = 0.55, k = 10, rescaled so raw 0 → 0 and
    raw ≥ 1 (an exact label) → 1. A UI can read ≥ 0.8 as "this is it", 0.4–0.8 as "bedoelt u …?".
    """
    k, m = 10.0, 0.55
    lo = 1 / (1 + math.exp(k * m))
    hi = 1 / (1 + math.exp(-k * (1 - m)))
    conf = (1 / (1 + np.exp(-k * (np.minimum(raw, 1.0) - m))) - lo) / (hi - lo)
    return np.clip(conf, 0.0, 1.0)


def _char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=N_FEATURES,
                             alternate_sign=False, norm=None, lowercase=False)


_WHITE_SPACES = re.compile(r"\s\s+")  # as in scikit-learn's char_wb analyzer
_NGRAM_COLUMN: dict[str, int] = {}  # n-gram -> hashed column, remembered (n-grams of typed text recur)


def _char_query(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The row :func:`_char_vectorizer` gives for one text, as (sorted columns, counts): the same
    n-grams (character 3–5-grams within words, padded with a space) and the same hashing, without
    scikit-learn's per-call overhead (0.2 ms of a 1 ms lexical query)."""
    counts: dict[int, float] = {}
    for w in _WHITE_SPACES.sub(" ", text).split():
        w = f" {w} "
        n_chars = len(w)
        for n in (3, 4, 5):
            offset = 0
            while True:
                gram = w[offset:offset + n]
                col = _NGRAM_COLUMN.get(gram)
                if col is None:
                    h = murmurhash3_32(gram, seed=0)
                    col = (2**31 - 1 - (N_FEATURES - 1)) % N_FEATURES if h == -2**31 else abs(h) % N_FEATURES
                    if len(_NGRAM_COLUMN) >= 4 * CHUNK_CACHE:
                        _NGRAM_COLUMN.clear()
                    _NGRAM_COLUMN[gram] = col
                counts[col] = counts.get(col, 0.0) + 1.0
                if offset + n >= n_chars:
                    break
                offset += 1
            if offset == 0:  # a word shorter than n counts once
                break
    cols = np.fromiter(counts, dtype=np.int32, count=len(counts))
    order = np.argsort(cols)
    return cols[order], np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[order]


def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


@dataclass
class _SparseRow:
    """One sparse query vector: column indices and their weights (a scipy matrix costs ~0.1 ms to build)."""

    indices: np.ndarray  # (k,) int64
    data: np.ndarray  # (k,) float32

    @property
    def nnz(self) -> int:
        return len(self.indices)


@dataclass(slots=True)
class _Query:
    text: str
    folded: str
    word_vec: _SparseRow
    keys: set[str]


@dataclass
class ConceptIndex:
    """Search index over the labels of one kind of concept. Build with :meth:`build`."""

    kind: str
    concept_ids: list[str]
    display: list[dict[str, str]]  # per concept: lang -> preferred label
    label_text: list[str]
    label_concept: np.ndarray  # (L,) int32, sorted so each concept's labels are contiguous
    label_weight: np.ndarray  # (L,) float32
    label_lang: np.ndarray  # (L,) int8: index into ``languages``
    concept_start: np.ndarray  # (C,) int64: first label row of each concept
    exact: dict[str, list[int]]  # phrase key -> label rows
    vocab: dict[str, int]  # "lang:stem" -> column of word matrix
    word_idf: np.ndarray  # (V,)
    word_T: sp.csr_matrix  # (V, L) L2-normalised TF-IDF of labels, transposed for fast query
    char_idf: np.ndarray  # (F,)
    char_T: sp.csr_matrix  # (F, L)
    surface: dict[str, frozenset[str]]  # lang -> folded words that occur in labels (compound splitting)
    surface_list: list[str]  # all folded label words, for typo correction
    languages: list[str]
    bridge: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # "nl:stem" -> [("en:stem", w)]
    # per concept: "name: description" or "" (:func:`_description`); all "" for a kind whose b_d is 0
    desc_text: list[str] = field(default_factory=list)
    # a skill's occupation context (see context_from): the texts of the occupations that need skills of this
    # index, and (C, len(context_text)) how much each counts for each concept; empty for a kind whose b_o is 0
    context_text: list[str] = field(default_factory=list)
    context_of: sp.csr_matrix | None = None
    sem: Semantic | None = field(default=None, repr=False)  # label vectors, when an encoder is attached
    encoder: Encoder | None = field(default=None, repr=False)

    # ----------------------------------------------------------------------------- build
    @classmethod
    def build(cls, taxonomy: Taxonomy, kind: ConceptKind, encoder: Encoder | None = None,
              progress: Callable[[str], None] | None = None) -> ConceptIndex:
        concepts = [c for c in taxonomy.concepts.values() if c.kind == kind and c.pref]
        concepts.sort(key=lambda c: c.id)
        label_text: list[str] = []
        label_lang: list[str] = []
        label_concept: list[int] = []
        label_weight: list[float] = []
        starts: list[int] = []
        for ci, c in enumerate(concepts):
            starts.append(len(label_text))
            seen: set[tuple[str, str]] = set()
            for lang, lkind, text in c.all_labels():
                key = (lang, fold(text))
                if not key[1] or key in seen:
                    continue
                seen.add(key)
                label_text.append(text)
                label_lang.append(lang)
                label_concept.append(ci)
                label_weight.append(KIND_WEIGHT[lkind])
        languages = sorted(set(label_lang))
        surface: dict[str, set[str]] = defaultdict(set)
        for text, lang in zip(label_text, label_lang, strict=True):
            surface[lang].update(fold(text).split())
        frozen_surface = {lang: frozenset(words) for lang, words in surface.items()}

        # word TF-IDF over "lang:stem" tokens
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for li, (text, lang) in enumerate(zip(label_text, label_lang, strict=True)):
            for tok, w in _word_features(text, lang, frozen_surface.get(lang, frozenset())).items():
                j = vocab.setdefault(tok, len(vocab))
                rows.append(li)
                cols.append(j)
                vals.append(w)
        n_labels = len(label_text)
        tf = sp.csr_matrix((vals, (rows, cols)), shape=(n_labels, max(len(vocab), 1)), dtype=np.float32)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=tf.shape[1]).astype(np.float32)
        word_idf = np.log((1 + n_labels) / (1 + df)).astype(np.float32) + 1.0
        word = _l2_rows(tf @ sp.diags(word_idf))

        if progress:
            progress("char n-grams")
        counts = _char_vectorizer().transform([fold(t) for t in label_text]).tocsr()
        cdf = np.bincount(counts.indices, minlength=N_FEATURES).astype(np.float32)
        char_idf = (np.log((1 + n_labels) / (1 + cdf)) + 1.0).astype(np.float32)
        counts.data = np.log1p(counts.data)
        char = _l2_rows(counts @ sp.diags(char_idf))

        exact: dict[str, list[int]] = defaultdict(list)
        for li, (text, lang) in enumerate(zip(label_text, label_lang, strict=True)):
            exact[phrase_key(text, lang)].append(li)

        surface_all = sorted(set().union(*frozen_surface.values())) if frozen_surface else []
        index = cls(
            kind=kind,
            concept_ids=[c.id for c in concepts],
            display=[dict(c.pref) for c in concepts],
            label_text=label_text,
            label_concept=np.asarray(label_concept, dtype=np.int32),
            label_weight=np.asarray(label_weight, dtype=np.float32),
            label_lang=np.asarray([languages.index(lg) for lg in label_lang], dtype=np.int8),
            concept_start=np.asarray(starts, dtype=np.int64),
            exact=dict(exact),
            vocab=vocab,
            word_idf=word_idf,
            word_T=sp.csr_matrix(word.T.astype(np.float32)),
            char_idf=char_idf,
            char_T=sp.csr_matrix(char.T.astype(np.float32)),
            surface=frozen_surface,
            surface_list=[w for w in surface_all if len(w) >= 4],
            languages=languages,
            # only kinds whose fused score uses descriptions keep them (nothing to encode for the others)
            desc_text=[_description(c) if FUSION.get(kind, FUSION["skill"])[4] else "" for c in concepts],
        )
        index.context_text, index.context_of = _occupation_context(taxonomy, concepts, kind)
        index.bridge = _learn_bridge(concepts, frozen_surface)
        if encoder is not None:
            if progress:
                progress("embeddings")
            index.attach_encoder(encoder)
        return index

    def attach_encoder(self, encoder: Encoder, label_vectors: np.ndarray | Semantic | None = None) -> None:
        """Use ``encoder`` for the semantic channel; label vectors are computed unless given."""
        self.encoder = encoder
        for name in ("_suggest_cache", "_chunk_cache", "_window_cache", "_scored_cache"):  # answers change
            self.__dict__.pop(name, None)
        if label_vectors is None:
            label_vectors = np.asarray(encoder(self.label_text), dtype=np.float32)
        if isinstance(label_vectors, Semantic):
            self.sem = label_vectors
        else:
            context = None
            if self.context_text:
                context = self.context_from(np.asarray(encoder(self.context_text), dtype=np.float32))
            self.sem = self.semantic(label_vectors, self.description_vectors(encoder), context)

    def description_vectors(self, encoder: Callable[[list[str]], np.ndarray]) -> np.ndarray | None:
        """(C, d) vectors of the concepts' descriptions, zero rows for concepts without one; None
        when no concept has one."""
        have = [i for i, t in enumerate(self.desc_text) if t]
        if not have:
            return None
        vecs = np.asarray(encoder([self.desc_text[i] for i in have]), dtype=np.float32)
        out = np.zeros((len(self.concept_ids), vecs.shape[1]), dtype=np.float32)
        out[have] = vecs
        return out

    def context_from(self, occupation_vec: np.ndarray) -> np.ndarray | None:
        """(C, d) occupation context of each concept from the vectors of ``context_text`` (one row each):
        the L2-normalised mean of the vectors of the occupations that need it, essential ones counting
        ``CONTEXT_RELATION`` 1.0 and optional ones 0.5; a zero row for a concept no occupation needs.
        None for a kind without context."""
        if self.context_of is None or not self.context_text:
            return None
        ctx = np.asarray(self.context_of @ np.asarray(occupation_vec, dtype=np.float32), dtype=np.float32)
        norm = np.linalg.norm(ctx, axis=1, keepdims=True)
        return np.divide(ctx, norm, out=np.zeros_like(ctx), where=norm > 1e-9)

    def semantic(self, label_vec: np.ndarray, desc_vec: np.ndarray | None,
                 context_vec: np.ndarray | None = None) -> Semantic:
        """:class:`Semantic` of this index from its label vectors (and description and context vectors):
        the labels in ``HUB_LANG`` stand in for queries when measuring hubness."""
        rows = np.zeros(0, dtype=np.int64)
        if HUB_LANG in self.languages:
            rows = np.flatnonzero(self.label_lang == self.languages.index(HUB_LANG))
        return Semantic.build(label_vec, self.concept_start, desc_vec, rows, context_vec)

    @property
    def label_emb(self) -> np.ndarray | None:
        """(L, d) label vectors when an encoder is attached."""
        return None if self.sem is None else self.sem.label_vec

    def concept_vectors(self) -> np.ndarray | None:
        """(C, d) one L2-normalised vector per concept (the mean of its label vectors), when an encoder is attached."""
        return None if self.sem is None else self.sem.centroid

    def __getstate__(self) -> dict[str, object]:
        state = {k: getattr(self, k) for k in self.__dataclass_fields__}  # caches are not kept
        state["encoder"] = None  # models are not pickled; the caller attaches one again
        state["sem"] = None  # label vectors are cached per model, apart from the index
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state.setdefault("desc_text", [])  # an index cached before descriptions: the store rebuilds it
        state.setdefault("context_text", [])
        state.setdefault("context_of", None)  # cached before occupation context: the store rebuilds it
        for k, v in state.items():
            object.__setattr__(self, k, v)

    # ---------------------------------------------------------------------------- query
    def detect_language(self, text: str, hint: str | None = None) -> str:
        """The label language whose words cover most of ``text`` (ties go to ``hint``, then Dutch)."""
        words = content_tokens(text)
        best, best_cov = hint if hint in self.languages else None, -1.0
        order = sorted(self.languages, key=lambda lg: (lg != hint, lg != "nl", lg))
        for lang in order:
            vocab = self.surface.get(lang, frozenset())
            cov = sum(1.0 if w in vocab else 0.5 if split_compound(w, vocab) else 0.0 for w in words)
            if cov > best_cov:
                best, best_cov = lang, cov
        return best or (self.languages[0] if self.languages else "nl")

    def _query(self, text: str, qlang: str) -> _Query:
        keys = {phrase_key(text, lang) for lang in self.languages}
        cols, vals = self._word_vector(text, qlang)
        return _Query(text=text, folded=fold(text), word_vec=_SparseRow(cols, vals), keys=keys)

    def _idf(self, tok: str) -> float:
        j = self.vocab.get(tok)
        return float(self.word_idf[j]) if j is not None else 0.0

    def _correct(self, word: str) -> str | None:
        """:meth:`_correction`, remembered per index: a query or sentence's unknown words recur
        (a word is in up to nine windows of a sentence, and a correction costs ~0.3 ms)."""
        memo: dict[str, str | None] = self.__dict__.setdefault("_correct_memo", {})
        hit = memo.get(word, "")  # "" is never a correction; get, not [], as another thread may clear
        if hit == "":
            if len(memo) >= 4 * CHUNK_CACHE:  # bounded: a server hears endless new words
                memo.clear()
            hit = memo[word] = self._correction(word)
        return hit

    def _correction(self, word: str) -> str | None:
        """Closest known label word for an unknown word (typos).

        Words of 5+ letters: the closest word by edit ratio. Shorter words only when a letter was
        doubled or not doubled ("kasa" → "kassa", "bedd" → "bed"), the commonest slip in Dutch
        spelling; any other edit of a 3–4-letter word too often makes another real word.
        """
        if len(word) < 3 or not self.surface_list:
            return None
        if len(word) < 5:
            return self._squeezed().get(_squeeze(word))
        # Candidates share the first letter (typos there are rare) and a length that can reach the cutoff:
        # a ratio of 84 needs the shorter word to be at least 0.724 of the longer. Same answer as trying
        # every word of that letter in the same order (ties go to the first), in a third of the time.
        buckets: dict[tuple[str, int], list[str]] = self.__dict__.setdefault("_typo_buckets", {})
        choices = buckets.get((word[0], len(word)))
        if choices is None:
            by_letter: dict[str, tuple[list[str], np.ndarray]] | None = self.__dict__.get("_typo_letters")
            if by_letter is None:
                grouped: dict[str, list[str]] = {}
                for w in self.surface_list:
                    grouped.setdefault(w[0], []).append(w)
                by_letter = {c: (ws, np.fromiter(map(len, ws), np.int64, len(ws))) for c, ws in grouped.items()}
                self.__dict__["_typo_letters"] = by_letter
            words, lens = by_letter.get(word[0], ([], np.zeros(0, np.int64)))
            fits = (lens >= math.ceil(len(word) * 0.72)) & (lens <= math.floor(len(word) / 0.72))
            choices = buckets[(word[0], len(word))] = [words[i] for i in np.flatnonzero(fits)]
        hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=84)
        return hit[0] if hit else None

    def _squeezed(self) -> dict[str, str]:
        """Known words by their spelling without doubled letters; a form two words share is left out."""
        table: dict[str, str] | None = self.__dict__.get("_squeeze_table")
        if table is None:
            table, clash = {}, set()
            for w in self.surface_list:
                k = _squeeze(w)
                if k in table and table[k] != w:
                    clash.add(k)
                table.setdefault(k, w)
            for k in clash:
                del table[k]
            self.__dict__["_squeeze_table"] = table
        return table

    def label_scores(self, text: str, hint: str | None = None) -> np.ndarray:
        """Raw score of every label for ``text``: shape (L,), values in [0, 1].

        Labels in the query's language count fully; others at ``OTHER_LANG`` (they are still
        reached, through shared character n-grams, the word bridge and embeddings).
        """
        qlang = self.detect_language(text, hint)
        q = self._query(text, qlang)
        n = len(self.label_text)
        word = _dot(self.word_T, q.word_vec.indices, q.word_vec.data, n)
        cols, counts = _char_query(q.folded)
        char = np.zeros(n, dtype=np.float32)
        if len(cols):
            w = np.log1p(counts) * self.char_idf[cols]
            char = _dot(self.char_T, cols, w / np.linalg.norm(w), n)
        # in place: word and char are this query's own arrays (each pass over all labels counts)
        other = np.maximum(BRIDGE * word, OTHER_LANG * char) if len(self.languages) > 1 else None
        s = word
        s *= W_WORD
        char *= W_CHAR
        s += char
        if other is not None:
            # Labels in another language: words arrive only through the bridge (already damped),
            # and shared n-grams are weaker evidence (cognates, false friends).
            np.copyto(s, other, where=self._in_lang(qlang, other=True))
        np.minimum(s, 0.99, out=s)
        for key in q.keys:
            for li in self.exact.get(key, ()):
                s[li] = 1.0
        s *= self.label_weight
        return s

    def _label_range(self, ci: int) -> tuple[int, int]:
        """Label rows [lo, hi) of concept ``ci``."""
        lo = int(self.concept_start[ci])
        hi = int(self.concept_start[ci + 1]) if ci + 1 < len(self.concept_start) else len(self.label_text)
        return lo, hi

    def _in_lang(self, lang: str, other: bool = False) -> np.ndarray:
        """(L,) bool: which labels are in ``lang`` (or, with ``other``, not in it); cached per language (a mask,
        because a masked pass over all labels is faster than gathering the other language's rows)."""
        cache: dict[tuple[str, bool], np.ndarray] = self.__dict__.setdefault("_lang_mask_cache", {})
        mask = cache.get((lang, other))
        if mask is None:
            mask = cache[(lang, other)] = (self.label_lang == self.languages.index(lang)) != other
        return mask

    def concept_scores(self, label_scores: np.ndarray) -> np.ndarray:
        """Per concept: best label score, shape (C,).

        A concept with several labels above ``AGREE_MIN`` (0.5) gets +``AGREE_STEP`` (0.02) per
        extra such label, at most +``AGREE_MAX`` (0.06), when its best label is above 0.5 and
        below 1.0: agreement between synonyms is evidence.
        """
        return self._scores_of(np.arange(len(self.concept_start)), label_scores)

    def best_concepts(self, label_scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` concepts with the highest :meth:`concept_scores`, best first (ties: lower index
        first), and their scores: two arrays of shape (≤ k,).

        Exact, without scoring every concept: only concepts owning one of the top ``m`` labels are
        scored. Any other concept has all its labels at or below the m-th label score ``t``, so its
        score is at most ``t`` (+ ``AGREE_MAX`` when ``t`` > ``AGREE_MIN``); when the k-th candidate
        beats that bound the answer is final, otherwise every concept is scored.
        """
        n_labels, n_concepts = len(label_scores), len(self.concept_start)
        k = min(k, n_concepts)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        m = 16 * k + 64
        if m < n_labels:
            top_labels = _top_positive(label_scores, m)
            # fewer than m positive labels: all others score 0
            t = float(label_scores[top_labels].min()) if len(top_labels) == m else 0.0
            cand = np.unique(self.label_concept[top_labels]).astype(np.int64)
            scores = self._scores_of(cand, label_scores)
            if len(cand) >= k:
                order = np.lexsort((cand, -scores))[:k]
                if scores[order[-1]] > t + (AGREE_MAX if t > AGREE_MIN else 0.0):
                    return cand[order], scores[order]
        cs = self.concept_scores(label_scores)
        kth = -np.partition(-cs, k - 1)[k - 1]
        above = np.flatnonzero(cs > kth)
        idx = np.concatenate([above, np.flatnonzero(cs == kth)[: k - len(above)]])  # ties: lower index first
        idx = idx[np.lexsort((idx, -cs[idx]))]
        return idx.astype(np.int64), cs[idx]

    def _label_rows(self, concepts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The label rows of ``concepts`` in order, and where each concept's rows start in that list."""
        ends = self.__dict__.get("_concept_end")
        if ends is None:
            ends = self.__dict__["_concept_end"] = np.append(self.concept_start[1:], len(self.label_text))
        lo, hi = self.concept_start[concepts], ends[concepts]
        lens = hi - lo
        offs = np.cumsum(lens) - lens
        rows = np.arange(int(lens.sum())) - np.repeat(offs - lo, lens)
        return rows, offs

    def _scores_of(self, concepts: np.ndarray, label_scores: np.ndarray) -> np.ndarray:
        """:meth:`concept_scores` for the given concepts only, shape (len(concepts),)."""
        rows, offs = self._label_rows(concepts)
        vals = label_scores[rows].astype(np.float64)  # reduceat is a third faster on float64
        best = np.maximum.reduceat(vals, offs)
        strong = np.add.reduceat((vals > AGREE_MIN).astype(np.int64), offs)
        bonus = np.minimum(np.maximum(strong - 1, 0) * AGREE_STEP, AGREE_MAX)
        return best + np.where((best > AGREE_MIN) & (best < 1.0), bonus, 0.0)

    def query_vectors(self, texts: list[str]) -> np.ndarray | None:
        """(n, d) vectors of ``texts`` from the attached encoder, or None without one."""
        if self.encoder is None or self.sem is None:
            return None
        return np.asarray(self.encoder(texts), dtype=np.float32)

    def semantic_scores(self, concepts: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``concepts``: the best label cosine and the centroid cosine with the query vector ``q``."""
        assert self.sem is not None
        if len(concepts) == 0:
            return np.zeros(0), np.zeros(0)
        return self.semantic_max(concepts, q), (self.sem.centroid[concepts] @ q).astype(np.float64)

    def fuse(self, lex: np.ndarray, sem_max: np.ndarray, sem_centroid: np.ndarray,
             in_lang: np.ndarray | None = None, sem_desc: np.ndarray | None = None,
             hub: np.ndarray | None = None, sem_context: np.ndarray | None = None) -> np.ndarray:
        """Fused concept score::

            lex + b_max·max(0, sem_max − β·hub − t) + b_c·max(0, sem_centroid − β·hub − t)
                + b_d·max(0, sem_desc) + b_o·max(0, sem_context) + p·in_lang

        ``lex`` is :meth:`concept_scores` (words, characters, bridge, exact labels); ``sem_max`` the
        best cosine between the query vector and one of the concept's label vectors, ``sem_centroid``
        the cosine with the mean of them. Weights per kind in ``FUSION``: skills b_max = 0.5,
        b_c = 1.0, t = 0; occupations 0.25, 1.0, 0.3. They were chosen by 2-fold cross-validation
        (grid search for MRR@10 on one random half of a dev set, reported on the other half, then
        fitted on all): skill_normalisation_nl 0.328 / 0.334 on the held-out halves, 0.338 on all;
        jobtitle_occupation_nl 0.547 / 0.556, 0.559 on all (USE multilingual; lexical alone
        0.281 and 0.515).

        ``in_lang`` (1 when the concept has a preferred label in the user's language) adds the prior
        ``p`` = ``LANG_PRIOR`` (skills 0.25): someone typing Dutch means a concept that exists in
        Dutch far more often than one ESCO names only in English (on skill_normalisation_nl every
        gold concept has a Dutch label, against half of all skills, and 17 % of the top-10 answers
        had none). Chosen by 2-fold CV over p ∈ {0, 0.05, …, 0.5, 1} (three random splits): every
        split picked 0.4–0.5, held out +0.009 to +0.010 MRR@10; the curve is flat from 0.25 (0.347
        vs 0.348 on all), and we keep the smallest value on the plateau so that an English-only
        concept still wins when its evidence is clearly better.

        ``sem_desc`` is the cosine with the concept's description as :func:`_description` writes it
        ("name: description", Dutch else English; people describe a task, as descriptions do), ``hub``
        the concept's :func:`hubness` (how close its centroid comes to other concepts' Dutch labels
        anyway): a cosine with a concept that is near everything says less. Skills β = 0.3,
        b_d = 0.6; occupations β = 0, b_d = 0 (see below). Chosen by 2-fold CV (coordinate search over
        β ∈ {0, 0.1, …, 0.5}, b_d ∈ {0, 0.1, …, 0.6, 0.75, 1, …, 2} on one random half, reported on
        the other; the other weights fixed), then fitted on all items. skill_normalisation_nl, three
        splits: held out 0.3491 / 0.3684 / 0.3578 / 0.3543 / 0.3446 / 0.3722 (mean 0.3577) against
        0.3402 / 0.3576 / 0.3487 / 0.3491 / 0.3365 / 0.3613 (0.3489) without, +0.0088; ten other
        splits +0.0081; 0.3596 on all items. Either alone gained less (hubness +0.0025, description
        +0.0018): the description helps once hubs are held back. jobtitle_occupation_nl: hubness
        gained nothing; the description +0.0009 (three splits) / +0.0016 (ten), with 2 of 6 held-out
        halves lower, and b_d = 1.0 (0.5665 on all items, 0.5612 without) lowered the job-seeker
        matching benchmark, which maps its job titles through this index, from NDCG@10 0.930 to 0.928
        (same run, same home): off for occupations.

        ``sem_context`` is the cosine with the skill's occupation context (:meth:`context_from`: the mean vector
        of "name: description" of the ESCO occupations that need the skill, essential 1, optional 0.5): people
        name a skill in the words of the trade it belongs to ("Kapseltechnieken" →
        "herenkapperstechnieken": reciprocal rank 0.25 → 1). Skills b_o = 0.6; occupations 0 (no context).
        Chosen by 2-fold CV over b_o ∈ {0, 0.1, …, 0.8, 1, 1.25, 1.5} (other weights fixed),
        skill_normalisation_nl, three random splits: held out 0.3566 / 0.3651 / 0.3627 / 0.3624 / 0.3480 /
        0.3768 (mean 0.3620) against 0.3496 / 0.3687 / 0.3600 / 0.3583 / 0.3454 / 0.3729 (0.3591) without,
        +0.0028; ten other splits 0.3612 (+0.0021); all items 0.3591 → 0.3639 (b_o 0.4–1.25 all within
        0.3626–0.3639). Optional relations at 1.0 or 0, the occupations' names alone or their label centroids,
        an IDF weight for skills many occupations need, and word TF-IDF over the occupations' Dutch texts held
        out lower. Suggest only: extraction never reads it, because its development set is made of ESCO
        occupation descriptions whose gold is that occupation's skills (the context would hand it the answer).
        """
        b_max, b_c, t, beta, b_d, b_o = FUSION.get(self.kind, FUSION["skill"])
        if hub is not None and beta:
            sem_max, sem_centroid = sem_max - beta * hub, sem_centroid - beta * hub
        fused = lex + b_max * np.maximum(sem_max - t, 0.0) + b_c * np.maximum(sem_centroid - t, 0.0)
        if sem_desc is not None and b_d:
            fused = fused + b_d * np.maximum(sem_desc, 0.0)
        if sem_context is not None and b_o:
            fused = fused + b_o * np.maximum(sem_context, 0.0)
        prior = LANG_PRIOR.get(self.kind, 0.0)
        if in_lang is not None and prior:
            fused = fused + prior * in_lang
        return fused

    def _has_pref(self, lang: str) -> np.ndarray:
        """(C,) float: 1 for concepts with a preferred label in ``lang`` (cached per language)."""
        cache: dict[str, np.ndarray] = self.__dict__.setdefault("_pref_lang_cache", {})
        out = cache.get(lang)
        if out is None:
            out = cache[lang] = np.fromiter((lang in d for d in self.display), dtype=np.float64,
                                            count=len(self.display))
        return out

    def fused_best(self, ls: np.ndarray, q: np.ndarray, k: int,
                   lang: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top ``k`` concepts by :meth:`fuse` among the owners of the ``4·LEX_CANDIDATES`` (200) best labels
        lexically and the semantic top ``SEM_CANDIDATES_OF`` (skills 100, occupations 60): (concepts, fused
        scores, lexical scores), best first; ``lang`` is the user's language (for the language prior). Twice
        as many candidates gave the same MRR@10 on both dev sets, at twice the cost; occupations with 60
        instead of 100 gave the same top 10 for all 752 dev titles (a fifth fewer label vectors read).

        Exact, without reading every candidate's label vectors: the best label cosine is bounded by
        :meth:`Semantic.max_label_cosine_bound`; the ``max(k, 16)`` candidates with the best bounded fused
        scores are read first, then only those whose bound reaches the k-th fused score among them (the
        k-th score can only rise, so no other can enter the top k). On the skill dev set about half of the
        ~185 candidates are read."""
        assert self.sem is not None
        top_labels = _top_positive(ls, 4 * LEX_CANDIDATES)  # owners of the top labels: the lexical candidates
        n_sem = SEM_CANDIDATES_OF.get(self.kind, SEM_CANDIDATES)
        cand = np.union1d(self.label_concept[top_labels], self.sem.candidates(q, n_sem))
        lex = self._scores_of(cand, ls)
        sem = self.sem
        scent = (sem.centroid[cand] @ q).astype(np.float64)
        in_lang = None if lang is None else self._has_pref(lang)[cand]
        _, _, _, beta, b_d, b_o = FUSION.get(self.kind, FUSION["skill"])  # a term weighted 0 is not computed
        sdesc = None if sem.desc is None or not b_d else (sem.desc[cand] @ q).astype(np.float64)
        hub = None if sem.hub is None or not beta else sem.hub[cand].astype(np.float64)
        sctx = None if sem.context is None or not b_o else (sem.context[cand] @ q).astype(np.float64)

        def fused_of(at: np.ndarray, smax_at: np.ndarray) -> np.ndarray:  # the fused score of cand[at]
            return self.fuse(lex[at], smax_at, scent[at], None if in_lang is None else in_lang[at],
                             None if sdesc is None else sdesc[at], None if hub is None else hub[at],
                             None if sctx is None else sctx[at])

        # Reading the candidates' label vectors is most of the cost: read the best-bound ones first, then
        # only those whose bound reaches the k-th fused score so far (same top k as reading all of them).
        every = np.arange(len(cand))
        upper = fused_of(every, sem.max_label_cosine_bound(cand, scent))
        order = np.lexsort((cand, -upper))
        smax = np.zeros(len(cand))
        first = order[:max(k, 16)]
        smax[first] = self.semantic_max(cand[first], q)
        done = len(first)
        if done < len(order):
            if done >= k:  # the k-th fused score only rises as more are read: an unread bound below it is out
                kth = -np.partition(-fused_of(first, smax[first]), k - 1)[k - 1]
                rest = order[done:][upper[order[done:]] >= kth]  # a prefix: order is by descending bound
            else:
                rest = order[done:]
            smax[rest] = self.semantic_max(cand[rest], q)
            done += len(rest)
        seen = order[:done]
        fused = fused_of(seen, smax[seen])
        best = np.lexsort((cand[seen], -fused))[:k]
        return cand[seen][best], fused[best], lex[seen][best]

    def semantic_max(self, concepts: np.ndarray, q: np.ndarray) -> np.ndarray:
        """For ``concepts``: the best cosine between the query vector ``q`` and one of their label vectors."""
        assert self.sem is not None
        rows, offs = self._label_rows(concepts)
        if len(rows) == 0:
            return np.zeros(0)
        return np.maximum.reduceat((self.sem.label_vec[rows] @ q).astype(np.float64), offs)

    def suggest(self, text: str, top: int = 10, lang: str = "nl", min_score: float = 0.0) -> list[Match]:
        """Best concepts for a short phrase, best first.

        Answers are remembered (up to ``CHUNK_CACHE`` phrases): a feed repeats its job titles
        thousands of times, and people type the same everyday phrases.
        """
        if not fold(text):
            return []
        cache: dict[tuple[str, int, str, float], list[Match]] = self.__dict__.setdefault("_suggest_cache", {})
        key = (text, top, lang, min_score)
        hit = cache.get(key)
        if hit is None:
            ls = self.label_scores(text)
            qv = self.query_vectors([_phone_case(text)])
            if qv is None:
                idx, raw = self.best_concepts(ls, top)
                hit = self._matches(idx, calibrate(raw), raw, ls, lang, min_score)
            else:
                # the shown order is the confidence's, which can lift an exact label above a fused score
                idx, fused, lex = self.fused_best(ls, qv[0], top + 10, lang)
                conf = self.calibrate_fused(fused, lex)
                order = np.lexsort((-fused, -conf))[:top]
                hit = self._matches(idx[order], conf[order], lex[order], ls, lang, min_score, qv[0])
            if len(cache) >= CHUNK_CACHE:
                cache.clear()
            cache[key] = hit
        return list(hit)

    def calibrate_fused(self, fused: np.ndarray, lex: np.ndarray) -> np.ndarray:
        """0–1 confidence of a fused score: ``1 / (1 + exp(−(a·fused + e·exact + b)))`` where exact is 1
        when the lexical score is at least ``EXACT_LEX`` (a label said word for word).

        (a, e, b) per kind in ``FUSED_CALIBRATION``, fitted by logistic regression of "this answer is
        right" on the top 3 answers of each dev-set query (skill_normalisation_nl, jobtitle_occupation_nl).
        On held-out halves, answers with confidence ≥ 0.8 were right 82–90 % of the time (skills) and
        78–83 % (occupations); 0.6–0.8: 69–76 %; below 0.4: 10–12 %. An exact label alone reaches
        about 0.85. Ranking by this confidence equals ranking by ``fused`` plus an exact-label bonus of
        e/a ≈ 0.35 (no loss of MRR@10 on the held-out halves). The skill row was refitted the same way
        after the language prior (``LANG_PRIOR``) joined the fused score: held out, ≥ 0.8 right
        85 % / 92 % (41 and 36 answers), 0.6–0.8 60–69 %, below 0.4 11–12 %; an exact Dutch label
        alone ≈ 0.82. The skill row was refitted again when descriptions and hubness joined the fused
        score (it rose by about b_d·0.4): held out, ≥ 0.8 right 89 % / 90 % (37 / 39 answers),
        0.6–0.8 68 % / 61 %, below 0.4 12–13 %; on all items (top 3 answers, before the exact-label
        floor) 89 % right (76 answers; 89 % of 75 before). Refitted once more when the occupation context
        joined (b_o, see :meth:`fuse`): held out, ≥ 0.8 right 89 % / 92 % (37 / 37 answers), 0.6–0.8
        65 % / 60 %, below 0.4 13 %; all items 91 % of 74 (no floor), 83 % of 102 with the exact-label
        floor; MRR@10 the same as by the fused score. Occupations use neither term (``FUSION``), so their
        row is the one fitted before them.

        A label said word for word is at least ``EXACT_CONFIDENCE`` (0.8, "this is it" on the pages'
        scale) whatever the model adds: the refit left some exact labels just under it ("lassen" 0.77).
        """
        a, e, b = FUSED_CALIBRATION.get(self.kind, FUSED_CALIBRATION["skill"])
        exact = np.asarray(lex) >= EXACT_LEX
        z = a * np.asarray(fused, dtype=np.float64) + e * exact + b
        conf = 1.0 / (1.0 + np.exp(-z))
        return np.where(exact, np.maximum(conf, EXACT_CONFIDENCE), conf)

    def _matches(self, idx: np.ndarray, conf: np.ndarray, lex: np.ndarray, ls: np.ndarray, lang: str,
                 min_score: float, qv: np.ndarray | None = None) -> list[Match]:
        keep = [i for i, p in enumerate(conf) if p > 0 and p >= min_score]
        out = []
        for i, li in zip(keep, self._shown_labels(np.asarray(idx)[keep], ls, qv, lang), strict=True):
            ci, raw, p = int(idx[i]), lex[i], conf[i]
            how = "exact" if raw > 0 and ls[li] >= self.label_weight[li] * 0.999 else "similar"
            shown, shown_lang = _pick(self.display[ci], lang)
            out.append(Match(self.concept_ids[ci], shown, float(p), self.label_text[li], how,
                             label_lang=shown_lang, matched_lang=self.languages[self.label_lang[li]]))
        return out

    def _shown_labels(self, concepts: np.ndarray, ls: np.ndarray, qv: np.ndarray | None, lang: str) -> list[int]:
        """Per concept, the label that best explains a match: highest lexical score, plus meaning when a model
        is on; labels in the user's language win ties of evidence (0.05), so a Dutch user sees a Dutch label.
        (The first such label when several score the same.)"""
        if len(concepts) == 0:
            return []
        rows, offs = self._label_rows(concepts.astype(np.int64))
        score = ls[rows].astype(np.float64)
        if qv is not None and self.sem is not None:
            score += 0.5 * (self.sem.label_vec[rows] @ qv)
        if lang in self.languages:
            score += 0.05 * (self.label_lang[rows] == self.languages.index(lang))
        seg = np.repeat(np.arange(len(concepts)), np.diff(np.append(offs, len(rows))))
        top = np.flatnonzero(score == np.maximum.reduceat(score, offs)[seg])
        return rows[top[np.unique(seg[top], return_index=True)[1]]].tolist()

    # -------------------------------------------------------------------------- extract
    def extract(self, text: str, top: int = 10, lang: str = "nl", min_score: float = 0.0) -> list[Match]:
        """Skill mentions in a sentence or a whole text, ranked, each with its evidencing span.

        Each sentence-like chunk offers concepts: every window of 1–6 words looked up exactly,
        windows of 2–4 words by their words, the chunk as a whole (lexically, and by meaning when a
        model is attached). Without a model a concept's score is its best evidence (an exact window
        1.0, a chunk-level match its similarity), calibrated by :func:`calibrate`. With a model each
        (chunk, concept) pair is scored by :meth:`_extract_confidence`, which asks the chunk's meaning
        to agree with the skill's: a lone common word ("plannen", "verkoop") is no skill claim unless
        the sentence is about it. A concept's score is its best chunk's. What a negated clause
        mentions is no claim ("ik heb geen rijbewijs", "I don't have a driving licence"; see
        :func:`negated_clauses`): its offers are dropped, and so are the offers a chunk makes by its
        meaning alone when all of it is negated.
        """
        if not fold(text):
            return []
        chunks = sentences(text) or [(0, len(text))]
        best: dict[int, tuple[float, int, tuple[int, int] | None, int, int]] = {}
        for (a, b), offers in zip(chunks, self._chunks_scored([text[a:b] for a, b in chunks], lang, top),
                                  strict=True):
            chunk = text[a:b]
            denied = negated_clauses(chunk) if _may_deny(chunk) else []
            for ci, score, li, span in offers:
                if denied and _denied(chunk, denied, span or _evidence_span(chunk, self.label_text[li])):
                    continue
                if ci not in best or score > best[ci][0]:
                    best[ci] = (score, li, span, a, b)
        ranked = heapq.nsmallest(top, best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        scores = np.asarray([r[1][0] for r in ranked], dtype=np.float64)
        confs = (scores if self.sem is not None and self.encoder is not None else calibrate(scores)).tolist()
        out = []
        for (ci, (_, li, span, a, b)), conf in zip(ranked, confs, strict=True):
            if conf < min_score:
                continue
            if span is None:  # found by the whole chunk: the span is worked out only for what is shown
                span = _evidence_span(text[a:b], self.label_text[li]) or (0, b - a)
            x, y = a + span[0], a + span[1]
            how = "exact" if text[x:y] and phrase_key(text[x:y], self.languages[self.label_lang[li]]) == \
                phrase_key(self.label_text[li], self.languages[self.label_lang[li]]) and \
                self._says_small_words(span_tokens(text[x:y])[1:-1], li) else "similar"
            shown, shown_lang = _pick(self.display[ci], lang)
            out.append(Match(self.concept_ids[ci], shown, float(conf), self.label_text[li], how, (x, y), text[x:y],
                             shown_lang, self.languages[self.label_lang[li]]))
        return out

    def prime_extract(self, texts: list[str], top: int = 10, lang: str = "nl") -> None:
        """Encode in one go the sentences of ``texts`` that :meth:`extract` (same ``top`` and ``lang``)
        has not scored yet, so that extracting each text afterwards encodes nothing.

        For bulk work (a feed import extracts thousands of texts): the model's cost per call is
        several times its cost per sentence in a batch. Only the vectors are prepared; what
        :meth:`extract` finds is the same with or without priming.
        """
        prime = getattr(self.encoder, "prime", None)  # a plain function as encoder (tests) has no memory
        if self.sem is None or prime is None:
            return
        cache: dict[tuple[str, str, int], list[_Scored]] = self.__dict__.get("_scored_cache", {})
        chunks = (t[a:b] for t in texts if fold(t) for a, b in (sentences(t) or [(0, len(t))]))  # as extract splits
        prime([c for c in dict.fromkeys(chunks) if (c, lang, top) not in cache])

    def _chunks_scored(self, chunks: list[str], lang: str, top: int) -> list[list[_Scored]]:
        """Per chunk: (concept, score, label, span) offers; with a model the score is the chunk's
        :meth:`_extract_confidence`. Cached per chunk text (job ads repeat their boilerplate)."""
        if self.sem is None or self.encoder is None:
            return [[(ci, f[0], li, sp_) for ci, f, li, sp_ in self._chunk_offers(c, lang, top)] for c in chunks]
        cache: dict[tuple[str, str, int], list[_Scored]] = self.__dict__.setdefault("_scored_cache", {})
        todo = list(dict.fromkeys(c for c in chunks if (c, lang, top) not in cache))
        if todo:
            vecs = self.query_vectors(todo)
            assert vecs is not None
            for chunk, q in zip(todo, vecs, strict=True):
                feats = self.chunk_features(chunk, lang, top, q)
                if len(cache) >= CHUNK_CACHE:
                    cache.clear()
                cache[(chunk, lang, top)] = [(ci, conf, li, sp_) for (ci, _, li, sp_), conf in
                                             zip(feats, self._extract_confidence(feats), strict=True)]
        return [cache[(c, lang, top)] for c in chunks]

    def chunk_features(self, chunk: str, lang: str, top: int, q: np.ndarray) -> list[_Offer]:
        """Every concept a chunk offers (lexically or by meaning) with its evidence features
        ``[lex, one_word, several_words, sem_max, sem_centroid]``: the best lexical evidence score,
        whether that evidence is one word or several said word for word, and the cosines between
        the chunk's vector ``q`` and the concept's best label vector and centroid."""
        assert self.sem is not None
        offers = {ci: (f, li, sp_) for ci, f, li, sp_ in self._chunk_offers(chunk, lang, top)}
        # all cells: reading only the nearest ones cost Dutch extraction P@5 0.253 → 0.245
        for ci in self.sem.candidates(q, EXTRACT_SEM_CANDIDATES, every_cell=True).tolist():
            offers.setdefault(ci, (np.zeros(3), -1, None))
        if not offers:
            return []
        cis = np.fromiter(offers, dtype=np.int64, count=len(offers))
        smax, scent = self.semantic_scores(cis, q)
        out = []
        for j, ci in enumerate(cis.tolist()):
            f, li, sp_ = offers[ci]
            if li < 0:  # found by meaning only: its closest label explains it
                lo, hi = self._label_range(ci)
                li = lo + int(np.argmax(self.sem.label_vec[lo:hi] @ q))
            out.append((ci, np.array([f[0], f[1], f[2], smax[j], scent[j]]), li, sp_))
        return out

    def _extract_confidence(self, feats: list[_Offer]) -> list[float]:
        """``1 / (1 + exp(−(w · x + b)))`` with ``EXTRACT_WEIGHTS``, where x = [lex, one_word,
        several_words, sem_max, sem_centroid, one_word·sem_centroid, lex·sem_centroid] (see
        :meth:`chunk_features`).

        How w and b were chosen: logistic regression of "this skill is one of the occupation's ESCO
        skills" over every (chunk, offered skill) pair of skill_extraction_nl/dev.tsv (ESCO's Dutch
        occupation descriptions) plus the English skill_extraction_en validation sentences, 2-fold
        cross-validated (held-out P@5 on the Dutch set 0.266 / 0.235; fitted on all 0.252). The
        weights say: meaning (centroid cosine, more so when words agree) carries most; a lone word
        said exactly counts against a skill unless the sentence's meaning agrees. The gold lists are
        incomplete (a text names skills its occupation does not list), so the regression's
        probabilities understate; the bias is shifted by +1.405 so that 0.6 ("confident", what the
        forms pre-tick) falls where 35 % of the Dutch set's picks are in the list at 1.1 per text.

        One sentence says few skills: "Ik werk graag in een team" fits a dozen ESCO team skills
        equally well, which makes none of them a claim. So within a chunk the r-th best offer
        (r ≥ ``CHUNK_KEEP``, from 0) loses ``CHUNK_DAMP``·(r − ``CHUNK_KEEP`` + 1) logit; with the
        bias +1.505 in all, P@5 0.254 and confident precision 0.364 at 1.06 per text on the dev set.

        A label of several words said word for word is a claim whatever else the sentence is about
        (one vector per sentence leans to one of its skills: "Ik ben gastvrij en werk hygiënisch"),
        so it scores at least ``EXTRACT_SAID``; with the bias at +1.43 to keep the share of right
        confident picks: P@5 0.253, confident precision 0.354 at 1.03 per text.

        A window with a small word inside that the label lacks is not the label said ("ik help haar met
        wassen" is not "haar wassen", see :meth:`_says_small_words`): of the 100 confident picks this
        took away, 25 % were right, below the rest. The bias went up by 0.1 to keep at least one
        confident skill per text: P@5 0.253, confident precision 0.356 at 1.08 per text.
        """
        if not feats:
            return []
        f = np.stack([x for _, x, _, _ in feats])
        x = np.column_stack([f, f[:, 1] * f[:, 4], f[:, 0] * f[:, 4]])
        z = x @ np.asarray(EXTRACT_WEIGHTS[:-1]) + EXTRACT_WEIGHTS[-1]
        rank = np.empty(len(z), dtype=np.int64)
        rank[np.argsort(-z, kind="stable")] = np.arange(len(z))
        z = z - CHUNK_DAMP * np.maximum(rank - CHUNK_KEEP + 1, 0)
        conf = 1.0 / (1.0 + np.exp(-z))
        said = (f[:, 2] > 0) & (f[:, 0] >= EXACT_LEX)
        return np.where(said, np.maximum(conf, EXTRACT_SAID), conf).tolist()

    def _window_best(self, window: str, qlang: str, n_labels: int) -> tuple[int, float] | None:
        """The label a short window of words matches by its words alone (cosine ≥ WINDOW_MIN), if any.

        Cached per window text: the same few words ("je werkt zelfstandig") recur across texts.
        Only the labels sharing a word with the window are scored (the rest score 0, below
        WINDOW_MIN); the sums are those of :func:`_dot`, in the same order, so the answer is the same
        as scoring every label (ties: the lowest label row).
        """
        cache: dict[tuple[str, str], tuple[int, float] | None] = self.__dict__.setdefault("_window_cache", {})
        key = (window, qlang)
        if key in cache:
            return cache[key]
        cols, weights = self._word_vector(window, qlang)
        out: tuple[int, float] | None = None
        if len(cols):
            T = self.word_T
            if len(cols) > 32:  # as _dot does for long queries: through scipy
                rows = np.arange(n_labels)
                ws = _dot(T, cols, weights, n_labels)
            else:
                starts, ends = T.indptr[cols], T.indptr[cols + 1]
                idx = np.concatenate([T.indices[a:b] for a, b in zip(starts, ends, strict=True)])
                val = np.concatenate([T.data[a:b] * w for a, b, w in zip(starts, ends, weights, strict=True)])
                # the postings are sorted runs: a stable sort merges them and keeps each label's
                # terms in their order, so the float64 sums below are _dot's, bit for bit
                order = np.argsort(idx, kind="stable")
                idx = idx[order]
                new = np.ones(len(idx), dtype=bool)
                np.not_equal(idx[1:], idx[:-1], out=new[1:])
                rows = idx[new]
                ws = np.bincount(np.cumsum(new) - 1, weights=val[order], minlength=len(rows)).astype(np.float32)
            if len(self.languages) > 1 and len(rows):
                ws = np.where(self._in_lang(qlang)[rows], ws, 0.0)  # bridged words are too loose for one window
            if len(rows):
                j = int(np.argmax(ws))
                if ws[j] >= WINDOW_MIN:
                    out = (int(rows[j]), float(ws[j]))
        if len(cache) >= 4 * CHUNK_CACHE:
            cache.clear()
        cache[key] = out
        return out

    def _word_vector(self, text: str, qlang: str) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF word vector of ``text`` in the query language (columns, weights): its words, typo
        corrections and compound parts, plus their English bridge words at 0.8 (unit norm each)."""
        feats: dict[str, float] = {}
        if qlang in self.languages:
            lang_feats = _word_features(text, qlang, self.surface.get(qlang, frozenset()), self._correct)
            norm = math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in lang_feats.items())) or 1.0
            for t, w in lang_feats.items():
                feats[t] = feats.get(t, 0.0) + w * self._idf(t) / norm
            if qlang != "en" and "en" in self.languages and self.bridge:
                bridged: dict[str, float] = {}
                for t, w in lang_feats.items():
                    for target, p in self.bridge.get(t, ()):
                        bridged[target] = max(bridged.get(target, 0.0), w * p)
                bnorm = math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in bridged.items())) or 1.0
                for t, w in bridged.items():
                    if t not in lang_feats:
                        feats[t] = feats.get(t, 0.0) + 0.8 * w * self._idf(t) / bnorm
        cols = [self.vocab[t] for t in feats if t in self.vocab]
        vals = [feats[t] for t in feats if t in self.vocab]
        return np.asarray(cols, dtype=np.int64), np.asarray(vals, dtype=np.float32)

    def _window_keys(self, chunk: str, toks: list[tuple[str, int, int]]
                     ) -> Callable[[int, int, str], list[str]]:
        """``keys(i, n, window)``: :func:`phrase_key` of the window of ``n`` tokens from token ``i`` in
        each label language, from the chunk's words stemmed once instead of once per window.

        Folding works character by character, so a window's words are its tokens' words whenever the
        chunk's words are (checked here; otherwise each window is keyed on its own, as before).
        """
        words = [fold(t).split() for t, _, _ in toks]
        if fold(chunk).split() != [w for ws in words for w in ws]:
            return lambda i, n, window: [phrase_key(window, lg) for lg in self.languages]
        content = [[w for w in ws if w not in STOPWORDS] for ws in words]
        flat = [w for ws in content for w in ws]
        stems: dict[str, list[str]] = {}
        for lg in self.languages:
            it = iter(stem_tokens(flat, lg))
            stems[lg] = ["".join(next(it) for _ in ws) for ws in content]
        return lambda i, n, window: ["".join(stems[lg][i:i + n]) for lg in self.languages]

    def _says_small_words(self, inner: list[tuple[str, int, int]], li: int) -> bool:
        """Whether the small words (STOPWORDS) inside a window of a text are all in label ``li``.

        Windows are matched with small words dropped, but one inside a window that the label lacks
        changes what is said: "ik help haar met wassen" is not "haar wassen", "cliënten met wassen" is
        not "de was doen voor cliënten". Small words at a window's edges are not part of it.
        """
        small = {w for t, _, _ in inner for w in fold(t).split() if w in STOPWORDS}
        return not small or small <= set(fold(self.label_text[li]).split())

    def _qualities(self, chunk: str, toks: list[tuple[str, int, int]]) -> dict[tuple[int, int], str]:
        """Windows (start, words) of a chunk that name a label "<window> zijn" after a form of "zijn",
        with that label's key: "ik ben gastvrij", "je bent flexibel, stressbestendig en sociaal vaardig".

        The list after the verb runs over small words and intensifiers ("zeer") and stops at the first
        word that is not such a quality: in "ik ben gastvrij en werk hygiënisch" "hygiënisch" belongs to
        "werk", and "ik ben niet flexibel" says nothing.
        """
        out: dict[tuple[int, int], str] = {}
        for be, t in enumerate(toks):
            if fold(t[0]) not in COPULA:
                continue
            j = be + 1
            while j < len(toks):
                if fold(toks[j][0]) in STOPWORDS or fold(toks[j][0]) in INTENSIFIERS:
                    j += 1
                    continue
                for n in (3, 2, 1):
                    if j + n > len(toks) or fold(toks[j + n - 1][0]) in STOPWORDS:
                        continue
                    key = phrase_key(f"{chunk[toks[j][1]:toks[j + n - 1][2]]} zijn", "nl")
                    if key in self.exact:
                        out[(j, n)] = key
                        j += n
                        break
                else:
                    break
        return out

    def _chunk_offers(self, chunk: str, lang: str, top: int) -> list[_Offer]:
        """The evidence one sentence-like chunk gives: (concept, [score, one word said exactly, several
        words said exactly], label, span in the chunk).

        The span is None for concepts found by the chunk as a whole; :meth:`extract` works it out
        for the few it returns.

        Cached per chunk text: job ads repeat their employer's sentences, and a bulk import meets
        the same boilerplate thousands of times.
        """
        ckey = (chunk, lang, top)
        cache: dict[tuple[str, str, int], list[_Offer]] = self.__dict__.setdefault("_chunk_cache", {})
        hit = cache.get(ckey)
        if hit is not None:
            return hit
        best: dict[int, tuple[float, int, tuple[int, int] | None]] = {}
        said: dict[int, int] = {}  # concept -> most words of one of its labels said word for word

        def offer(ci: int, score: float, li: int, span: tuple[int, int] | None) -> None:
            if ci not in best or score > best[ci][0]:
                best[ci] = (score, li, span)

        if fold(chunk):
            toks = span_tokens(chunk)
            window_keys = self._window_keys(chunk, toks)
            qualities = self._qualities(chunk, toks) if "nl" in self.surface else {}
            # exact windows
            for i in range(len(toks)):
                for n in range(1, 7):
                    if i + n > len(toks):
                        break
                    if toks[i][0].lower() in STOPWORDS or toks[i + n - 1][0].lower() in STOPWORDS:
                        continue
                    window = chunk[toks[i][1]:toks[i + n - 1][2]]
                    keys = [(k, n) for k in window_keys(i, n, window)]
                    if n == 1 and "nl" in self.surface:  # "rapporteert" is a mention of "rapporteren"
                        nl_words = self.surface["nl"]
                        keys += [(phrase_key(v, "nl"), 1) for v in dutch_infinitives(fold(window)) if v in nl_words]
                    if (i, n) in qualities:
                        keys.append((qualities[(i, n)], n + 1))
                    # in a fixed order (a set's changed with the hash seed): of equally weighted labels
                    # said exactly, the first one offered is the one shown
                    for key, words in dict.fromkeys(keys):
                        for li in self.exact.get(key, ()):
                            if n > 2 and not self._says_small_words(toks[i + 1:i + n - 1], li):
                                continue
                            ci = int(self.label_concept[li])
                            said[ci] = max(said.get(ci, 0), words)
                            offer(ci, float(self.label_weight[li]), li, (toks[i][1], toks[i + n - 1][2]))
            # windows of up to 4 words, by their words alone: finds "goed rapporteert" in a long
            # sentence where the whole-sentence similarity is diluted
            qlang = self.detect_language(chunk, lang)
            n_labels = len(self.label_text)
            for i in range(len(toks)):
                for n in range(2, 5):
                    if i + n > len(toks):
                        break
                    first, last = fold(toks[i][0]), fold(toks[i + n - 1][0])
                    if first in STOPWORDS or last in STOPWORDS:
                        continue
                    best_label = self._window_best(chunk[toks[i][1]:toks[i + n - 1][2]], qlang, n_labels)
                    if best_label is not None:
                        li, w = best_label
                        if not self._says_small_words(toks[i + 1:i + n - 1], li):
                            continue
                        offer(int(self.label_concept[li]), 0.9 * float(w * self.label_weight[li]), li,
                              (toks[i][1], toks[i + n - 1][2]))
            # whole chunk similarity
            ls = self.label_scores(chunk, lang)
            for ci, score in zip(*self.best_concepts(ls, max(top * 3, 20)), strict=True):
                lo, hi = self._label_range(int(ci))
                li = int(lo + np.argmax(ls[lo:hi]))
                offer(int(ci), float(score) * 0.97, li, None)
        out = [(ci, np.array([sc, float(said.get(ci) == 1), float(said.get(ci, 0) > 1)]), li, sp_)
               for ci, (sc, li, sp_) in best.items()]
        if len(cache) >= CHUNK_CACHE:
            cache.clear()
        cache[ckey] = out
        return out


# ------------------------------------------------------------------------------- helpers
def _description(c: Concept) -> str:
    """What the model reads as a concept's description: its preferred label and its description, each
    in the first of ``DESC_LANGS`` it has ("kassa bedienen: Operate a cash register ..."); "" without a
    description. The name in the user's language held out better than a label in the description's
    language (skill_normalisation_nl, 10 random 2-fold splits: +0.0081 vs +0.0044) or the description
    alone (+0.0060)."""
    text = next((c.description[lang] for lang in DESC_LANGS if c.description.get(lang)), "")
    text = text or next((t for t in c.description.values() if t), "")
    if not text:
        return ""
    label = next((c.pref[lang] for lang in DESC_LANGS if c.pref.get(lang)), "")
    return f"{label}: {text}" if label else text


def _occupation_context(taxonomy: Taxonomy, concepts: Sequence[Concept], kind: str
                        ) -> tuple[list[str], sp.csr_matrix]:
    """For a skill index whose fused score uses occupation context (``FUSION`` b_o): the texts of the
    occupations that need one of ``concepts`` (:func:`_description`, or the preferred name without a
    description; by id) and the (C, O) matrix of how much each counts for each concept
    (``CONTEXT_RELATION``). Any other kind: no texts and a (C, 0) matrix."""
    if kind != "skill" or not FUSION.get(kind, FUSION["skill"])[5]:
        return [], sp.csr_matrix((len(concepts), 0), dtype=np.float32)
    row = {c.id: i for i, c in enumerate(concepts)}
    occupations: list[Concept] = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for oid in sorted(taxonomy.occupation_skills):
        occ = taxonomy.concepts.get(oid)
        needs = [(row[s], CONTEXT_RELATION.get(r, CONTEXT_RELATION["optional"]))
                 for s, r in taxonomy.occupation_skills[oid].items() if s in row]
        if occ is None or occ.kind != "occupation" or not occ.pref or not needs:
            continue
        for ci, w in needs:
            rows.append(ci)
            cols.append(len(occupations))
            vals.append(w)
        occupations.append(occ)
    texts = [_description(o) or next((o.pref[lg] for lg in DESC_LANGS if o.pref.get(lg)), o.label())
             for o in occupations]
    return texts, sp.csr_matrix((vals, (rows, cols)), shape=(len(concepts), len(texts)), dtype=np.float32)


def _phone_case(text: str) -> str:
    """The phrase as the model should read it: a capital first letter followed by a lower-case one
    ("Kassa", "Het chassis rechttrekken") is a keyboard's sentence case, not a name, and ESCO's labels
    are lower case; the model is case-sensitive (MRR@10 +0.002 on both Dutch dev sets)."""
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _top_positive(x: np.ndarray, m: int) -> np.ndarray:
    """Indices of the ``m`` largest positive values of ``x`` (all positive ones when fewer), any order.

    Most label scores of a query are 0, and ``np.argpartition`` over that many ties is 30x slower
    than over the positive values alone. Tens of thousands of labels still share an n-gram with a
    query, so a threshold is first guessed from every ``step``-th value (about 2m of them are expected
    above it) and only the values above it are partitioned; when fewer than m are, all positive ones.
    """
    step = len(x) // (16 * m) if m > 0 else 0
    if step >= 4:
        sample = x[::step]
        k = min(len(sample), (2 * m) // step + 1)
        thr = np.partition(sample, len(sample) - k)[len(sample) - k]
        if thr > 0:
            above = np.flatnonzero(x >= thr)
            if len(above) >= m:
                sub = x[above]
                return above[np.argpartition(sub, len(sub) - m)[len(sub) - m:]]
    nz = np.flatnonzero(x > 0)
    if len(nz) <= m:
        return nz
    sub = x[nz]
    return nz[np.argpartition(sub, len(sub) - m)[len(sub) - m:]]


def _dot(T: sp.csr_matrix, cols: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Scores of all n documents for a sparse query: ``weights @ T[cols]``, shape (n,).

    ``T`` is the (terms × documents) transposed matrix, so each term's postings are one row;
    touching only the query's rows costs O(postings touched), not O(terms × documents).
    A few rows (a query of words) are sliced one by one: scipy's fixed cost per call is larger
    than that. Many rows (character n-grams) go through scipy, which gathers and sums in C
    (3x faster on full ESCO).
    """
    if len(cols) == 0:
        return np.zeros(n, dtype=np.float32)
    if len(cols) > 32:
        return np.asarray(np.asarray(weights, dtype=np.float32) @ T[cols], dtype=np.float32).ravel()
    starts, ends = T.indptr[cols], T.indptr[cols + 1]
    idx = np.concatenate([T.indices[a:b] for a, b in zip(starts, ends, strict=True)])
    val = np.concatenate([T.data[a:b] * w for a, b, w in zip(starts, ends, weights, strict=True)])
    return np.bincount(idx, weights=val, minlength=n).astype(np.float32)


def _pick(pref: dict[str, str], lang: str) -> tuple[str, str]:
    """The preferred label to show and its language: the user's, else Dutch, English, any."""
    for code in (lang, "nl", "en"):
        if code in pref:
            return pref[code], code
    return next(iter(pref.items()))[::-1]


def _squeeze(word: str) -> str:
    """``word`` with every run of one letter written once: "kassa" → "kasa", "koffie" → "kofie"."""
    return "".join(ch for i, ch in enumerate(word) if i == 0 or ch != word[i - 1])


def _word_features(text: str, lang: str, surface: frozenset[str],
                   correct: Callable[[str], str | None] | None = None) -> dict[str, float]:
    """Weighted "lang:stem" features: words 1.0, conjugated Dutch verbs mapped to their
    infinitive 0.9, corrected typos 0.8, compound parts 0.5."""
    feats: dict[str, float] = {}
    words = content_tokens(text)
    extra: list[tuple[str, float]] = []
    for w in words:
        if w not in surface and not w.isdigit():
            if lang == "nl":
                verb = next((v for v in dutch_infinitives(w) if v in surface), None)
                if verb is not None:
                    extra.append((verb, 0.9))
                    continue
            if correct is not None:
                fixed = correct(w)
                if fixed is not None and fixed != w:
                    extra.append((fixed, 0.8))
        if len(w) >= 7:
            for part in split_compound(w, surface):
                extra.append((part, 0.5))
    stems = stem_tokens(words, lang)
    for s in stems:
        feats[f"{lang}:{s}"] = 1.0
    if extra:
        for (_, wt), s in zip(extra, stem_tokens([w for w, _ in extra], lang), strict=True):
            k = f"{lang}:{s}"
            feats[k] = max(feats.get(k, 0.0), wt)
    return feats


def _may_deny(chunk: str) -> bool:
    """Cheap test before :func:`negated_clauses`: a negating word or an English "n't" is in ``chunk``."""
    return not NEGATORS.isdisjoint(fold(chunk).split()) or "n't" in chunk or "n’t" in chunk


def _denied(chunk: str, denied: list[tuple[int, int]], span: tuple[int, int] | None) -> bool:
    """Whether evidence at ``span`` of ``chunk`` lies in one of the ``denied`` clauses; evidence without a
    span (the chunk's meaning alone) is denied when the denied clauses cover all of the chunk's words."""
    if span is None:
        toks = span_tokens(chunk)
        return all(any(x <= s < y for x, y in denied) for _, s, _ in toks)
    return any(x <= span[0] < y for x, y in denied)


def _evidence_span(chunk: str, label: str) -> tuple[int, int] | None:
    """Smallest window of ``chunk`` covering the words it shares with ``label`` (by stem prefix)."""
    label_words = {w[:5] for w in content_tokens(label)}
    hits = [(s, e) for tok, s, e in span_tokens(chunk) if fold(tok)[:5] in label_words and fold(tok)]
    if not hits:
        return None
    return hits[0][0], hits[-1][1]


def _learn_bridge(concepts: Sequence[Concept], surface: dict[str, frozenset[str]],
                  max_targets: int = 3) -> dict[str, list[tuple[str, float]]]:
    """Word translations nl → en learned from concepts with labels in both languages.

    For a Dutch stem d and an English stem e, count the concepts whose Dutch labels contain d
    and whose English labels contain e; keep pairs with Dice coefficient
    ``2·n(d,e) / (n(d) + n(e)) ≥ 0.2`` seen at least twice, the best ``max_targets`` per d.
    """
    if "en" not in surface or len(surface) < 2:
        return {}
    n_src: dict[str, int] = defaultdict(int)
    n_tgt: dict[str, int] = defaultdict(int)
    pair: dict[tuple[str, str], int] = defaultdict(int)
    for c in concepts:
        en_text = " ".join([c.pref.get("en", ""), *c.alt.get("en", [])[:3]])
        tgt = {f"en:{s}" for s in stem_tokens(content_tokens(en_text), "en")}
        if not tgt:
            continue
        for lang in c.pref:
            if lang == "en":
                continue
            src_text = " ".join([c.pref[lang], *c.alt.get(lang, [])[:3]])
            src = {f"{lang}:{s}" for s in
                   stem_tokens(content_tokens(src_text), lang)}
            for s in src:
                n_src[s] += 1
                for t in tgt:
                    pair[(s, t)] += 1
            for t in tgt:
                n_tgt[t] += 1
    cands: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (s, t), n in pair.items():
        if n < 2:
            continue
        dice = 2 * n / (n_src[s] + n_tgt[t])
        if dice >= 0.2:
            cands[s].append((t, dice))
    return {s: sorted(v, key=lambda x: -x[1])[:max_targets] for s, v in cands.items()}
