"""`tom match rank`, `tom match candidates` and `tom match careers` as the benchmark and a coach use them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import _one_error_line, tom


def _ids(svc_phrases: list[str]) -> list[str]:
    from api.services.matching import MatchingService
    from api.services.taxonomy import TaxonomyService
    from api.settings import get_settings

    return MatchingService(TaxonomyService(get_settings())).skills_from_text(svc_phrases)


def test_rank_prints_one_line_per_profile_best_first(tom_home: Path, tmp_path: Path) -> None:
    weld = _ids(["lassen", "technische tekeningen lezen", "veilig werken"])
    cook = _ids(["koken volgens recept", "hygiënisch werken", "mise-en-place maken"])
    v = tmp_path / "v.jsonl"
    v.write_text("\n".join(json.dumps(x) for x in [
        {"id": "V1", "title": "lasser", "essential": weld, "optional": []},
        {"id": "V2", "title": "kok", "essential": cook, "optional": weld[:1]},
    ]) + "\n", encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in [
        {"id": "P1", "skills": [{"esco_uri": s} for s in weld]},
        {"id": "P2", "skills": [{"esco_uri": s} for s in cook], "name": "ignored"},
    ]) + "\n", encoding="utf-8")
    res = tom("match", "rank", "--vacancies", str(v), "--profiles", str(p), "--top", "2", "--explain")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["profile_id"] for x in lines] == ["P1", "P2"]
    assert lines[0]["results"][0]["vacancy_id"] == "V1"
    assert lines[1]["results"][0]["vacancy_id"] == "V2"
    for line in lines:
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        expl = line["results"][0]["explanation"]
        assert abs(sum(expl["points"].values()) / 100 - expl["score"]) < 1e-3


def test_candidates_prints_one_line_per_vacancy_must_haves_first(tom_home: Path, tmp_path: Path) -> None:
    weld = _ids(["lassen", "technische tekeningen lezen", "veilig werken"])
    cook = _ids(["koken volgens recept", "hygiënisch werken", "mise-en-place maken"])
    v = tmp_path / "v.jsonl"
    v.write_text("\n".join(json.dumps(x) for x in [
        {"id": "V1", "title": "lasser", "essential": weld, "optional": cook[:1]},
        {"id": "V2", "title": "kok", "essential": cook, "optional": []},
    ]) + "\n", encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in [
        {"id": "full", "skills": [{"esco_uri": s} for s in weld]},
        # misses one must-have but knows much more besides, also the nice-to-have
        {"id": "more", "skills": [{"esco_uri": s} for s in weld[:2] + cook]},
        {"id": "none", "skills": []},
    ]) + "\n", encoding="utf-8")
    res = tom("match", "candidates", "--vacancies", str(v), "--profiles", str(p), "--top", "5", "--explain")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["vacancy_id"] for x in lines] == ["V1", "V2"]
    assert [r["profile_id"] for r in lines[0]["results"]] == ["full", "more"]
    assert lines[0]["results"][0]["explanation"]["must_haves"] == [3, 3]
    assert lines[0]["results"][1]["explanation"]["must_haves"] == [2, 3]
    assert [r["profile_id"] for r in lines[1]["results"]] == ["more"]  # nothing in common: not listed
    for line in lines:
        for r in line["results"]:
            assert r["explanation"]["score"] == r["score"]  # candidates are ranked by the pair's score itself
            assert abs(sum(r["explanation"]["points"].values()) / 100 - r["score"]) < 1e-3
    assert _one_error_line(tom("match", "candidates", "--vacancies", str(v), "--profiles", str(p), "--top", "0"))


def test_rank_answers_when_no_vacancy_asks_the_profiles_skills(tom_home: Path, tmp_path: Path) -> None:
    """The crash of issue 14: one vacancy and a profile with one unrelated skill."""
    v = tmp_path / "v.jsonl"
    v.write_text(json.dumps({"id": "V1", "essential": _ids(["lassen"])}) + "\n", encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text(json.dumps({"id": "P1", "skills": _ids(["koken volgens recept"])}) + "\n", encoding="utf-8")
    res = tom("match", "rank", "--vacancies", str(v), "--profiles", str(p))
    assert res.exit_code == 0, res.output
    assert [r["vacancy_id"] for r in json.loads(res.stdout)["results"]] == ["V1"]


def test_rank_rejects_bad_input_with_one_line(tom_home: Path, tmp_path: Path) -> None:
    v = tmp_path / "v.jsonl"
    v.write_text('{"id": "V1", "essential": []}\nnot json\n', encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text('{"id": "P1", "skills": []}\n', encoding="utf-8")
    line = _one_error_line(tom("match", "rank", "--vacancies", str(v), "--profiles", str(p)))
    assert "v.jsonl:2" in line
    line = _one_error_line(tom("match", "rank", "--vacancies", str(tmp_path / "nope.jsonl"), "--profiles", str(p)))
    assert "nope.jsonl" in line
    p.write_text('{"id": "P1", "skills": [{"esco_uri": "x", "level": 9}]}\n', encoding="utf-8")
    v.write_text('{"id": "V1", "essential": ["x"]}\n', encoding="utf-8")
    assert "level" in _one_error_line(tom("match", "rank", "--vacancies", str(v), "--profiles", str(p)))


def test_careers_shows_gap_and_training(tom_home: Path) -> None:
    res = tom("match", "careers", "--skills", "gasten ontvangen; eten serveren; hygiënisch werken; afwassen",
              "--sector", "zorg", "--top", "3")
    assert res.exit_code == 0, res.output
    assert "(zorg)" in res.stdout
    assert "mist nog" in res.stdout and "scholing" in res.stdout
    assert "Traceback" not in res.output
    assert _one_error_line(tom("match", "careers", "--skills", "qqqq xxxx"))


def test_text_that_is_not_utf8_is_refused_with_its_line(tom_home: Path, tmp_path: Path) -> None:
    tsv = tmp_path / "q.tsv"
    tsv.write_bytes(b"q1\tgastvrij\nq2\t\xff\xfe kapot\n")
    res = tom("taxonomy", "suggest", "--batch", str(tsv), "--top", "1")
    assert "q.tsv:2: not UTF-8" in _one_error_line(res)
    assert json.loads(res.stdout.splitlines()[0])["qid"] == "q1"  # what came before is answered
    jl = tmp_path / "v.jsonl"
    jl.write_bytes(b'{"id": "V1", "essential": []}\n\xff\n')
    assert "v.jsonl:2: not UTF-8" in _one_error_line(tom("match", "rank", "--vacancies", str(jl),
                                                          "--profiles", str(jl)))
