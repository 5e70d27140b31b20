"""Reader for the official ESCO CSV packages, exactly as the ESCO portal ships them.

Accepts zips, unpacked folders (also folders holding the zips) and single CSV files, for any
set of languages, in the v1.1.x and v1.2.x column sets. Files are recognised by name
(``skills_nl.csv``, ``occupationSkillRelations.csv``, ``occupationSkillRelations_en.csv``, …)
and read by column name, so extra or reordered columns do no harm. Unknown CSV files are
skipped. Everything that is wrong raises :class:`EscoFormatError` with a one-line message,
before anything is stored.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from taxonomy.errors import EscoFormatError
from taxonomy.model import Concept, Taxonomy

Progress = Callable[[int, int], None]  # (bytes done, bytes total)

_NAME = re.compile(r"^(?P<name>.+?)(?:_(?P<lang>[a-z]{2}(?:-[a-z]{2,4})?))?\.csv$", re.IGNORECASE)

# file kind -> columns that must be there
_REQUIRED: dict[str, tuple[str, ...]] = {
    "skills": ("conceptUri", "preferredLabel"),
    "occupations": ("conceptUri", "preferredLabel", "iscoGroup"),
    "ISCOGroups": ("conceptUri", "preferredLabel", "code"),
    "skillGroups": ("conceptUri", "preferredLabel"),
    "skill_preferred_labels": ("conceptUri", "preferredLabel"),
    "collection": ("conceptUri", "preferredLabel"),
    "broaderRelationsSkillPillar": ("conceptUri", "broaderUri"),
    "broaderRelationsOccPillar": ("conceptUri", "broaderUri"),
    "occupationSkillRelations": ("occupationUri", "relationType", "skillUri"),
    "skillSkillRelations": ("originalSkillUri", "relationType", "relatedSkillUri"),
}
# recognised and deliberately not read: their content is in the files above
_IGNORED = {"conceptSchemes", "skillsHierarchy", "greenShareOcc", "dictionary"}
_KIND_OF_TYPE = {
    "KnowledgeSkillCompetence": "skill",
    "Occupation": "occupation",
    "SkillGroup": "skill_group",
    "ISCOGroup": "isco_group",
}
_SKILL_TYPE = {"skill/competence": "skill", "knowledge": "knowledge", "skill": "skill", "competence": "competence"}


@dataclass
class EscoPackage:
    """What one import read: concepts (labels per language) and the relation tables present."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    occupation_skills: dict[str, dict[str, str]] | None = None
    skill_relations: list[tuple[str, str, str]] | None = None
    broader_skill: dict[str, list[str]] | None = None
    broader_occ: dict[str, list[str]] | None = None
    broader_kinds: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)

    def concept(self, cid: str, kind: str) -> Concept:
        c = self.concepts.get(cid)
        if c is None:
            c = self.concepts[cid] = Concept(id=cid, kind=kind)  # type: ignore[arg-type]
        return c


@dataclass
class _Member:
    label: str  # what the user sees in messages: "archive.zip:skills_en.csv"
    name: str  # base file name
    size: int
    opener: Callable[[], IO[bytes]]


def _classify(name: str) -> tuple[str, str | None] | None:
    m = _NAME.match(name)
    if not m:
        return None
    base, lang = m.group("name"), m.group("lang")
    if base.endswith("Collection"):
        return "collection", lang
    for kind in _REQUIRED:
        if base.lower() == kind.lower():
            return kind, lang
    if base in _IGNORED:
        return "ignored", lang
    return None


def _members(path: Path) -> Iterator[_Member]:
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".csv", ".zip"):
                yield from _members(p)
        return
    if not path.exists():
        raise EscoFormatError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".csv":
        yield _Member(str(path), path.name, path.stat().st_size, lambda: path.open("rb"))
        return
    if path.suffix.lower() != ".zip" and not zipfile.is_zipfile(path):
        raise EscoFormatError(f"{path}: not an ESCO package (expected a .zip, a folder or a .csv file)")
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise EscoFormatError(f"{path}: corrupt or truncated zip file ({exc})") from None
    for info in infos:
        if info.is_dir() or not info.filename.lower().endswith(".csv"):
            continue
        name = info.filename.rsplit("/", 1)[-1]

        def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
            return zf.open(info)

        yield _Member(f"{path.name}:{name}", name, info.file_size, opener)


class _Counting(io.RawIOBase):
    """Byte counter around a binary stream, for the progress bar."""

    def __init__(self, raw: IO[bytes], tick: Callable[[int], None]) -> None:
        self.raw, self.tick = raw, tick

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.tick(n)
        return n


def _rows(member: _Member, kind: str, tick: Callable[[int], None]) -> Iterator[dict[str, str]]:
    required = _REQUIRED[kind]
    reader = None
    try:
        with member.opener() as raw:
            counted = io.BufferedReader(_Counting(raw, tick))  # type: ignore[type-var]
            text = io.TextIOWrapper(counted, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, strict=True)
            header = next(reader, None)
            if not header:
                raise EscoFormatError(f"{member.label}: empty file")
            missing = [c for c in required if c not in header]
            if missing:
                raise EscoFormatError(
                    f"{member.label}: not an ESCO {kind} file (missing column {', '.join(missing)})"
                )
            width = len(header)
            for row in reader:
                if len(row) != width:
                    if not any(row):
                        continue
                    raise EscoFormatError(
                        f"{member.label}: line {reader.line_num}: expected {width} fields, found {len(row)}"
                        " (truncated or corrupt file)"
                    )
                yield dict(zip(header, row, strict=True))
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 0
        raise EscoFormatError(f"{member.label}: line {line}: {exc} (truncated or corrupt file)") from None
    except UnicodeDecodeError:
        raise EscoFormatError(f"{member.label}: not UTF-8 text (corrupt file?)") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise EscoFormatError(f"{member.label}: corrupt or truncated ({exc})") from None


def _split(value: str, sep: str) -> list[str]:
    return [v.strip() for v in value.split(sep) if v.strip()]


def _uri(value: str, member: _Member, line: int) -> str:
    v = value.strip()
    if not v.startswith(("http://", "https://")):
        raise EscoFormatError(f"{member.label}: row {line}: {v[:60]!r} is not a concept URI (corrupt file?)")
    return v


def read_packages(paths: list[Path], progress: Progress | None = None) -> EscoPackage:
    """Read ESCO CSV packages into an :class:`EscoPackage` (nothing is stored here)."""
    members: list[tuple[_Member, str, str | None]] = []
    pkg = EscoPackage()
    for path in paths:
        found = 0
        for m in _members(Path(path)):
            cls = _classify(m.name)
            if cls is None:
                pkg.skipped.append(m.label)
                continue
            found += 1
            if cls[0] == "ignored":
                continue
            members.append((m, cls[0], cls[1].lower() if cls[1] else None))
        if not found:
            raise EscoFormatError(f"{path}: no ESCO CSV files found")
    total = sum(m.size for m, _, _ in members) or 1
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    # Concept files before relation files; full concept files before partial label files, so
    # the kind of a concept comes from the most precise source.
    order = ["skills", "occupations", "ISCOGroups", "skillGroups", "collection", "skill_preferred_labels"]
    members.sort(key=lambda t: order.index(t[1]) if t[1] in order else len(order))
    for member, kind, lang in members:
        pkg.files.append(member.label)
        if lang:
            pkg.languages.add(lang)
        _read_member(pkg, member, kind, lang or "en", tick)
    if progress:
        progress(total, total)
    return pkg


def _read_member(pkg: EscoPackage, member: _Member, kind: str, lang: str, tick: Callable[[int], None]) -> None:
    rows = _rows(member, kind, tick)
    if kind in ("skills", "occupations", "ISCOGroups", "skillGroups"):
        ckind = {"skills": "skill", "occupations": "occupation", "ISCOGroups": "isco_group",
                 "skillGroups": "skill_group"}[kind]
        for i, r in enumerate(rows, 2):
            c = pkg.concept(_uri(r["conceptUri"], member, i), ckind)
            if r["preferredLabel"].strip():
                c.pref[lang] = r["preferredLabel"].strip()
            alt = _split(r.get("altLabels", ""), "\n")
            if alt:
                c.alt[lang] = alt
            hidden = _split(r.get("hiddenLabels", ""), "\n")
            if hidden:
                c.hidden[lang] = hidden
            desc = (r.get("description") or r.get("definition") or "").strip()
            if desc:
                c.description[lang] = desc
            if kind == "skills":
                c.skill_type = _SKILL_TYPE.get(r.get("skillType", "").strip(), c.skill_type)  # type: ignore[assignment]
                c.reuse_level = r.get("reuseLevel", "").strip() or c.reuse_level
            elif kind == "occupations":
                c.code = r["iscoGroup"].strip() or c.code
            elif kind == "ISCOGroups":
                c.code = r["code"].strip() or c.code
    elif kind == "skill_preferred_labels":
        for i, r in enumerate(rows, 2):
            cid = _uri(r["conceptUri"], member, i)
            c = pkg.concept(cid, "occupation" if "/occupation/" in cid else "skill")
            if r["preferredLabel"].strip():
                c.pref[lang] = r["preferredLabel"].strip()
    elif kind == "collection":
        for i, r in enumerate(rows, 2):
            ckind = _KIND_OF_TYPE.get(r.get("conceptType", "").strip(), "skill")
            c = pkg.concept(_uri(r["conceptUri"], member, i), ckind)
            if r["preferredLabel"].strip():
                c.pref.setdefault(lang, r["preferredLabel"].strip())
            alt = _split(r.get("altLabels", ""), "|")
            if alt and lang not in c.alt:
                c.alt[lang] = alt
            desc = r.get("description", "").strip()
            if desc:
                c.description.setdefault(lang, desc)
            if ckind == "skill":
                st = _SKILL_TYPE.get(r.get("skillType", "").strip())
                c.skill_type = c.skill_type or st  # type: ignore[assignment]
                c.reuse_level = c.reuse_level or r.get("reuseLevel", "").strip() or None
    elif kind in ("broaderRelationsSkillPillar", "broaderRelationsOccPillar"):
        table: dict[str, list[str]] = {}
        for i, r in enumerate(rows, 2):
            cid = _uri(r["conceptUri"], member, i)
            table.setdefault(cid, []).append(_uri(r["broaderUri"], member, i))
            pkg.broader_kinds[cid] = _KIND_OF_TYPE.get(r.get("conceptType", "").strip(), "skill")
        if kind == "broaderRelationsSkillPillar":
            pkg.broader_skill = {**(pkg.broader_skill or {}), **table}
        else:
            pkg.broader_occ = {**(pkg.broader_occ or {}), **table}
    elif kind == "occupationSkillRelations":
        occ: dict[str, dict[str, str]] = pkg.occupation_skills or {}
        for i, r in enumerate(rows, 2):
            rel = r["relationType"].strip().lower()
            if rel not in ("essential", "optional"):
                raise EscoFormatError(f"{member.label}: row {i}: unknown relationType {rel!r}")
            skills = occ.setdefault(_uri(r["occupationUri"], member, i), {})
            s = _uri(r["skillUri"], member, i)
            if skills.get(s) != "essential":
                skills[s] = rel
        pkg.occupation_skills = occ
    elif kind == "skillSkillRelations":
        rels: list[tuple[str, str, str]] = pkg.skill_relations or []
        for i, r in enumerate(rows, 2):
            rel = r["relationType"].strip().lower() or "related"
            rels.append((_uri(r["originalSkillUri"], member, i), _uri(r["relatedSkillUri"], member, i), rel))
        pkg.skill_relations = sorted(set(rels))


def apply_package(layer: Taxonomy, pkg: EscoPackage) -> Taxonomy:
    """Merge a package into the stored ESCO layer and return the new layer (``layer`` is untouched).

    Labels and descriptions are set per concept and language (the newest import wins for the
    languages it carries; other languages stay). A relation table that the package holds
    replaces the stored one; tables it lacks stay. Applying the same package twice gives the
    same layer.
    """
    new = Taxonomy.from_dict(layer.to_dict())
    for cid, pc in pkg.concepts.items():
        c = new.concepts.get(cid)
        if c is None:
            c = new.add(Concept(id=cid, kind=pc.kind))
        elif c.kind != pc.kind and pc.kind != "skill":
            c.kind = pc.kind
        c.pref.update(pc.pref)
        c.alt.update(pc.alt)
        c.hidden.update(pc.hidden)
        c.description.update(pc.description)
        c.skill_type = pc.skill_type or c.skill_type
        c.reuse_level = pc.reuse_level or c.reuse_level
        c.code = pc.code or c.code
    if pkg.broader_skill is not None or pkg.broader_occ is not None:
        for table, kinds in ((pkg.broader_skill, ("skill", "skill_group")),
                             (pkg.broader_occ, ("occupation", "isco_group"))):
            if table is None:
                continue
            for cid in table:
                if cid not in new.concepts:  # relations imported before the concepts' labels
                    new.add(Concept(id=cid, kind=pkg.broader_kinds.get(cid, "skill")))  # type: ignore[arg-type]
            for c in new.concepts.values():
                if c.kind in kinds:
                    c.broader = sorted(set(table.get(c.id, [])))
    if pkg.occupation_skills is not None:
        new.occupation_skills = {k: dict(sorted(v.items())) for k, v in sorted(pkg.occupation_skills.items())}
    if pkg.skill_relations is not None:
        new.skill_relations = list(pkg.skill_relations)
    new.concepts = dict(sorted(new.concepts.items()))
    new.sources = sorted(set(new.sources) | {Path(f.split(":")[0]).name for f in pkg.files})
    return new
