"""schema.org JobPosting (JSON-LD) → our vacancy input, with the skills it names or describes.

Skills come from, in order: ``skills`` given as DefinedTerms whose ``termCode`` is one of our concept
ids or slugs (exact), ``skills`` as text (each phrase normalised), and otherwise extraction from
``qualifications``, ``responsibilities`` and the description. ``tom:optionalSkills`` (our own
extension) marks nice-to-haves explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any, ClassVar

from api.models import RequirementIn, VacancyIn
from api.services.errors import BadInput
from api.services.hub import Hub

HOURS = re.compile(r"(\d{1,2})\s*(?:[-–]|tot|to)\s*(\d{1,2})|(\d{1,2})\s*(?:uur|u\b|hours|h\b)", re.I)
EXTRACT_MIN = 0.55  # extracted mentions below this confidence are not stored as requirements


class _Text(HTMLParser):
    BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "ul", "ol", "tr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    lines = [" ".join(x.split()) for x in "".join(p.parts).splitlines()]
    return "\n".join(x for x in lines if x)


@dataclass
class Organisation:
    name: str
    email: str | None


@dataclass
class Posting:
    identifier: str | None
    organisation: Organisation
    vacancy: VacancyIn
    evidence: dict[str, str]  # concept id -> text that evidences it


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else v


def _identifier(obj: dict[str, Any]) -> str | None:
    ident = _first(obj.get("identifier"))
    if isinstance(ident, dict):
        ident = ident.get("value") or ident.get("@id")
    return str(ident) if ident not in (None, "") else None


def _hours(text: Any) -> tuple[int | None, int | None]:
    if not isinstance(text, str):
        return None, None
    m = HOURS.search(text)
    if not m:
        return None, None
    if m.group(1):
        lo, hi = int(m.group(1)), int(m.group(2))
        return min(lo, hi), max(lo, hi)
    n = int(m.group(3))
    return n, n


def _date(v: Any, field: str) -> date | None:
    if v in (None, ""):
        return None
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        raise BadInput(f"{field} {v!r} is not a date (YYYY-MM-DD)") from None


def _terms(hub: Hub, value: Any, essential: bool, reqs: dict[str, RequirementIn], evidence: dict[str, str]) -> bool:
    """Add requirements from a ``skills``-like value; True when it named any skill."""
    items = value if isinstance(value, list) else [value] if value else []
    found = False
    for it in items:
        if isinstance(it, dict):
            code, name = it.get("termCode"), it.get("name")
            cid = None
            if code:
                try:
                    cid = hub.concept(str(code), "skill").id
                except BadInput:
                    cid = None
            if cid is None and isinstance(name, str):
                hits = hub.taxonomy.suggest_skills(name, 1)
                cid = hits[0].concept_id if hits and hits[0].score >= 0.5 else None
            text = str(name or code or "")
        elif isinstance(it, str):
            for phrase in re.split(r"[,;\n]", it):
                hits = hub.taxonomy.suggest_skills(phrase.strip(), 1) if phrase.strip() else []
                if hits and hits[0].score >= 0.5:
                    reqs.setdefault(hits[0].concept_id, RequirementIn(concept_id=hits[0].concept_id,
                                                                      essential=essential))
                    evidence.setdefault(hits[0].concept_id, phrase.strip())
                    found = True
            continue
        else:
            continue
        if cid:
            reqs.setdefault(cid, RequirementIn(concept_id=cid, essential=essential))
            evidence.setdefault(cid, text)
            found = True
    return found


def parse(hub: Hub, obj: Any) -> Posting:
    if not isinstance(obj, dict) or "JobPosting" not in str(obj.get("@type", "")):
        raise BadInput("not a schema.org JobPosting object")
    title = obj.get("title")
    if not isinstance(title, str) or len(title.strip()) < 2:
        raise BadInput("the posting has no title")
    org = _first(obj.get("hiringOrganization"))
    org_name = org.get("name") if isinstance(org, dict) else org
    if not isinstance(org_name, str) or not org_name.strip():
        raise BadInput("the posting has no hiringOrganization name")
    org_email = org.get("email") if isinstance(org, dict) else None
    loc = _first(obj.get("jobLocation"))
    addr = loc.get("address") if isinstance(loc, dict) else None
    addr = _first(addr) if isinstance(addr, list) else addr
    postcode = addr.get("postalCode") if isinstance(addr, dict) else None
    place = addr.get("addressLocality") if isinstance(addr, dict) else None
    desc_html = obj.get("description") or ""
    description = html_to_text(desc_html) if isinstance(desc_html, str) else ""
    reqs: dict[str, RequirementIn] = {}
    evidence: dict[str, str] = {}
    named = _terms(hub, obj.get("skills"), True, reqs, evidence)
    _terms(hub, obj.get("tom:optionalSkills") or obj.get("https://talentopmaat.nl/vocab#optionalSkills"), False,
           reqs, evidence)
    if not named:
        text = "\n".join(str(obj.get(k) or "") for k in ("qualifications", "responsibilities")) + "\n" + description
        for m in hub.taxonomy.extract_skills(text, 12):
            if m.score >= EXTRACT_MIN and m.concept_id not in reqs:
                reqs[m.concept_id] = RequirementIn(concept_id=m.concept_id, essential=True)
                evidence[m.concept_id] = (m.evidence or m.matched_label)[:500]
    hmin, hmax = _hours(obj.get("workHours"))
    industry = str(obj.get("industry") or "").casefold()
    sector = next((s for s in ("techniek", "horeca", "zorg") if s in industry), None)
    vacancy = VacancyIn(title=title.strip()[:200], description=description[:20000], sector=sector,
                        postcode=str(postcode)[:7] if postcode else None, place=str(place)[:100] if place else None,
                        hours_min=hmin, hours_max=hmax, valid_through=_date(obj.get("validThrough"), "validThrough"),
                        requirements=list(reqs.values()))
    return Posting(_identifier(obj), Organisation(org_name.strip()[:200], org_email), vacancy, evidence)
