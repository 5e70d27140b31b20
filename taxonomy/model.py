"""The taxonomy model: concepts with labels per language, and the relations between them.

Ids are stable strings: the ESCO URI where one exists (``http://data.europa.eu/esco/skill/…``),
otherwise ``tom:skill/<slug>`` or ``tom:occupation/<slug>`` for concepts written by this project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

ConceptKind = Literal["skill", "occupation", "skill_group", "isco_group"]
SkillType = Literal["skill", "knowledge", "competence"]
RelationType = Literal["essential", "optional"]
SECTORS: tuple[str, ...] = ("techniek", "horeca", "zorg", "transversaal")
ESCO_PREFIX = "http://data.europa.eu/esco/"


@dataclass(slots=True)
class Concept:
    """One skill, occupation, skill group or ISCO group.

    ``pref``/``alt``/``hidden`` map a language code ("nl", "en", …) to labels. Hidden labels are
    search-only (misspellings, old names) and are never shown.
    """

    id: str
    kind: ConceptKind
    pref: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=dict)
    hidden: dict[str, list[str]] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    skill_type: SkillType | None = None
    reuse_level: str | None = None  # ESCO: transversal, cross-sector, sector-specific, occupation-specific
    code: str | None = None  # ISCO-08 code (occupations: their unit group; ISCO groups: their own code)
    sectors: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    builtin: str | None = None  # slug in data/taxonomy when the project wrote this concept

    def label(self, lang: str = "nl") -> str:
        """Preferred label in ``lang``, falling back to Dutch, English, then any language."""
        for code in (lang, "nl", "en"):
            if code in self.pref:
                return self.pref[code]
        return next(iter(self.pref.values()), self.id)

    def all_labels(self) -> Iterator[tuple[str, str, str]]:
        """Yield (lang, kind, text) with kind in preferred/alt/hidden."""
        for lang, text in self.pref.items():
            yield lang, "preferred", text
        for lang, texts in self.alt.items():
            for text in texts:
                yield lang, "alt", text
        for lang, texts in self.hidden.items():
            for text in texts:
                yield lang, "hidden", text

    @property
    def is_esco(self) -> bool:
        return self.id.startswith(ESCO_PREFIX)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "kind": self.kind}
        for name in (
            "pref", "alt", "hidden", "description", "skill_type", "reuse_level",
            "code", "sectors", "broader", "builtin",
        ):
            value = getattr(self, name)
            if value:
                d[name] = value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Concept:
        # Copy the containers: ``to_dict`` hands out the live ones, and ``from_dict(x.to_dict())``
        # is how callers take a copy they then change.
        d = dict(d)
        for name in ("pref", "description"):
            if name in d:
                d[name] = dict(d[name])
        for name in ("alt", "hidden"):
            if name in d:
                d[name] = {lang: list(v) for lang, v in d[name].items()}
        for name in ("sectors", "broader"):
            if name in d:
                d[name] = list(d[name])
        return cls(**d)


@dataclass(slots=True)
class Taxonomy:
    """Concepts by id plus two relation tables.

    * ``occupation_skills[occ_id][skill_id]`` is ``"essential"`` or ``"optional"``.
    * ``skill_relations`` holds (skill_id, related_skill_id, type) triples from ESCO's
      skill–skill relations and the built-in ``related`` lists (type ``"related"``).
    """

    concepts: dict[str, Concept] = field(default_factory=dict)
    occupation_skills: dict[str, dict[str, str]] = field(default_factory=dict)
    skill_relations: list[tuple[str, str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, concept: Concept) -> Concept:
        self.concepts[concept.id] = concept
        return concept

    def get(self, concept_id: str) -> Concept | None:
        return self.concepts.get(concept_id)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def __len__(self) -> int:
        return len(self.concepts)

    def of_kind(self, kind: ConceptKind) -> list[Concept]:
        return [c for c in self.concepts.values() if c.kind == kind]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.concepts.values():
            if c.pref:  # a concept only a relation file named is not counted until it has a label
                out[c.kind] = out.get(c.kind, 0) + 1
        out["occupation_skill_relations"] = sum(len(v) for v in self.occupation_skills.values())
        out["skill_skill_relations"] = len(self.skill_relations)
        return out

    def skills_of(self, occupation_id: str, relation: str | None = None) -> list[str]:
        rel = self.occupation_skills.get(occupation_id, {})
        return [s for s, r in rel.items() if relation is None or r == relation]

    def to_dict(self) -> dict[str, Any]:
        return {
            "concepts": [c.to_dict() for c in self.concepts.values()],
            "occupation_skills": self.occupation_skills,
            "skill_relations": [list(t) for t in self.skill_relations],
            "sources": self.sources,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Taxonomy:
        t = cls()
        for cd in d.get("concepts", []):
            t.add(Concept.from_dict(cd))
        t.occupation_skills = {k: dict(v) for k, v in d.get("occupation_skills", {}).items()}
        t.skill_relations = [(a, b, r) for a, b, r in d.get("skill_relations", [])]
        t.sources = list(d.get("sources", []))
        return t
