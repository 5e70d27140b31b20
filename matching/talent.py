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
from matching.scoring import EARTH_KM, ESSENTIAL_SHARE, A, B, C, K, MatchResult, exclusions, score
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
    def _fast_scores(self, vacancy: Vacancy) -> np.ndarray:
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
        mass_e = sum(x for x, e in zip(w, ess, strict=True) if e)
        mass_o = sum(x for x, e in zip(w, ess, strict=True) if not e)
        part_e = (ESSENTIAL_SHARE if mass_o > 0 else 1.0) if mass_e > 0 else 0.0
        part_o = 1.0 - part_e if mass_o > 0 else 0.0
        share = np.asarray([x * (part_e / mass_e if e else part_o / mass_o) for x, e in zip(w, ess, strict=True)],
                           dtype=np.float32)
        # REQ upper bound: own skill s earns share_s; a skill p linked to s earns share_s · link.
        # Summing where scoring takes the maximum can only overestimate, which keeps the bound.
        qcols, qw = list(cols), list(share)
        for s_col, sh in zip(cols, share, strict=True):
            a, b = sp_.links_in.indptr[s_col], sp_.links_in.indptr[s_col + 1]
            qcols.extend(sp_.links_in.indices[a:b].tolist())
            qw.extend((sp_.links_in.data[a:b] * sh).tolist())
        req = np.minimum(_gather(self._own_T, np.asarray(qcols, np.int64), np.asarray(qw, np.float32), N), 1.0)
        job = set(cols)
        fam = set(cols)
        o = sp_.occ_index.get(vacancy.occupation_id or "")
        if o is not None:
            job |= sp_.occupation_columns(o)
            fam |= sp_.family_columns(o)
        jc = np.asarray(sorted(job), np.int64)
        fc = np.asarray(sorted(fam), np.int64)
        use = _gather(self._own_T, jc, sp_.rarity[jc], N) / self._total
        fm = _gather(self._own_T, fc, sp_.rarity[fc], N) / self._total
        return A * req + B * use**K + C * fm**K

    def _masks(self, vacancy: Vacancy, today: date) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if vacancy.location is not None:
            la, lo = np.radians(vacancy.location.lat), np.radians(vacancy.location.lon)
            h = np.sin((self._lat - la) / 2) ** 2 + np.cos(la) * np.cos(self._lat) * np.sin((self._lon - lo) / 2) ** 2
            km = np.nan_to_num(2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))), nan=0.0)
            out["distance"] = km > self._max_km
        hours = np.zeros(len(self._ids), dtype=bool)
        if vacancy.hours_min is not None:
            hours |= (self._hmax >= 0) & (self._hmax < vacancy.hours_min)
        if vacancy.hours_max is not None:
            hours |= (self._hmin >= 0) & (self._hmin > vacancy.hours_max)
        out["hours"] = hours
        if vacancy.sector in SECTOR_CODES:
            bit = 1 << SECTOR_CODES[vacancy.sector]
            out["sector"] = (self._sectors != 0) & ((self._sectors & bit) == 0)
        return out

    def rank(self, vacancy: Vacancy, k: int = 20, today: date | None = None,
             apply_filters: bool = True) -> RankResult:
        """The k profiles that fit ``vacancy`` best, each with its explanation."""
        today = today or date.today()
        if len(self._pending) > PENDING_LIMIT:
            self.compact()
        excluded: Counter[str] = Counter()
        keep = self._alive.copy()
        if apply_filters and len(self._ids):
            for reason, m in self._masks(vacancy, today).items():
                excluded[reason] += int((m & self._alive).sum())
                keep &= ~m
        fast = np.where(keep, self._fast_scores(vacancy), -1.0) if len(self._ids) else np.zeros(0)
        n = min(max(CANDIDATES, 4 * k), int(keep.sum()))
        cand = np.argpartition(-fast, n - 1)[:n] if n > 0 else np.zeros(0, dtype=np.int64)
        cand = cand[np.argsort(-fast[cand], kind="stable")]
        results: list[MatchResult] = []
        for r in cand:
            if len(results) >= k and fast[r] * 100.0 < kth_best(results, k) + TIE_EPS:
                break
            results.append(score(self.space, self._profile(int(r)), vacancy, self.year))
        for p in self._pending.values():
            reasons = [x for x in exclusions(p, vacancy, today) if x != "expired"] if apply_filters else []
            if reasons:
                excluded.update(reasons)
                continue
            results.append(score(self.space, p, vacancy, self.year))
        results.sort(key=lambda m: (-m.score, m.profile_id))
        return RankResult(results[:k], +excluded)


__all__ = ["ProfileIndex"]
