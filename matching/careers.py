"""Career moves: which occupations, in any sector, a profile's skills carry into, and the gap.

Moves are ordered by the match score (must-haves first), not by how much of the person's trade an
occupation uses: that would put the person's own trade first again. Occupations whose must-haves
the person already holds all are "current" work (typically the occupation they picked as their
own), shown apart; the best moves within the person's own sectors and into other sectors come
in separate lists, each with the missing must-haves and the training that closes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from matching.index import SECTOR_CODES, VacancyIndex
from matching.model import Preferences, Profile, Requirement, Vacancy
from matching.scoring import MatchResult
from matching.space import SkillSpace
from matching.training import Catalogue, TrainingPlan

CURRENT_LOOKUP = 50  # best-scoring occupations searched for the ones the person can already do


@dataclass(slots=True)
class CareerMove:
    occupation_id: str
    sector: str | None
    match: MatchResult  # the occupation scored as if it were a vacancy asking its skills
    training: TrainingPlan | None  # modules closing the missing essential skills


@dataclass(slots=True)
class CareerPlan:
    current: list[CareerMove] = field(default_factory=list)  # every must-have already held
    home_sectors: tuple[str, ...] = ()  # the sectors of the current work (or of the best fit)
    same_sector: list[CareerMove] = field(default_factory=list)  # moves within those sectors
    other_sector: list[CareerMove] = field(default_factory=list)  # moves into other sectors


class CareerAdvisor:
    """Occupations as vacancies: essential and optional skills from the taxonomy."""

    def __init__(self, space: SkillSpace, occupations: dict[str, tuple[list[str], list[str], str | None]],
                 catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue
        self.index = VacancyIndex(space)
        for occ, (essential, optional, sector) in occupations.items():
            reqs = tuple([Requirement(s) for s in essential] + [Requirement(s, essential=False) for s in optional])
            if reqs:
                self.index.add(Vacancy(id=occ, requirements=reqs, occupation_id=occ, sector=sector))
        self.index.compact()

    def _move(self, m: MatchResult, sectors: tuple[str, ...]) -> CareerMove:
        v = self.index.get(m.vacancy_id)
        sector = v.sector if v else None
        plan = (self.catalogue.plan(m.missing_essential, sectors, sector)
                if self.catalogue and m.missing_essential else None)
        return CareerMove(m.vacancy_id, sector, m, plan)

    def moves(self, profile: Profile, k: int = 10, sectors: tuple[str, ...] = (),
              exclude: tuple[str, ...] = (), keep: tuple[str, ...] | None = None) -> list[CareerMove]:
        """The k occupations with the highest score for the profile, within ``sectors`` when given
        (occupations without a sector pass that filter unless ``keep`` names the sectors to keep)."""
        scoped = Profile(profile.id, profile.skills, Preferences(sectors=sectors))
        n = k + len(exclude)
        while True:
            ranked = self.index.rank(scoped, k=n, today=date.today(), by="score").results
            out = [m for m in ranked if m.vacancy_id not in exclude and
                   (keep is None or self._sector(m) in keep)]
            if len(out) >= k or len(ranked) < n:
                return [self._move(m, sectors) for m in out[:k]]
            n *= 4

    def _sector(self, m: MatchResult) -> str | None:
        v = self.index.get(m.vacancy_id)
        return v.sector if v else None

    def plan(self, profile: Profile, k: int = 3, sectors: tuple[str, ...] = ()) -> CareerPlan:
        """Current work, then the best k moves within the person's own sectors and into others
        (within ``sectors`` when given)."""
        best = self.index.rank(Profile(profile.id, profile.skills), k=CURRENT_LOOKUP, today=date.today(),
                               by="score").results
        current = [m for m in best if m.all_essential and m.essential_total > 0]
        home = tuple(dict.fromkeys(s for m in current if (s := self._sector(m)) is not None))
        if not home and best and (s := self._sector(best[0])) is not None:
            home = (s,)
        known = tuple(s for s in SECTOR_CODES if s != "transversaal")
        wanted = tuple(sectors) or known
        own = tuple(s for s in wanted if s in home)
        others = tuple(s for s in wanted if s not in home)
        done = tuple(m.vacancy_id for m in current)
        return CareerPlan(
            current=[self._move(m, ()) for m in current],
            home_sectors=home,
            same_sector=self.moves(profile, k, own, done, keep=own) if own else [],
            other_sector=self.moves(profile, k, others, done, keep=others) if others else [],
        )
