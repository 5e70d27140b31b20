"""The built-in Dutch taxonomy in data/taxonomy: it loads, and it keeps every rule of its README."""

from __future__ import annotations

import re
import textwrap
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from taxonomy.builtin import load_builtin
from taxonomy.errors import TaxonomyError
from taxonomy.esco import EscoPackage, read_packages
from taxonomy.model import SECTORS, Concept, Taxonomy

FOCUS_SECTORS = ("techniek", "horeca", "zorg")


@pytest.fixture(scope="module")
def builtin(builtin_dir: Path) -> Taxonomy:
    return load_builtin(builtin_dir)


@pytest.fixture(scope="module")
def raw_entries(builtin_dir: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, "skill"/"occupation", entry) straight from the TOML files, without the loader."""
    out = []
    for kind, folder in (("skill", "skills"), ("occupation", "occupations")):
        for path in sorted((builtin_dir / folder).glob("*.toml")):
            for entry in tomllib.loads(path.read_text(encoding="utf-8")).get(kind, []):
                out.append((f"{folder}/{path.name}", kind, entry))
    return out


@pytest.fixture(scope="module")
def esco_en(esco_en_zip: Path) -> EscoPackage:
    """The real English ESCO classification, read with our own reader."""
    return read_packages([esco_en_zip])


def _skills(tax: Taxonomy) -> list[Concept]:
    return tax.of_kind("skill")


def _occupations(tax: Taxonomy) -> list[Concept]:
    return tax.of_kind("occupation")


# ---------------------------------------------------------------------------------- the shipped data
def test_shipped_taxonomy_has_enough_skills_and_occupations(builtin: Taxonomy) -> None:
    assert len(_skills(builtin)) >= 400
    assert len(_occupations(builtin)) >= 45
    per_sector = Counter(s for c in _occupations(builtin) for s in c.sectors)
    for sector in FOCUS_SECTORS:
        assert per_sector[sector] >= 15, f"only {per_sector[sector]} occupations in {sector}"


def test_every_skill_has_dutch_and_english_labels_and_sectors(builtin: Taxonomy) -> None:
    problems = []
    for c in _skills(builtin):
        if not c.pref.get("nl", "").strip():
            problems.append(f"{c.builtin}: no Dutch label")
        if len({a.casefold() for a in c.alt.get("nl", [])} - {c.pref.get("nl", "").casefold()}) < 2:
            problems.append(f"{c.builtin}: fewer than 2 Dutch alternatives")
        if not c.pref.get("en", "").strip():
            problems.append(f"{c.builtin}: no English label")
        if not c.sectors or not set(c.sectors) <= set(SECTORS):
            problems.append(f"{c.builtin}: sectors {c.sectors}")
        if not c.description.get("nl", "").strip():
            problems.append(f"{c.builtin}: no Dutch description")
        if c.skill_type not in ("skill", "knowledge", "competence"):
            problems.append(f"{c.builtin}: type {c.skill_type}")
    assert not problems, "\n".join(problems)


def test_every_occupation_has_skills_isco_code_and_labels(builtin: Taxonomy) -> None:
    problems = []
    for c in _occupations(builtin):
        essential = builtin.skills_of(c.id, "essential")
        optional = builtin.skills_of(c.id, "optional")
        if len(essential) < 5:
            problems.append(f"{c.builtin}: {len(essential)} essential skills")
        if len(optional) < 3:
            problems.append(f"{c.builtin}: {len(optional)} optional skills")
        if not re.fullmatch(r"\d{4}", c.code or ""):
            problems.append(f"{c.builtin}: ISCO code {c.code!r} is not 4 digits")
        if not c.pref.get("nl") or not c.pref.get("en"):
            problems.append(f"{c.builtin}: missing Dutch or English label")
        if len(c.alt.get("nl", [])) < 2:
            problems.append(f"{c.builtin}: fewer than 2 Dutch job titles")
        if not c.sectors or not set(c.sectors) <= set(FOCUS_SECTORS):
            problems.append(f"{c.builtin}: sectors {c.sectors}")
        if not c.description.get("nl", "").strip():
            problems.append(f"{c.builtin}: no Dutch description")
    assert not problems, "\n".join(problems)


def test_occupation_skill_lists_do_not_contradict_themselves(raw_entries: list) -> None:
    """A skill listed as essential and optional for the same job silently loses 'optional'."""
    problems = []
    for where, kind, e in raw_entries:
        if kind != "occupation":
            continue
        ess, opt = e.get("essential", []), e.get("optional", [])
        both = set(ess) & set(opt)
        if both:
            problems.append(f"{where}: {e['id']}: both essential and optional: {sorted(both)}")
        dup = [s for s, n in Counter(ess + opt).items() if n > 1 and s not in both]
        if dup:
            problems.append(f"{where}: {e['id']}: listed twice: {dup}")
    assert not problems, "\n".join(problems)


def test_preferred_labels_are_unique(builtin: Taxonomy) -> None:
    """Two concepts with the same Dutch name cannot be told apart by a user."""
    for kind in ("skill", "occupation"):
        counts = Counter(c.pref["nl"].casefold() for c in builtin.of_kind(kind))
        assert [label for label, n in counts.items() if n > 1] == [], kind


def test_no_esco_uri_is_used_twice(raw_entries: list) -> None:
    uris = Counter(e["esco_uri"] for _, _, e in raw_entries if e.get("esco_uri"))
    assert uris, "no ESCO URIs at all: the built-in taxonomy should be linked to ESCO"
    assert [u for u, n in uris.items() if n > 1] == []


def test_esco_uris_are_well_formed(raw_entries: list) -> None:
    pattern = re.compile(r"^http://data\.europa\.eu/esco/(skill|occupation)/[0-9a-f-]{36}$")
    problems = []
    for where, kind, e in raw_entries:
        uri = e.get("esco_uri")
        if uri is None:
            continue
        m = pattern.match(uri)
        if not m or m.group(1) != kind:
            problems.append(f"{where}: {e['id']}: {uri}")
    assert not problems, "\n".join(problems)


def test_transversal_skills_are_present(builtin: Taxonomy) -> None:
    by_slug = {c.builtin: c for c in _skills(builtin)}
    for slug in ("samenwerken", "hygienisch-werken", "veilig-werken", "klantvriendelijk-zijn"):
        assert slug in by_slug, slug
    assert "transversaal" in by_slug["samenwerken"].sectors
    assert sum("transversaal" in c.sectors for c in _skills(builtin)) >= 30
    # and the sectors use them: every focus sector has an occupation needing samenwerken
    needing = {s for c in _occupations(builtin) if by_slug["samenwerken"].id in builtin.skills_of(c.id)
               for s in c.sectors}
    assert needing >= set(FOCUS_SECTORS)


def test_every_focus_sector_has_its_own_skills(builtin: Taxonomy) -> None:
    per_sector = Counter(s for c in _skills(builtin) for s in c.sectors)
    for sector in FOCUS_SECTORS:
        assert per_sector[sector] >= 50, f"{sector}: {per_sector[sector]} skills"


def test_relations_point_at_builtin_skills(builtin: Taxonomy) -> None:
    skills = {c.id for c in _skills(builtin)}
    for occ, rel in builtin.occupation_skills.items():
        assert set(rel) <= skills, occ
    for a, b, _ in builtin.skill_relations:
        assert a in skills and b in skills
    for c in _skills(builtin):
        assert set(c.broader) <= skills - {c.id}, c.builtin


# ------------------------------------------------------------------------- against the real ESCO
def test_esco_uris_exist_in_esco(builtin: Taxonomy, esco_en: EscoPackage) -> None:
    """A URI that is given must name a real ESCO concept of the same kind (never a guess)."""
    linked = [c for c in builtin.concepts.values() if c.is_esco]
    assert len(linked) >= 100
    problems = []
    for c in linked:
        esco = esco_en.concepts.get(c.id)
        if esco is None:
            problems.append(f"{c.builtin}: {c.id} is not in ESCO")
        elif esco.kind != c.kind:
            problems.append(f"{c.builtin}: {c.id} is an ESCO {esco.kind}, not a {c.kind}")
    assert not problems, "\n".join(problems)


def test_isco_code_matches_esco_where_linked(builtin: Taxonomy, esco_en: EscoPackage) -> None:
    problems = []
    for c in _occupations(builtin):
        esco = esco_en.concepts.get(c.id)
        if esco is not None and esco.code and esco.code != c.code:
            problems.append(f"{c.builtin}: isco {c.code}, ESCO says {esco.code}")
    assert not problems, "\n".join(problems)


def test_descriptions_are_our_own(builtin: Taxonomy, esco_en: EscoPackage, esco_dir: Path) -> None:
    """The README forbids copying ESCO's descriptions; our text is written in B1 Dutch."""
    esco_nl = read_packages([esco_dir / "v1.1.1-nl"])
    theirs = {d.strip().casefold() for pkg in (esco_en, esco_nl) for c in pkg.concepts.values()
              for d in c.description.values()}
    copied = [c.builtin for c in builtin.concepts.values()
              if any(d.strip().casefold() in theirs for d in c.description.values())]
    assert copied == []


# ------------------------------------------------------------------------------ loader errors
_SKILLS_OK = """
[[skill]]
id = "samenwerken"
type = "competence"
sectors = ["transversaal"]
nl = "samenwerken"
nl_alt = ["in een team werken", "teamspeler"]
en = "work in a team"

[[skill]]
id = "lassen"
esco_uri = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"
type = "skill"
sectors = ["techniek"]
nl = "lassen"
nl_alt = ["laswerk", "metaal lassen"]
en = "weld"
broader = "samenwerken"
related = ["samenwerken"]
"""

_OCC_OK = """
[[occupation]]
id = "lasser"
isco = "7212"
sectors = ["techniek"]
nl = "lasser"
nl_alt = ["constructielasser", "laswerker"]
en = "welder"
essential = ["lassen"]
optional = ["samenwerken"]
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_loader_reads_a_small_valid_taxonomy(tmp_path: Path) -> None:
    tax = load_builtin(_write(tmp_path, {"skills/a.toml": _SKILLS_OK, "occupations/b.toml": _OCC_OK}))
    weld = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"
    assert set(tax.concepts) == {"tom:skill/samenwerken", weld, "tom:occupation/lasser"}
    assert tax.concepts[weld].pref == {"nl": "lassen", "en": "weld"}
    assert tax.concepts[weld].alt == {"nl": ["laswerk", "metaal lassen"]}
    assert tax.concepts[weld].broader == ["tom:skill/samenwerken"]
    assert tax.occupation_skills["tom:occupation/lasser"] == {weld: "essential",
                                                             "tom:skill/samenwerken": "optional"}
    assert (weld, "tom:skill/samenwerken", "related") in tax.skill_relations
    assert tax.concepts["tom:occupation/lasser"].code == "7212"


@pytest.mark.parametrize(
    ("files", "bad_file", "words"),
    [
        pytest.param({"occupations/b.toml": _OCC_OK.replace('"lassen"]', '"lasssen"]')},
                     "b.toml", ("unknown skill", "lasssen"), id="unknown-skill-in-occupation"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('related = ["samenwerken"]',
                                                          'related = ["niets"]')},
                     "a.toml", ("unknown skill", "niets"), id="unknown-related-skill"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('broader = "samenwerken"', 'broader = "niets"')},
                     "a.toml", ("unknown skill", "niets"), id="unknown-broader-skill"),
        pytest.param({"skills/z.toml": _SKILLS_OK.split("[[skill]]")[1].join(["[[skill]]", ""])},
                     "z.toml", ("duplicate", "samenwerken"), id="duplicate-skill-id-across-files"),
        pytest.param({"occupations/c.toml": _OCC_OK}, "c.toml", ("duplicate", "lasser"),
                     id="duplicate-occupation-id"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('["techniek"]', '["bouw"]')},
                     "a.toml", ("sector", "bouw"), id="bad-sector"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('type = "skill"', 'type = "talent"')},
                     "a.toml", ("type",), id="bad-type"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('en = "weld"', "")},
                     "a.toml", ("missing en",), id="missing-english-label"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace("nl_alt = [\"laswerk", "nl_alts = [\"laswerk")},
                     "a.toml", ("unknown keys", "nl_alts"), id="misspelt-key"),
        pytest.param({"skills/a.toml": _SKILLS_OK.replace('id = "lassen"', 'id = "Lassen!"')},
                     "a.toml", ("id",), id="bad-slug"),
        pytest.param({"occupations/c.toml": _OCC_OK.replace('"lasser"', '"lasser-2"', 1).replace(
            'isco = "7212"',
            'esco_uri = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000001"\n'
            'isco = "7212"')},
                     "c.toml", ("used twice",), id="esco-uri-used-twice"),
        pytest.param({"skills/a.toml": _SKILLS_OK + "\n[[skill]\nid = 'x'\n"}, "a.toml", (),
                     id="toml-syntax-error"),
    ],
)
def test_loader_errors_name_the_file(tmp_path: Path, files: dict[str, str], bad_file: str,
                                     words: tuple[str, ...]) -> None:
    _write(tmp_path, {"skills/a.toml": _SKILLS_OK, "occupations/b.toml": _OCC_OK})
    _write(tmp_path, files)
    with pytest.raises(TaxonomyError) as info:
        load_builtin(tmp_path)
    message = str(info.value)
    assert bad_file in message
    for w in words:
        assert w in message
    assert "\n" not in message.strip()
