"""The training catalogue (data/training/catalogue.toml), with skill slugs resolved to concept ids."""

from __future__ import annotations

import tomllib
from pathlib import Path

from matching.training import Module
from taxonomy.errors import TaxonomyError
from taxonomy.model import Taxonomy

LEVELS = {"instap", "mbo-1", "mbo-2", "mbo-3", "mbo-4"}


def load_catalogue(path: Path, taxonomy: Taxonomy) -> list[Module]:
    """Read the catalogue; every skill must be a built-in skill slug or a concept id."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyError(f"{path}: {exc}") from None
    by_slug = {c.builtin: c.id for c in taxonomy.concepts.values() if c.builtin and c.kind == "skill"}

    def resolve(s: str, where: str) -> str:
        cid = by_slug.get(s) or (s if s in taxonomy.concepts else None)
        if cid is None:
            raise TaxonomyError(f"{path}: {where}: unknown skill {s!r}")
        return cid

    out, seen = [], set()
    for e in data.get("module", []):
        mid = e.get("id")
        if not isinstance(mid, str) or mid in seen:
            raise TaxonomyError(f"{path}: module {mid!r}: missing or duplicate id")
        seen.add(mid)
        if not isinstance(e.get("hours"), int) or e["hours"] <= 0 or not e.get("skills") or not e.get("name"):
            raise TaxonomyError(f"{path}: module {mid}: needs a name, hours > 0 and skills")
        if e.get("level") and e["level"] not in LEVELS:
            raise TaxonomyError(f"{path}: module {mid}: unknown level {e['level']!r}")
        out.append(Module(
            id=mid, name=e["name"], hours=e["hours"], skills=tuple(resolve(s, mid) for s in e["skills"]),
            name_en=e.get("name_en", ""), sectors=tuple(e.get("sectors", ())), weeks=int(e.get("weeks", 1)),
            level=e.get("level", ""), format=e.get("format", ""), certificate=e.get("certificate", ""),
            description=e.get("description", ""), requires=tuple(resolve(s, mid) for s in e.get("requires", ())),
        ))
    return out
