"""Career moves: which occupations, in any sector, a profile's skills carry into, and the gap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.index import VacancyIndex
from matching.model import Preferences, Profile, Requirement, Vacancy
from matching.scoring import MatchResult
from matching.space import SkillSpace
from matching.training import Catalogue, TrainingPlan


@dataclass(slots=True)
class CareerMove:
    occupation_id: str
    sector: str | None
    match: MatchResult  # the occupation scored as if it were a vacancy asking its skills
    training: TrainingPlan | None  # modules closing the missing essential skills


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

    def moves(self, profile: Profile, k: int = 10, sectors: tuple[str, ...] = (),
              exclude: tuple[str, ...] = ()) -> list[CareerMove]:
        """The k occupations the profile fits best, restricted to ``sectors`` when given."""
        scoped = Profile(profile.id, profile.skills, Preferences(sectors=sectors))
        ranked = self.index.rank(scoped, k=k + len(exclude), today=date.today()).results
        out = []
        for m in ranked:
            if m.vacancy_id in exclude:
                continue
            v = self.index.get(m.vacancy_id)
            plan = (self.catalogue.plan(m.missing_essential, sectors, v.sector if v else None)
                    if self.catalogue else None)
            out.append(CareerMove(m.vacancy_id, v.sector if v else None, m, plan))
        return out[:k]
