"""Vacancy feeds: import schema.org JobPostings (JSON-LD, JSON Lines, HTML, CSV) and export them.

A posting is identified by its ``identifier``, or else by organisation + title + location. A
re-import updates postings whose content changed and creates no duplicates. Each posting is
parsed on its own: a bad one is rejected with its reason and the rest go on. Parsing (skill
extraction is the costly part) runs in worker processes; rows are written in batches.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, delete, select

from api import models as t
from api.models import utcnow
from api.services import jobposting
from api.services.audit import audit
from api.services.errors import ServiceError
from api.services.files import read_utf8
from api.services.geo import Place, normalise_postcode
from api.services.hub import Hub

BATCH = 1000
GROUP = 64  # postings a worker parses at a time (their new sentences are encoded in one batch)
LD_SCRIPT = re.compile(r"<script[^>]*type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.I | re.S)

# CSV: our column names (case-insensitive; a few common aliases) -> JobPosting fields. See docs/feeds.md.
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "identifier": ("identifier", "id", "vacature_id", "reference"),
    "title": ("title", "titel", "functie", "job_title"),
    "description": ("description", "omschrijving", "beschrijving"),
    "organisation": ("organisation", "organization", "hiring_organization", "company", "werkgever", "bedrijf"),
    "organisation_email": ("organisation_email", "organization_email", "email"),
    "street": ("street", "street_address", "adres", "straat"),
    "postal_code": ("postal_code", "postcode", "zip"),
    "locality": ("locality", "place", "city", "plaats", "woonplaats"),
    "valid_through": ("valid_through", "sluitingsdatum", "closing_date"),
    "date_posted": ("date_posted", "publicatiedatum"),
    "employment_type": ("employment_type", "dienstverband"),
    "work_hours": ("work_hours", "hours", "uren"),
    "skills": ("skills", "vaardigheden", "eisen"),
    "optional_skills": ("optional_skills", "pluspunten", "nice_to_have"),
    "qualifications": ("qualifications", "kwalificaties", "opleiding"),
    "responsibilities": ("responsibilities", "taken"),
    "industry": ("industry", "sector", "branche"),
}


class FeedError(ServiceError):
    """A whole file that cannot be read (one line; the import stops before writing anything of it)."""


@dataclass
class Rejection:
    where: str
    reason: str
    identifier: str | None = None
    title: str | None = None


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported={self.imported} updated={self.updated} skipped={self.skipped} rejected={self.rejected}"


# --------------------------------------------------------------------------- reading files
def _postings_in(doc: Any) -> Iterator[Any]:
    """JobPostings in a JSON-LD document: an object, an array, or an ``@graph``."""
    if isinstance(doc, list):
        for d in doc:
            yield from _postings_in(d)
    elif isinstance(doc, dict) and "@graph" in doc and "@type" not in doc:
        yield from _postings_in(doc["@graph"])
    else:
        yield doc


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    low = {k.strip().casefold(): (v or "").strip() for k, v in row.items() if k}
    get = {name: next((low[a] for a in aliases if low.get(a)), "") for name, aliases in CSV_COLUMNS.items()}

    def terms(text: str) -> list[str]:
        return [x.strip() for x in re.split(r"[;|\n]", text) if x.strip()]

    out: dict[str, Any] = {"@context": "https://schema.org", "@type": "JobPosting", "title": get["title"],
                           "description": get["description"],
                           "hiringOrganization": {"@type": "Organization", "name": get["organisation"],
                                                  "email": get["organisation_email"] or None},
                           "jobLocation": {"@type": "Place", "address": {
                               "@type": "PostalAddress", "streetAddress": get["street"] or None,
                               "postalCode": get["postal_code"] or None, "addressLocality": get["locality"] or None,
                               "addressCountry": "NL"}}}
    for key, name in (("identifier", "identifier"), ("valid_through", "validThrough"), ("date_posted", "datePosted"),
                      ("employment_type", "employmentType"), ("work_hours", "workHours"),
                      ("qualifications", "qualifications"), ("responsibilities", "responsibilities"),
                      ("industry", "industry")):
        if get[key]:
            out[name] = get[key]
    if get["skills"]:
        out["skills"] = terms(get["skills"])
    if get["optional_skills"]:
        out["tom:optionalSkills"] = terms(get["optional_skills"])
    return out


def read_feed(path: Path) -> Iterator[tuple[str, Any]]:
    """(where, object) for every posting in a file; a file that cannot be read at all raises FeedError."""
    text = read_utf8(path, FeedError)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or not any(f and f.strip().casefold() in CSV_COLUMNS["title"]
                                            for f in reader.fieldnames):
            raise FeedError(f"{path}: a CSV feed needs a header row with at least a 'title' column")
        for n, row in enumerate(reader, 2):
            yield f"{path}:{n}", _csv_row(row)
        return
    if suffix in (".html", ".htm") or text.lstrip()[:1] == "<":
        for n, m in enumerate(LD_SCRIPT.finditer(text), 1):
            try:
                doc = json.loads(m.group(1))
            except json.JSONDecodeError as exc:
                yield f"{path}#script{n}", ValueError(f"the JSON-LD block is not JSON ({exc.msg})")
                continue
            for i, obj in enumerate(_postings_in(doc), 1):
                if isinstance(obj, dict) and "JobPosting" in str(obj.get("@type", "")):
                    yield f"{path}#script{n}.{i}", obj  # other objects on a page (breadcrumbs, ...) are not ours
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    if doc is not None:
        for i, obj in enumerate(_postings_in(doc), 1):
            yield f"{path}#{i}", obj
        return
    for n, line in enumerate(text.splitlines(), 1):  # JSON Lines
        if not line.strip():
            continue
        try:
            yield f"{path}:{n}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{path}:{n}", ValueError(f"not JSON ({exc.msg})")


# --------------------------------------------------------------------------- parsing (in workers)
_HUB: Hub | None = None  # the worker processes' hub, inherited from the parent at fork


def _parse_one(item: tuple[str, Any]) -> tuple[str, jobposting.Posting | str]:
    where, obj = item
    assert _HUB is not None
    if isinstance(obj, Exception):
        return where, str(obj)
    try:
        return where, jobposting.parse(_HUB, obj)
    except ServiceError as exc:
        return where, exc.message
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # malformed values deep in a posting
        return where, f"malformed posting ({type(exc).__name__}: {exc})"


def _prime(items: list[tuple[str, Any]]) -> None:
    """Encode the new sentences of a group of postings in one batch before they are parsed one by one:
    the model costs several times more per sentence when called for each (the extracted skills are the
    same either way). A posting that names its skills is not extracted from, so not primed."""
    assert _HUB is not None
    texts: list[str] = []
    for _, obj in items:
        if not isinstance(obj, dict) or obj.get("skills"):
            continue
        desc = obj.get("description") or ""
        try:
            texts += [text for _, text in jobposting.extraction_texts(
                obj, jobposting.html_to_text(desc) if isinstance(desc, str) else "")]
        except (ValueError, TypeError, KeyError, AttributeError):  # parsing it will say what is wrong
            continue
    _HUB.taxonomy.index("skill").prime_extract(texts, jobposting.EXTRACT_TOP)


def _parse_group(items: list[tuple[str, Any]]) -> list[tuple[str, jobposting.Posting | str]]:
    _prime(items)
    return [_parse_one(item) for item in items]


def _parsed(hub: Hub, items: list[tuple[str, Any]], workers: int) -> Iterator[tuple[str, jobposting.Posting | str]]:
    global _HUB
    _HUB = hub
    groups = [items[i:i + GROUP] for i in range(0, len(items), GROUP)]
    if workers <= 1:
        for group in groups:
            yield from _parse_group(group)
        return
    hub.taxonomy.index("skill")  # build or load before forking, so workers share it
    hub.taxonomy.index("occupation")
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for parsed in pool.imap(_parse_group, groups):
            yield from parsed


# --------------------------------------------------------------------------- writing
def identity(obj: Any) -> str | None:
    """A posting's key: its ``identifier``, else organisation + title + location (from the raw object,
    so an unchanged posting is recognised without parsing it)."""
    if not isinstance(obj, dict):
        return None
    ident = jobposting._identifier(obj)
    if ident:
        return ident[:200]
    org = jobposting._first(obj.get("hiringOrganization"))
    loc = jobposting._first(obj.get("jobLocation"))
    addr = jobposting._first(loc.get("address")) if isinstance(loc, dict) else None
    where = (addr.get("postalCode") or addr.get("addressLocality")) if isinstance(addr, dict) else None
    basis = "|".join(str(x or "").strip().casefold() for x in
                     (org.get("name") if isinstance(org, dict) else org, obj.get("title"), where))
    return "key:" + hashlib.sha1(basis.encode()).hexdigest()


# Part of every content hash: raise it when the importer reads more of a posting, so that the next import
# re-reads postings stored before (2: baseSalary, applicationContact, url, directApply).
READER_VERSION = 2


def content_hash(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(f"{READER_VERSION}:{text}".encode()).hexdigest()


# A re-imported posting that no longer names a salary or contact loses the old one.
TERMS_NONE: dict[str, Any] = dict.fromkeys(("salary_min", "salary_max", "salary_currency", "salary_period", "apply_url",
                                            "apply_email", "apply_phone", "apply_contact", "direct_apply"))


class _Writer:
    def __init__(self, hub: Hub, db: Session, report: ImportReport) -> None:
        self.hub, self.db, self.report = hub, db, report
        self.orgs = {o.name: o.id for o in db.exec(select(t.Organisation)).all()}
        self.pc4 = {p.pc4: Place(p.place, p.municipality, p.lat, p.lon) for p in db.exec(select(t.Postcode)).all()}
        self.batch: list[tuple[str, str, str, jobposting.Posting]] = []

    def locate(self, v: t.VacancyIn) -> Place | None:
        pc = _pc(v.postcode)
        if pc and pc[:4] in self.pc4:
            return self.pc4[pc[:4]]
        return self.hub.gazetteer.locate(None, pc, v.place)

    def add(self, where: str, key: str, digest: str, post: jobposting.Posting) -> None:
        self.batch.append((where, key, digest, post))
        if len(self.batch) >= BATCH:
            self.flush()

    def _orgs(self, posts: list[jobposting.Posting]) -> None:
        new: dict[str, dict[str, Any]] = {}
        for p in posts:
            if p.organisation.name not in self.orgs and p.organisation.name not in new:
                new[p.organisation.name] = dict(name=p.organisation.name, email=p.organisation.email,
                                                place=p.vacancy.place, created_at=utcnow())
        if new:
            self.orgs.update(zip(new, self._insert(t.Organisation, list(new.values())), strict=True))

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` in one statement and return their new ids in the same order.

        Core inserts, not ORM objects: building a SQLModel object costs more than writing its row.
        """
        stmt = insert(table).returning(table.id, sort_by_parameter_order=True)
        return [int(r[0]) for r in self.db.connection().execute(stmt, rows)]

    def flush(self) -> None:
        """Write one batch in one transaction: new rows, changed rows, their skills and the change feed."""
        if not self.batch:
            return
        db, batch, self.batch = self.db, self.batch, []
        keys = [k for _, k, _, _ in batch]
        existing = {v.identifier: v for v in db.exec(select(t.Vacancy).where(col(t.Vacancy.identifier).in_(keys)))}
        self._orgs([p for _, _, _, p in batch])
        now = utcnow()
        todo: list[tuple[int, jobposting.Posting]] = []
        new_rows: list[dict[str, Any]] = []
        new_posts: list[jobposting.Posting] = []
        replaced: list[int] = []
        seen: set[str] = set()
        for where, key, digest, post in batch:
            if key in seen:  # the same posting twice in one file: the first one counts
                self.report.unchanged += 1
                continue
            seen.add(key)
            v = post.vacancy
            row = existing.get(key)
            if row is not None and row.content_hash == digest:
                self.report.unchanged += 1
                continue
            place = self.locate(v)
            if place is None and (v.postcode or v.place):
                self.report.warnings.append(Rejection(where, f"place {v.postcode or v.place!r} not found: imported "
                                                             "without a location", key, v.title))
            fields: dict[str, Any] = dict(
                title=v.title, description=v.description, occupation_id=v.occupation_id, sector=v.sector,
                postcode=_pc(v.postcode), place=v.place or (place.name if place else None),
                lat=place.lat if place else None, lon=place.lon if place else None, hours_min=v.hours_min,
                hours_max=v.hours_max, valid_through=v.valid_through, status="open", content_hash=digest,
                updated_at=now, organisation_id=self.orgs[post.organisation.name], **{**TERMS_NONE, **post.terms})
            if row is None:
                new_rows.append(dict(identifier=key, created_by=None, created_at=now, version=1, **fields))
                new_posts.append(post)
                self.report.imported += 1
                continue
            for k, val in fields.items():
                setattr(row, k, val)
            row.version += 1
            assert row.id is not None
            replaced.append(row.id)
            self.report.updated += 1
            db.add(row)
            todo.append((row.id, post))
        db.flush()
        if new_rows:
            todo += zip(self._insert(t.Vacancy, new_rows), new_posts, strict=True)
        if replaced:
            db.exec(delete(t.VacancySkill).where(col(t.VacancySkill.vacancy_id).in_(replaced)))
        skill_rows = [dict(vacancy_id=vid, concept_id=r.concept_id, essential=r.essential, min_level=r.min_level,
                           weight=r.weight, evidence=post.evidence.get(r.concept_id))
                      for vid, post in todo for r in post.vacancy.requirements]
        if skill_rows:
            db.connection().execute(insert(t.VacancySkill), skill_rows)
        if todo:
            db.connection().execute(insert(t.Change), [dict(kind="vacancy", entity_id=vid, at=now)
                                                       for vid, _ in todo])
        db.commit()


def _pc(text: str | None) -> str | None:
    try:
        return normalise_postcode(text)
    except ServiceError:
        return None


def import_files(hub: Hub, db: Session, paths: list[Path], *, today: date | None = None, workers: int = 2,
                 progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import every posting of every file. Whole-file problems raise FeedError before anything is written.

    Postings whose raw JSON is byte-for-byte what was imported before are recognised by their hash
    and not parsed again; the others are parsed in ``workers`` processes and written in batches.
    """
    today = today or date.today()
    items: list[tuple[str, Any]] = []
    for path in paths:
        items.extend(read_feed(path))
    report = ImportReport()
    known = {k: h for k, h in db.exec(select(t.Vacancy.identifier, t.Vacancy.content_hash)).all() if k}
    todo: list[tuple[str, Any]] = []
    meta: list[tuple[str, str]] = []
    for where, obj in items:
        key = identity(obj)
        digest = content_hash(obj) if key else ""
        if key and known.get(key) == digest:
            report.unchanged += 1
            continue
        todo.append((where, obj))
        meta.append((key or "", digest))
    writer = _Writer(hub, db, report)
    done = report.unchanged
    for (where, result), (key, digest) in zip(_parsed(hub, todo, workers), meta, strict=True):
        done += 1
        if progress:
            progress(done, len(items))
        if isinstance(result, str):
            report.rejected += 1
            report.rejections.append(Rejection(where, result))
            continue
        if result.vacancy.valid_through and result.vacancy.valid_through < today:
            report.skipped += 1
            continue
        writer.add(where, key, digest, result)
    writer.flush()
    audit(db, None, "import", "vacancies", None)
    db.commit()
    return report


def write_report(report: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for kind, rows in (("rejected", report.rejections), ("warning", report.warnings)):
            for r in rows:
                fh.write(json.dumps({"kind": kind, "where": r.where, "reason": r.reason, "identifier": r.identifier,
                                     "title": r.title}, ensure_ascii=False) + "\n")

