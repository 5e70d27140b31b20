"""The ``tom`` command line and the JSON API, on the built-in taxonomy under a tmp TOM_HOME."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.main import create_app
from api.settings import get_settings

runner = CliRunner()


def tom(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _check_results(results: list[dict[str, Any]], top: int) -> None:
    assert 1 <= len(results) <= top
    for r in results:
        assert set(r) >= {"esco_uri", "id", "label", "score"}
        assert 0.0 <= r["score"] <= 1.0
        assert isinstance(r["label"], str) and r["label"]
        # esco_uri is the ESCO URI where the concept has one, else null
        if r["id"].startswith("http://data.europa.eu/esco/"):
            assert r["esco_uri"] == r["id"]
        else:
            assert r["esco_uri"] is None
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def _one_error_line(result: Any) -> str:
    assert result.exit_code != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def batch(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str, name: str = "queries.tsv") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


# ---------------------------------------------------------------------------------- batch mode
def test_taxonomy_suggest_batch(tom_home: Path, batch: Any) -> None:
    path = batch("q1\tgastvrij\nq2\tlassen\n\nq3\tmedicijnen geven\n")
    result = tom("taxonomy", "suggest", "--batch", str(path), "--top", "3")
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [r["qid"] for r in rows] == ["q1", "q2", "q3"]  # blank lines skipped, order kept
    for r in rows:
        _check_results(r["results"], 3)
    best = {r["qid"]: r["results"][0] for r in rows}
    assert best["q1"]["id"] == "tom:skill/gastvrij-zijn"
    assert "lassen" in best["q2"]["label"].lower()
    assert best["q2"]["esco_uri"] is not None
    assert "medicatie" in best["q3"]["label"].lower() or "medicijn" in best["q3"]["label"].lower()
    assert result.stderr == ""


def test_batch_from_stdin(tom_home: Path) -> None:
    result = tom("taxonomy", "suggest", "--batch", "-", "--top", "2", stdin="a\tsamenwerken\n")
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert len(rows) == 1 and rows[0]["qid"] == "a"
    _check_results(rows[0]["results"], 2)
    assert rows[0]["results"][0]["label"] == "samenwerken"


def test_batch_text_may_contain_tabs(tom_home: Path, batch: Any) -> None:
    """Only the first TAB separates the qid; the rest is the text."""
    path = batch("x1\tlassen\tsolderen\n")
    result = tom("taxonomy", "suggest", "--batch", str(path), "--top", "1")
    assert result.exit_code == 0, result.output
    assert _jsonl(result.stdout)[0]["qid"] == "x1"


def test_occupations_suggest_batch(tom_home: Path, batch: Any) -> None:
    path = batch("o1\tkok\no2\tverzorgende ig\no3\tmonteur cv\n")
    result = tom("occupations", "suggest", "--batch", str(path), "--top", "3")
    assert result.exit_code == 0, result.output
    rows = _jsonl(result.stdout)
    assert [r["qid"] for r in rows] == ["o1", "o2", "o3"]
    for r in rows:
        _check_results(r["results"], 3)
        assert all("/occupation/" in x["id"] for x in r["results"])
    assert rows[0]["results"][0]["label"] == "kok"
    assert "verzorgende" in rows[1]["results"][0]["label"].lower()


def test_taxonomy_extract_batch(tom_home: Path, batch: Any) -> None:
    text = "Wij zoeken een kok die HACCP kent en goed kan samenwerken."
    path = batch(f"v1\t{text}\n")
    result = tom("taxonomy", "extract", "--batch", str(path), "--top", "5")
    assert result.exit_code == 0, result.output
    (row,) = _jsonl(result.stdout)
    assert row["qid"] == "v1"
    _check_results(row["results"], 5)
    labels = [r["label"].lower() for r in row["results"]]
    assert "samenwerken" in labels
    assert any("haccp" in label for label in labels)
    for r in row["results"]:  # each found skill points at the words that show it
        start, end = r["span"]
        assert text[start:end] == r["evidence"]


def test_batch_line_without_tab_fails_with_one_line(tom_home: Path, batch: Any) -> None:
    path = batch("q1\tgastvrij\nzonder tab\n")
    result = tom("taxonomy", "suggest", "--batch", str(path))
    line = _one_error_line(result)
    assert "queries.tsv:2" in line and "TAB" in line


def test_missing_batch_file_fails_with_one_line(tom_home: Path, tmp_path: Path) -> None:
    result = tom("occupations", "suggest", "--batch", str(tmp_path / "nope.tsv"))
    line = _one_error_line(result)
    assert "nope.tsv" in line
    assert result.stdout == ""


def test_top_must_be_positive(tom_home: Path, batch: Any) -> None:
    result = tom("taxonomy", "suggest", "--batch", str(batch("q\tlassen\n")), "--top", "0")
    assert "--top" in _one_error_line(result)


# ----------------------------------------------------------------------------------- import-esco
def test_import_esco_nonexistent_path_fails_with_one_line(tom_home: Path) -> None:
    result = tom("taxonomy", "import-esco", "/nonexistent/esco.zip")
    line = _one_error_line(result)
    assert "/nonexistent/esco.zip" in line
    assert not (tom_home / "taxonomy" / "esco.json.gz").exists()


def test_import_esco_corrupt_file_fails_with_one_line(tom_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "skills_en.csv"
    bad.write_text('conceptType,conceptUri,preferredLabel\nKnowledgeSkillCompetence,"http://data.europa.eu/esco/s',
                   encoding="utf-8")
    line = _one_error_line(tom("taxonomy", "import-esco", "--quiet", str(bad)))
    assert "skills_en.csv" in line
    assert not (tom_home / "taxonomy" / "esco.json.gz").exists()


def test_import_esco_small_package_then_suggest_finds_it(tom_home: Path, tmp_path: Path) -> None:
    uri = "http://data.europa.eu/esco/skill/11111111-0000-4000-8000-00000000abcd"
    pkg = tmp_path / "esco"
    pkg.mkdir()
    (pkg / "skills_en.csv").write_text(
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels\n"
        f'KnowledgeSkillCompetence,{uri},skill/competence,sector-specific,operate a glassblowing pipe,'
        '"blow glass\nglassblowing"\n', encoding="utf-8")
    result = tom("taxonomy", "import-esco", "--quiet", str(pkg))
    assert result.exit_code == 0, result.output
    assert "imported 1 files" in result.stdout
    again = tom("taxonomy", "import-esco", "--quiet", str(pkg))
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    found = tom("taxonomy", "suggest", "--json", "--top", "1", "glassblowing")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["results"][0]["esco_uri"] == uri


# ---------------------------------------------------------------------------------- interactive
def test_single_text_prints_readable_results(tom_home: Path) -> None:
    result = tom("taxonomy", "suggest", "gastvrij", "--top", "3")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert 1 <= len(lines) <= 3
    assert "gastvrij" in lines[0] and "tom:skill/gastvrij-zijn" in lines[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
    score = float(lines[0].split()[0])
    assert 0.0 <= score <= 1.0


def test_single_text_as_json(tom_home: Path) -> None:
    result = tom("occupations", "suggest", "--json", "--top", "2", "kok")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["text"] == "kok"
    _check_results(out["results"], 2)


def test_no_text_reads_lines_from_stdin(tom_home: Path) -> None:
    result = tom("taxonomy", "suggest", "--top", "1", stdin="lassen\nsamenwerken\n\nniet gelezen\n")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 2  # one result each; the empty line stops
    assert "lassen" in lines[0].lower() and "samenwerken" in lines[1].lower()


def test_english_labels_on_request(tom_home: Path, builtin_dir: Path) -> None:
    from taxonomy.builtin import load_builtin

    team = next(c for c in load_builtin(builtin_dir).of_kind("skill") if c.builtin == "samenwerken")
    result = tom("taxonomy", "suggest", "--json", "--top", "1", "--lang", "en", "samenwerken")
    assert result.exit_code == 0, result.output
    best = json.loads(result.stdout)["results"][0]
    assert best["id"] == team.id
    assert best["label"] == team.pref["en"]


def test_status_shows_counts(tom_home: Path) -> None:
    result = tom("taxonomy", "status")
    assert result.exit_code == 0, result.output
    assert str(tom_home) in result.stdout
    counts = {k.strip(): int(v) for k, v in
              (ln.split(":") for ln in result.stdout.splitlines() if ln.startswith("  "))}
    assert counts["skill"] >= 400 and counts["occupation"] >= 45


# ------------------------------------------------------------------------------------------ API
@pytest.fixture
def client(tom_home: Path) -> TestClient:
    return TestClient(create_app(get_settings()))


def test_health(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["skills"] >= 400 and body["occupations"] >= 45


def test_skill_suggest(client: TestClient) -> None:
    r = client.get("/api/v1/skills/suggest", params={"q": "gastvrij", "top": 5})
    assert r.status_code == 200
    body = r.json()
    assert 1 <= len(body) <= 5
    assert body[0]["id"] == "tom:skill/gastvrij-zijn"
    assert all(0 <= m["score"] <= 1 for m in body)
    assert [m["score"] for m in body] == sorted((m["score"] for m in body), reverse=True)


@pytest.mark.parametrize("params", [{"q": ""}, {}, {"q": "x" * 201}, {"q": "lassen", "top": 0},
                                    {"q": "lassen", "lang": "de"}])
def test_skill_suggest_rejects_bad_queries(client: TestClient, params: dict[str, Any]) -> None:
    assert client.get("/api/v1/skills/suggest", params=params).status_code == 422


@pytest.mark.parametrize("q", ["   ", "???", "😀"])
def test_query_without_words_finds_nothing(client: TestClient, q: str) -> None:
    for path in ("/api/v1/skills/suggest", "/api/v1/occupations/suggest"):
        r = client.get(path, params={"q": q})
        assert r.status_code == 200 and r.json() == []


def test_occupation_suggest_and_extract(client: TestClient) -> None:
    r = client.get("/api/v1/occupations/suggest", params={"q": "kok"})
    assert r.status_code == 200 and r.json()[0]["label"] == "kok"
    text = "Ervaring met lassen is een pre."
    r = client.post("/api/v1/skills/extract", json={"text": text})
    assert r.status_code == 200
    hits = r.json()
    assert any("lassen" in m["label"].lower() for m in hits)
    for m in hits:
        assert text[m["span"][0]:m["span"][1]] == m["evidence"]
    assert client.post("/api/v1/skills/extract", json={"text": ""}).status_code == 422
