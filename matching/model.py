"""Profiles and vacancies as the scoring core sees them: concept ids and numbers, nothing personal.

A profile carries no name, age, gender or origin: the matcher cannot use what it is not given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

SkillSource = Literal["work", "education", "volunteering", "other"]


@dataclass(frozen=True, slots=True)
class ProfileSkill:
    """A skill a person has. ``level``: self-assessed 1 (beginner) – 4 (expert), or None."""

    skill_id: str
    level: int | None = None
    source: SkillSource = "other"
    last_used: int | None = None  # year

    def __post_init__(self) -> None:
        if self.level is not None and not 1 <= self.level <= 4:
            raise ValueError(f"level must be 1-4, not {self.level}")


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Preferences:
    sectors: tuple[str, ...] = ()  # empty: all sectors
    home: Location | None = None
    max_km: float | None = None
    hours_min: int | None = None  # hours per week the person wants at least
    hours_max: int | None = None  # ... and at most
    available_from: date | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    skills: tuple[ProfileSkill, ...]
    preferences: Preferences = field(default_factory=Preferences)

    def skill_ids(self) -> list[str]:
        return [s.skill_id for s in self.skills]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A skill a vacancy asks for. ``weight`` scales its importance (default 1)."""

    skill_id: str
    essential: bool = True
    min_level: int | None = None
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Vacancy:
    id: str
    requirements: tuple[Requirement, ...]
    title: str = ""
    occupation_id: str | None = None
    location: Location | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    sector: str | None = None
    valid_through: date | None = None

    @property
    def essential(self) -> list[Requirement]:
        return [r for r in self.requirements if r.essential]

    @property
    def optional(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.essential]
