"""The match score of one profile and one vacancy, with the explanation that adds up to it.

Formula (see ``docs/matching.md``), all parts in [0, 1]::

    score = 100 · (A·REQ + B·USE^K + C·FAM^K)

* REQ — weighted coverage of the vacancy's requirements, essential ones counting for 80 %::

      REQ = 0.8 · Σ_e ω_e c_e / Σ_e ω_e  +  0.2 · Σ_o ω_o c_o / Σ_o ω_o,   ω_r = ρ_s · weight_r

  (only the essential term, at 100 %, when there are no optional requirements, and vice versa)

  c_r is the credit of requirement r: 1 for the same skill, CREDIT_NARROWER / CREDIT_BROADER /
  CREDIT_RELATED through the taxonomy, times level fit and recency of the profile skill.
* USE — share of the profile's skills (rarity-weighted) that this job uses: the vacancy's
  requirements plus the skills its occupation lists.
* FAM — the same share for the occupation's family (ISCO-08 unit group).

USE and FAM say "this job draws on what you can do"; REQ says "you can do what this job asks".
A skill the vacancy requires raises all three parts when added to a profile, and lowers them
when removed. No personal attribute enters: the profile holds only skills and preferences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from matching.model import Location, Profile, ProfileSkill, Requirement, Vacancy
from matching.space import SkillSpace

A, B, C, K = 0.4, 0.3, 0.3, 4
ESSENTIAL_SHARE = 0.8  # of REQ, when a vacancy has both essential and optional requirements
UNKNOWN_LEVEL_FIT = 0.9  # the vacancy asks a level, the person did not say theirs
LEVEL_STEP = 0.7  # credit factor per level short of the minimum


def power_k(x: np.ndarray) -> np.ndarray:
    """x**K for arrays, by repeated squaring when K is a power of two (a float pow is slow)."""
    if K in (1, 2, 4, 8):
        out = x.astype(np.float32, copy=True)
        for _ in range({1: 0, 2: 1, 4: 2, 8: 3}[K]):
            out *= out
        return out
    return np.power(x, K).astype(np.float32)


def level_fit(have: int | None, need: int | None) -> float:
    """1 when no minimum or the level is met; LEVEL_STEP per level short; 0.9 if unknown."""
    if need is None:
        return 1.0
    if have is None:
        return UNKNOWN_LEVEL_FIT
    return 1.0 if have >= need else LEVEL_STEP ** (need - have)


def recency(last_used: int | None, this_year: int) -> float:
    """1 for skills used in the last 3 years (or of unknown date), then −5 % a year, at least 0.6."""
    if last_used is None:
        return 1.0
    age = this_year - last_used
    return 1.0 if age <= 3 else max(0.6, 1.0 - 0.05 * (age - 3))


@dataclass(slots=True)
class MatchedRequirement:
    skill_id: str
    essential: bool
    credit: float  # 0–1
    via: str | None  # the profile skill that met it
    how: str  # exact, narrower, broader, related, missing
    points: float  # share of the 0–100 score this requirement earned


@dataclass(slots=True)
class MatchResult:
    vacancy_id: str
    profile_id: str
    score: float
    requirements: float  # REQ
    usage: float  # USE
    family: float  # FAM
    points: dict[str, float] = field(default_factory=dict)
    matched: list[MatchedRequirement] = field(default_factory=list)
    missing_essential: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)


def requirement_shares(weights: list[float], essential: list[bool]) -> list[float]:
    """The part of REQ each requirement carries: ω_r / Σω of its kind, times ESSENTIAL_SHARE for
    essential and 1 − ESSENTIAL_SHARE for optional ones (the whole 1 when the other kind is absent)."""
    mass_e = sum(w for w, e in zip(weights, essential, strict=True) if e)
    mass_o = sum(w for w, e in zip(weights, essential, strict=True) if not e)
    part_e = (ESSENTIAL_SHARE if mass_o > 0 else 1.0) if mass_e > 0 else 0.0
    part_o = 1.0 - part_e if mass_o > 0 else 0.0
    return [w * (part_e / mass_e if e else part_o / mass_o) for w, e in zip(weights, essential, strict=True)]


@dataclass(slots=True)
class PreparedProfile:
    """A profile with what every score of it needs, worked out once.

    ``reach[s]`` lists, for requirement column s, the profile skills that earn credit for it:
    (link credit × recency, the skill, how), the exact skill first.
    """

    profile: Profile
    cols: dict[int, ProfileSkill]
    reach: dict[int, list[tuple[float, ProfileSkill, str]]]
    rho: dict[int, float]
    total: float


def prepare(space: SkillSpace, profile: Profile, this_year: int) -> PreparedProfile:
    cols: dict[int, ProfileSkill] = {}
    for ps in profile.skills:
        j = space.column(ps.skill_id)
        if j is not None and (j not in cols or (ps.level or 0) > (cols[j].level or 0)):
            cols[j] = ps
    reach: dict[int, list[tuple[float, ProfileSkill, str]]] = {}
    for j, ps in cols.items():
        reach.setdefault(j, []).insert(0, (recency(ps.last_used, this_year), ps, "exact"))
    for j, ps in cols.items():
        f = recency(ps.last_used, this_year)
        for s, link, how in space.links_from(j):
            reach.setdefault(s, []).append((link * f, ps, how))
    rho = {j: space.rarity_of(j) for j in cols}
    return PreparedProfile(profile, cols, reach, rho, sum(rho.values()))


def requirement_credit(prepared: PreparedProfile, col: int | None, req: Requirement) -> tuple[float, str | None, str]:
    """Best credit any profile skill earns for ``req``: (credit, via skill id, how)."""
    best: tuple[float, str | None, str] = (0.0, None, "missing")
    if col is None:
        return best
    for base, ps, how in prepared.reach.get(col, ()):
        c = base * level_fit(ps.level, req.min_level)
        if c > best[0]:
            best = (c, ps.skill_id, how)
    return best


def usage_shares(space: SkillSpace, prepared: PreparedProfile, req_cols: set[int],
                 occupation_id: str | None) -> tuple[float, float]:
    """(USE, FAM): rarity-weighted share of the profile's skills in the job's and family's lists."""
    if not prepared.cols:
        return 0.0, 0.0
    o = space.occ_index.get(occupation_id or "")
    occ = space.occupation_columns(o) if o is not None else frozenset()
    fam = space.family_columns(o) if o is not None else frozenset()
    used = fam_used = 0.0
    for j, w in prepared.rho.items():
        if j in req_cols or j in occ:
            used += w
            fam_used += w
        elif j in fam:
            fam_used += w
    return used / prepared.total, fam_used / prepared.total


def score(space: SkillSpace, profile: Profile | PreparedProfile, vacancy: Vacancy,
          this_year: int | None = None) -> MatchResult:
    """Score 0–100 of ``profile`` for ``vacancy`` with a breakdown whose points add up to it."""
    year = this_year or date.today().year
    prep = profile if isinstance(profile, PreparedProfile) else prepare(space, profile, year)
    weights, credits, essential, req_cols = [], [], [], set()
    matched: list[MatchedRequirement] = []
    seen: set[str] = set()
    for req in vacancy.requirements:
        if req.skill_id in seen:  # a skill listed twice counts once (as the indexes do)
            continue
        seen.add(req.skill_id)
        s = space.column(req.skill_id)
        if s is not None:
            req_cols.add(s)
        c, via, how = requirement_credit(prep, s, req)
        weights.append((float(space.rarity[s]) if s is not None else 1.0) * req.weight)
        essential.append(req.essential)
        credits.append(c)
        matched.append(MatchedRequirement(req.skill_id, req.essential, c, via, how, 0.0))
    shares = requirement_shares(weights, essential)
    req_fit = sum(sh * c for sh, c in zip(shares, credits, strict=True))
    use, fam = usage_shares(space, prep, req_cols, vacancy.occupation_id)
    for m, sh in zip(matched, shares, strict=True):
        m.points = 100.0 * A * sh * m.credit
    points = {"requirements": 100.0 * A * req_fit, "usage": 100.0 * B * use**K, "family": 100.0 * C * fam**K}
    return MatchResult(
        vacancy_id=vacancy.id, profile_id=prep.profile.id, score=sum(points.values()),
        requirements=req_fit, usage=use, family=fam, points=points,
        matched=sorted(matched, key=lambda m: (-m.points, m.skill_id)),
        missing_essential=[m.skill_id for m in matched if m.essential and m.credit == 0.0],
        missing_optional=[m.skill_id for m in matched if not m.essential and m.credit == 0.0],
    )


# ------------------------------------------------------------------------------------ filters
EARTH_KM = 6371.0


def distance_km(a: Location, b: Location) -> float:
    """Great-circle distance (haversine)."""
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def exclusions(profile: Profile, vacancy: Vacancy, today: date) -> list[str]:
    """Hard constraints this vacancy breaks for this profile, in the order distance, expired, hours, sector."""
    p = profile.preferences
    out = []
    if p.max_km is not None and p.home is not None and vacancy.location is not None \
            and distance_km(p.home, vacancy.location) > p.max_km:
        out.append("distance")
    if vacancy.valid_through is not None and vacancy.valid_through < today:
        out.append("expired")
    if (p.hours_max is not None and vacancy.hours_min is not None and vacancy.hours_min > p.hours_max) or \
            (p.hours_min is not None and vacancy.hours_max is not None and vacancy.hours_max < p.hours_min):
        out.append("hours")
    if p.sectors and vacancy.sector is not None and vacancy.sector not in p.sectors:
        out.append("sector")
    return out
