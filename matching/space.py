"""The skill space: concept ids as array columns, rarity, related-skill links, occupation lists.

Built once from a :class:`taxonomy.model.Taxonomy`; everything after that is arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from taxonomy.model import Taxonomy

# Credit a profile skill earns for a requirement it does not name exactly.
CREDIT_NARROWER = 0.8  # you have a specialisation of what is asked ("MIG-lassen" for "lassen")
CREDIT_BROADER = 0.5  # you have the general skill, the vacancy asks a specialisation
CREDIT_RELATED = 0.5  # ESCO skill–skill relation or a built-in "related" link
CREDIT_SIMILAR = 0.4  # at most, for skills close by meaning (the model's concept vectors; see SimilarityRule)
HOW = {0: "exact", 1: "narrower", 2: "broader", 3: "related", 4: "similar"}


@dataclass(frozen=True)
class SimilarityRule:
    """Which skills are "similar" by meaning, and what that is worth.

    Two skills are linked when their concept vectors (L2-normalised mean label vectors) have cosine
    ≥ ``min_sim`` and, with ``mutual``, each is among the other's ``per_skill`` nearest skills. Mutual
    nearest neighbours keep a skill close to many others from collecting links from all of them, and
    make the relation symmetric by construction. A link is worth
    ``CREDIT_SIMILAR · (½ + ½ · (cos − min_sim) / (1 − min_sim))``: 0.2 at the threshold, 0.4 for
    the same meaning — always below any taxonomy link (0.5), so a must-have is never "held" through it.
    ``version`` changes whenever the way pairs are chosen changes: it keys the cache.
    """

    min_sim: float = 0.8
    per_skill: int = 5
    mutual: bool = True
    version: int = 1

    @property
    def key(self) -> str:
        return f"v{self.version}-k{self.per_skill}-t{round(self.min_sim * 1000)}-{'m' if self.mutual else 'u'}"

    def credit(self, sim: np.ndarray) -> np.ndarray:
        frac = (np.asarray(sim, dtype=np.float32) - self.min_sim) / max(1e-6, 1.0 - self.min_sim)
        return (CREDIT_SIMILAR * (0.5 + 0.5 * np.clip(frac, 0.0, 1.0))).astype(np.float32)


def similar_pairs(vectors: np.ndarray, rule: SimilarityRule, block: int = 2048
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Skill pairs (a < b, cosine) that ``rule`` links, from (S, d) L2-normalised row vectors.

    One blocked matrix product (S × S cosines, ``block`` rows at a time, so memory stays at
    block × S floats): 5–8 s for the 14k skills of ESCO at 512 dimensions on one busy core.
    """
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    S = v.shape[0]
    k = min(rule.per_skill, S - 1)
    empty = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32))
    if k <= 0:
        return empty
    nn = np.zeros((S, k), dtype=np.int64)
    top = np.zeros((S, k), dtype=np.float32)
    for start in range(0, S, block):
        sims = v[start:start + block] @ v.T
        n = sims.shape[0]
        sims[np.arange(n), start + np.arange(n)] = -np.inf  # not itself
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        nn[start:start + n] = part
        top[start:start + n] = np.take_along_axis(sims, part, axis=1)
    src = np.repeat(np.arange(S, dtype=np.int64), k)
    dst, sim = nn.ravel(), top.ravel()
    ok = sim >= rule.min_sim
    src, dst, sim = src[ok], dst[ok], sim[ok]
    key = np.minimum(src, dst) * S + np.maximum(src, dst)
    order = np.argsort(key, kind="stable")
    key, sim = key[order], sim[order]
    if rule.mutual:  # a pair found from both ends appears twice
        both = np.zeros(len(key), dtype=bool)
        both[1:] = key[1:] == key[:-1]
        key, sim = key[both], sim[both]
    else:
        first = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else np.zeros(0, bool)
        key, sim = key[first], sim[first]
    if len(key) == 0:
        return empty
    return (key // S).astype(np.int32), (key % S).astype(np.int32), np.minimum(sim, 1.0).astype(np.float32)


@dataclass
class SkillSpace:
    """Arrays over skills (S), occupations (O) and ISCO unit groups (G).

    * ``rarity`` (S,): ρ_s = 1 + ln((1 + O) / (1 + n_s)), n_s = occupations listing skill s.
      "teamwork" (in hundreds of occupations) weighs about 1–2, "lassen" about 6–7.
    * ``links`` (S, S) CSR: links[p, s] = credit that profile skill p earns for requirement s
      (exact matches are not stored: their credit is 1). ``link_how`` holds the HOW code.
    * ``occ_skills`` (O, S) and ``group_skills`` (G, S): 0/1, the skills each occupation and
      each ISCO unit group (union of its occupations) lists.
    """

    skill_ids: list[str]
    skill_index: dict[str, int]
    rarity: np.ndarray
    links: sp.csr_matrix
    link_how: sp.csr_matrix
    links_in: sp.csr_matrix  # links transposed: row s lists the profile skills p that count for s
    link_how_in: sp.csr_matrix
    occ_ids: list[str]
    occ_index: dict[str, int]
    occ_group: np.ndarray  # (O,) group row per occupation
    occ_skills: sp.csr_matrix
    group_codes: list[str]
    group_skills: sp.csr_matrix

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)

    def links_from(self, j: int) -> list[tuple[int, float, str]]:
        """(requirement column, credit, how) for profile skill column ``j`` (cached as Python tuples:
        scoring walks them for every profile it prepares)."""
        cache: dict[int, list[tuple[int, float, str]]] = self.__dict__.setdefault("_links_from", {})
        got = cache.get(j)
        if got is None:
            a, b = self.links.indptr[j], self.links.indptr[j + 1]
            got = cache[j] = [(int(s), float(c), HOW[int(h)]) for s, c, h in
                              zip(self.links.indices[a:b], self.links.data[a:b], self.link_how.data[a:b], strict=True)]
        return got

    def links_to(self, s: int) -> list[tuple[int, float, str]]:
        """(profile skill column, credit, how) for requirement column ``s`` (cached, as links_from)."""
        cache: dict[int, list[tuple[int, float, str]]] = self.__dict__.setdefault("_links_to", {})
        got = cache.get(s)
        if got is None:
            a, b = self.links_in.indptr[s], self.links_in.indptr[s + 1]
            got = cache[s] = [(int(p), float(c), HOW[int(h)]) for p, c, h in
                              zip(self.links_in.indices[a:b], self.links_in.data[a:b], self.link_how_in.data[a:b],
                                  strict=True)]
        return got

    def rarity_of(self, j: int) -> float:
        return float(self.rarity[j])

    def occupation_columns(self, o: int) -> frozenset[int]:
        """Skill columns occupation row ``o`` lists (cached)."""
        cache: dict[int, frozenset[int]] = self.__dict__.setdefault("_occ_cols", {})
        cols = cache.get(o)
        if cols is None:
            cols = cache[o] = frozenset(self.occ_skills[o].indices.tolist())
        return cols

    def family_columns(self, o: int) -> frozenset[int]:
        """Skill columns of occupation ``o``'s ISCO unit group (cached)."""
        cache: dict[int, frozenset[int]] = self.__dict__.setdefault("_fam_cols", {})
        g = int(self.occ_group[o])
        cols = cache.get(g)
        if cols is None:
            cols = cache[g] = frozenset(self.group_skills[g].indices.tolist())
        return cols

    def column(self, skill_id: str) -> int | None:
        return self.skill_index.get(skill_id)

    @staticmethod
    def skill_order(tax: Taxonomy) -> list[str]:
        """The skill ids of ``tax`` in column order (sorted): what :meth:`from_taxonomy` numbers them by,
        and what cached per-column data (the model's similar links) is stored by."""
        return sorted(c.id for c in tax.concepts.values() if c.kind == "skill")

    @classmethod
    def from_taxonomy(cls, tax: Taxonomy) -> SkillSpace:
        skills = cls.skill_order(tax)
        index = {s: i for i, s in enumerate(skills)}
        occs = sorted(o for o in tax.occupation_skills if o in tax.concepts)
        occ_index = {o: i for i, o in enumerate(occs)}

        rows, cols = [], []
        for o in occs:
            for s in tax.occupation_skills[o]:
                j = index.get(s)
                if j is not None:
                    rows.append(occ_index[o])
                    cols.append(j)
        occ_skills = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(len(occs), len(skills)))
        occ_skills.sum_duplicates()
        occ_skills.data[:] = 1.0
        n_s = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(skills))
        rarity = (1.0 + np.log((1.0 + len(occs)) / (1.0 + n_s))).astype(np.float32)

        codes = [(tax.concepts[o].code or "")[:4] or "?" for o in occs]
        group_codes = sorted(set(codes))
        gidx = {g: i for i, g in enumerate(group_codes)}
        occ_group = np.asarray([gidx[c] for c in codes], dtype=np.int32)
        member = sp.csr_matrix((np.ones(len(occs), dtype=np.float32), (occ_group, np.arange(len(occs)))),
                               shape=(len(group_codes), len(occs)))
        group_skills = sp.csr_matrix(member @ occ_skills)
        group_skills.data[:] = 1.0

        # related-skill links: (profile skill p, requirement s) -> credit, how
        link: dict[tuple[int, int], tuple[float, int]] = {}

        def put(p: int, s: int, credit: float, how: int) -> None:
            if p != s and credit > link.get((p, s), (0.0, 0))[0]:
                link[(p, s)] = (credit, how)

        for c in tax.concepts.values():
            if c.kind != "skill":
                continue
            ci = index[c.id]
            for b in c.broader:
                bi = index.get(b)
                if bi is not None:
                    put(ci, bi, CREDIT_NARROWER, 1)  # c is narrower than b: c counts for b
                    put(bi, ci, CREDIT_BROADER, 2)
        for a, b, _ in tax.skill_relations:
            ai, bi = index.get(a), index.get(b)
            if ai is not None and bi is not None:
                put(ai, bi, CREDIT_RELATED, 3)
                put(bi, ai, CREDIT_RELATED, 3)
        if link:
            (lr, lc), vals = zip(*link.keys(), strict=True), list(link.values())
            credit = np.asarray([v[0] for v in vals], dtype=np.float32)
            how = np.asarray([v[1] for v in vals], dtype=np.int8)
        else:
            lr, lc, credit, how = (), (), np.zeros(0, np.float32), np.zeros(0, np.int8)
        shape = (len(skills), len(skills))
        links = sp.csr_matrix((credit, (lr, lc)), shape=shape)
        link_how = sp.csr_matrix((how, (lr, lc)), shape=shape)
        return cls(skills, index, rarity, links, link_how, sp.csr_matrix(links.T), sp.csr_matrix(link_how.T),
                   occs, occ_index, occ_group, occ_skills, group_codes, group_skills)

    def add_similarity_links(self, vectors: np.ndarray, rule: SimilarityRule | None = None) -> int:
        """Link skills whose concept vectors are close (see :class:`SimilarityRule`); returns the links added."""
        if vectors.shape[0] != self.n_skills:
            raise ValueError(f"expected {self.n_skills} skill vectors, got {vectors.shape[0]}")
        rule = rule or SimilarityRule()
        a, b, sim = similar_pairs(vectors, rule)
        return self.add_similar(a, b, sim, rule)

    def add_similar(self, a: np.ndarray, b: np.ndarray, sim: np.ndarray, rule: SimilarityRule) -> int:
        """Add "similar" links for the skill pairs (a[i], b[i]) with cosine sim[i], both ways, with
        credit ``rule.credit(sim)``. A pair the taxonomy already links (either way) keeps the taxonomy's
        links only, so every similar link has its mirror with the same credit. Returns the links added.
        """
        S = self.n_skills
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        if len(a) == 0:
            return 0
        if a.min() < 0 or b.min() < 0 or max(a.max(), b.max()) >= S:
            raise ValueError("skill pair outside the skill space")
        credit = rule.credit(np.asarray(sim, dtype=np.float32))
        known = self.links.tocoo()
        known_keys = np.concatenate([known.row.astype(np.int64) * S + known.col,
                                     known.col.astype(np.int64) * S + known.row])
        keep = (a != b) & ~np.isin(a * S + b, known_keys)
        a, b, credit = a[keep], b[keep], credit[keep]
        if len(a) == 0:
            return 0
        rows, cols, vals = np.concatenate([a, b]), np.concatenate([b, a]), np.concatenate([credit, credit])
        key = rows * S + cols  # a pair given twice keeps its best credit
        order = np.lexsort((-vals, key))
        key, vals = key[order], vals[order]
        first = np.concatenate([[True], key[1:] != key[:-1]])
        key, vals = key[first], vals[first]
        extra = sp.csr_matrix((vals, (key // S, key % S)), shape=(S, S))
        how = sp.csr_matrix((np.full(len(key), 4, dtype=np.int8), (key // S, key % S)), shape=(S, S))
        self.__dict__.pop("_links_from", None)
        self.__dict__.pop("_links_to", None)
        self.links = sp.csr_matrix(self.links + extra)
        self.link_how = sp.csr_matrix(self.link_how.astype(np.int8) + how)
        self.links_in = sp.csr_matrix(self.links.T)
        self.link_how_in = sp.csr_matrix(self.link_how.T)
        return int(extra.nnz)

    def add_unknown(self, skill_id: str) -> int:
        """A skill the taxonomy does not know (e.g. from another ESCO version): give it a column."""
        j = self.skill_index.get(skill_id)
        if j is not None:
            return j
        j = len(self.skill_ids)
        self.skill_ids.append(skill_id)
        self.skill_index[skill_id] = j
        self.rarity = np.append(self.rarity, np.float32(1.0 + np.log(1.0 + len(self.occ_ids))))
        n = j + 1
        self.__dict__.pop("_links_from", None)
        self.__dict__.pop("_links_to", None)
        self.links = _grow(self.links, n, n)
        self.link_how = _grow(self.link_how, n, n)
        self.links_in = _grow(self.links_in, n, n)
        self.link_how_in = _grow(self.link_how_in, n, n)
        self.occ_skills = _grow(self.occ_skills, self.occ_skills.shape[0], n)
        self.group_skills = _grow(self.group_skills, self.group_skills.shape[0], n)
        return j


def _grow(m: sp.csr_matrix, rows: int, cols: int) -> sp.csr_matrix:
    m = m.tocsr()
    indptr = np.concatenate([m.indptr, np.full(rows - m.shape[0], m.indptr[-1], dtype=m.indptr.dtype)])
    return sp.csr_matrix((m.data, m.indices, indptr), shape=(rows, cols))
