"""Vacancy feeds: every input format, idempotent re-import, rejections, free-text skills, export, postcodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.cli import app
from api.models import Vacancy, VacancySkill
from api.services import feeds
from api.services.hub import Hub
from tests.conftest import SHARED_DIR

runner = CliRunner()


def posting(ident: str | None = "p-1", **over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": "Kok",
        "description": "<p>Wij zoeken een kok.</p>", "validThrough": "2099-01-01",
        "hiringOrganization": {"@type": "Organization", "name": "Brasserie Test"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": "2311 CS",
                                                      "addressLocality": "Leiden"}},
        "skills": [{"@type": "DefinedTerm", "name": "koken volgens recept", "termCode": "koken-volgens-recept"}],
        "workHours": "24-32 uur per week",
    }
    if ident:
        p["identifier"] = {"@type": "PropertyValue", "value": ident}
    p.update(over)
    return p


def tom(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture
def db_home(tom_home: Path) -> Path:
    assert tom("db", "upgrade").exit_code == 0
    return tom_home


def vacancies(home: Path) -> list[tuple[str, list[tuple[str, bool]]]]:
    from api.db import make_engine

    engine = make_engine(f"sqlite:///{home / 'tom.sqlite'}")
    with Session(engine) as db:
        out = []
        for v in db.exec(select(Vacancy).order_by(Vacancy.id)).all():  # type: ignore[arg-type]
            skills = db.exec(select(VacancySkill).where(VacancySkill.vacancy_id == v.id)).all()
            out.append((v.title, sorted((s.concept_id.rsplit("/", 1)[-1], s.essential) for s in skills)))
    engine.dispose()
    return out


def test_every_format_imports(db_home: Path, tmp_path: Path) -> None:
    files = {
        "one.jsonld": json.dumps(posting("a")),
        "many.json": json.dumps([posting("b"), posting("c", title="Zelfstandig werkend kok")]),
        "graph.jsonld": json.dumps({"@context": "https://schema.org", "@graph": [posting("d")]}),
        "lines.jsonl": "\n".join(json.dumps(posting(f"e{i}")) for i in range(3)),
        "page.html": "<html><head><script type=\"application/ld+json\">"
                     + json.dumps({"@type": "BreadcrumbList", "itemListElement": []})
                     + "</script><script type='application/ld+json'>" + json.dumps(posting("f"))
                     + "</script></head><body>Vacature</body></html>",
        "feed.csv": "identifier,title,organisation,postcode,plaats,skills,optional_skills,valid_through\n"
                    "g,Lasser,Metaal BV,2401 AB,Alphen aan den Rijn,MIG/MAG lassen;veilig werken,rijbewijs B,"
                    "2099-01-01\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    r = tom("vacancies", "import", *[str(tmp_path / n) for n in files])
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "imported=9 updated=0 skipped=0 rejected=0"
    rows = vacancies(db_home)
    assert len(rows) == 9
    lasser = next(skills for title, skills in rows if title == "Lasser")
    assert ("rijbewijs-b", False) in lasser or any(not e for _, e in lasser)  # the optional column
    assert any(e for _, e in lasser)


def test_reimport_updates_changes_and_never_duplicates(db_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(json.dumps(p) for p in [posting("a"), posting(None, title="Afwasser")]))
    assert tom("vacancies", "import", str(f)).output.strip() == "imported=2 updated=0 skipped=0 rejected=0"
    assert tom("vacancies", "import", str(f)).output.strip() == "imported=0 updated=0 skipped=0 rejected=0"
    f.write_text("\n".join(json.dumps(p) for p in [posting("a", title="Kok (gewijzigd)"),
                                                   posting(None, title="Afwasser")]))
    assert tom("vacancies", "import", str(f)).output.strip() == "imported=0 updated=1 skipped=0 rejected=0"
    assert sorted(t for t, _ in vacancies(db_home)) == ["Afwasser", "Kok (gewijzigd)"]


def test_bad_postings_are_rejected_with_a_reason_and_the_rest_go_on(db_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join([json.dumps(posting("ok1")), "{niet json", json.dumps(posting("x", title="")),
                            json.dumps({"@type": "Organization", "name": "geen vacature"}),
                            json.dumps(posting("y", hiringOrganization={})),
                            json.dumps(posting("z", validThrough="morgen")),
                            json.dumps(posting("old", validThrough="2020-01-01")), json.dumps(posting("ok2"))]))
    report = tmp_path / "report.jsonl"
    r = tom("vacancies", "import", str(f), "--report", str(report))
    assert r.exit_code == 0
    assert r.output.strip() == "imported=2 updated=0 skipped=1 rejected=5"
    reasons = [json.loads(line) for line in report.read_text().splitlines()]
    assert [x["where"].rsplit(":", 1)[1] for x in reasons] == ["2", "3", "4", "5", "6"]
    assert "not JSON" in reasons[0]["reason"] and "title" in reasons[1]["reason"]
    assert "JobPosting" in reasons[2]["reason"] and "hiringOrganization" in reasons[3]["reason"]
    assert "validThrough" in reasons[4]["reason"]


@pytest.mark.parametrize(("content", "message"), [(b"\xff\xfe\x00bad", "not UTF-8"),
                                                   (b"naam,plaats\nx,y\n", "title")])
def test_an_unreadable_file_fails_in_one_line(db_home: Path, tmp_path: Path, content: bytes, message: str) -> None:
    f = tmp_path / ("feed.csv" if b"," in content else "feed.json")
    f.write_bytes(content)
    r = tom("vacancies", "import", str(f))
    assert r.exit_code == 1 and message in r.output and r.output.count("\n") == 1
    assert tom("vacancies", "import", str(tmp_path / "missing.json")).exit_code == 1


def test_free_text_postings_get_essential_and_optional_skills_with_evidence(hub: Hub, tmp_path: Path) -> None:
    desc = ("<p>Zorghuis De Linde zoekt een helpende.</p><h3>Wat ga je doen?</h3><ul><li>Je helpt bewoners met "
            "wassen en aankleden.</li></ul><h3>Wat vragen we?</h3><ul><li>Je werkt hygiënisch.</li>"
            "<li>Je rapporteert in het zorgdossier.</li></ul><h3>Mooi meegenomen</h3><ul><li>Je hebt een "
            "rijbewijs B.</li></ul><h3>Wat bieden we?</h3><ul><li>Een team dat goed samenwerkt.</li></ul>")
    f = tmp_path / "free.json"
    f.write_text(json.dumps(posting("free", title="Helpende zorg en welzijn", description=desc, skills=None)))
    with Session(hub.engine) as db:
        report = feeds.import_files(hub, db, [f], workers=1)
        assert report.imported == 1
        v = db.exec(select(Vacancy)).one()
        reqs = {hub.label(s.concept_id): (s.essential, s.evidence)
                for s in db.exec(select(VacancySkill).where(VacancySkill.vacancy_id == v.id)).all()}
    assert v.sector == "zorg" and v.occupation_id is not None
    assert reqs["hygiënisch werken"][0] is True and "hygiënisch" in (reqs["hygiënisch werken"][1] or "")
    assert reqs["rijbewijs B"][0] is False
    assert "samenwerken" not in reqs  # what the employer offers is not asked of the candidate


def test_import_is_idempotent_on_each_database(hub: Hub, tmp_path: Path) -> None:
    f = tmp_path / "feed.json"
    f.write_text(json.dumps([posting(f"v{i}") for i in range(5)] + [posting("v0")]))
    with Session(hub.engine) as db:
        first = feeds.import_files(hub, db, [f], workers=1)
        second = feeds.import_files(hub, db, [f], workers=1)
        assert (first.imported, second.imported, second.updated) == (5, 0, 0)
        assert db.exec(select(func.count()).select_from(Vacancy)).one() == 5
        # and the index sees them
        assert len(hub.indexes.ensure(db).vacancies) == 5


def test_unknown_place_imports_without_location_and_warns(db_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "feed.json"
    addr = {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Nergenshuizen"}}
    f.write_text(json.dumps(posting("far", jobLocation=addr)))
    report = tmp_path / "r.jsonl"
    assert tom("vacancies", "import", str(f), "--report", str(report)).output.strip().endswith("rejected=0")
    assert "Nergenshuizen" in report.read_text()


def test_export_and_import_round_trip(db_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "feed.json"
    f.write_text(json.dumps([posting("a", **{"tom:optionalSkills": [{"termCode": "rijbewijs-b"}]}),
                             posting("b", title="Afwasser")]))
    tom("vacancies", "import", str(f))
    out = tmp_path / "export.jsonl"
    assert tom("vacancies", "export", "--jsonl", "--out", str(out)).exit_code == 0
    docs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["@type"] for d in docs] == ["JobPosting", "JobPosting"]
    assert docs[0]["jobLocation"]["geo"]["latitude"] > 52
    before = vacancies(db_home)
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("TOM_HOME", str(other))
    from api.settings import get_settings

    get_settings.cache_clear()
    tom("db", "upgrade")
    assert tom("vacancies", "import", str(out)).output.strip() == "imported=2 updated=0 skipped=0 rejected=0"
    assert vacancies(other) == before


def test_jsonld_endpoint(client: Any, hub: Hub) -> None:
    from tests.api_helpers import cook_vacancy, employer

    vid = client.post("/api/v1/vacancies", json=cook_vacancy(hub), headers=employer(client)).json()["id"]
    r = client.get(f"/api/v1/vacancies/{vid}/jobposting")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.json()["@type"] == "JobPosting" and len(r.json()["skills"]) == 3


def test_geonames_postcodes(db_home: Path, tmp_path: Path) -> None:
    nl = SHARED_DIR / "geo" / "NL.txt"
    if not nl.exists():
        pytest.skip("../shared/geo/NL.txt not found")
    r = tom("geo", "import-postcodes", str(nl))
    assert r.exit_code == 0 and r.output.strip() == "postcodes=4086"
    bad = tmp_path / "bad.txt"
    bad.write_text("NL\t2311\tLeiden\n")
    r = tom("geo", "import-postcodes", str(bad))
    assert r.exit_code == 1 and "bad.txt:1" in r.output and r.output.count("\n") == 1
    # The earlier import is intact: a Groningen postcode (outside the built-in table) is found.
    f = tmp_path / "feed.json"
    addr = {"@type": "Place", "address": {"@type": "PostalAddress", "postalCode": "9711 AB"}}
    f.write_text(json.dumps(posting("gron", jobLocation=addr)))
    report = tmp_path / "r.jsonl"
    tom("vacancies", "import", str(f), "--report", str(report))
    assert report.read_text() == ""


def test_a_feed_import_encodes_new_sentences_per_group_and_stores_what_each_posting_says(hub: Hub,
                                                                                         tmp_path: Path) -> None:
    from api.services import jobposting

    duties = ["Je helpt bewoners met wassen en aankleden.", "Je werkt hygiënisch.", "Je bedient de kassa.",
              "Je rapporteert in het zorgdossier.", "Je maakt de kamers schoon.", "Je rijdt op een heftruck."]
    n = feeds.GROUP + 6  # two groups
    posts = [posting(f"t{i}", skills=None, title="Medewerker", description=(
        f"<p>Huis {tmp_path.name} nummer {i} zoekt iemand.</p><h3>Wat vragen we?</h3><ul>"
        + "".join(f"<li>{duties[(i + k) % len(duties)]} ({tmp_path.name} {i})</li>" for k in range(3)) + "</ul>"))
             for i in range(n)]
    f = tmp_path / "feed.json"
    f.write_text(json.dumps(posts))
    hub.taxonomy.index("occupation")  # label vectors computed before counting
    enc = hub.taxonomy.index("skill").encoder
    assert enc is not None and enc._fn is not None
    model, calls = enc._fn, []
    enc._fn = lambda batch: calls.append(len(batch)) or model(batch)  # type: ignore[assignment,func-returns-value]
    try:
        with Session(hub.engine) as db:
            assert feeds.import_files(hub, db, [f], workers=1).imported == n
            stored = {v.identifier: sorted((s.concept_id, s.essential) for s in db.exec(
                select(VacancySkill).where(VacancySkill.vacancy_id == v.id)).all())
                for v in db.exec(select(Vacancy)).all()}
    finally:
        enc._fn = model
    # two new sentences per posting (and the shared duties once): one call per group of postings, plus
    # one for the job title at most, where encoding one sentence at a time took a call per sentence
    assert sum(calls) >= 2 * n and len(calls) <= 2 + 1
    for p in posts:
        parsed = jobposting.parse(hub, p)
        assert stored[p["identifier"]["value"]] == sorted((r.concept_id, r.essential)
                                                          for r in parsed.vacancy.requirements)
    assert any(stored.values())
