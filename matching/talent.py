"""Array-backed index of profiles: the best candidates for a vacancy (the talent pool view).

The mirror of :class:`matching.index.VacancyIndex`. Profiles are stored as an inverted index
of their own skills; a vacancy's fit over all profiles is one gather over the vacancy's
requirement columns and the skills linked to them, which bounds the score from above. The best
candidates are then scored exactly with :func:`matching.scoring.score`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import scipy.sparse as sp

from matching.index import CANDIDATES, PENDING_LIMIT, SECTOR_CODES, TIE_EPS, RankResult, _gather, kth_best
from matching.model import Profile, ProfileSkill, Vacancy
from matching.scoring import EARTH_KM, A, B, C, MatchResult, exclusions, power_k, requirement_shares, score
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

        def banded(p: Profile) -> bool:
            return p.preferences.home is not None and p.preferences.max_km is not None

        # profiles with a home and a maximum distance first, by latitude (see _regions)
        profiles = sorted(profiles, key=lambda p: (0, p.preferences.home.lat) if banded(p)  # type: ignore[union-attr]
                          else (1, 0.0))
        self._n_band = sum(1 for p in profiles if banded(p))
        self._band_km = max((p.preferences.max_km or 0.0 for p in profiles[: self._n_band]), default=0.0)
        sizes = np.fromiter((len(p.skills) for p in profiles), dtype=np.int64, count=N)
        ptr = np.zeros(N + 1, dtype=np.int64)
        np.cumsum(sizes, out=ptr[1:])
        cols = np.fromiter((index[s.skill_id] for p in profiles for s in p.skills), dtype=np.int32, count=int(ptr[-1]))
        level = np.fromiter((s.level or 0 for p in profiles for s in p.skills), dtype=np.int8, count=int(ptr[-1]))
        year = np.fromiter((s.last_used or 0 for p in profiles for s in p.skills), dtype=np.int16, count=int(ptr[-1]))
        src = np.fromiter((SOURCES.index(s.source) for p in profiles for s in p.skills), dtype=np.int8,
                          count=int(ptr[-1]))
        own = sp.csr_matrix((np.ones(len(cols), np.float32), cols, ptr), shape=(N, S))
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

    # ----------------------------------------------------------------------------- query
    def _parts(self, vacancy: Vacancy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Dense (N,) REQ upper bound, USE and FAM sums from the inverted index."""
        sp_ = self.space
        N = len(self._ids)
        cols, w, ess = [], [], []
        seen = set()
        for r in vacancy.requirements:
            j = sp_.column(r.skill_id)
            if j is None or j in seen:
                continue
            seen.add(j)
            cols.append(j)
            w.append(float(sp_.rarity[j]) * r.weight)
            ess.append(r.essential)
        share = requirement_shares(w, ess)
        # REQ upper bound: own skill s earns share_s; a skill p linked to s earns share_s · link.
        # Summing where scoring takes the maximum can only overestimate, which keeps the bound.
        qcols, qw = list(cols), list(share)
        for s_col, sh in zip(cols, share, strict=True):
            a, b = sp_.links_in.indptr[s_col], sp_.links_in.indptr[s_col + 1]
            qcols.extend(sp_.links_in.indices[a:b].tolist())
            qw.extend((sp_.links_in.data[a:b] * sh).tolist())
        req = _gather(self._own_T, np.asarray(qcols, np.int64), np.asarray(qw, np.float32), N)
        job = set(cols)
        fam = set(cols)
        o = sp_.occ_index.get(vacancy.occupation_id or "")
        if o is not None:
            job |= sp_.occupation_columns(o)
            fam |= sp_.family_columns(o)
        jc = np.asarray(sorted(job), np.int64)
        fc = np.asarray(sorted(fam), np.int64)
        return req, _gather(self._own_T, jc, sp_.rarity[jc], N), _gather(self._own_T, fc, sp_.rarity[fc], N)

    def _regions(self, vacancy: Vacancy, apply_filters: bool) -> tuple[list[tuple[int, int]], int]:
        """Row ranges that can hold results, and how many the distance rules out up front.

        Profiles with a home and a maximum distance come first, sorted by latitude: only those
        within the largest maximum distance of the vacancy form a band; the rest (no home or no
        maximum) are always in reach.
        """
        N = len(self._ids)
        if not apply_filters or vacancy.location is None or self._n_band == 0:
            return [(0, N)], 0
        la = np.radians(vacancy.location.lat)
        d = self._band_km / EARTH_KM
        first, last = (int(x) for x in np.searchsorted(self._lat[: self._n_band], [la - d, la + d]))
        outside = self._n_band - (last - first) - int(np.count_nonzero(~self._alive[:first])) \
            - int(np.count_nonzero(~self._alive[last: self._n_band]))
        return [(first, last), (self._n_band, N)], outside

    def _masks(self, vacancy: Vacancy, lo: int, hi: int) -> dict[str, np.ndarray]:
        """Constraints rows lo..hi break, in the order distance, hours, sector."""
        out: dict[str, np.ndarray] = {}
        end = min(hi, self._n_band)
        if vacancy.location is not None and lo < end:
            la, lon0 = np.radians(vacancy.location.lat), np.radians(vacancy.location.lon)
            lat, lon = self._lat[lo:end], self._lon[lo:end]
            h = np.sin((lat - la) / 2) ** 2 + np.cos(la) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
            far = np.zeros(hi - lo, dtype=bool)
            far[: end - lo] = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))) > self._max_km[lo:end]
            out["distance"] = far
        if vacancy.hours_min is not None or vacancy.hours_max is not None:
            hours = np.zeros(hi - lo, dtype=bool)
            if vacancy.hours_min is not None:
                hours |= (self._hmax[lo:hi] >= 0) & (self._hmax[lo:hi] < vacancy.hours_min)
            if vacancy.hours_max is not None:
                hours |= (self._hmin[lo:hi] >= 0) & (self._hmin[lo:hi] > vacancy.hours_max)
            out["hours"] = hours
        if vacancy.sector in SECTOR_CODES:
            bit = 1 << SECTOR_CODES[vacancy.sector]
            sec = self._sectors[lo:hi]
            out["sector"] = (sec != 0) & ((sec & bit) == 0)
        return out

    def rank(self, vacancy: Vacancy, k: int = 20, today: date | None = None,
             apply_filters: bool = True) -> RankResult:
        """The k profiles that fit ``vacancy`` best, each with its explanation.

        ``excluded`` counts the profiles each constraint ruled out (under the first of distance,
        hours, sector when several apply).
        """
        today = today or date.today()
        if len(self._pending) > PENDING_LIMIT:
            self.compact()
        excluded: Counter[str] = Counter()
        regions, outside = self._regions(vacancy, apply_filters)
        if outside:
            excluded["distance"] += outside
        req, use, fam = self._parts(vacancy) if len(self._ids) else (np.zeros(0),) * 3
        rows_l, fast_l = [], []
        for lo, hi in regions:
            if hi <= lo:
                continue
            inv = 1.0 / self._total[lo:hi]
            fast = np.minimum(req[lo:hi], 1.0) * A + B * power_k(use[lo:hi] * inv) + C * power_k(fam[lo:hi] * inv)
            drop = ~self._alive[lo:hi]
            if apply_filters:
                for reason, m in self._masks(vacancy, lo, hi).items():
                    excluded[reason] += int(np.count_nonzero(m & ~drop))
                    drop |= m
            keep = np.flatnonzero(~drop)
            rows_l.append(lo + keep)
            fast_l.append(fast[keep])
        rows = np.concatenate(rows_l) if rows_l else np.zeros(0, np.int64)
        fast = np.concatenate(fast_l) if fast_l else np.zeros(0, np.float32)
        n = min(max(CANDIDATES, 4 * k), len(rows))
        top = np.argpartition(-fast, n - 1)[:n] if n > 0 else np.zeros(0, dtype=np.int64)
        top = top[np.argsort(-fast[top], kind="stable")]
        results: list[MatchResult] = []
        for t in top:
            if len(results) >= k and fast[t] * 100.0 < kth_best(results, k) + TIE_EPS:
                break
            results.append(score(self.space, self._profile(int(rows[t])), vacancy, self.year))
        for p in self._pending.values():
            reasons = [x for x in exclusions(p, vacancy, today) if x != "expired"] if apply_filters else []
            if reasons:
                excluded[reasons[0]] += 1
                continue
            results.append(score(self.space, p, vacancy, self.year))
        results.sort(key=lambda m: (-m.score, m.profile_id))
        return RankResult(results[:k], +excluded)


__all__ = ["ProfileIndex"]
