"""schema.org JobPosting (JSON-LD) → our vacancy input, with the skills it names or describes.

Skills come from, in order: ``skills`` given as DefinedTerms whose ``termCode`` is one of our concept
ids or slugs (exact), ``skills`` as text (each phrase normalised), and otherwise extraction from
``qualifications``, ``responsibilities`` and the description. ``tom:optionalSkills`` (our own
extension) marks nice-to-haves explicitly.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html import escape
from html.parser import HTMLParser
from typing import Any, ClassVar

from api.models import RequirementIn, VacancyIn
from api.services.errors import BadInput
from api.services.hub import Hub
from api.services.matching import PHRASE_CONFIDENCE

# Section headings and phrases that say what a line of an ad is about.
OPTIONAL = re.compile(r"\b(pr[eé]|mooi meegenomen|(is|zijn) een (plus|pluspunt|voordeel)|pluspunten?|nice to have|"
                      r"bonus|strekt tot aanbeveling|bij voorkeur|is an advantage|preferred)\b", re.I)
IGNORE = re.compile(r"\b(wat bieden (we|wij)|wij bieden|we bieden|ons aanbod|arbeidsvoorwaarden|wat krijg je|"
                    r"over ons|wie zijn (we|wij)|solliciteren|interesse|contact|what we offer|about us|"
                    r"how to apply|benefits)\b", re.I)
HOURS = re.compile(r"(\d{1,2})\s*(?:[-–]|tot|to)\s*(\d{1,2})|(\d{1,2})\s*(?:uur|u\b|hours|h\b)", re.I)
EXTRACT_MIN = 0.55  # extracted mentions below this confidence are not stored as requirements
EXTRACT_TOP = 12  # mentions read per text (essential, optional)


class _Text(HTMLParser):
    BLOCK: ClassVar[set[str]] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "tr"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("## ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


@functools.lru_cache(maxsize=256)  # a feed import reads a description twice: to prime the model, then to parse
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
    # Salary and how to apply, as Vacancy column values (salary_min … direct_apply); absent keys stay None.
    terms: dict[str, Any] = field(default_factory=dict)


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
                cid = hits[0].concept_id if hits and hits[0].score >= PHRASE_CONFIDENCE else None
            text = str(name or code or "")
        elif isinstance(it, str):
            for phrase in re.split(r"[,;\n]", it):
                hits = hub.taxonomy.suggest_skills(phrase.strip(), 1) if phrase.strip() else []
                if hits and hits[0].score >= PHRASE_CONFIDENCE:
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


def ad_lines(description: str) -> Iterator[tuple[str, str]]:
    """(kind, line) for each line of an ad's text: kind is essential, optional or ignore (what
    the employer offers, who they are, how to apply)."""
    section = "essential"
    for line in description.splitlines():
        if line.startswith("## "):
            head = line[3:]
            section = "ignore" if IGNORE.search(head) else "optional" if OPTIONAL.search(head) else "essential"
            continue
        if section == "ignore":
            continue
        yield ("optional" if section == "optional" or OPTIONAL.search(line) else "essential"), line


def extraction_texts(obj: dict[str, Any], description: str) -> list[tuple[str, str]]:
    """(kind, text) that :func:`_extract` reads skills from: qualifications and responsibilities count
    as essential; lines of the description by their section."""
    parts: dict[str, list[str]] = {"essential": [], "optional": []}
    for key in ("qualifications", "responsibilities", "experienceRequirements"):
        v = obj.get(key)
        if isinstance(v, str) and v.strip():
            parts["essential"].append(html_to_text(v) if "<" in v else v)
    for kind, line in ad_lines(description):
        parts[kind].append(line)
    return [(kind, "\n".join(parts[kind])) for kind in ("essential", "optional") if parts[kind]]


def _extract(hub: Hub, obj: dict[str, Any], description: str, reqs: dict[str, RequirementIn],
             evidence: dict[str, str]) -> None:
    """Skills from the free text (:func:`extraction_texts`), essential first."""
    for kind, text in extraction_texts(obj, description):
        for m in hub.taxonomy.extract_skills(text, EXTRACT_TOP):
            if m.score >= EXTRACT_MIN and m.concept_id not in reqs:
                reqs[m.concept_id] = RequirementIn(concept_id=m.concept_id, essential=kind == "essential")
                evidence[m.concept_id] = (m.evidence or m.matched_label)[:500]


def _sector(hub: Hub, obj: dict[str, Any], occupation: str | None, skills: list[str]) -> str | None:
    """From ``industry`` when it names one, else the occupation's, else the skills' most common sector."""
    industry = str(obj.get("industry") or "").casefold()
    for s, words in (("techniek", ("techniek", "technisch", "installatie", "bouw", "metaal", "elektro")),
                     ("horeca", ("horeca", "hospitality", "hotel", "restaurant", "catering")),
                     ("zorg", ("zorg", "welzijn", "care", "health", "kinderopvang"))):
        if any(w in industry for w in words):
            return s
    concepts = hub.taxonomy.taxonomy.concepts
    if occupation and occupation in concepts:
        found = [s for s in concepts[occupation].sectors if s in ("techniek", "horeca", "zorg")]
        if found:
            return found[0]
    votes: dict[str, int] = {}
    for cid in skills:
        c = concepts.get(cid)
        for s in (c.sectors if c else []):
            if s in ("techniek", "horeca", "zorg"):
                votes[s] = votes.get(s, 0) + 1
    return max(sorted(votes), key=lambda s: votes[s]) if votes else None


SALARY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def _amount(v: Any) -> float | None:
    """A salary figure: a positive finite number, or None (also for '2.600,-' style text we cannot read)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            return None
    if isinstance(v, int | float) and math.isfinite(v) and 0 < v < 10_000_000:
        return float(v)
    return None


def salary(obj: dict[str, Any]) -> dict[str, Any]:
    """``baseSalary``: a MonetaryAmount whose ``value`` is a QuantitativeValue (minValue, maxValue or value,
    unitText) or a plain number; ``currency`` an ISO 4217 code."""
    base = _first(obj.get("baseSalary"))
    if base is None:
        return {}
    money = base if isinstance(base, dict) else {"value": base}
    value = money.get("value")
    qv = value if isinstance(value, dict) else {"value": value}
    lo, hi = _amount(qv.get("minValue")), _amount(qv.get("maxValue"))
    one = _amount(qv.get("value"))
    if lo is None and hi is None:
        lo = hi = one
    lo, hi = lo if lo is not None else hi, hi if hi is not None else lo
    if lo is None or hi is None:
        return {}
    unit = str(qv.get("unitText") or money.get("unitText") or "").strip().upper()
    currency = str(money.get("currency") or qv.get("currency") or "").strip().upper()
    return {"salary_min": min(lo, hi), "salary_max": max(lo, hi),
            "salary_period": unit if unit in SALARY_PERIODS else None,
            "salary_currency": currency if re.fullmatch(r"[A-Z]{3}", currency) else None}


def _web_url(v: Any) -> str | None:
    """Only http(s) addresses become links on our pages (never javascript: or data:)."""
    text = str(v).strip() if isinstance(v, str) else ""
    return text[:500] if re.match(r"https?://[^\s<>\"]+$", text, re.I) and len(text) <= 500 else None


def how_to_apply(obj: dict[str, Any]) -> dict[str, Any]:
    """``applicationContact`` (ContactPoint: email, telephone, name, url), ``url`` and ``directApply``."""
    out: dict[str, Any] = {}
    contact = _first(obj.get("applicationContact"))
    if isinstance(contact, str):
        contact = {"email": contact} if EMAIL.fullmatch(contact.strip()) else {"name": contact}
    if isinstance(contact, dict):
        email = str(contact.get("email") or "").strip().removeprefix("mailto:")
        if EMAIL.fullmatch(email) and len(email) <= 254:
            out["apply_email"] = email
        phone = str(contact.get("telephone") or "").strip()
        if phone and re.fullmatch(r"[+0-9 ()./-]{6,40}", phone):
            out["apply_phone"] = phone
        name = " ".join(str(contact.get("name") or "").split())  # contactType ('sollicitaties') is no person
        if name:
            out["apply_contact"] = name[:200]
        if _web_url(contact.get("url")):
            out["apply_url"] = _web_url(contact.get("url"))
    if "apply_url" not in out and _web_url(obj.get("url")):
        out["apply_url"] = _web_url(obj.get("url"))
    direct = obj.get("directApply")
    if isinstance(direct, str) and direct.strip().lower() in ("true", "false"):
        direct = direct.strip().lower() == "true"
    if isinstance(direct, bool):
        out["direct_apply"] = direct
    return out


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
        _extract(hub, obj, description, reqs, evidence)
    hmin, hmax = _hours(obj.get("workHours"))
    occupation = hub.matching.occupation_for_title(title)
    sector = _sector(hub, obj, occupation, list(reqs))
    vacancy = VacancyIn(title=title.strip()[:200], description=description[:20000], sector=sector,
                        occupation_id=occupation,
                        postcode=str(postcode)[:7] if postcode else None, place=str(place)[:100] if place else None,
                        hours_min=hmin, hours_max=hmax, valid_through=_date(obj.get("validThrough"), "validThrough"),
                        requirements=list(reqs.values()))
    return Posting(_identifier(obj), Organisation(org_name.strip()[:200], org_email), vacancy, evidence,
                   {**salary(obj), **how_to_apply(obj)})


def text_to_html(text: str) -> str:
    """Our stored ad text back to simple HTML: '## ' lines become headings, '- ' lines list items."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        item = line.startswith("- ")
        if in_list and not item:
            out.append("</ul>")
            in_list = False
        if item:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(line[2:])}</li>")
        elif line.startswith("## "):
            out.append(f"<h3>{escape(line[3:])}</h3>")
        elif line.strip():
            out.append(f"<p>{escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "".join(out)


def to_jsonld(hub: Hub, v: Any, organisation: str, requirements: list[Any], base_url: str) -> dict[str, Any]:
    """A stored vacancy as schema.org JobPosting JSON-LD (what search engines read; our importer reads it back)."""
    occ = hub.taxonomy.taxonomy.concepts.get(v.occupation_id or "")

    def term(r: Any) -> dict[str, str]:
        return {"@type": "DefinedTerm", "name": hub.label(r.concept_id) or r.concept_id, "termCode": r.concept_id,
                "inDefinedTermSet": "https://talentopmaat.nl/vaardigheden"}

    doc: dict[str, Any] = {
        "@context": ["https://schema.org", {"tom": "https://talentopmaat.nl/vocab#"}],
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "talentopmaat", "value": v.identifier or f"tom-{v.id}"},
        "url": f"{base_url.rstrip('/')}/vacatures/{v.id}",
        "title": v.title,
        "description": text_to_html(v.description) or escape(v.title),
        "datePosted": v.created_at.date().isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": organisation},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": v.postcode,
                                                      "addressLocality": v.place, "addressCountry": "NL"}},
        "skills": [term(r) for r in requirements if r.essential],
        "tom:optionalSkills": [term(r) for r in requirements if not r.essential],
    }
    if v.lat is not None and v.lon is not None:
        doc["jobLocation"]["geo"] = {"@type": "GeoCoordinates", "latitude": v.lat, "longitude": v.lon}
    if v.valid_through:
        doc["validThrough"] = v.valid_through.isoformat()
    if v.hours_min is not None or v.hours_max is not None:
        lo, hi = v.hours_min if v.hours_min is not None else v.hours_max, v.hours_max or v.hours_min
        doc["workHours"] = f"{lo}-{hi} uur per week" if lo != hi else f"{lo} uur per week"
        doc["employmentType"] = "FULL_TIME" if (hi or 0) >= 36 else "PART_TIME"
    if v.sector:
        doc["industry"] = v.sector
    if occ is not None and occ.code:
        doc["occupationalCategory"] = occ.code
    doc.update(offer_jsonld(v))
    return doc


def offer_jsonld(v: Any) -> dict[str, Any]:
    """Salary and how to apply as JobPosting properties: baseSalary and applicationContact (a ContactPoint
    with name, email, telephone and the employer's application page as its ``url``), and directApply.

    The posting's own ``url`` stays our vacancy page (set by :func:`to_jsonld`): this JSON-LD is embedded in
    that page, and search engines take ``url`` as the posting's address.
    """
    out: dict[str, Any] = {}
    lo, hi = getattr(v, "salary_min", None), getattr(v, "salary_max", None)
    if (lo is not None or hi is not None) and getattr(v, "salary_period", None):
        value: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": v.salary_period}
        if lo is not None and hi is not None and lo == hi:
            value["value"] = _number(lo)
        else:
            value.update({k: _number(x) for k, x in (("minValue", lo), ("maxValue", hi)) if x is not None})
        out["baseSalary"] = {"@type": "MonetaryAmount", "currency": v.salary_currency or "EUR", "value": value}
    contact = {k: x for k, x in (("name", getattr(v, "apply_contact", None)),
                                 ("email", getattr(v, "apply_email", None)),
                                 ("telephone", getattr(v, "apply_phone", None)),
                                 ("url", getattr(v, "apply_url", None))) if x}
    if contact:
        out["applicationContact"] = {"@type": "ContactPoint", "contactType": "sollicitaties", **contact}
    if getattr(v, "direct_apply", None) is not None:
        out["directApply"] = bool(v.direct_apply)
    return out


def _number(x: float) -> int | float:
    """2600.0 → 2600: whole amounts without a decimal point, as JobPostings usually write them."""
    return int(x) if float(x).is_integer() else round(float(x), 2)
