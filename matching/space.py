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
CREDIT_SIMILAR = 0.4  # at most, for skills whose label embeddings are close (when a model is configured)
HOW = {0: "exact", 1: "narrower", 2: "broader", 3: "related", 4: "similar"}


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

    @classmethod
    def from_taxonomy(cls, tax: Taxonomy) -> SkillSpace:
        skills = sorted(c.id for c in tax.concepts.values() if c.kind == "skill")
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

    def add_similarity_links(self, vectors: np.ndarray, min_sim: float = 0.8, per_skill: int = 5,
                             block: int = 2048) -> int:
        """Credit between skills whose embeddings are close: ``CREDIT_SIMILAR · (sim − min_sim) / (1 − min_sim)``
        rescaled to [½, 1]·CREDIT_SIMILAR, for each skill's ``per_skill`` nearest neighbours with
        cosine ≥ ``min_sim``. ``vectors`` (S, d) are L2-normalised, one row per skill column.
        Links the taxonomy already gives keep their (higher) credit. Returns the links added.
        """
        S = self.n_skills
        if vectors.shape[0] != S:
            raise ValueError(f"expected {S} skill vectors, got {vectors.shape[0]}")
        v = np.asarray(vectors, dtype=np.float32)
        rows, cols, vals = [], [], []
        for start in range(0, S, block):
            sims = v[start:start + block] @ v.T
            for i in range(sims.shape[0]):
                sims[i, start + i] = -1.0  # not itself
            k = min(per_skill, S - 1)
            if k <= 0:
                break
            nn = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            top = np.take_along_axis(sims, nn, axis=1)
            ok = top >= min_sim
            r, c = np.nonzero(ok)
            rows.append(start + r)
            cols.append(nn[r, c])
            vals.append(CREDIT_SIMILAR * (0.5 + 0.5 * (top[r, c] - min_sim) / max(1e-6, 1 - min_sim)))
        if not rows:
            return 0
        r_all, c_all, v_all = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals).astype(np.float32)
        existing = self.links.tocoo()
        known = set(zip(existing.row.tolist(), existing.col.tolist(), strict=True))
        keep = np.asarray([(a, b) not in known for a, b in zip(r_all.tolist(), c_all.tolist(), strict=True)], bool)
        if not keep.any():
            return 0
        # similarity is symmetric: a close skill counts both ways
        r_new = np.concatenate([r_all[keep], c_all[keep]])
        c_new = np.concatenate([c_all[keep], r_all[keep]])
        v_new = np.concatenate([v_all[keep], v_all[keep]])
        key = r_new.astype(np.int64) * S + c_new  # a pair found from both ends keeps its best value
        order = np.lexsort((-v_new, key))
        key, v_new = key[order], v_new[order]
        first = np.concatenate([[True], key[1:] != key[:-1]])
        key, v_new = key[first], v_new[first]
        extra = sp.csr_matrix((v_new, (key // S, key % S)), shape=(S, S))
        extra = extra - extra.multiply(self.links > 0)  # never overwrite a taxonomy link
        extra.eliminate_zeros()
        how = extra.copy()
        how.data = np.full(len(how.data), 4, dtype=np.int8)
        self.__dict__.pop("_links_from", None)
        self.__dict__.pop("_links_to", None)
        self.links = sp.csr_matrix(self.links + extra)
        self.link_how = sp.csr_matrix(self.link_how.astype(np.int8) + how.astype(np.int8))
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
