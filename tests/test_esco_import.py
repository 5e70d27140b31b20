"""Reading ESCO CSV packages (taxonomy.esco) and storing them (taxonomy.store).

Small hand-made packages in the v1.1 and v1.2 column sets cover the reader; the real v1.1.1
files in ../shared cover the full import (marked slow).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from taxonomy.errors import EscoFormatError, TaxonomyError
from taxonomy.esco import EscoPackage, apply_package, read_packages
from taxonomy.model import Taxonomy
from taxonomy.store import TaxonomyStore

SK = "http://data.europa.eu/esco/skill/"
OC = "http://data.europa.eu/esco/occupation/"
WELD = SK + "11111111-0000-4000-8000-000000000001"
HYGIENE = SK + "11111111-0000-4000-8000-000000000002"
TEAM = SK + "11111111-0000-4000-8000-000000000003"
INITIATIVE = SK + "11111111-0000-4000-8000-000000000004"
GROUP = SK + "22222222-0000-4000-8000-000000000001"
WELDER = OC + "33333333-0000-4000-8000-000000000001"
COOK = OC + "33333333-0000-4000-8000-000000000002"
ISCO = "http://data.europa.eu/esco/isco/C7212"

WELD_DESC = 'Join pieces of metal, e.g. with "MIG", by melting them,\nthen let them cool.'

# --------------------------------------------------------------------------- the content, once
SKILLS_EN = [
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": WELD, "skillType": "skill/competence",
     "reuseLevel": "sector-specific", "preferredLabel": "weld metal",
     "altLabels": "welding\njoin metal parts",
     "hiddenLabels": "weldng", "status": "released", "description": WELD_DESC},
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": HYGIENE, "skillType": "knowledge",
     "reuseLevel": "cross-sector", "preferredLabel": "hygiene", "altLabels": "hygiene standards",
     "status": "released", "description": "Rules for keeping things clean."},
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": TEAM, "skillType": "skill/competence",
     "reuseLevel": "transversal", "preferredLabel": "work in teams", "altLabels": "teamwork\nwork in a team",
     "status": "released"},
]
OCCUPATIONS_EN = [
    {"conceptType": "Occupation", "conceptUri": WELDER, "iscoGroup": "7212", "preferredLabel": "welder",
     "altLabels": "welding operator\nmetal welder", "status": "released",
     "description": "Welders join metal.",
     "code": "7212.1"},
    {"conceptType": "Occupation", "conceptUri": COOK, "iscoGroup": "5120", "preferredLabel": "cook",
     "altLabels": "kitchen cook", "status": "released", "code": "5120.1"},
]
ISCO_EN = [{"conceptType": "ISCOGroup", "conceptUri": ISCO, "code": "7212",
            "preferredLabel": "welders and flamecutters", "status": "released"}]
GROUPS_EN = [{"conceptType": "SkillGroup", "conceptUri": GROUP, "preferredLabel": "working with metal",
              "status": "released", "code": "S6.1"}]
TRANSVERSAL_EN = [
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": INITIATIVE, "skillType": "skill/competence",
     "reuseLevel": "transversal", "preferredLabel": "show initiative", "status": "released",
     "altLabels": "take the initiative | be proactive", "description": "Take the first step."},
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": TEAM, "skillType": "skill/competence",
     "reuseLevel": "transversal", "preferredLabel": "work in teams", "status": "released",
     "altLabels": "teamwork | work in a team"},
]
OCC_SKILL = [
    {"occupationUri": WELDER, "relationType": "essential", "skillType": "skill/competence", "skillUri": WELD,
     "occupationLabel": "welder", "skillLabel": "weld metal"},
    {"occupationUri": WELDER, "relationType": "optional", "skillType": "skill/competence", "skillUri": TEAM,
     "occupationLabel": "welder", "skillLabel": "work in teams"},
    {"occupationUri": COOK, "relationType": "essential", "skillType": "knowledge", "skillUri": HYGIENE,
     "occupationLabel": "cook", "skillLabel": "hygiene"},
    {"occupationUri": COOK, "relationType": "optional", "skillType": "skill/competence", "skillUri": TEAM,
     "occupationLabel": "cook", "skillLabel": "work in teams"},
    # listed twice: essential must win over optional, whatever the order
    {"occupationUri": COOK, "relationType": "optional", "skillType": "knowledge", "skillUri": HYGIENE,
     "occupationLabel": "cook", "skillLabel": "hygiene"},
]
SKILL_SKILL = [{"originalSkillUri": WELD, "originalSkillType": "skill/competence", "relationType": "optional",
                "relatedSkillType": "skill/competence", "relatedSkillUri": TEAM}]
BROADER_SKILL = [{"conceptType": "KnowledgeSkillCompetence", "conceptUri": WELD, "broaderType": "SkillGroup",
                  "broaderUri": GROUP}]
BROADER_OCC = [{"conceptType": "Occupation", "conceptUri": WELDER, "broaderType": "ISCOGroup",
                "broaderUri": ISCO}]

SKILL_LABELS_NL = [{"conceptUri": WELD, "preferredLabel": "lassen"},
                   {"conceptUri": HYGIENE, "preferredLabel": "hygiëne"}]
OCCUPATIONS_NL = [
    {"conceptType": "Occupation", "conceptUri": WELDER, "iscoGroup": "7212", "preferredLabel": "lasser",
     "altLabels": "lasmedewerker\nconstructielasser", "status": "released",
     "description": "Lassers verbinden metalen delen."},
]
TRANSVERSAL_NL = [
    {"conceptType": "KnowledgeSkillCompetence", "conceptUri": TEAM, "skillType": "skill/competence",
     "reuseLevel": "transversal", "preferredLabel": "in teams werken", "status": "released",
     "altLabels": "teamwerk | in een team werken"},
]

# ----------------------------------------------------------------------------- column sets
V11_SKILLS = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels",
              "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description"]
V11_OCCUPATIONS = ["conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels",
                   "status", "modifiedDate", "regulatedProfessionNote", "scopeNote", "definition", "inScheme",
                   "description", "code"]
V11_ISCO = ["conceptType", "conceptUri", "code", "preferredLabel", "status", "altLabels", "inScheme",
            "description"]
V11_GROUPS = ["conceptType", "conceptUri", "preferredLabel", "altLabels", "hiddenLabels", "status",
              "modifiedDate", "scopeNote", "inScheme", "description", "code"]
V11_COLLECTION = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "status",
                  "altLabels", "description", "broaderConceptUri", "broaderConceptPT"]
V11_OCC_SKILL = ["occupationUri", "relationType", "skillType", "skillUri"]
V11_SKILL_SKILL = ["originalSkillUri", "originalSkillType", "relationType", "relatedSkillType",
                   "relatedSkillUri"]
V11_BROADER = ["conceptType", "conceptUri", "broaderType", "broaderUri"]

# v1.2 style: columns reordered, new columns added, relation files per language with labels
V12_SKILLS = ["conceptUri", "conceptType", "preferredLabel", "skillType", "reuseLevel", "altLabels",
              "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description",
              "newInV12"]
V12_OCCUPATIONS = ["conceptUri", "conceptType", "code", "iscoGroup", "preferredLabel", "altLabels",
                   "hiddenLabels", "status", "modifiedDate", "regulatedProfessionNote", "scopeNote",
                   "definition", "inScheme", "description", "naceCode"]
V12_OCC_SKILL = ["occupationUri", "occupationLabel", "relationType", "skillType", "skillUri", "skillLabel"]
V12_SKILL_SKILL = ["originalSkillUri", "originalSkillLabel", "originalSkillType", "relationType",
                   "relatedSkillType", "relatedSkillUri", "relatedSkillLabel"]
V12_BROADER = ["conceptType", "conceptUri", "conceptLabel", "broaderType", "broaderUri", "broaderLabel"]


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])
    return path


def write_v11_en(folder: Path) -> Path:
    """English concept files plus the language-independent relation files, as in ESCO v1.1.x."""
    write_csv(folder / "skills_en.csv", V11_SKILLS, SKILLS_EN)
    write_csv(folder / "occupations_en.csv", V11_OCCUPATIONS, OCCUPATIONS_EN)
    write_csv(folder / "ISCOGroups_en.csv", V11_ISCO, ISCO_EN)
    write_csv(folder / "skillGroups_en.csv", V11_GROUPS, GROUPS_EN)
    write_csv(folder / "transversalSkillsCollection_en.csv", V11_COLLECTION, TRANSVERSAL_EN)
    write_csv(folder / "occupationSkillRelations.csv", V11_OCC_SKILL, OCC_SKILL)
    write_csv(folder / "skillSkillRelations.csv", V11_SKILL_SKILL, SKILL_SKILL)
    write_csv(folder / "broaderRelationsSkillPillar.csv", V11_BROADER, BROADER_SKILL)
    write_csv(folder / "broaderRelationsOccPillar.csv", V11_BROADER, BROADER_OCC)
    write_csv(folder / "conceptSchemes_en.csv", ["conceptType", "conceptUri", "preferredLabel"],
              [{"conceptType": "ConceptScheme", "conceptUri": "http://data.europa.eu/esco/concept-scheme/x",
                "preferredLabel": "x"}])
    return folder


def write_v12_en(folder: Path) -> Path:
    write_csv(folder / "skills_en.csv", V12_SKILLS, SKILLS_EN)
    write_csv(folder / "occupations_en.csv", V12_OCCUPATIONS, OCCUPATIONS_EN)
    write_csv(folder / "ISCOGroups_en.csv", [*reversed(V11_ISCO), "newInV12"], ISCO_EN)
    write_csv(folder / "skillGroups_en.csv", V11_GROUPS[::-1], GROUPS_EN)
    write_csv(folder / "transversalSkillsCollection_en.csv", V11_COLLECTION[::-1], TRANSVERSAL_EN)
    write_csv(folder / "occupationSkillRelations_en.csv", V12_OCC_SKILL, OCC_SKILL)
    write_csv(folder / "skillSkillRelations_en.csv", V12_SKILL_SKILL, SKILL_SKILL)
    write_csv(folder / "broaderRelationsSkillPillar_en.csv", V12_BROADER, BROADER_SKILL)
    write_csv(folder / "broaderRelationsOccPillar_en.csv", V12_BROADER, BROADER_OCC)
    return folder


def write_nl(folder: Path) -> Path:
    """Dutch labels only, as in the v1.1.1-nl download."""
    write_csv(folder / "skill_preferred_labels_nl.csv", ["conceptUri", "preferredLabel"], SKILL_LABELS_NL)
    write_csv(folder / "occupations_nl.csv", V11_OCCUPATIONS, OCCUPATIONS_NL)
    write_csv(folder / "transversalSkillsCollection_nl.csv", V11_COLLECTION, TRANSVERSAL_NL)
    return folder


def zip_folder(folder: Path, target: Path, names: list[str] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.glob("*.csv")):
            if names is None or p.name in names:
                zf.write(p, p.name)
    return target


def summary(pkg: EscoPackage) -> dict[str, Any]:
    return {
        "concepts": {cid: c.to_dict() for cid, c in pkg.concepts.items()},
        "occupation_skills": pkg.occupation_skills,
        "skill_relations": pkg.skill_relations,
        "broader_skill": pkg.broader_skill,
        "broader_occ": pkg.broader_occ,
    }


# ------------------------------------------------------------------------------------ reading
def test_reads_concepts_labels_and_relations_from_a_folder(tmp_path: Path) -> None:
    pkg = read_packages([write_v11_en(tmp_path / "en")])
    kinds = {cid: c.kind for cid, c in pkg.concepts.items()}
    assert kinds == {WELD: "skill", HYGIENE: "skill", TEAM: "skill", INITIATIVE: "skill",
                     GROUP: "skill_group", WELDER: "occupation", COOK: "occupation", ISCO: "isco_group"}
    weld = pkg.concepts[WELD]
    assert weld.pref == {"en": "weld metal"}
    assert weld.alt == {"en": ["welding", "join metal parts"]}
    assert weld.hidden == {"en": ["weldng"]}
    assert weld.description == {"en": WELD_DESC}  # quotes, comma and line break survive
    assert weld.skill_type == "skill"
    assert weld.reuse_level == "sector-specific"
    assert pkg.concepts[HYGIENE].skill_type == "knowledge"
    # a skill only in a collection file still arrives, with its '|'-separated alternatives
    assert pkg.concepts[INITIATIVE].pref == {"en": "show initiative"}
    assert pkg.concepts[INITIATIVE].alt == {"en": ["take the initiative", "be proactive"]}
    assert pkg.concepts[TEAM].alt == {"en": ["teamwork", "work in a team"]}
    assert pkg.concepts[WELDER].code == "7212"
    assert pkg.concepts[WELDER].alt == {"en": ["welding operator", "metal welder"]}
    assert pkg.concepts[ISCO].code == "7212"

    assert pkg.occupation_skills == {WELDER: {WELD: "essential", TEAM: "optional"},
                                     COOK: {HYGIENE: "essential", TEAM: "optional"}}
    assert pkg.skill_relations == [(WELD, TEAM, "optional")]
    assert pkg.broader_skill == {WELD: [GROUP]}
    assert pkg.broader_occ == {WELDER: [ISCO]}
    assert pkg.languages == {"en"}
    # conceptSchemes is known and deliberately not read; nothing was skipped as unknown
    assert not any("conceptSchemes" in f for f in pkg.files)
    assert pkg.skipped == []


def test_zip_reads_the_same_as_the_folder(tmp_path: Path) -> None:
    folder = write_v11_en(tmp_path / "en")
    archive = zip_folder(folder, tmp_path / "esco-en.zip")
    assert summary(read_packages([archive])) == summary(read_packages([folder]))


def test_folder_of_zips_like_the_esco_download(tmp_path: Path) -> None:
    """The download holds one zip with the concept files and one with the relation files."""
    folder = write_v11_en(tmp_path / "csv")
    dl = tmp_path / "v1.1.1"
    dl.mkdir()
    relations = ["occupationSkillRelations.csv", "skillSkillRelations.csv", "broaderRelationsSkillPillar.csv",
                 "broaderRelationsOccPillar.csv"]
    zip_folder(folder, dl / "ESCO dataset - classification -  - csv.zip", relations)
    zip_folder(folder, dl / "ESCO dataset - classification - en - csv.zip",
               [p.name for p in folder.glob("*.csv") if p.name not in relations])
    assert summary(read_packages([dl])) == summary(read_packages([folder]))


def test_v12_column_set_reads_the_same_as_v11(tmp_path: Path) -> None:
    """Columns are read by name: reordered and extra columns, per-language relation files."""
    v11 = read_packages([write_v11_en(tmp_path / "v11")])
    v12 = read_packages([write_v12_en(tmp_path / "v12")])
    assert summary(v12) == summary(v11)


def test_v12_zip(tmp_path: Path) -> None:
    archive = zip_folder(write_v12_en(tmp_path / "v12"), tmp_path / "esco-v12.zip")
    pkg = read_packages([archive])
    assert pkg.occupation_skills == {WELDER: {WELD: "essential", TEAM: "optional"},
                                     COOK: {HYGIENE: "essential", TEAM: "optional"}}
    assert pkg.concepts[WELD].pref == {"en": "weld metal"}


def test_labels_per_language(tmp_path: Path) -> None:
    pkg = read_packages([write_v11_en(tmp_path / "en"), write_nl(tmp_path / "nl")])
    assert pkg.languages == {"en", "nl"}
    assert pkg.concepts[WELD].pref == {"en": "weld metal", "nl": "lassen"}
    assert pkg.concepts[WELD].alt == {"en": ["welding", "join metal parts"]}
    assert pkg.concepts[HYGIENE].pref["nl"] == "hygiëne"
    assert pkg.concepts[WELDER].pref == {"en": "welder", "nl": "lasser"}
    assert pkg.concepts[WELDER].alt["nl"] == ["lasmedewerker", "constructielasser"]
    assert pkg.concepts[WELDER].description["nl"] == "Lassers verbinden metalen delen."
    assert pkg.concepts[TEAM].pref["nl"] == "in teams werken"
    assert pkg.concepts[TEAM].alt["nl"] == ["teamwerk", "in een team werken"]
    # a Dutch label file does not change what a concept is
    assert pkg.concepts[WELD].kind == "skill" and pkg.concepts[WELD].skill_type == "skill"


def test_dutch_labels_alone(tmp_path: Path) -> None:
    pkg = read_packages([write_nl(tmp_path / "nl")])
    assert pkg.concepts[WELD].kind == "skill"
    assert pkg.concepts[WELDER].kind == "occupation"
    assert pkg.concepts[WELD].pref == {"nl": "lassen"}
    assert pkg.occupation_skills is None  # no relation table: a later merge keeps the stored one


def test_single_csv_file_and_unknown_files(tmp_path: Path) -> None:
    folder = write_v11_en(tmp_path / "en")
    pkg = read_packages([folder / "skills_en.csv"])
    assert {c.kind for c in pkg.concepts.values()} == {"skill"}
    assert set(pkg.concepts) == {WELD, HYGIENE, TEAM}

    (folder / "my_notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    pkg = read_packages([folder])
    assert any("my_notes.csv" in s for s in pkg.skipped)
    assert set(pkg.concepts) >= {WELD, WELDER}


def test_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    """Files saved by spreadsheet programs start with a BOM and end lines with CRLF."""
    text = "conceptUri,preferredLabel\r\n" + "".join(f"{r['conceptUri']},{r['preferredLabel']}\r\n"
                                                     for r in SKILL_LABELS_NL)
    p = tmp_path / "skill_preferred_labels_nl.csv"
    p.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    pkg = read_packages([p])
    assert pkg.concepts[WELD].pref == {"nl": "lassen"}
    assert pkg.concepts[HYGIENE].pref == {"nl": "hygiëne"}


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    read_packages([write_v11_en(tmp_path / "en")], lambda done, total: seen.append((done, total)))
    assert seen
    assert all(0 <= d <= t for d, t in seen)
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# ------------------------------------------------------------------------------------ bad input
def _skills_text() -> str:
    """skills_en.csv of the hand-made package, as text."""
    buf = io.StringIO()
    csv.writer(buf).writerows([V11_SKILLS] + [[r.get(c, "") for c in V11_SKILLS] for r in SKILLS_EN])
    return buf.getvalue()


def _case_missing_columns(tmp: Path) -> Path:
    return write_csv(tmp / "skills_en.csv", ["uri", "label"], [{"uri": WELD, "label": "weld"}])


def _case_relations_missing_columns(tmp: Path) -> Path:
    return write_csv(tmp / "occupationSkillRelations.csv", ["occupationUri", "skillUri"], OCC_SKILL)


def _case_truncated_zip(tmp: Path) -> Path:
    full = zip_folder(write_v11_en(tmp / "en"), tmp / "full.zip")
    data = full.read_bytes()
    cut = tmp / "esco.zip"
    cut.write_bytes(data[: len(data) // 2])
    return cut


def _case_zip_missing_its_last_bytes(tmp: Path) -> Path:
    full = zip_folder(write_v11_en(tmp / "en"), tmp / "full.zip")
    cut = tmp / "esco.zip"
    cut.write_bytes(full.read_bytes()[:-10])
    return cut


def _case_zip_with_damaged_member(tmp: Path) -> Path:
    """Central directory intact, but the stored bytes of skills_en.csv were changed (CRC mismatch)."""
    target = tmp / "esco.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("skills_en.csv", _skills_text())
    data = target.read_bytes()
    target.write_bytes(data.replace(b"weld metal", b"wild metal", 1))
    return target


def _case_cut_in_quoted_field(tmp: Path) -> Path:
    text = _skills_text()
    cut_at = text.index("join metal parts")  # inside the quoted, multi-line altLabels field
    p = tmp / "skills_en.csv"
    p.write_text(text[:cut_at], encoding="utf-8")
    return p


def _case_too_few_fields(tmp: Path) -> Path:
    p = tmp / "skills_en.csv"
    p.write_text(_skills_text() + f"KnowledgeSkillCompetence,{SK}x,skill/competence,transversal,half a row\n",
                 encoding="utf-8")
    return p


def _case_not_a_uri(tmp: Path) -> Path:
    rows = [dict(SKILLS_EN[0]), SKILLS_EN[1]]
    rows[1] = dict(rows[1], conceptUri="hygiene")
    return write_csv(tmp / "skills_en.csv", V11_SKILLS, rows)


def _case_relation_not_a_uri(tmp: Path) -> Path:
    rows = [dict(OCC_SKILL[0], skillUri="weld metal")]
    return write_csv(tmp / "occupationSkillRelations.csv", V11_OCC_SKILL, rows)


def _case_unknown_relation_type(tmp: Path) -> Path:
    rows = [dict(OCC_SKILL[0], relationType="mandatory")]
    return write_csv(tmp / "occupationSkillRelations.csv", V11_OCC_SKILL, rows)


def _case_does_not_exist(tmp: Path) -> Path:
    return tmp / "no-such-esco.zip"


def _case_text_file(tmp: Path) -> Path:
    p = tmp / "esco.txt"
    p.write_text("This is a note about ESCO, not a package.\n", encoding="utf-8")
    return p


def _case_text_file_named_zip(tmp: Path) -> Path:
    p = tmp / "esco.zip"
    p.write_text("This is a note about ESCO, not a package.\n", encoding="utf-8")
    return p


def _case_empty_csv(tmp: Path) -> Path:
    p = tmp / "skills_en.csv"
    p.write_bytes(b"")
    return p


def _case_not_utf8(tmp: Path) -> Path:
    p = tmp / "skill_preferred_labels_nl.csv"
    p.write_bytes(f"conceptUri,preferredLabel\n{HYGIENE},hygiëne\n".encode("latin-1"))
    return p


def _case_folder_without_esco_files(tmp: Path) -> Path:
    folder = tmp / "downloads"
    folder.mkdir()
    (folder / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(_case_missing_columns, ("skills_en.csv", "not an ESCO skills file", "conceptUri"),
                     id="missing-columns"),
        pytest.param(_case_relations_missing_columns,
                     ("occupationSkillRelations.csv", "not an ESCO occupationSkillRelations file",
                      "relationType"),
                     id="relations-missing-columns"),
        pytest.param(_case_truncated_zip, ("esco.zip", "truncated"), id="truncated-zip"),
        pytest.param(_case_zip_missing_its_last_bytes, ("esco.zip", "truncated"), id="zip-last-bytes-cut"),
        pytest.param(_case_zip_with_damaged_member, ("esco.zip", "skills_en.csv", "corrupt"),
                     id="zip-member-damaged"),
        pytest.param(_case_cut_in_quoted_field, ("skills_en.csv", "truncated"), id="cut-in-quoted-field"),
        pytest.param(_case_too_few_fields, ("skills_en.csv", "line 8", "expected 13 fields, found 5"),
                     id="too-few-fields"),
        pytest.param(_case_not_a_uri, ("skills_en.csv", "'hygiene'", "not a concept URI"), id="not-a-uri"),
        pytest.param(_case_relation_not_a_uri, ("occupationSkillRelations.csv", "not a concept URI"),
                     id="relation-not-a-uri"),
        pytest.param(_case_unknown_relation_type, ("occupationSkillRelations.csv", "mandatory"),
                     id="unknown-relation-type"),
        pytest.param(_case_does_not_exist, ("no-such-esco.zip", "no such file"), id="does-not-exist"),
        pytest.param(_case_text_file, ("esco.txt", "not an ESCO package"), id="text-file"),
        pytest.param(_case_text_file_named_zip, ("esco.zip", "zip"), id="text-file-named-zip"),
        pytest.param(_case_empty_csv, ("skills_en.csv", "empty"), id="empty-csv"),
        pytest.param(_case_not_utf8, ("skill_preferred_labels_nl.csv", "UTF-8"), id="not-utf8"),
        pytest.param(_case_folder_without_esco_files, ("downloads", "no ESCO CSV files"), id="no-esco-files"),
    ],
)
def test_bad_input_gives_one_line_error(tmp_path: Path, make: Callable[[Path], Path],
                                        words: tuple[str, ...]) -> None:
    path = make(tmp_path)
    with pytest.raises(EscoFormatError) as info:
        read_packages([path])
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert len(message) < 400
    for w in words:
        assert w in message


# ------------------------------------------------------------------------------------- the store
@pytest.fixture
def builtin_small(tmp_path: Path) -> Path:
    """A tiny built-in taxonomy that links to the hand-made ESCO concepts."""
    folder = tmp_path / "builtin"
    (folder / "skills").mkdir(parents=True)
    (folder / "occupations").mkdir()
    (folder / "skills" / "a.toml").write_text(textwrap.dedent(f"""
        [[skill]]
        id = "metaal-lassen"
        esco_uri = "{WELD}"
        type = "skill"
        sectors = ["techniek"]
        nl = "metaal lassen"
        nl_alt = ["laswerk", "lassen van staal"]
        en = "weld"
        description = "Je verbindt metalen delen door ze te lassen."

        [[skill]]
        id = "samenwerken"
        type = "competence"
        sectors = ["transversaal"]
        nl = "samenwerken"
        nl_alt = ["in een team werken", "teamspeler"]
        en = "cooperate"
        """), encoding="utf-8")
    (folder / "occupations" / "b.toml").write_text(textwrap.dedent(f"""
        [[occupation]]
        id = "lasser"
        esco_uri = "{WELDER}"
        isco = "7212"
        sectors = ["techniek"]
        nl = "lasser"
        nl_alt = ["constructielasser", "lasser mig/mag"]
        en = "welder"
        essential = ["metaal-lassen"]
        optional = ["samenwerken"]
        """), encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path: Path, builtin_small: Path) -> TaxonomyStore:
    return TaxonomyStore(tmp_path / "home", builtin_small)


@pytest.fixture
def packages(tmp_path: Path) -> dict[str, Path]:
    return {"en": write_v11_en(tmp_path / "pkg-en"), "nl": write_nl(tmp_path / "pkg-nl")}


def test_import_stores_the_layer_and_reports(store: TaxonomyStore, packages: dict[str, Path]) -> None:
    report = store.import_esco([packages["en"], packages["nl"]])
    assert report.changed
    assert report.languages == ["en", "nl"]
    assert report.before.get("skill", 0) == 0
    assert report.after["skill"] == 4 and report.after["occupation"] == 2
    assert report.after["occupation_skill_relations"] == 4
    assert store.esco_path.exists()
    layer = store.esco_layer()
    assert layer.concepts[WELD].pref == {"en": "weld metal", "nl": "lassen"}
    assert layer.occupation_skills[WELDER] == {WELD: "essential", TEAM: "optional"}
    # the stored file is plain gzip'd JSON, readable without our code
    with gzip.open(store.esco_path, "rt", encoding="utf-8") as f:
        assert len(json.load(f)["concepts"]) == len(layer)


def test_import_is_idempotent(store: TaxonomyStore, packages: dict[str, Path]) -> None:
    store.import_esco([packages["en"], packages["nl"]])
    first = store.esco_path.read_bytes()
    mtime = store.esco_path.stat().st_mtime_ns
    fingerprint = store.fingerprint()
    report = store.import_esco([packages["en"], packages["nl"]])
    assert report.changed is False
    assert report.before == report.after
    assert store.esco_path.read_bytes() == first
    # not rewritten, so the caches keyed on the file stay valid
    assert store.esco_path.stat().st_mtime_ns == mtime
    assert store.fingerprint() == fingerprint


def test_failed_import_leaves_the_previous_layer(store: TaxonomyStore, packages: dict[str, Path],
                                                 tmp_path: Path) -> None:
    store.import_esco([packages["en"]])
    before = store.esco_path.read_bytes()
    (tmp_path / "bad").mkdir()
    bad = _case_cut_in_quoted_field(tmp_path / "bad")
    with pytest.raises(EscoFormatError):
        store.import_esco([packages["nl"], bad])  # the good package in front must not be stored either
    assert store.esco_path.read_bytes() == before
    with pytest.raises(EscoFormatError):
        store.import_esco([tmp_path / "missing"])
    assert store.esco_path.read_bytes() == before
    assert "nl" not in store.esco_layer().concepts[WELD].pref


def test_interrupted_write_leaves_the_previous_layer(store: TaxonomyStore, packages: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store.import_esco([packages["en"]])
    before = store.esco_path.read_bytes()

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("taxonomy.store.os.replace", disk_full)
    with pytest.raises(OSError):
        store.import_esco([packages["nl"]])
    monkeypatch.undo()
    assert store.esco_path.read_bytes() == before
    assert sorted(p.name for p in store.esco_path.parent.iterdir()) == ["esco.json.gz"]  # no temp files left


def test_a_temp_file_left_by_a_killed_import_is_cleared(store: TaxonomyStore, packages: dict[str, Path]) -> None:
    store.import_esco([packages["en"]])
    stale = store.esco_path.parent / f".{store.esco_path.name}.k1ll3d"
    stale.write_bytes(b"half a file")
    store.import_esco([packages["nl"]])
    assert sorted(p.name for p in store.esco_path.parent.iterdir()) == ["esco.json.gz"]


def test_reimport_of_updated_labels_is_stored(store: TaxonomyStore, packages: dict[str, Path]) -> None:
    """A newer release of the same files (same names, changed labels) must not be taken for 'no change'."""
    store.import_esco([packages["en"], packages["nl"]])
    write_csv(packages["nl"] / "skill_preferred_labels_nl.csv", ["conceptUri", "preferredLabel"],
              [{"conceptUri": WELD, "preferredLabel": "metalen lassen"}, SKILL_LABELS_NL[1]])
    report = store.import_esco([packages["nl"]])
    assert report.changed is True
    assert store.esco_layer().concepts[WELD].pref["nl"] == "metalen lassen"
    reread = TaxonomyStore(store.home, store.builtin_dir).esco_layer()
    assert reread.concepts[WELD].pref["nl"] == "metalen lassen"


def test_apply_package_leaves_the_stored_layer_untouched(packages: dict[str, Path]) -> None:
    layer = apply_package(Taxonomy(), read_packages([packages["en"]]))
    before = json.dumps(layer.to_dict(), sort_keys=True)
    new = apply_package(layer, read_packages([packages["nl"]]))
    assert json.dumps(layer.to_dict(), sort_keys=True) == before
    assert new.concepts[WELD].pref["nl"] == "lassen" and "nl" not in layer.concepts[WELD].pref


def test_languages_imported_separately_equal_both_at_once(tmp_path: Path, builtin_small: Path,
                                                          packages: dict[str, Path]) -> None:
    together = TaxonomyStore(tmp_path / "h1", builtin_small)
    together.import_esco([packages["en"], packages["nl"]])
    en_then_nl = TaxonomyStore(tmp_path / "h2", builtin_small)
    en_then_nl.import_esco([packages["en"]])
    en_then_nl.import_esco([packages["nl"]])
    nl_then_en = TaxonomyStore(tmp_path / "h3", builtin_small)
    nl_then_en.import_esco([packages["nl"]])
    nl_then_en.import_esco([packages["en"]])
    expected = together.esco_layer().to_dict()
    assert en_then_nl.esco_layer().to_dict() == expected
    assert nl_then_en.esco_layer().to_dict() == expected
    # and the Dutch import did not drop the relation tables that only the English one carried
    assert en_then_nl.esco_layer().occupation_skills[COOK] == {HYGIENE: "essential", TEAM: "optional"}


def test_builtin_dutch_labels_stay_preferred(store: TaxonomyStore, packages: dict[str, Path]) -> None:
    store.import_esco([packages["en"], packages["nl"]])
    tax = store.load()
    weld = tax.concepts[WELD]
    assert weld.pref == {"nl": "metaal lassen", "en": "weld"}
    assert weld.builtin == "metaal-lassen"
    assert weld.sectors == ["techniek"]
    # ESCO's preferred labels are not lost: they become alternatives, after ours
    assert weld.alt["nl"][:2] == ["laswerk", "lassen van staal"]
    assert "lassen" in weld.alt["nl"]
    assert "weld metal" in weld.alt["en"] and "welding" in weld.alt["en"]
    assert weld.hidden["en"] == ["weldng"]
    welder = tax.concepts[WELDER]
    assert welder.pref["nl"] == "lasser"
    # the same label is not listed again as its own alternative
    assert "lasser" not in [a.casefold() for a in welder.alt["nl"]]
    assert "lasmedewerker" in welder.alt["nl"]
    # ESCO's relations and ours are combined
    assert tax.occupation_skills[WELDER][WELD] == "essential"
    assert tax.occupation_skills[WELDER]["tom:skill/samenwerken"] == "optional"
    assert tax.occupation_skills[WELDER][TEAM] == "optional"
    # ESCO concepts we do not know keep ESCO's labels
    assert tax.concepts[HYGIENE].pref == {"en": "hygiene", "nl": "hygiëne"}


def test_load_caches_and_a_new_store_reads_the_cache(store: TaxonomyStore, packages: dict[str, Path],
                                                     builtin_small: Path) -> None:
    store.import_esco([packages["en"], packages["nl"]])
    tax = store.load()
    cached = list(store.cache_dir.glob("taxonomy-*.pickle"))
    assert len(cached) == 1
    again = TaxonomyStore(store.home, builtin_small).load()
    assert again.to_dict() == tax.to_dict()
    # a new import makes the old cache stale: it is replaced, never served
    extra = write_csv(store.home.parent / "more" / "skill_preferred_labels_nl.csv",
                      ["conceptUri", "preferredLabel"],
                      [{"conceptUri": TEAM, "preferredLabel": "teamwerk doen"}])
    store.import_esco([extra])
    assert store.load().concepts[TEAM].pref["nl"] == "teamwerk doen"
    assert len(list(store.cache_dir.glob("taxonomy-*.pickle"))) == 1


def test_unreadable_stored_layer_is_a_taxonomy_error(store: TaxonomyStore) -> None:
    store.esco_path.parent.mkdir(parents=True)
    store.esco_path.write_bytes(b"not gzip at all")
    with pytest.raises(TaxonomyError) as info:
        store.load()
    assert "esco.json.gz" in str(info.value) and "\n" not in str(info.value)


# ------------------------------------------------------------------------ the real ESCO (slow)
def _labelled(tax: Any, kind: str) -> list[Any]:
    return [c for c in tax.of_kind(kind) if c.pref]


@pytest.mark.slow
def test_real_esco_import(esco_home: TaxonomyStore, esco_dir: Path) -> None:
    layer = esco_home.esco_layer()
    skills = _labelled(layer, "skill")
    occupations = _labelled(layer, "occupation")
    assert len(skills) == 13_896
    assert len(occupations) == 3_007
    assert len(_labelled(layer, "isco_group")) == 619
    assert all("en" in c.pref for c in skills)
    assert all("nl" in c.pref for c in occupations)
    # every skill in the Dutch label file got its Dutch label (the collections add more)
    nl_file = esco_dir / "v1.1.1-nl" / "skill_preferred_labels_nl.csv"
    with nl_file.open(encoding="utf-8-sig", newline="") as f:
        nl_labels = {r["conceptUri"]: r["preferredLabel"].strip() for r in csv.DictReader(f)}
    assert len(nl_labels) > 5_400
    assert all(layer.concepts[u].pref.get("nl") == label for u, label in nl_labels.items())
    assert sum("nl" in c.pref for c in skills) >= len(nl_labels)
    # relations
    kinds = [r for rel in layer.occupation_skills.values() for r in rel.values()]
    assert len(kinds) == 123_855
    assert kinds.count("essential") == 64_946 and kinds.count("optional") == 58_909
    assert len(layer.skill_relations) > 5_000
    assert sum(bool(c.broader) for c in skills) > 10_000
    assert {c.reuse_level for c in skills} >= {"transversal", "cross-sector", "sector-specific",
                                                 "occupation-specific"}


@pytest.mark.slow
def test_real_esco_merged_with_builtin(esco_home: TaxonomyStore, builtin_dir: Path) -> None:
    from taxonomy.builtin import load_builtin

    tax = esco_home.load()
    assert list(esco_home.cache_dir.glob("taxonomy-*.pickle"))
    counts = tax.counts()
    builtin = load_builtin(builtin_dir)
    own_skills = sum(1 for c in builtin.of_kind("skill") if not c.is_esco)
    assert counts["skill"] == 13_896 + own_skills
    # our Dutch labels stay preferred for every built-in concept linked to ESCO
    for c in builtin.concepts.values():
        merged = tax.concepts[c.id]
        assert merged.pref["nl"] == c.pref["nl"], c.builtin
        assert merged.builtin == c.builtin
    # ESCO occupations got a focus sector from their ISCO group
    cook = [c for c in tax.of_kind("occupation") if c.pref.get("en") == "cook" and c.is_esco]
    assert cook and "horeca" in cook[0].sectors
    # a second store object reads the cache and sees the same taxonomy
    again = TaxonomyStore(esco_home.home, builtin_dir).load()
    assert again.counts() == counts


@pytest.mark.slow
def test_real_esco_reimport_changes_nothing(esco_home: TaxonomyStore, esco_dir: Path) -> None:
    before = esco_home.esco_path.read_bytes()
    report = esco_home.import_esco([esco_dir / "v1.1.1-nl"])
    assert report.changed is False
    assert esco_home.esco_path.read_bytes() == before
