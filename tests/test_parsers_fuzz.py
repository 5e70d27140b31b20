"""Property tests: the parsers of outside files never crash — they read, or they fail with their own error."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.services import feeds, jobposting
from api.services.errors import ServiceError
from api.services.geo import GeoFileError, read_geonames
from taxonomy.errors import TaxonomyError
from taxonomy.esco import read_packages

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25)
FIELDS = ["@type", "title", "description", "identifier", "hiringOrganization", "jobLocation", "skills",
          "tom:optionalSkills", "validThrough", "workHours", "industry", "qualifications", "responsibilities"]
postings = st.fixed_dictionaries({"@type": st.just("JobPosting")},
                                 optional={k: json_values for k in FIELDS[1:]})


@pytest.fixture(scope="module")
def parse_hub(shared_matching: Any) -> Any:
    from api.services.hub import Hub
    from api.settings import Settings

    home = Path(tempfile.mkdtemp(prefix="tom-fuzz-"))
    return Hub(Settings(TOM_HOME=home), matching=shared_matching)  # type: ignore[call-arg]


@FUZZ
@given(obj=postings | json_values)
def test_a_posting_is_parsed_or_rejected_with_a_reason(parse_hub: Any, obj: Any) -> None:
    feeds._HUB = parse_hub
    where, result = feeds._parse_one(("f:1", obj))
    assert where == "f:1"
    assert isinstance(result, jobposting.Posting | str)
    if isinstance(result, str):
        assert result.strip()


@FUZZ
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(str.encode),
       suffix=st.sampled_from([".json", ".jsonl", ".html", ".csv", ".txt"]))
def test_a_feed_file_is_read_or_refused_in_one_line(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"feed{suffix}"
        path.write_bytes(raw)
        try:
            items = list(feeds.read_feed(path))
        except ServiceError as exc:
            assert "\n" not in exc.message
            return
    for where, _obj in items:
        assert where.startswith(str(path))


@FUZZ
@given(html=st.text(max_size=300))
def test_html_to_text_never_fails(html: str) -> None:
    text = jobposting.html_to_text(html)
    assert "<script" not in text.lower() or "<script" in html.lower()


@FUZZ
@given(raw=st.text(max_size=300))
def test_a_postcode_file_is_read_or_refused(raw: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "NL.txt"
        path.write_text(raw, encoding="utf-8")
        try:
            rows = read_geonames(path)
        except GeoFileError as exc:
            assert "\n" not in str(exc)
            return
    assert all(len(r.pc4) == 4 for r in rows)


@FUZZ
@given(header=st.lists(st.sampled_from(["conceptUri", "preferredLabel", "altLabels", "conceptType", "skillType",
                                         "occupationUri", "skillUri", "relationType", "x"]), min_size=1, max_size=5),
       rows=st.lists(st.lists(st.text(max_size=15), min_size=1, max_size=5), max_size=4),
       name=st.sampled_from(["skills_en.csv", "occupations_nl.csv", "occupationSkillRelations_en.csv",
                             "broaderRelationsSkillPillar_en.csv", "skillSkillRelations_en.csv"]))
def test_an_esco_file_is_read_or_refused(header: list[str], rows: list[list[str]], name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        lines = [",".join(header)] + [",".join(json.dumps(c) for c in r) for r in rows]
        path.write_text("\n".join(lines), encoding="utf-8")
        try:
            read_packages([path])
        except TaxonomyError as exc:
            assert "\n" not in str(exc)
