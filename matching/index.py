"""Array-backed index of vacancies: top-k vacancies for a profile, with filters and explanations.

Vacancies live in a built segment (sparse matrices, one row per vacancy) plus a small pending
list of recent adds and updates. A query scores the built segment with sparse gathers over the
profile's skills only (an inverted index: cost grows with the postings of those skills, not with
the number of vacancies), scores the pending ones exactly, re-scores the best candidates with
:func:`matching.scoring.score` so that every result carries its explanation, and returns the
top k. ``compact()`` (run automatically when the pending list grows) folds pending rows in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import scipy.sparse as sp

from matching.model import Location, Profile, Requirement, Vacancy
from matching.scoring import (
    EARTH_KM,
    ESSENTIAL_SHARE,
    A,
    B,
    C,
    K,
    MatchResult,
    exclusions,
    recency,
    score,
)
from matching.space import SkillSpace

SECTOR_CODES = {"techniek": 0, "horeca": 1, "zorg": 2, "transversaal": 3}
PENDING_LIMIT = 2000
CANDIDATES = 200  # best fast-scored vacancies that get an exact, explained score


@dataclass
class RankResult:
    results: list[MatchResult]
    excluded: Counter[str] = field(default_factory=Counter)  # reason -> number of vacancies


def _gather(T: sp.csr_matrix, cols: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Σ_j weights[j] · T[cols[j], :] as a dense (n,) vector, touching only those rows."""
    if len(cols) == 0:
        return np.zeros(n, dtype=np.float32)
    starts, ends = T.indptr[cols], T.indptr[cols + 1]
    idx = np.concatenate([T.indices[a:b] for a, b in zip(starts, ends, strict=True)])
    val = np.concatenate([T.data[a:b] * w for a, b, w in zip(starts, ends, weights, strict=True)])
    return np.bincount(idx, weights=val, minlength=n).astype(np.float32)


def kth_best(results: list[MatchResult], k: int) -> float:
    return sorted((m.score for m in results), reverse=True)[k - 1]


class VacancyIndex:
    def __init__(self, space: SkillSpace) -> None:
        self.space = space
        self._pending: dict[str, Vacancy] = {}
        self._row_of: dict[str, int] = {}  # built rows
        self._ids: list[str] = []
        self._alive = np.zeros(0, dtype=bool)
        self._empty_arrays()

    # --------------------------------------------------------------------------- writing
    def add(self, vacancy: Vacancy) -> None:
        """Add or replace a vacancy (by id)."""
        for r in vacancy.requirements:
            self.space.add_unknown(r.skill_id)
        self.remove(vacancy.id)
        self._pending[vacancy.id] = vacancy
        if len(self._pending) > PENDING_LIMIT:
            self.compact()

    update = add

    def remove(self, vacancy_id: str) -> bool:
        if self._pending.pop(vacancy_id, None) is not None:
            return True
        row = self._row_of.pop(vacancy_id, None)
        if row is None:
            return False
        self._alive[row] = False
        return True

    def __len__(self) -> int:
        return len(self._pending) + len(self._row_of)

    def __contains__(self, vacancy_id: object) -> bool:
        return vacancy_id in self._pending or vacancy_id in self._row_of

    def get(self, vacancy_id: str) -> Vacancy | None:
        if vacancy_id in self._pending:
            return self._pending[vacancy_id]
        row = self._row_of.get(vacancy_id)
        return None if row is None else self._vacancy(row)

    def compact(self) -> None:
        """Rebuild the built segment from the live rows plus the pending vacancies."""
        vacancies = [self._vacancy(int(r)) for r in np.flatnonzero(self._alive)] + list(self._pending.values())
        self._pending = {}
        self._build(vacancies)

    # --------------------------------------------------------------------------- storage
    def _empty_arrays(self) -> None:
        S = self.space.n_skills
        self._R = sp.csr_matrix((0, S), dtype=np.float32)  # (V, S) weight ω per requirement
        self._RT = sp.csr_matrix((S, 0), dtype=np.float32)
        self._ess = np.zeros(0, dtype=bool)  # per nnz of _R
        self._minlev = np.zeros(0, dtype=np.int8)
        self._uweight = np.zeros(0, dtype=np.float32)
        self._occ = np.zeros(0, dtype=np.int32)
        self._grp = np.zeros(0, dtype=np.int32)
        self._xocc_T = sp.csr_matrix((S, 0), dtype=np.float32)
        self._xgrp_T = sp.csr_matrix((S, 0), dtype=np.float32)
        self._meta: list[tuple[str, str | None, str]] = []  # title, occupation id, sector
        self._lat = self._lon = np.zeros(0, dtype=np.float32)
        self._hmin = self._hmax = np.zeros(0, dtype=np.int16)
        self._until = np.zeros(0, dtype=np.int32)
        self._sector = np.zeros(0, dtype=np.int8)

    def _build(self, vacancies: list[Vacancy]) -> None:
        sp_ = self.space
        S, V = sp_.n_skills, len(vacancies)
        rows: list[int] = []
        cols: list[int] = []
        w: list[float] = []
        ess: list[bool] = []
        minlev: list[int] = []
        uw: list[float] = []
        xo_r, xo_c, xg_r, xg_c = [], [], [], []
        occ = np.full(V, -1, dtype=np.int32)
        grp = np.full(V, -1, dtype=np.int32)
        for i, v in enumerate(vacancies):
            o = sp_.occ_index.get(v.occupation_id or "")
            occ_cols: frozenset[int] = frozenset()
            grp_cols: frozenset[int] = frozenset()
            if o is not None:
                occ[i], grp[i] = o, sp_.occ_group[o]
                occ_cols, grp_cols = sp_.occupation_columns(o), sp_.family_columns(o)
            seen: set[int] = set()
            first = len(w)
            for r in v.requirements:
                j = sp_.skill_index[r.skill_id]
                if j in seen:
                    continue
                seen.add(j)
                rows.append(i)
                cols.append(j)
                w.append(float(sp_.rarity[j]) * r.weight)
                ess.append(r.essential)
                minlev.append(r.min_level or 0)
                uw.append(r.weight)
                if j not in occ_cols:
                    xo_r.append(i)
                    xo_c.append(j)
                if j not in grp_cols:
                    xg_r.append(i)
                    xg_c.append(j)
            # store each requirement's share of REQ (see matching.scoring.score)
            e_flags = ess[first:]
            mass_e = sum(x for x, e in zip(w[first:], e_flags, strict=True) if e)
            mass_o = sum(x for x, e in zip(w[first:], e_flags, strict=True) if not e)
            part_e = (ESSENTIAL_SHARE if mass_o > 0 else 1.0) if mass_e > 0 else 0.0
            part_o = 1.0 - part_e if mass_o > 0 else 0.0
            for t in range(first, len(w)):
                w[t] *= part_e / mass_e if ess[t] else part_o / mass_o
        # rows were appended in order, so the CSR is laid out directly and the per-requirement
        # side arrays stay aligned with it
        indptr = np.zeros(V + 1, dtype=np.int64)
        np.cumsum(np.bincount(np.asarray(rows, dtype=np.int64), minlength=V), out=indptr[1:])
        R = sp.csr_matrix((np.asarray(w, np.float32), np.asarray(cols, np.int32), indptr), shape=(V, S))
        self._R = R
        self._ess = np.asarray(ess, dtype=bool)
        self._minlev = np.asarray(minlev, dtype=np.int8)
        self._uweight = np.asarray(uw, dtype=np.float32)
        self._RT = sp.csr_matrix(R.T)
        self._occ, self._grp = occ, grp
        ones = np.ones
        self._xocc_T = sp.csr_matrix((ones(len(xo_r), np.float32), (xo_c, xo_r)), shape=(S, V))
        self._xgrp_T = sp.csr_matrix((ones(len(xg_r), np.float32), (xg_c, xg_r)), shape=(S, V))
        self._ids = [v.id for v in vacancies]
        self._row_of = {vid: i for i, vid in enumerate(self._ids)}
        self._alive = np.ones(V, dtype=bool)
        self._meta = [(v.title, v.occupation_id, v.sector or "") for v in vacancies]
        nan = np.float32(np.nan)
        self._lat = np.asarray([np.radians(v.location.lat) if v.location else nan for v in vacancies], np.float32)
        self._lon = np.asarray([np.radians(v.location.lon) if v.location else nan for v in vacancies], np.float32)
        self._hmin = np.asarray([v.hours_min if v.hours_min is not None else -1 for v in vacancies], np.int16)
        self._hmax = np.asarray([v.hours_max if v.hours_max is not None else -1 for v in vacancies], np.int16)
        self._until = np.asarray([v.valid_through.toordinal() if v.valid_through else 0 for v in vacancies],
                                 np.int32)
        self._sector = np.asarray([SECTOR_CODES.get(v.sector or "", -1) for v in vacancies], np.int8)

    def _vacancy(self, row: int) -> Vacancy:
        a, b = self._R.indptr[row], self._R.indptr[row + 1]
        ids = self.space.skill_ids
        reqs = tuple(
            Requirement(ids[j], bool(e), int(m) or None, float(u))
            for j, e, m, u in zip(self._R.indices[a:b], self._ess[a:b], self._minlev[a:b], self._uweight[a:b],
                                  strict=True)
        )
        title, occ, sector = self._meta[row]
        lat, lon = self._lat[row], self._lon[row]
        loc = None if np.isnan(lat) else Location(float(np.degrees(lat)), float(np.degrees(lon)))
        until = int(self._until[row])
        return Vacancy(
            id=self._ids[row], requirements=reqs, title=title, occupation_id=occ, location=loc,
            hours_min=int(self._hmin[row]) if self._hmin[row] >= 0 else None,
            hours_max=int(self._hmax[row]) if self._hmax[row] >= 0 else None,
            sector=sector or None, valid_through=date.fromordinal(until) if until else None,
        )

    # ----------------------------------------------------------------------------- query
    def _fast_scores(self, profile: Profile, year: int) -> np.ndarray:
        """Upper-bound scores of all built rows (level fit is applied in the exact re-score)."""
        sp_ = self.space
        V = len(self._ids)
        best: dict[int, float] = {}
        for ps in profile.skills:
            j = sp_.column(ps.skill_id)
            if j is None:
                continue
            f = recency(ps.last_used, year)
            best[j] = max(best.get(j, 0.0), f)
            row = sp_.links[j]
            for s, c in zip(row.indices, row.data, strict=True):
                if c * f > best.get(int(s), 0.0):
                    best[int(s)] = float(c) * f
        if not best or V == 0:
            return np.zeros(V, dtype=np.float32)
        cols = np.fromiter(best.keys(), dtype=np.int64, count=len(best))
        credit = np.fromiter(best.values(), dtype=np.float32, count=len(best))
        req = _gather(self._RT, cols, credit, V)

        own_cols = {j for ps in profile.skills if (j := sp_.column(ps.skill_id)) is not None}
        own = np.asarray(sorted(own_cols), dtype=np.int64)
        rho = sp_.rarity[own].astype(np.float32)
        total = float(rho.sum())
        x = np.zeros(sp_.n_skills, dtype=np.float32)
        x[own] = rho
        occ_use = np.append(np.asarray(sp_.occ_skills @ x, dtype=np.float32), 0.0)  # [-1] -> 0
        grp_use = np.append(np.asarray(sp_.group_skills @ x, dtype=np.float32), 0.0)
        use = (occ_use[self._occ] + _gather(self._xocc_T, own, rho, V)) / total
        fam = (grp_use[self._grp] + _gather(self._xgrp_T, own, rho, V)) / total
        return A * req + B * use**K + C * fam**K

    def _masks(self, profile: Profile, today: date) -> dict[str, np.ndarray]:
        p = profile.preferences
        V = len(self._ids)
        out: dict[str, np.ndarray] = {}
        out["expired"] = (self._until > 0) & (self._until < today.toordinal())
        if p.max_km is not None and p.home is not None:
            la, lo = np.radians(p.home.lat), np.radians(p.home.lon)
            h = np.sin((self._lat - la) / 2) ** 2 + np.cos(la) * np.cos(self._lat) * np.sin((self._lon - lo) / 2) ** 2
            km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
            out["distance"] = np.nan_to_num(km, nan=0.0) > p.max_km
        hours = np.zeros(V, dtype=bool)
        if p.hours_max is not None:
            hours |= (self._hmin >= 0) & (self._hmin > p.hours_max)
        if p.hours_min is not None:
            hours |= (self._hmax >= 0) & (self._hmax < p.hours_min)
        out["hours"] = hours
        if p.sectors:
            allowed = [SECTOR_CODES[s] for s in p.sectors if s in SECTOR_CODES]
            out["sector"] = (self._sector >= 0) & ~np.isin(self._sector, allowed)
        return out

    def rank(self, profile: Profile, k: int = 20, today: date | None = None, apply_filters: bool = True) -> RankResult:
        """The k best open vacancies for ``profile``, each with its explanation."""
        today = today or date.today()
        if len(self._pending) > PENDING_LIMIT:
            self.compact()
        excluded: Counter[str] = Counter()
        fast = self._fast_scores(profile, today.year)
        keep = self._alive.copy()
        if apply_filters and len(self._ids):
            for reason, m in self._masks(profile, today).items():
                hit = m & self._alive
                excluded[reason] += int(hit.sum())
                keep &= ~m
        fast = np.where(keep, fast, -1.0)
        n = min(max(CANDIDATES, 4 * k), int(keep.sum()))
        cand = np.argpartition(-fast, n - 1)[:n] if n > 0 else np.zeros(0, dtype=np.int64)
        cand = cand[np.argsort(-fast[cand], kind="stable")]
        # The fast score is an upper bound of the exact one (level fit only lowers it), so once
        # the next candidate's bound falls below the k-th exact score, no later one can enter.
        results: list[MatchResult] = []
        for r in cand:
            if len(results) >= k and fast[r] * 100.0 < kth_best(results, k) - 1e-6:
                break
            results.append(score(self.space, profile, self._vacancy(int(r)), today.year))
        for v in self._pending.values():
            reasons = exclusions(profile, v, today) if apply_filters else []
            if reasons:
                excluded.update(reasons)
                continue
            results.append(score(self.space, profile, v, today.year))
        results.sort(key=lambda m: (-m.score, m.vacancy_id))
        return RankResult(results[:k], +excluded)
