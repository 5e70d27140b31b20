"""Matching service: the skill space over the current taxonomy and reading the bench JSONL formats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.services import skill_links
from api.services.taxonomy import TaxonomyService
from api.services.training import load_catalogue
from matching.careers import CareerAdvisor
from matching.model import Profile, ProfileSkill, Requirement, Vacancy
from matching.space import SkillSpace
from matching.training import Catalogue
from taxonomy.errors import TaxonomyError

# Calibrated confidences (with the default model, on the dev sets' first answers): a title maps to an
# occupation at ≥ 0.6 (right 82 % of the time; the old lexical scale's 0.8 was right 65 %), a typed
# skill phrase to a skill at ≥ 0.35 (right 67 %).
TITLE_CONFIDENCE = 0.6
PHRASE_CONFIDENCE = 0.35


class InputError(ValueError):
    """A line of input that cannot be used; the message names file and line."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None
    with fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}:{n}: not UTF-8 text") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or "id" not in obj:
                raise InputError(f"{path}:{n}: expected an object with an \"id\"")
            yield n, obj


def _uris(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list of skill URIs")
    out = []
    for v in value:
        uri = v.get("esco_uri") or v.get("id") if isinstance(v, dict) else v
        if not isinstance(uri, str) or not uri:
            raise InputError(f"{where}: a skill must be a URI string or {{\"esco_uri\": ...}}")
        out.append(uri)
    return out


class MatchingService:
    def __init__(self, taxonomy: TaxonomyService) -> None:
        self.taxonomy = taxonomy
        self._space: SkillSpace | None = None
        self._catalogue: Catalogue | None = None
        self._careers: CareerAdvisor | None = None

    @property
    def space(self) -> SkillSpace:
        if self._space is None:
            space = SkillSpace.from_taxonomy(self.taxonomy.taxonomy)
            # Skills close by meaning count partly for each other ("lijkt op …"): the model's links,
            # computed once per model and taxonomy and read from TOM_HOME/cache after that.
            pairs = skill_links.similarity_pairs(self.taxonomy)
            if pairs is not None:
                space.add_similar(*pairs, skill_links.RULE)
            self._space = space
        return self._space

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            path = self.taxonomy.settings.data_dir / "training" / "catalogue.toml"
            self._catalogue = Catalogue(load_catalogue(path, self.taxonomy.taxonomy), self.space)
        return self._catalogue

    @property
    def careers(self) -> CareerAdvisor:
        if self._careers is None:
            tax = self.taxonomy.taxonomy
            occs = {}
            for o, rel in tax.occupation_skills.items():
                c = tax.concepts.get(o)
                if c is None:
                    continue
                occs[o] = ([s for s, r in rel.items() if r == "essential"],
                           [s for s, r in rel.items() if r == "optional"], c.sectors[0] if c.sectors else None)
            self._careers = CareerAdvisor(self.space, occs, self.catalogue)
        return self._careers

    def label(self, concept_id: str, lang: str = "nl") -> str:
        c = self.taxonomy.taxonomy.concepts.get(concept_id)
        return c.label(lang) if c else concept_id

    def skills_from_text(self, phrases: list[str]) -> list[str]:
        """Concept ids for skill phrases a person typed (best suggestion of each, when confident)."""
        out = []
        for ph in phrases:
            hits = self.taxonomy.suggest_skills(ph, 1)
            if hits and hits[0].score >= PHRASE_CONFIDENCE:
                out.append(hits[0].concept_id)
        return out

    def occupation_for_title(self, title: str) -> str | None:
        if not title.strip():
            return None
        hits = self.taxonomy.suggest_occupations(title, 1)
        return hits[0].concept_id if hits and hits[0].score >= TITLE_CONFIDENCE else None

    def vacancy_from_json(self, obj: dict[str, Any], where: str) -> Vacancy:
        reqs = [Requirement(u, True) for u in _uris(obj.get("essential"), where)]
        reqs += [Requirement(u, False) for u in _uris(obj.get("optional"), where)]
        title = str(obj.get("title") or "")
        occ = obj.get("occupation") or self.occupation_for_title(title)
        return Vacancy(id=str(obj["id"]), requirements=tuple(reqs), title=title, occupation_id=occ)

    def profile_from_json(self, obj: dict[str, Any], where: str) -> Profile:
        skills = obj.get("skills")
        if not isinstance(skills, list):
            raise InputError(f"{where}: expected \"skills\": [...]")
        items = []
        for s in skills:
            uri = _uris([s], where)[0]
            level = s.get("level") if isinstance(s, dict) else None
            last = s.get("last_used") if isinstance(s, dict) else None
            try:
                items.append(ProfileSkill(uri, level=level, last_used=last))
            except (ValueError, TypeError) as exc:
                raise InputError(f"{where}: {exc}") from None
        return Profile(id=str(obj["id"]), skills=tuple(items))

    def load_vacancies(self, path: Path) -> list[Vacancy]:
        try:
            return [self.vacancy_from_json(o, f"{path}:{n}") for n, o in read_jsonl(path)]
        except TaxonomyError as exc:
            raise InputError(str(exc)) from None

    def load_profiles(self, path: Path) -> list[Profile]:
        return [self.profile_from_json(o, f"{path}:{n}") for n, o in read_jsonl(path)]
