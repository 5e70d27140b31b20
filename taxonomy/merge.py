"""Lay the built-in Dutch taxonomy over the ESCO layer and tag sectors."""

from __future__ import annotations

from collections import Counter

from taxonomy.model import Concept, Taxonomy

# ISCO-08 prefixes per focus sector. Longest prefix wins; used only for concepts that carry
# no sector of their own (ESCO's).
_ISCO_SECTOR: dict[str, str] = {
    # techniek: engineering professionals and technicians, building, metal, electrical trades,
    # plant and machine operators and assemblers
    "214": "techniek", "215": "techniek", "311": "techniek", "313": "techniek", "315": "techniek",
    "71": "techniek", "72": "techniek", "74": "techniek", "81": "techniek", "82": "techniek",
    "3522": "techniek", "9312": "techniek", "9313": "techniek",
    # horeca: hotel and restaurant managers, chefs, receptionists, cooks, waiters, bartenders,
    # kitchen helpers, fast food
    "1411": "horeca", "1412": "horeca", "3434": "horeca", "4224": "horeca", "5120": "horeca",
    "513": "horeca", "5151": "horeca", "5246": "horeca", "941": "horeca", "7512": "horeca",
    # zorg: health professionals and associates, social work, child care, personal care
    "22": "zorg", "32": "zorg", "2634": "zorg", "2635": "zorg", "3412": "zorg", "5311": "zorg",
    "532": "zorg", "1342": "zorg", "1343": "zorg",
}


def sector_of_isco(code: str | None) -> str | None:
    if not code:
        return None
    for n in range(len(code), 1, -1):
        s = _ISCO_SECTOR.get(code[:n])
        if s:
            return s
    return None


def _dedupe(items: list[str], exclude: set[str]) -> list[str]:
    seen = {x.casefold() for x in exclude}
    out = []
    for x in items:
        k = x.casefold()
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def _merge_concept(esco: Concept, ours: Concept) -> None:
    """Our labels stay preferred; ESCO's preferred label becomes an alternative."""
    for lang, label in ours.pref.items():
        theirs = esco.pref.get(lang)
        esco.pref[lang] = label
        extra = [theirs] if theirs else []
        esco.alt[lang] = _dedupe(ours.alt.get(lang, []) + extra + esco.alt.get(lang, []), {label})
    for lang, alts in ours.alt.items():
        if lang not in ours.pref:
            esco.alt[lang] = _dedupe(alts + esco.alt.get(lang, []), {esco.pref.get(lang, "")})
    esco.description.update(ours.description)
    esco.skill_type = ours.skill_type or esco.skill_type
    esco.code = ours.code or esco.code
    esco.sectors = list(ours.sectors)
    esco.broader = _dedupe(ours.broader + esco.broader, set())
    esco.builtin = ours.builtin
    esco.kind = ours.kind


def overlay(esco: Taxonomy, builtin: Taxonomy) -> Taxonomy:
    """Return a new taxonomy: ``esco`` with ``builtin`` laid over it, concept by concept."""
    out = Taxonomy.from_dict(esco.to_dict())
    for c in builtin.concepts.values():
        mine = Concept.from_dict(c.to_dict())
        if c.id in out.concepts:
            _merge_concept(out.concepts[c.id], mine)
        else:
            out.add(mine)
    for occ, rel in builtin.occupation_skills.items():
        merged = dict(out.occupation_skills.get(occ, {}))
        merged.update(rel)
        out.occupation_skills[occ] = merged
    out.skill_relations = sorted(set(out.skill_relations) | set(builtin.skill_relations))
    # Relations pointing at concepts no import has supplied are dropped from the merged view.
    known = out.concepts
    out.occupation_skills = {
        o: {s: r for s, r in rel.items() if s in known} for o, rel in out.occupation_skills.items() if o in known
    }
    out.skill_relations = [t for t in out.skill_relations if t[0] in known and t[1] in known]
    for c in known.values():
        c.broader = [b for b in c.broader if b in known]
    # A concept that only a relation file named, without any label, is of no use to anyone.
    for cid in [cid for cid, c in known.items() if not c.pref]:
        del known[cid]
    _tag_sectors(out)
    out.sources = sorted(set(esco.sources) | set(builtin.sources))
    return out


def _tag_sectors(tax: Taxonomy) -> None:
    """Sectors for ESCO concepts: occupations by ISCO group, skills by the occupations needing them."""
    occ_sector: dict[str, str] = {}
    for c in tax.concepts.values():
        if c.kind == "occupation":
            if not c.sectors:
                s = sector_of_isco(c.code)
                if s:
                    c.sectors = [s]
            if c.sectors:
                occ_sector[c.id] = c.sectors[0]
    needed_by: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter()
    for occ, rel in tax.occupation_skills.items():
        for skill, kind in rel.items():
            if kind != "essential":
                continue
            total[skill] += 1
            s = occ_sector.get(occ)
            if s:
                needed_by.setdefault(skill, Counter())[s] += 1
    for c in tax.concepts.values():
        if c.kind != "skill" or c.sectors:
            continue
        tags = []
        if c.reuse_level == "transversal":
            tags.append("transversaal")
        for s, n in needed_by.get(c.id, Counter()).items():
            if n >= 2 and n >= 0.3 * total[c.id]:
                tags.append(s)
        c.sectors = sorted(tags)
