"""The built-in Dutch taxonomy written by this project (``data/taxonomy/**/*.toml``).

Skills and occupations refer to each other by slug; ids become the ESCO URI where the file
names one, else ``tom:skill/<slug>`` / ``tom:occupation/<slug>``. The file format is described
in ``data/taxonomy/README.md``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from taxonomy.errors import TaxonomyError
from taxonomy.model import SECTORS, Concept, Taxonomy

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SKILL_KEYS = {"id", "esco_uri", "type", "sectors", "nl", "nl_alt", "en", "en_alt", "description",
               "broader", "related"}
_OCC_KEYS = {"id", "esco_uri", "isco", "sectors", "nl", "nl_alt", "en", "en_alt", "description",
             "essential", "optional"}


def _labels(entry: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    pref = {lang: entry[lang] for lang in ("nl", "en") if entry.get(lang)}
    alt = {lang: list(entry[f"{lang}_alt"]) for lang in ("nl", "en") if entry.get(f"{lang}_alt")}
    return pref, alt


def _check(entry: dict[str, Any], where: str, allowed: set[str], required: tuple[str, ...]) -> str:
    slug = entry.get("id")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise TaxonomyError(f"{where}: bad or missing id {slug!r}")
    unknown = set(entry) - allowed
    if unknown:
        raise TaxonomyError(f"{where}: {slug}: unknown keys {sorted(unknown)}")
    for key in required:
        if not entry.get(key):
            raise TaxonomyError(f"{where}: {slug}: missing {key}")
    bad = set(entry.get("sectors", [])) - set(SECTORS)
    if bad:
        raise TaxonomyError(f"{where}: {slug}: unknown sectors {sorted(bad)}")
    return slug


def load_builtin(folder: Path) -> Taxonomy:
    """Read all TOML files under ``folder`` (``skills/`` and ``occupations/``) into a Taxonomy."""
    tax = Taxonomy(sources=[f"builtin:{folder.name}"])
    skill_ids: dict[str, str] = {}
    raw_skills: list[tuple[str, dict[str, Any]]] = []
    raw_occs: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(folder.glob("skills/*.toml")):
        for entry in _read(path).get("skill", []):
            raw_skills.append((f"{path.parent.name}/{path.name}", entry))
    for path in sorted(folder.glob("occupations/*.toml")):
        for entry in _read(path).get("occupation", []):
            raw_occs.append((f"{path.parent.name}/{path.name}", entry))

    for where, e in raw_skills:
        slug = _check(e, where, _SKILL_KEYS, ("nl", "en", "type", "sectors"))
        if slug in skill_ids:
            raise TaxonomyError(f"{where}: duplicate skill id {slug}")
        if e["type"] not in ("skill", "knowledge", "competence"):
            raise TaxonomyError(f"{where}: {slug}: type must be skill, knowledge or competence")
        cid = e.get("esco_uri") or f"tom:skill/{slug}"
        if cid in tax:
            raise TaxonomyError(f"{where}: {slug}: {cid} is used twice")
        skill_ids[slug] = cid
        pref, alt = _labels(e)
        desc = {"nl": e["description"]} if e.get("description") else {}
        tax.add(Concept(id=cid, kind="skill", pref=pref, alt=alt, description=desc,
                        skill_type=e["type"], sectors=list(e["sectors"]), builtin=slug))

    def resolve(slug: str, where: str) -> str:
        try:
            return skill_ids[slug]
        except KeyError:
            raise TaxonomyError(f"{where}: unknown skill id {slug!r}") from None

    for where, e in raw_skills:
        c = tax.concepts[skill_ids[e["id"]]]
        if e.get("broader"):
            c.broader = [resolve(e["broader"], where)]
        for other in e.get("related", []):
            tax.skill_relations.append((c.id, resolve(other, where), "related"))

    occ_slugs: set[str] = set()
    for where, e in raw_occs:
        slug = _check(e, where, _OCC_KEYS, ("nl", "en", "isco", "sectors", "essential"))
        if slug in occ_slugs:
            raise TaxonomyError(f"{where}: duplicate occupation id {slug}")
        occ_slugs.add(slug)
        cid = e.get("esco_uri") or f"tom:occupation/{slug}"
        if cid in tax:
            raise TaxonomyError(f"{where}: {slug}: {cid} is used twice")
        pref, alt = _labels(e)
        desc = {"nl": e["description"]} if e.get("description") else {}
        tax.add(Concept(id=cid, kind="occupation", pref=pref, alt=alt, description=desc,
                        code=str(e["isco"]), sectors=list(e["sectors"]), builtin=slug))
        rel: dict[str, str] = {}
        for s in e.get("optional", []):
            rel[resolve(s, f"{where}: {slug}")] = "optional"
        for s in e["essential"]:
            rel[resolve(s, f"{where}: {slug}")] = "essential"
        tax.occupation_skills[cid] = rel
    return tax


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: {exc}") from None
