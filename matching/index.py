"""Array-backed index of vacancies: top-k vacancies for a profile, with filters and explanations.

Vacancies live in a built segment (sparse matrices, one row per vacancy) plus a small pending
list of recent adds and updates. A query scores the built segment with sparse gathers over the
profile's skills only (an inverted index: cost grows with the postings of those skills, not with
the number of vacancies), scores the pending ones exactly, re-scores the best candidates with
:func:`matching.scoring.score` so that every result carries its explanation, and returns the
top k. ``compact()`` (run automatically when the pending list grows) folds pending rows in.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import scipy.sparse as sp

from matching.model import Location, Profile, Requirement, Vacancy
from matching.scoring import (
    EARTH_KM,
    ESSENTIAL_SHARE,
    HOLDS,
    TRADE_POWER,
    TRADE_WEIGHT,
    MatchResult,
    PreparedProfile,
    exclusions,
    prepare,
    score,
)
from matching.space import SkillSpace

SECTOR_CODES = {"techniek": 0, "horeca": 1, "zorg": 2, "transversaal": 3}
SECTOR_NAMES = {v: k for k, v in SECTOR_CODES.items()}
CELL_DEG = 0.2  # latitude cells (about 22 km) of the spatial row order
TRADE_HALF = np.float32(TRADE_WEIGHT * 0.5)  # weight of USE² and of FAM² in the order key
UNIT_EPS = 1e-6  # float32 unit vectors: dot products this close to the limit are checked exactly
TIE_EPS = 1e-6  # order-key units (0–1): a bound within rounding of the k-th result is re-scored
PENDING_LIMIT = 2000
CANDIDATES = 200  # best fast-scored vacancies that get an exact, explained score


@dataclass
class RankResult:
    results: list[MatchResult]
    excluded: Counter[str] = field(default_factory=Counter)  # reason -> number of vacancies


def _gather_sparse(T: sp.csr_matrix, cols: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The postings of ``cols`` in ``T`` as (row ids, weight), duplicates not summed."""
    starts, ends = T.indptr[cols], T.indptr[cols + 1]
    if not (ends > starts).any():
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.concatenate([T.indices[a:b] for a, b in zip(starts, ends, strict=True)]).astype(np.int64)
    val = np.concatenate([np.full(b - a, w, np.float32) for a, b, w in zip(starts, ends, weights, strict=True)])
    return idx, val


def _unit(lat_deg: float, lon_deg: float) -> tuple[float, float, float]:
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return float(np.cos(la) * np.cos(lo)), float(np.cos(la) * np.sin(lo)), float(np.sin(la))


def _unit_arrays(lat_rad: np.ndarray, lon_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat, lon = lat_rad.astype(np.float64), lon_rad.astype(np.float64)
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


class KthBest:
    """The k-th largest of the values pushed so far (−inf until there are k): a min-heap of the top k."""

    def __init__(self, k: int, values: Iterable[float] = ()) -> None:
        self.k = k
        self._heap: list[float] = []
        for v in values:
            self.push(v)

    def push(self, v: float) -> None:
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, v)
        elif v > self._heap[0]:
            heapq.heapreplace(self._heap, v)

    @property
    def value(self) -> float:
        return self._heap[0] if len(self._heap) >= self.k else -np.inf


def float16_up(x: np.ndarray) -> np.ndarray:
    """``x`` as float16, rounded up where the cast rounded down: sums of them stay upper bounds."""
    h = x.astype(np.float16)
    low = h.astype(np.float64) < x
    h[low] = np.nextafter(h[low], np.float16(np.inf))
    return h


def _gather_tiered(T: sp.csr_matrix, cols: np.ndarray, credit: np.ndarray, hold: np.ndarray, n: int,
                   bounds: np.ndarray | None = None) -> np.ndarray:
    """Σ over the postings of ``cols`` in ``T`` of share · credit + (essential and held): for every row,
    an upper bound of H + REQ (sums where scoring takes maxima, no level fit). ``T.data`` holds each
    requirement's share with the sign bit set for a must-have.

    ``bounds`` (lo₀, hi₀, lo₁, hi₁, …, ascending) restricts the sum to those row ranges (rows outside
    stay 0): postings are sorted by row, so each column's part in them is found by binary search.
    """
    if len(cols) == 0:
        return np.zeros(n, dtype=np.float64)
    starts, ends = T.indptr[cols], T.indptr[cols + 1]
    if bounds is None:
        seg_a, seg_b = starts, ends
        per_col = ends - starts
    else:
        cuts = [a + np.searchsorted(T.indices[a:b], bounds) for a, b in zip(starts, ends, strict=True)]
        both = np.concatenate(cuts) if cuts else np.zeros(0, np.int64)
        seg_a, seg_b = both[0::2], both[1::2]
        per_col = (seg_b - seg_a).reshape(len(cols), -1).sum(axis=1)
    lengths = seg_b - seg_a
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(n, dtype=np.float64)
    if bounds is None:
        idx = np.concatenate([T.indices[a:b] for a, b in zip(seg_a, seg_b, strict=True)])
        d = np.concatenate([T.data[a:b] for a, b in zip(seg_a, seg_b, strict=True)])
    else:  # the positions of all segments at once: a running index shifted at each segment's start
        shift = seg_a - np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pos = np.arange(total, dtype=np.int64) + np.repeat(shift, lengths)
        idx, d = T.indices[pos], T.data[pos]
    val = np.abs(d).astype(np.float64)
    val *= np.repeat(credit, per_col)
    val += np.signbit(d) & np.repeat(hold, per_col)
    return np.bincount(idx, weights=val, minlength=n).astype(np.float64, copy=False)


@dataclass
class VacancyArrays:
    """Vacancies as flat arrays: the bulk-load format (one row per vacancy, CSR-style requirements).

    ``indptr`` (V+1,) delimits each vacancy's requirements in ``cols`` (skill columns of the
    space), ``essential``, and the optional ``min_level`` / ``weight``. ``occupation`` holds
    occupation rows of the space (-1: none). Unknown numbers are NaN (lat, lon), -1 (hours,
    sector) or 0 (valid_through, as a date ordinal).
    """

    ids: list[str]
    indptr: np.ndarray
    cols: np.ndarray
    essential: np.ndarray
    occupation: np.ndarray
    min_level: np.ndarray | None = None
    weight: np.ndarray | None = None
    lat: np.ndarray | None = None
    lon: np.ndarray | None = None
    hours_min: np.ndarray | None = None
    hours_max: np.ndarray | None = None
    valid_through: np.ndarray | None = None
    sector: np.ndarray | None = None
    titles: list[str] | None = None
    other_occupation: dict[int, str] = field(default_factory=dict)  # row -> occupation id unknown to the space

    def sorted_spatially(self) -> VacancyArrays:
        """Rows by latitude cell (CELL_DEG), then longitude; rows without a place last."""
        V = len(self.ids)
        if self.lat is None or self.lon is None or V == 0:
            return self
        cell = np.where(np.isnan(self.lat), np.inf, np.floor(self.lat / CELL_DEG))
        order = np.lexsort((np.nan_to_num(self.lon), cell))
        if np.array_equal(order, np.arange(V)):
            return self
        sizes = np.diff(self.indptr)[order]
        indptr = np.zeros(V + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        nnz_order = np.concatenate([np.arange(self.indptr[r], self.indptr[r + 1]) for r in order]) \
            if len(self.cols) else np.zeros(0, dtype=np.int64)

        def rows(x: np.ndarray | None) -> np.ndarray | None:
            return None if x is None else x[order]

        def per_req(x: np.ndarray | None) -> np.ndarray | None:
            return None if x is None else x[nnz_order]

        position = np.empty(V, dtype=np.int64)
        position[order] = np.arange(V)
        return VacancyArrays(
            ids=[self.ids[r] for r in order], indptr=indptr, cols=self.cols[nnz_order],
            essential=self.essential[nnz_order], occupation=self.occupation[order],
            min_level=per_req(self.min_level), weight=per_req(self.weight), lat=rows(self.lat),
            lon=rows(self.lon), hours_min=rows(self.hours_min), hours_max=rows(self.hours_max),
            valid_through=rows(self.valid_through), sector=rows(self.sector),
            titles=[self.titles[r] for r in order] if self.titles is not None else None,
            other_occupation={int(position[r]): o for r, o in self.other_occupation.items()},
        )

    @classmethod
    def from_vacancies(cls, space: SkillSpace, vacancies: list[Vacancy]) -> VacancyArrays:
        indptr = [0]
        cols: list[int] = []
        ess: list[bool] = []
        lev: list[int] = []
        wt: list[float] = []
        other: dict[int, str] = {}
        occ = np.full(len(vacancies), -1, dtype=np.int32)
        for i, v in enumerate(vacancies):
            seen: set[int] = set()
            for r in v.requirements:
                j = space.skill_index[r.skill_id]
                if j not in seen:
                    seen.add(j)
                    cols.append(j)
                    ess.append(r.essential)
                    lev.append(r.min_level or 0)
                    wt.append(r.weight)
            indptr.append(len(cols))
            if v.occupation_id:
                o = space.occ_index.get(v.occupation_id)
                if o is None:
                    other[i] = v.occupation_id
                else:
                    occ[i] = o
        nan = np.float32(np.nan)
        lev_a, wt_a = np.asarray(lev, np.int8), np.asarray(wt, np.float32)
        return cls(
            ids=[v.id for v in vacancies], indptr=np.asarray(indptr, np.int64), cols=np.asarray(cols, np.int32),
            essential=np.asarray(ess, bool), occupation=occ,
            min_level=lev_a if lev_a.any() else None, weight=wt_a if (wt_a != 1.0).any() else None,
            lat=np.asarray([v.location.lat if v.location else nan for v in vacancies], np.float32),
            lon=np.asarray([v.location.lon if v.location else nan for v in vacancies], np.float32),
            hours_min=np.asarray([-1 if v.hours_min is None else v.hours_min for v in vacancies], np.int16),
            hours_max=np.asarray([-1 if v.hours_max is None else v.hours_max for v in vacancies], np.int16),
            valid_through=np.asarray([v.valid_through.toordinal() if v.valid_through else 0 for v in vacancies],
                                     np.int32),
            sector=np.asarray([SECTOR_CODES.get(v.sector or "", -1) for v in vacancies], np.int8),
            titles=[v.title for v in vacancies], other_occupation=other,
        )


def _membership(space_rows: sp.csr_matrix, row_of_req: np.ndarray, cols: np.ndarray, n_cols: int) -> np.ndarray:
    """For each requirement (row r, column c): is c in space_rows[r]? Rows < 0 are never members."""
    coo = space_rows.tocoo()
    keys = np.sort(coo.row.astype(np.int64) * n_cols + coo.col)
    q = row_of_req.astype(np.int64) * n_cols + cols
    pos = np.minimum(np.searchsorted(keys, q), max(len(keys) - 1, 0))
    return (row_of_req >= 0) & (len(keys) > 0) & (keys[pos] == q) if len(keys) else np.zeros(len(q), bool)


class VacancyIndex:
    def __init__(self, space: SkillSpace) -> None:
        self.space = space
        self._pending: dict[str, Vacancy] = {}
        self.bulk_load(VacancyArrays.from_vacancies(space, []))

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
        row = self._row(vacancy_id)
        if row is None:
            return False
        self._alive[row] = False
        self._n_alive -= 1
        return True

    def __len__(self) -> int:
        return len(self._pending) + self._n_alive

    def __contains__(self, vacancy_id: object) -> bool:
        return isinstance(vacancy_id, str) and (vacancy_id in self._pending or self._row(vacancy_id) is not None)

    def get(self, vacancy_id: str) -> Vacancy | None:
        if vacancy_id in self._pending:
            return self._pending[vacancy_id]
        row = self._row(vacancy_id)
        return None if row is None else self._vacancy(row)

    def compact(self) -> None:
        """Rebuild the built segment from the live rows plus the pending vacancies."""
        vacancies = [self._vacancy(int(r)) for r in np.flatnonzero(self._alive)] + list(self._pending.values())
        self._pending = {}
        self.bulk_load(VacancyArrays.from_vacancies(self.space, vacancies))

    # --------------------------------------------------------------------------- storage
    def _row(self, vacancy_id: str) -> int | None:
        key = vacancy_id.encode()
        i = int(np.searchsorted(self._sorted_ids, key))
        if i < len(self._sorted_ids) and self._sorted_ids[i] == key:
            row = int(self._sorted_rows[i])
            return row if self._alive[row] else None
        return None

    def bulk_load(self, a: VacancyArrays) -> None:
        """Replace the built segment with these vacancies (pending ones stay pending).

        Rows are stored by latitude cell and longitude (vacancies without a place last), so the
        distance filter finds the rows within reach by binary search instead of a pass over all.
        """
        a = a.sorted_spatially()
        sp_ = self.space
        S, V = sp_.n_skills, len(a.ids)
        nnz = len(a.cols)
        req_row = np.repeat(np.arange(V, dtype=np.int64), np.diff(a.indptr))
        w = sp_.rarity[a.cols].astype(np.float64) * (a.weight if a.weight is not None else 1.0)
        # each requirement's share of REQ (see matching.scoring.score)
        mass_e = np.bincount(req_row, weights=w * a.essential, minlength=V)
        mass_o = np.bincount(req_row, weights=w * ~a.essential, minlength=V)
        part_e = np.where(mass_e > 0, np.where(mass_o > 0, ESSENTIAL_SHARE, 1.0), 0.0)
        part_o = np.where(mass_o > 0, 1.0 - part_e, 0.0)
        share = np.where(a.essential, w * part_e[req_row] / np.maximum(mass_e[req_row], 1e-12),
                         w * part_o[req_row] / np.maximum(mass_o[req_row], 1e-12))
        occ_of_req = a.occupation[req_row] if nnz else np.zeros(0, np.int32)
        grp = np.where(a.occupation >= 0, sp_.occ_group[np.maximum(a.occupation, 0)], -1).astype(np.int32)
        grp_of_req = grp[req_row] if nnz else np.zeros(0, np.int32)
        in_occ = _membership(sp_.occ_skills, occ_of_req, a.cols, S)
        in_grp = _membership(sp_.group_skills, grp_of_req, a.cols, S)

        # row-wise structure (for explanations) keeps only column indices; the query side keeps
        # the REQ share per requirement in float16 (the exact re-score uses full precision)
        self._R = sp.csr_matrix((np.ones(nnz, dtype=np.int8), a.cols, a.indptr), shape=(V, S))
        # transpose the posting numbers once; shares and essential flags follow them
        perm = sp.csr_matrix((np.arange(1, nnz + 1, dtype=np.int64), a.cols, a.indptr), shape=(V, S)).T.tocsr()
        perm.sort_indices()
        where = perm.data - 1
        data = float16_up(share[where]) if nnz else np.zeros(0, np.float16)
        data[a.essential.astype(bool)[where]] *= -1  # the sign bit marks a must-have (also on a zero share)
        self._RT = sp.csr_matrix((data, perm.indices.astype(np.int32), perm.indptr), shape=(S, V))
        n_ess = np.bincount(req_row[a.essential.astype(bool)], minlength=V) if nnz else np.zeros(V, np.int64)
        self._n_ess = n_ess.astype(np.int32 if V and n_ess.max() > np.iinfo(np.int16).max else np.int16)
        # (1 − TRADE_WEIGHT) / (E + 1) for each E: turns H + REQ into the score part of the order key
        self._score_of = 1.0 / (np.arange(int(n_ess.max(initial=0)) + 1) + 1.0)  # the score itself: 1 / (E + 1)
        self._step_of = (1.0 - TRADE_WEIGHT) * self._score_of
        del perm, where, data
        ones = np.ones
        xo, xg = ~in_occ, ~in_grp
        self._xocc_T = sp.csr_matrix((ones(int(xo.sum()), np.float32), (a.cols[xo], req_row[xo])), shape=(S, V))
        self._xgrp_T = sp.csr_matrix((ones(int(xg.sum()), np.float32), (a.cols[xg], req_row[xg])), shape=(S, V))
        self._ess = a.essential.astype(bool)
        self._minlev = a.min_level
        self._uweight = a.weight
        self._occ = a.occupation.astype(np.int32)
        self._grp = grp
        self._other_occ = dict(a.other_occupation)
        self._titles = a.titles
        ids = np.asarray([i.encode() for i in a.ids], dtype=bytes) if V else np.zeros(0, dtype="S1")
        self._ids = ids
        self._sorted_rows = np.argsort(ids, kind="stable")
        self._sorted_ids = ids[self._sorted_rows]
        self._alive = np.ones(V, dtype=bool)
        self._n_alive = V

        def arr(x: np.ndarray | None, fill: float, dtype: type) -> np.ndarray:
            return np.full(V, fill, dtype=dtype) if x is None else np.asarray(x, dtype=dtype)

        self._lat = np.radians(arr(a.lat, np.nan, np.float32)).astype(np.float32)
        self._has_loc = ~np.isnan(self._lat)
        self._n_loc = int(np.count_nonzero(self._has_loc))  # rows with a place come first
        lat_deg = np.asarray(a.lat) if a.lat is not None else np.zeros(0)
        cells = np.floor(lat_deg[: self._n_loc] / CELL_DEG).astype(np.int64)  # exactly as sorted_spatially
        self._cells, starts = np.unique(cells, return_index=True)
        self._cell_start = np.append(starts, self._n_loc).astype(np.int64)
        self._lon = np.radians(arr(a.lon, np.nan, np.float32)).astype(np.float32)
        self._ux, self._uy, self._uz = (np.asarray(c, np.float32) for c in _unit_arrays(self._lat, self._lon))
        self._hmin = arr(a.hours_min, -1, np.int16)
        self._hmax = arr(a.hours_max, -1, np.int16)
        self._until = arr(a.valid_through, 0, np.int32)
        self._until_or_max = np.where(self._until > 0, self._until, np.iinfo(np.int32).max).astype(np.int32)
        self._sector = arr(a.sector, -1, np.int8)

    def memory_bytes(self) -> int:
        """Bytes held by the built segment's arrays."""
        total = 0
        for m in (self._R, self._RT, self._xocc_T, self._xgrp_T):
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        for x in (self._n_ess, self._ess, self._minlev, self._uweight, self._occ,
                  self._grp, self._ids, self._sorted_ids,
                  self._sorted_rows, self._alive, self._lat, self._lon, self._has_loc, self._ux, self._uy, self._uz,
                  self._hmin, self._hmax,
                  self._until, self._until_or_max, self._sector):
            total += x.nbytes if x is not None else 0
        return total

    def _vacancy(self, row: int) -> Vacancy:
        a, b = self._R.indptr[row], self._R.indptr[row + 1]
        ids = self.space.skill_ids
        reqs = tuple(
            Requirement(ids[j], bool(self._ess[t]),
                        (int(self._minlev[t]) or None) if self._minlev is not None else None,
                        float(self._uweight[t]) if self._uweight is not None else 1.0)
            for t, j in zip(range(a, b), self._R.indices[a:b], strict=True)
        )
        o = int(self._occ[row])
        occ = self.space.occ_ids[o] if o >= 0 else self._other_occ.get(row)
        lat, lon = self._lat[row], self._lon[row]
        loc = None if np.isnan(lat) else Location(float(np.degrees(lat)), float(np.degrees(lon)))
        until = int(self._until[row])
        code = int(self._sector[row])
        return Vacancy(
            id=self._ids[row].decode(), requirements=reqs, title=self._titles[row] if self._titles else "",
            occupation_id=occ, location=loc,
            hours_min=int(self._hmin[row]) if self._hmin[row] >= 0 else None,
            hours_max=int(self._hmax[row]) if self._hmax[row] >= 0 else None,
            sector=SECTOR_NAMES.get(code), valid_through=date.fromordinal(until) if until else None,
        )

    # ----------------------------------------------------------------------------- query
    def _req_scores(self, prep: PreparedProfile, regions: list[tuple[int, int]] | None = None) -> np.ndarray:
        """Upper bound of H + REQ for every built row, from the inverted index (no level fit)."""
        V = len(self._ids)
        if not prep.reach or V == 0:
            return np.zeros(V, dtype=np.float64)
        cols = np.fromiter(prep.reach.keys(), dtype=np.int64, count=len(prep.reach))
        credit = np.fromiter((max(e[0] for e in v) for v in prep.reach.values()), dtype=np.float64,
                             count=len(prep.reach))
        hold = np.fromiter((any(e[2] in HOLDS for e in v) for v in prep.reach.values()), dtype=bool,
                           count=len(prep.reach))
        known = cols < self._RT.shape[0]  # skills added to the space after this segment was built
        cols, credit, hold = cols[known], credit[known], hold[known]
        bounds = None
        if regions is not None and (len(regions) > 1 or regions[0] != (0, V)):
            bounds = np.asarray([x for lo, hi in regions for x in (lo, hi)], dtype=np.int64)
        return _gather_tiered(self._RT, cols, credit, hold, V, bounds)

    def _usage_terms(self, prep: PreparedProfile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The trade part of the order key, TRADE_WEIGHT · (USE² + FAM²) / 2, as (per-occupation base,
        correction rows, correction values).

        USE and FAM depend on a vacancy only through its occupation, except for requirements
        outside the occupation's (family's) list: so they are worked out per occupation (a few
        thousand values) and corrected for the rows with such requirements (sorted row ids).
        """
        sp_ = self.space
        if not prep.rho:
            return np.zeros(len(sp_.occ_ids) + 1, np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32)
        own = np.fromiter(prep.rho.keys(), dtype=np.int64, count=len(prep.rho))
        rho = np.fromiter(prep.rho.values(), dtype=np.float32, count=len(prep.rho)) / np.float32(prep.total)
        x = np.zeros(sp_.n_skills, dtype=np.float32)
        x[own] = rho
        occ_use = np.asarray(sp_.occ_skills @ x, dtype=np.float32)
        grp_use = np.asarray(sp_.group_skills @ x, dtype=np.float32)[sp_.occ_group]
        base = np.append(TRADE_HALF * (_pow(occ_use) + _pow(grp_use)), np.float32(0.0))  # index -1: none
        known = own < self._xocc_T.shape[0]  # skills added to the space after this segment was built
        rows_o, vals_o = _gather_sparse(self._xocc_T, own[known], rho[known])
        rows_g, vals_g = _gather_sparse(self._xgrp_T, own[known], rho[known])
        if not (len(rows_o) or len(rows_g)):
            return base, np.zeros(0, np.int64), np.zeros(0, np.float32)
        rows = np.union1d(rows_o, rows_g)
        xo = np.zeros(len(rows), np.float32)
        xg = np.zeros(len(rows), np.float32)
        np.add.at(xo, np.searchsorted(rows, rows_o), vals_o)
        np.add.at(xg, np.searchsorted(rows, rows_g), vals_g)
        o = self._occ[rows]
        u = np.where(o >= 0, occ_use[np.maximum(o, 0)], 0.0) + xo
        g = np.where(o >= 0, grp_use[np.maximum(o, 0)], 0.0) + xg
        return base, rows, TRADE_HALF * (_pow(u) + _pow(g)) - base[o]

    def _apply_usage(self, terms: tuple[np.ndarray, np.ndarray, np.ndarray], fast: np.ndarray,
                     lo: int, hi: int) -> None:
        """Scale ``fast`` (H + REQ of rows lo..hi) to the score part of the order key and add the trade part."""
        base, rows, vals = terms
        fast *= self._step_of[self._n_ess[lo:hi]]
        fast += np.take(base, self._occ[lo:hi])
        a, b = np.searchsorted(rows, [lo, hi])
        if b > a:
            fast[rows[a:b] - lo] += vals[a:b]

    def _regions(self, profile: Profile, apply_filters: bool) -> tuple[list[tuple[int, int]], int]:
        """Row ranges that can hold results, and how many placed rows the distance rules out.

        Placed rows are stored by latitude cell (CELL_DEG) and by longitude within a cell, so the
        rows within reach of home are a few slices found by binary search; unplaced rows come last.
        """
        p = profile.preferences
        V = len(self._ids)
        if not apply_filters or p.max_km is None or p.home is None or self._n_loc == 0:
            return [(0, V)], 0
        dlat = np.degrees(p.max_km / EARTH_KM)
        lo_cell, hi_cell = (int(np.floor(x / CELL_DEG)) for x in (p.home.lat - dlat, p.home.lat + dlat))
        lo_rad = np.radians(p.home.lon)
        dlon = p.max_km / (EARTH_KM * max(np.cos(np.radians(p.home.lat + np.sign(p.home.lat) * dlat)), 1e-6))
        lon_band = np.asarray([lo_rad - dlon, lo_rad + dlon], dtype=np.float32)
        out: list[tuple[int, int]] = []
        first, last = np.searchsorted(self._cells, [lo_cell, hi_cell + 1])
        for c in range(int(first), int(last)):
            start, end = int(self._cell_start[c]), int(self._cell_start[c + 1])
            a, b = np.searchsorted(self._lon[start:end], lon_band)
            if b > a:
                out.append((start + int(a), start + int(b)))
        inside = sum(hi - lo for lo, hi in out)
        if self._n_alive < V:
            inside -= sum(int(np.count_nonzero(~self._alive[lo:hi])) for lo, hi in out)
            placed = self._n_loc - int(np.count_nonzero(~self._alive[: self._n_loc]))
        else:
            placed = self._n_loc
        out.append((self._n_loc, V))
        return out, placed - inside

    def _masks(self, profile: Profile, today: date, lo: int, hi: int) -> dict[str, np.ndarray]:
        """Constraints broken by rows lo..hi, in the order distance, expired, hours, sector."""
        p = profile.preferences
        out: dict[str, np.ndarray] = {}
        if p.max_km is not None and p.home is not None and lo < min(hi, self._n_loc):
            # within reach ⇔ the unit vectors' dot product ≥ cos(max_km / R): no trigonometry per
            # row. The vectors are float32, so rows within UNIT_EPS of the threshold get the exact
            # great-circle distance instead.
            end = min(hi, self._n_loc)
            x0, y0, z0 = _unit(p.home.lat, p.home.lon)
            dot = self._ux[lo:end] * np.float32(x0)  # float32: errors stay far below UNIT_EPS
            dot += self._uy[lo:end] * np.float32(y0)
            dot += self._uz[lo:end] * np.float32(z0)
            limit = np.cos(p.max_km / EARTH_KM)
            far = np.zeros(hi - lo, dtype=bool)
            far[: end - lo] = dot < limit
            unsure = np.flatnonzero(np.abs(dot - limit) < UNIT_EPS)
            if len(unsure):
                la, lon0 = np.radians(p.home.lat), np.radians(p.home.lon)
                lat = self._lat[lo + unsure].astype(np.float64)
                lon = self._lon[lo + unsure].astype(np.float64)
                h = np.sin((lat - la) / 2) ** 2 + np.cos(la) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
                far[unsure] = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))) > p.max_km
            out["distance"] = far
        out["expired"] = self._until_or_max[lo:hi] < today.toordinal()
        if p.hours_max is not None:
            out["hours"] = self._hmin[lo:hi] > p.hours_max  # unknown is -1: never above
        if p.hours_min is not None:
            short = (self._hmax[lo:hi] < p.hours_min) & (self._hmax[lo:hi] >= 0)
            out["hours"] = out["hours"] | short if "hours" in out else short
        if p.sectors:
            allowed = [SECTOR_CODES[s] for s in p.sectors if s in SECTOR_CODES]
            sec = self._sector[lo:hi]
            out["sector"] = (sec >= 0) & ~np.isin(sec, allowed)
        return out

    def rank(self, profile: Profile, k: int = 20, today: date | None = None, apply_filters: bool = True,
             by: Literal["order", "score"] = "order") -> RankResult:
        """The k best open vacancies for ``profile`` by the job seeker's order key (or by the score
        alone: career moves), each with its explanation: exactly the k that scoring every vacancy
        would give (ties by vacancy id).

        ``excluded`` counts, per constraint, the vacancies it ruled out; a vacancy that breaks
        several is counted under the first of distance, expired, hours, sector.
        """
        today = today or date.today()
        if len(self._pending) > PENDING_LIMIT:
            self.compact()
        excluded: Counter[str] = Counter()
        prep = prepare(self.space, profile, today.year)
        regions, outside = self._regions(profile, apply_filters)
        acc = self._req_scores(prep, [(lo, hi) for lo, hi in regions if hi > lo] or [(0, 0)])
        if outside:
            excluded["distance"] += outside
        terms = self._usage_terms(prep) if by == "order" else None
        parts: list[tuple[int, np.ndarray, np.ndarray]] = []  # (lo, order-key bound, dropped) per region
        for lo, hi in regions:
            if hi <= lo:
                continue
            fast = acc[lo:hi]
            if terms is not None:
                self._apply_usage(terms, fast, lo, hi)
            else:
                fast *= self._score_of[self._n_ess[lo:hi]]
            drop = ~self._alive[lo:hi]
            dropped = int(np.count_nonzero(drop))
            if apply_filters:
                for reason, m in self._masks(profile, today, lo, hi).items():
                    drop |= m
                    now = int(np.count_nonzero(drop))
                    excluded[reason] += now - dropped  # each vacancy under the first constraint it breaks
                    dropped = now
            np.copyto(fast, -1.0, where=drop)
            parts.append((lo, fast, drop))
        pending: list[MatchResult] = []
        for v in self._pending.values():
            reasons = exclusions(profile, v, today) if apply_filters else []
            if reasons:
                excluded[reasons[0]] += 1
                continue
            pending.append(score(self.space, prep, v, today.year))
        key: Callable[[MatchResult], float] = (lambda m: m.order) if by == "order" else (lambda m: m.score / 100.0)
        want = max(CANDIDATES, 4 * k)
        while True:
            results, complete = self._best(prep, parts, want, k, today, pending, key)
            if complete:
                break
            want *= 4  # more vacancies than the candidates taken could still enter the top k
        results.sort(key=lambda m: (-key(m), m.vacancy_id))
        return RankResult(results[:k], +excluded)

    def _best(self, prep: PreparedProfile, parts: list[tuple[int, np.ndarray, np.ndarray]], want: int, k: int,
              today: date, pending: list[MatchResult], key: Callable[[MatchResult], float]
              ) -> tuple[list[MatchResult], bool]:
        """Exact results for up to ``want`` best-bounded rows per region; complete when no row left
        out could still reach the top k."""
        cand_rows: list[np.ndarray] = []
        cand_fast: list[np.ndarray] = []
        left_out = -np.inf  # best bound of a row not taken
        for lo, fast, drop in parts:
            n = len(fast)
            alive = n - int(np.count_nonzero(drop))
            n_reg = min(want, alive)
            if n_reg <= 0:
                continue
            if n_reg < n:
                best = np.argpartition(-fast, n_reg - 1)[:n_reg]
                if n_reg < alive:  # the rows left out are bounded by the lowest bound taken
                    left_out = max(left_out, float(fast[best].min()))
            else:
                best = np.flatnonzero(~drop)
            cand_rows.append(lo + best)
            cand_fast.append(fast[best])
        rows = np.concatenate(cand_rows) if cand_rows else np.zeros(0, np.int64)
        fast = np.concatenate(cand_fast) if cand_fast else np.zeros(0, np.float64)
        top = np.argsort(-fast, kind="stable")
        # The fast key is an upper bound of the exact one (sums where scoring takes maxima, no level
        # fit), so once the next candidate's bound falls below the k-th exact key, no later one can enter.
        results: list[MatchResult] = list(pending)
        kth = KthBest(k, (key(m) for m in results))
        stopped = False
        for t in top:
            if fast[t] < kth.value - TIE_EPS:
                stopped = True
                break
            m = score(self.space, prep, self._vacancy(int(rows[t])), today.year)
            results.append(m)
            kth.push(key(m))
        if stopped or left_out == -np.inf:
            return results, True
        return results, left_out < kth.value - TIE_EPS


def _pow(x: np.ndarray) -> np.ndarray:
    """x ** TRADE_POWER in float32 (by repeated squaring when it is a power of two: a float pow is slow)."""
    out = np.asarray(x, dtype=np.float32)
    if TRADE_POWER in (1, 2, 4, 8):
        for _ in range(TRADE_POWER.bit_length() - 1):
            out = out * out
        return out
    return np.power(out, TRADE_POWER).astype(np.float32)
