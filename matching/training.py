"""Gaps and training: the fewest study hours that close the missing essential skills.

A module covers a skill it teaches, and a skill one of its skills is a specialisation of
(a course in MIG-lassen also covers "lassen"). :func:`plan` solves the weighted set cover
exactly by branch and bound when the candidate modules are few (the usual case: a handful of
missing skills) and greedily by hours per newly covered skill otherwise; redundant modules are
dropped at the end either way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from matching.index import VacancyIndex
from matching.model import Profile
from matching.space import CREDIT_NARROWER, SkillSpace

EXACT_LIMIT = 16
Cost = Callable[["Module"], tuple[int, int]]  # candidate modules up to which the cover is searched exhaustively


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    name: str
    hours: int
    skills: tuple[str, ...]  # concept ids taught
    name_en: str = ""
    sectors: tuple[str, ...] = ()
    weeks: int = 1
    level: str = ""
    format: str = ""
    certificate: str = ""
    description: str = ""
    requires: tuple[str, ...] = ()


@dataclass(slots=True)
class TrainingPlan:
    modules: list[Module]
    covered: dict[str, str]  # missing skill -> module id that teaches it
    uncovered: list[str]  # missing skills no module teaches
    hours: int


@dataclass(slots=True)
class Catalogue:
    modules: list[Module]
    space: SkillSpace
    _covers: dict[str, set[str]] = field(default_factory=dict)  # module id -> skill ids it covers
    _by_skill: dict[str, list[int]] | None = None  # skill id -> positions of the modules covering it
    _plans: dict[tuple[frozenset[str], tuple[str, ...], str | None], TrainingPlan] = field(default_factory=dict)

    def covers(self, module: Module) -> set[str]:
        got = self._covers.get(module.id)
        if got is None:
            got = set(module.skills)
            for s in module.skills:
                j = self.space.column(s)
                if j is None:
                    continue
                row = self.space.links[j]
                for t, c in zip(row.indices, row.data, strict=True):
                    if c >= CREDIT_NARROWER:
                        got.add(self.space.skill_ids[int(t)])
            self._covers[module.id] = got
        return got

    def _modules_covering(self, need: frozenset[str]) -> list[Module]:
        if self._by_skill is None:
            by_skill: dict[str, list[int]] = {}
            for i, m in enumerate(self.modules):
                for s in self.covers(m):
                    by_skill.setdefault(s, []).append(i)
            self._by_skill = by_skill
        hit = sorted({i for s in need for i in self._by_skill.get(s, ())})
        return [self.modules[i] for i in hit]

    def plan(self, missing: list[str] | set[str], prefer_sectors: tuple[str, ...] = (),
             sector: str | None = None) -> TrainingPlan:
        """Modules with the fewest total hours that teach every coverable skill in ``missing``.

        Ties on hours go to modules of ``prefer_sectors`` (the sector someone moves into). With
        ``sector`` (the job's), only that sector's and transversal modules count: a 40-hour care
        course is no way for an electrician to learn teamwork. Plans are remembered per question
        (many vacancies leave the same gap); the returned plan is shared, so do not change it.
        """
        key = (frozenset(missing), tuple(prefer_sectors), sector)
        got = self._plans.get(key)
        if got is None:
            if len(self._plans) >= 20_000:
                self._plans.clear()
            got = self._plans[key] = self._plan(key[0], prefer_sectors, sector)
        return got

    def _plan(self, need: frozenset[str], prefer_sectors: tuple[str, ...], sector: str | None) -> TrainingPlan:
        cands = [m for m in self._modules_covering(need) if self._fits(m, sector)]
        coverable = set().union(*(self.covers(m) & need for m in cands)) if cands else set()
        uncovered = sorted(need - coverable)

        def cost(m: Module) -> tuple[int, int]:
            return (m.hours, 0 if set(m.sectors) & set(prefer_sectors) else 1)

        chosen = self._exact(cands, coverable, cost) if len(cands) <= EXACT_LIMIT else None
        if chosen is None:
            chosen = self._greedy(cands, coverable, cost)
        covered: dict[str, str] = {}
        for m in sorted(chosen, key=lambda m: (-len(self.covers(m) & need), m.id)):
            for s in sorted(self.covers(m) & need):
                covered.setdefault(s, m.id)
        return TrainingPlan(chosen, covered, uncovered, sum(m.hours for m in chosen))

    @staticmethod
    def _fits(m: Module, sector: str | None) -> bool:
        return sector is None or not m.sectors or sector in m.sectors or "transversaal" in m.sectors

    def _greedy(self, cands: list[Module], target: set[str], cost: Cost) -> list[Module]:
        left, chosen = set(target), []
        while left:
            best = min((m for m in cands if self.covers(m) & left),
                       key=lambda m: (cost(m)[0] / len(self.covers(m) & left), cost(m)[1], m.id))
            chosen.append(best)
            left -= self.covers(best)
        for m in sorted(chosen, key=lambda m: -m.hours):  # drop modules the others make redundant
            rest = [x for x in chosen if x is not m]
            still = set().union(*(self.covers(x) for x in rest)) if rest else set()
            if target <= still:
                chosen = rest
        return chosen

    def _exact(self, cands: list[Module], target: set[str], cost: Cost) -> list[Module] | None:
        best: list[list[Module]] = []
        best_cost: list[tuple[float, int]] = [(float("inf"), 0)]
        order = sorted(cands, key=lambda m: (cost(m)[0] / max(1, len(self.covers(m) & target)), m.id))

        def walk(i: int, left: set[str], picked: list[Module], c: tuple[float, int]) -> None:
            if c >= best_cost[0]:
                return
            if not left:
                best_cost[0], best[:] = c, [list(picked)]
                return
            if i == len(order):
                return
            m = order[i]
            if self.covers(m) & left:
                mc = cost(m)
                walk(i + 1, left - self.covers(m), [*picked, m], (c[0] + mc[0], c[1] + mc[1]))
            walk(i + 1, left, picked, c)

        walk(0, set(target), [], (0, 0))
        return best[0] if best else ([] if not target else None)


def unlocking_skills(index: VacancyIndex, profile: Profile, top: int = 10,
                     pool: int = 200) -> list[tuple[str, int, int]]:
    """Missing skills that would open the most vacancies for ``profile``.

    Looks at the ``pool`` best-fitting open vacancies and counts, per missing essential skill,
    in how many it is missing and in how many it is the *only* missing essential skill (it
    alone stands between the person and that vacancy). Returns (skill id, only-missing count,
    missing count), most unlocking first.
    """
    missing: Counter[str] = Counter()
    only: Counter[str] = Counter()
    for m in index.rank(profile, k=pool).results:
        for s in m.missing_essential:
            missing[s] += 1
        if len(m.missing_essential) == 1:
            only[m.missing_essential[0]] += 1
    ranked = sorted(missing, key=lambda s: (-only[s], -missing[s], s))
    return [(s, only[s], missing[s]) for s in ranked[:top]]
