"""The match score of one profile and one vacancy, with the explanation that adds up to it.

One score per pair, the same for the job seeker, the coach and the employer (see ``docs/matching.md``)::

    score = 100 · (H + REQ) / (E + 1)

* E — the vacancy's essential requirements (must-haves), H — how many of them the person *holds*:
  has the skill itself or a narrower one (a specialisation). Level and recency do not decide
  whether a must-have is held, only how much credit it earns.
* REQ — weighted coverage of all requirements, essential ones counting for 80 %::

      REQ = 0.8 · Σ_e ω_e c_e / Σ_e ω_e  +  0.2 · Σ_o ω_o c_o / Σ_o ω_o,   ω_r = ρ_s · weight_r

  (only the essential term, at 100 %, when there are no optional requirements, and vice versa).
  c_r is the credit of requirement r: 1 for the same skill, CREDIT_NARROWER / CREDIT_BROADER /
  CREDIT_RELATED / CREDIT_SIMILAR through the taxonomy or the model, times level fit and recency.

Why this shape: each must-have held is one whole step, and everything else together (partial
credit, nice-to-haves, level, recency) fills at most one step. REQ < 1 whenever a must-have is not
held (a related skill earns at most CREDIT_RELATED < 1), so a person who holds more must-haves
always scores higher, and one who holds all of them scores at least E / (E + 1). Every credit is a
maximum over the person's skills, so learning a skill never lowers any score.

USE and FAM (the rarity-weighted share of the person's skills this job and its occupation family
draw on) are not part of the score: knowing more would lower them. They only order the vacancies
one person sees (:func:`trade_order`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from matching.model import Location, Profile, ProfileSkill, Requirement, Vacancy
from matching.space import SkillSpace

ESSENTIAL_SHARE = 0.8  # of REQ, when a vacancy has both essential and optional requirements
UNKNOWN_LEVEL_FIT = 0.9  # the vacancy asks a level, the person did not say theirs
LEVEL_STEP = 0.7  # credit factor per level short of the minimum
HOLDS = ("exact", "narrower")  # the links by which a person holds a requirement ("✓ Dit past")
# The job seeker's order key keeps the weights of the score before issue 14 (0.4 / 0.3 / 0.3) with
# that score's REQ replaced by the must-haves-first score: a welder sees welding jobs above jobs that
# ask only "samenwerken", which REQ alone cannot tell apart.
TRADE_WEIGHT = 0.6  # of the job seeker's order key: how much of the person's trade a job uses
TRADE_POWER = 4  # USE⁴ and FAM⁴: the trade counts when most of a profile fits


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


def pair_score(held: int, n_essential: int, req: float) -> float:
    """The 0–1 score from must-haves held, their number and REQ (see the module docstring)."""
    return (held + req) / (n_essential + 1)


def trade_order(score: float, use: float, fam: float) -> float:
    """The key that orders one job seeker's vacancies: 0.4 · score + 0.3 · USE⁴ + 0.3 · FAM⁴.

    Among vacancies that use the person's trade equally, the one whose must-haves they hold comes
    first; a vacancy of their own trade may stand above one that asks only a few general skills,
    and then the page says that a must-have is missing (``ahead_of_full`` in the API). Shown
    nowhere as a number: the score is what every viewer sees."""
    trade = 0.5 * use**TRADE_POWER + 0.5 * fam**TRADE_POWER
    return (1.0 - TRADE_WEIGHT) * score + TRADE_WEIGHT * trade


@dataclass(slots=True)
class MatchedRequirement:
    skill_id: str
    essential: bool
    credit: float  # 0–1
    via: str | None  # the profile skill that met it
    how: str  # exact, narrower (held), broader, related, similar (counts partly), missing
    points: float  # share of the 0–100 score this requirement earned

    @property
    def held(self) -> bool:
        """The person has this skill or a specialisation of it: "✓ Dit past"."""
        return self.how in HOLDS


@dataclass(slots=True)
class MatchResult:
    vacancy_id: str
    profile_id: str
    score: float  # 0–100, the same for every viewer of this pair
    requirements: float  # REQ
    usage: float  # USE: share of the profile's skills the job draws on (orders a job seeker's list only)
    family: float  # FAM: the same for the occupation's family
    essential_held: int = 0
    essential_total: int = 0
    optional_held: int = 0
    optional_total: int = 0
    order: float = 0.0  # the job seeker's order key (trade_order), 0–1
    points: dict[str, float] = field(default_factory=dict)
    matched: list[MatchedRequirement] = field(default_factory=list)
    missing_essential: list[str] = field(default_factory=list)  # not held (a related skill may count partly)
    missing_optional: list[str] = field(default_factory=list)

    @property
    def all_essential(self) -> bool:
        return self.essential_held == self.essential_total


def ahead_of_full(results: list[MatchResult]) -> set[str]:
    """Vacancy ids in ``results`` (in the order shown) that miss a must-have yet stand above a vacancy
    whose must-haves are all held: the page must say so for each of them."""
    out: set[str] = set()
    full_below = False
    for r in reversed(results):
        if full_below and not r.all_essential:
            out.add(r.vacancy_id)
        full_below = full_below or r.all_essential
    return out


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
    (link credit × recency, the skill, how). Every skill the person listed is kept (also a second
    entry of the same skill), so credits are maxima over all of them. ``rho`` holds the rarity of
    each of the person's skill columns (for USE and FAM).
    """

    profile_id: str
    reach: dict[int, list[tuple[float, ProfileSkill, str]]]
    rho: dict[int, float]
    total: float


def prepare(space: SkillSpace, profile: Profile, this_year: int) -> PreparedProfile:
    """Reach over every column the person's skills earn credit for (one profile, many vacancies)."""
    own: list[tuple[int, ProfileSkill]] = []
    for ps in profile.skills:
        j = space.column(ps.skill_id)
        if j is not None:
            own.append((j, ps))
    reach: dict[int, list[tuple[float, ProfileSkill, str]]] = {}
    for j, ps in own:
        reach.setdefault(j, []).append((recency(ps.last_used, this_year), ps, "exact"))
    for j, ps in own:
        f = recency(ps.last_used, this_year)
        for s, link, how in space.links_from(j):
            reach.setdefault(s, []).append((link * f, ps, how))
    rho = {j: space.rarity_of(j) for j, _ in own}
    return PreparedProfile(profile.id, reach, rho, sum(rho.values()))


def prepare_for(space: SkillSpace, profile_id: str, skills: list[tuple[int, ProfileSkill | None]],
                req_cols: list[int], this_year: int) -> PreparedProfile:
    """Reach over ``req_cols`` only (many profiles, one vacancy): the same credits as :func:`prepare`
    gives for those columns. ``skills`` are the person's (column, skill) pairs; a skill may be None
    when it cannot count for any requirement column (it still counts in USE and FAM)."""
    by_col: dict[int, list[ProfileSkill]] = {}
    for j, ps in skills:
        if ps is not None:
            by_col.setdefault(j, []).append(ps)
    reach: dict[int, list[tuple[float, ProfileSkill, str]]] = {}
    for s in req_cols:
        entries = [(recency(ps.last_used, this_year), ps, "exact") for ps in by_col.get(s, ())]
        for p, link, how in space.links_to(s):
            for ps in by_col.get(p, ()):
                entries.append((link * recency(ps.last_used, this_year), ps, how))
        if entries:
            reach[s] = entries
    rho = {j: space.rarity_of(j) for j, _ in skills}
    return PreparedProfile(profile_id, reach, rho, sum(rho.values()))


def requirement_credit(prepared: PreparedProfile, col: int | None, req: Requirement) -> tuple[float, str | None, str]:
    """Credit for ``req``: (credit, via skill id, how). The credit is the best any skill earns (so it
    only grows as skills are added); via and how name the best holding skill (exact or narrower)
    when there is one, else the skill that earned the partial credit."""
    best: tuple[float, str | None, str] = (0.0, None, "missing")
    best_hold: tuple[float, str | None, str] | None = None
    if col is None:
        return best
    # ties go to the lower skill id, so every way of preparing a profile names the same skill
    for base, ps, how in prepared.reach.get(col, ()):
        c = base * level_fit(ps.level, req.min_level)
        if how in HOLDS:
            if best_hold is None or c > best_hold[0] or (c == best_hold[0] and ps.skill_id < str(best_hold[1])):
                best_hold = (c, ps.skill_id, how)
        elif c > best[0] or (c == best[0] and c > 0 and ps.skill_id < str(best[1])):
            best = (c, ps.skill_id, how)
    if best_hold is None:
        return best
    return max(best_hold[0], best[0]), best_hold[1], best_hold[2]


def usage_shares(space: SkillSpace, prepared: PreparedProfile, req_cols: set[int],
                 occupation_id: str | None) -> tuple[float, float]:
    """(USE, FAM): rarity-weighted share of the profile's skills in the job's and family's lists."""
    if not prepared.rho:
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
    req_fit = min(1.0, sum(sh * c for sh, c in zip(shares, credits, strict=True)))
    n_e = sum(essential)
    held = sum(1 for m in matched if m.essential and m.held)
    step = 100.0 / (n_e + 1)
    for m, sh in zip(matched, shares, strict=True):
        m.points = step * (sh * m.credit + (1.0 if m.essential and m.held else 0.0))
    points = {"must_haves": step * held, "requirements": step * req_fit}
    total = sum(points.values())
    use, fam = usage_shares(space, prep, req_cols, vacancy.occupation_id)
    return MatchResult(
        vacancy_id=vacancy.id, profile_id=prep.profile_id, score=total,
        requirements=req_fit, usage=use, family=fam,
        essential_held=held, essential_total=n_e,
        optional_held=sum(1 for m in matched if not m.essential and m.held),
        optional_total=len(matched) - n_e,
        order=trade_order(total / 100.0, use, fam), points=points,
        matched=sorted(matched, key=lambda m: (-m.points, m.skill_id)),
        missing_essential=[m.skill_id for m in matched if m.essential and not m.held],
        missing_optional=[m.skill_id for m in matched if not m.essential and not m.held],
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
