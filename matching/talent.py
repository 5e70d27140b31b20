"""Array-backed index of profiles: the best candidates for a vacancy (the talent pool view).

The mirror of :class:`matching.index.VacancyIndex`. Profiles are stored as an inverted index
of their own skills; a vacancy's fit over all profiles is one gather over the vacancy's
requirement columns and the skills linked to them, which bounds H + REQ (must-haves held plus
coverage, see :mod:`matching.scoring`) from above. Only profiles with something in common with
the vacancy are candidates; the filters run on those alone, and the best are scored exactly with
:func:`matching.scoring.score` until no bound can reach the k-th score.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import scipy.sparse as sp

from matching.index import (
    CANDIDATES,
    PENDING_LIMIT,
    SECTOR_CODES,
    TIE_EPS,
    UNIT_EPS,
    KthBest,
    RankResult,
    _unit,
    _unit_arrays,
)
from matching.model import Profile, ProfileSkill, Vacancy
from matching.scoring import (
    EARTH_KM,
    HOLDS,
    MatchResult,
    PreparedProfile,
    exclusions,
    prepare_for,
    requirement_shares,
    score,
)
from matching.space import SkillSpace

SOURCES = ("work", "education", "volunteering", "other")


class ProfileIndex:
    def __init__(self, space: SkillSpace, this_year: int | None = None) -> None:
        self.space = space
        self.year = this_year or date.today().year
        self._pending: dict[str, Profile] = {}
        self._row_of: dict[str, int] = {}
        self._build([])

    # --------------------------------------------------------------------------- writing
    def add(self, profile: Profile) -> None:
        """Add or replace a profile (by id)."""
        for s in profile.skills:
            self.space.add_unknown(s.skill_id)
        self.remove(profile.id)
        self._pending[profile.id] = profile
        if len(self._pending) > PENDING_LIMIT:
            self.compact()

    update = add

    def remove(self, profile_id: str) -> bool:
        if self._pending.pop(profile_id, None) is not None:
            return True
        row = self._row_of.pop(profile_id, None)
        if row is None:
            return False
        self._alive[row] = False
        return True

    def __len__(self) -> int:
        return len(self._pending) + len(self._row_of)

    def __contains__(self, profile_id: object) -> bool:
        return profile_id in self._pending or profile_id in self._row_of

    def compact(self) -> None:
        profiles = [self._profile(int(r)) for r in np.flatnonzero(self._alive)] + list(self._pending.values())
        self._pending = {}
        self._build(profiles)

    def add_many(self, profiles: list[Profile]) -> None:
        """Add many profiles at once (one rebuild): start-up and bulk imports."""
        for p in profiles:
            for s in p.skills:
                self.space.add_unknown(s.skill_id)
            self.remove(p.id)
            self._pending[p.id] = p
        self.compact()

    # --------------------------------------------------------------------------- storage
    def _build(self, profiles: list[Profile]) -> None:
        """Own-skill matrix (N, S) and its transpose; related-skill credit is applied at query time."""
        sp_ = self.space
        S, N = sp_.n_skills, len(profiles)
        index = sp_.skill_index

        sizes = np.fromiter((len(p.skills) for p in profiles), dtype=np.int64, count=N)
        ptr = np.zeros(N + 1, dtype=np.int64)
        np.cumsum(sizes, out=ptr[1:])
        cols = np.fromiter((index[s.skill_id] for p in profiles for s in p.skills), dtype=np.int32, count=int(ptr[-1]))
        level = np.fromiter((s.level or 0 for p in profiles for s in p.skills), dtype=np.int8, count=int(ptr[-1]))
        year = np.fromiter((s.last_used or 0 for p in profiles for s in p.skills), dtype=np.int16, count=int(ptr[-1]))
        src = np.fromiter((SOURCES.index(s.source) for p in profiles for s in p.skills), dtype=np.int8,
                          count=int(ptr[-1]))
        own = sp.csr_matrix((np.ones(len(cols), np.float32), cols.copy(), ptr.copy()), shape=(N, S))  # sorts in place
        own.sum_duplicates()
        own.data[:] = 1.0
        self._own_T = sp.csr_matrix(own.T)
        self._own_T.data = self._own_T.data.astype(np.int8)
        self._total = np.maximum(np.asarray(own @ sp_.rarity, dtype=np.float32).ravel(), 1e-9)
        self._own_ptr, self._own_cols, self._own_level, self._own_year, self._own_src = ptr, cols, level, year, src
        self._ids = [p.id for p in profiles]
        self._row_of = {pid: i for i, pid in enumerate(self._ids)}
        self._alive = np.ones(N, dtype=bool)
        prefs = [p.preferences for p in profiles]
        nan = np.float32(np.nan)
        self._lat = np.asarray([np.radians(q.home.lat) if q.home else nan for q in prefs], np.float32)
        self._lon = np.asarray([np.radians(q.home.lon) if q.home else nan for q in prefs], np.float32)
        self._max_km = np.asarray([q.max_km if q.max_km is not None else np.inf for q in prefs], np.float32)
        # within reach ⇔ unit vectors' dot product ≥ cos(max_km / R): no trigonometry per query
        self._ux, self._uy, self._uz = (np.asarray(c, np.float32) for c in _unit_arrays(self._lat, self._lon))
        self._cos_reach = np.where(np.isfinite(self._max_km), np.cos(np.minimum(self._max_km, np.pi * EARTH_KM)
                                                                     / EARTH_KM), -2.0).astype(np.float32)
        self._hmin = np.asarray([q.hours_min if q.hours_min is not None else -1 for q in prefs], np.int16)
        self._hmax = np.asarray([q.hours_max if q.hours_max is not None else -1 for q in prefs], np.int16)
        self._sectors = np.asarray([sum(1 << SECTOR_CODES[s] for s in q.sectors if s in SECTOR_CODES)
                                    for q in prefs], np.int8)
        self._prefs = prefs

    def _profile(self, row: int) -> Profile:
        a, b = self._own_ptr[row], self._own_ptr[row + 1]
        ids = self.space.skill_ids
        skills = tuple(
            ProfileSkill(ids[j], int(lv) or None, SOURCES[src], int(y) or None)  # type: ignore[arg-type]
            for j, lv, y, src in zip(self._own_cols[a:b], self._own_level[a:b], self._own_year[a:b],
                                     self._own_src[a:b], strict=True)
        )
        return Profile(self._ids[row], skills, self._prefs[row])

    def _prepared(self, row: int, req_cols: list[int], relevant: set[int]) -> PreparedProfile:
        """The profile of ``row`` prepared for one vacancy, straight from the arrays: only skills in
        ``relevant`` (the requirement columns and the skills linked to them) become objects."""
        a, b = int(self._own_ptr[row]), int(self._own_ptr[row + 1])
        ids = self.space.skill_ids
        skills: list[tuple[int, ProfileSkill | None]] = []
        for j, lv, y, src in zip(self._own_cols[a:b].tolist(), self._own_level[a:b].tolist(),
                                 self._own_year[a:b].tolist(), self._own_src[a:b].tolist(), strict=True):
            skills.append((j, ProfileSkill(ids[j], lv or None, SOURCES[src], y or None)  # type: ignore[arg-type]
                           if j in relevant else None))
        return prepare_for(self.space, self._ids[row], skills, req_cols, self.year)

    # ----------------------------------------------------------------------------- query
    def _bound(self, vacancy: Vacancy) -> tuple[np.ndarray, int]:
        """Dense (N,) upper bound of H + REQ for every built row, and E (the number of must-haves).

        A profile's own skill s earns share_s, plus 1 when s is a must-have; a skill p linked to s
        earns share_s · link, plus 1 for a must-have when p is narrower (it holds s). Summing where
        scoring takes maxima, and leaving out level fit and recency, can only overestimate.
        """
        sp_ = self.space
        N = len(self._ids)
        cols, w, ess = [], [], []
        seen = set()
        for r in vacancy.requirements:
            if r.skill_id in seen:
                continue
            seen.add(r.skill_id)
            j = sp_.column(r.skill_id)
            w.append((float(sp_.rarity[j]) if j is not None else 1.0) * r.weight)
            ess.append(r.essential)
            cols.append(j)
        share = requirement_shares(w, ess)
        qcols: list[int] = []
        qw: list[float] = []
        built = self._own_T.shape[0]  # skills added to the space after the build: no built profile has them
        for s_col, sh, e in zip(cols, share, ess, strict=True):
            if s_col is None or s_col >= built:
                continue
            qcols.append(s_col)
            qw.append(sh + (1.0 if e else 0.0))
            for p_col, c, how in sp_.links_to(s_col):
                if p_col < built:
                    qcols.append(p_col)
                    qw.append(c * sh + (1.0 if e and how in HOLDS else 0.0))
        n_e = sum(ess)
        if not qcols or N == 0:
            return np.zeros(N, np.float64), n_e
        T = self._own_T
        qc = np.asarray(qcols, np.int64)
        starts, ends = T.indptr[qc], T.indptr[qc + 1]
        counts = ends - starts
        if not counts.any():
            return np.zeros(N, np.float64), n_e
        idx = np.concatenate([T.indices[a:b] for a, b in zip(starts, ends, strict=True)])
        val = np.repeat(np.asarray(qw, np.float64), counts)
        return np.bincount(idx, weights=val, minlength=N).astype(np.float64, copy=False), n_e

    def _drops(self, vacancy: Vacancy, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Constraints the profiles in ``rows`` break, in the order distance, hours, sector."""
        out: dict[str, np.ndarray] = {}
        if vacancy.location is not None:
            # far ⇔ dot < cos(max_km / R) (NaN for no home: never far); float32, so rows within
            # UNIT_EPS of the limit get the exact great-circle distance
            x0, y0, z0 = _unit(vacancy.location.lat, vacancy.location.lon)
            dot = self._ux[rows] * np.float32(x0)
            dot += self._uy[rows] * np.float32(y0)
            dot += self._uz[rows] * np.float32(z0)
            limit = self._cos_reach[rows]
            far = dot < limit
            unsure = np.flatnonzero(np.abs(dot - limit) < UNIT_EPS)
            if len(unsure):
                r = rows[unsure]
                la, lon0 = np.radians(vacancy.location.lat), np.radians(vacancy.location.lon)
                lat, lon = self._lat[r].astype(np.float64), self._lon[r].astype(np.float64)
                h = np.sin((lat - la) / 2) ** 2 + np.cos(la) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
                far[unsure] = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))) > self._max_km[r]
            out["distance"] = far
        if vacancy.hours_min is not None or vacancy.hours_max is not None:
            hours = np.zeros(len(rows), dtype=bool)
            if vacancy.hours_min is not None:
                hmax = self._hmax[rows]
                hours |= (hmax >= 0) & (hmax < vacancy.hours_min)
            if vacancy.hours_max is not None:
                hmin = self._hmin[rows]
                hours |= (hmin >= 0) & (hmin > vacancy.hours_max)
            out["hours"] = hours
        if vacancy.sector in SECTOR_CODES:
            bit = 1 << SECTOR_CODES[vacancy.sector]
            sec = self._sectors[rows]
            out["sector"] = (sec != 0) & ((sec & bit) == 0)
        return out

    def rank(self, vacancy: Vacancy, k: int = 20, today: date | None = None,
             apply_filters: bool = True) -> RankResult:
        """The k profiles that fit ``vacancy`` best, each with its explanation: exactly the k that
        scoring every profile would give (ties by profile id), among profiles with a score above 0.

        ``excluded`` counts the profiles with something in common with the vacancy that a
        constraint ruled out (under the first of distance, hours, sector when several apply).
        """
        today = today or date.today()
        if len(self._pending) > PENDING_LIMIT:
            self.compact()
        excluded: Counter[str] = Counter()
        bound, n_e = self._bound(vacancy)
        rows = np.flatnonzero((bound > 0) & self._alive) if len(bound) else np.zeros(0, np.int64)
        if apply_filters and len(rows):
            drop = np.zeros(len(rows), dtype=bool)
            for reason, m in self._drops(vacancy, rows).items():
                excluded[reason] += int(np.count_nonzero(m & ~drop))
                drop |= m
            rows = rows[~drop]
        fast = bound[rows] / (n_e + 1)
        results: list[MatchResult] = []
        for p in self._pending.values():
            reasons = [x for x in exclusions(p, vacancy, today) if x != "expired"] if apply_filters else []
            r = score(self.space, p, vacancy, self.year)
            if r.score <= 0:
                continue
            if reasons:
                excluded[reasons[0]] += 1
                continue
            results.append(r)
        req_cols = sorted({j for r in vacancy.requirements if (j := self.space.column(r.skill_id)) is not None})
        relevant = set(req_cols) | {p for s_col in req_cols for p, _, _ in self.space.links_to(s_col)}
        kth = KthBest(k, (m.score / 100.0 for m in results))
        todo = np.ones(len(rows), dtype=bool)
        want = max(CANDIDATES, 4 * k)
        while todo.any():
            left = np.flatnonzero(todo)
            n = min(want, len(left))
            pick = left[np.argpartition(-fast[left], n - 1)[:n]] if n < len(left) else left
            pick = pick[np.argsort(-fast[pick], kind="stable")]
            todo[pick] = False
            stopped = False
            for t in pick:
                # fast is an upper bound of the exact score: below the k-th, nothing later can enter
                if fast[t] < kth.value - TIE_EPS:
                    stopped = True
                    break
                res = score(self.space, self._prepared(int(rows[t]), req_cols, relevant), vacancy, self.year)
                results.append(res)
                kth.push(res.score / 100.0)
            if stopped:
                break
            want *= 4
        results.sort(key=lambda m: (-m.score, m.profile_id))
        return RankResult(results[:k], +excluded)


__all__ = ["ProfileIndex"]
