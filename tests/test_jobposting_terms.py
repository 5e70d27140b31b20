"""Salary and how to apply from schema.org JobPosting: baseSalary, applicationContact, url, directApply; how the
import stores them, and how the pages and mails say them (Dutch and English number formats)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from api.models import Vacancy
from api.services import display, feeds
from api.services.hub import Hub
from api.services.jobposting import how_to_apply, salary
from tests.test_feeds import posting

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "vacancies"


def test_base_salary_in_its_usual_shapes() -> None:
    money = {"@type": "MonetaryAmount", "currency": "EUR"}
    assert salary({"baseSalary": {**money, "value": {"@type": "QuantitativeValue", "minValue": 2600,
                                                     "maxValue": 3100, "unitText": "MONTH"}}}) == {
        "salary_min": 2600.0, "salary_max": 3100.0, "salary_period": "MONTH", "salary_currency": "EUR"}
    one = salary({"baseSalary": {**money, "value": {"value": "14.50", "unitText": "hour"}}})
    assert (one["salary_min"], one["salary_max"], one["salary_period"]) == (14.5, 14.5, "HOUR")
    assert salary({"baseSalary": 3000})["salary_min"] == 3000.0  # a bare number: no period, no currency
    swapped = salary({"baseSalary": {"value": {"minValue": 3100, "maxValue": 2600, "unitText": "FORTNIGHT"}}})
    assert (swapped["salary_min"], swapped["salary_max"], swapped["salary_period"]) == (2600.0, 3100.0, None)
    for bad in ({"value": {"minValue": "veel"}}, {"value": -5}, {"value": True}, "cao", None):
        assert salary({"baseSalary": bad}) == {}


def test_how_to_apply_keeps_only_safe_links_and_real_addresses() -> None:
    got = how_to_apply({"applicationContact": {"@type": "ContactPoint", "email": "mailto:werk@x.example",
                                               "telephone": "071 - 123 45 67", "name": " Els  de Vries ",
                                               "url": "https://x.example/solliciteer"},
                        "url": "https://x.example/vacature", "directApply": "true"})
    assert got == {"apply_email": "werk@x.example", "apply_phone": "071 - 123 45 67", "apply_contact": "Els de Vries",
                   "apply_url": "https://x.example/solliciteer", "direct_apply": True}
    assert how_to_apply({"url": "https://x.example/vacature"})["apply_url"] == "https://x.example/vacature"
    bad = how_to_apply({"url": "javascript:alert(1)", "applicationContact": {"email": "geen adres",
                                                                             "telephone": "bel maar"},
                        "directApply": "misschien"})
    assert bad == {}


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                        st.sampled_from(["value", "minValue", "maxValue", "unitText", "currency", "email", "url",
                                         "telephone", "name"]), kids, max_size=4), max_leaves=12))
def test_terms_never_fail_and_keep_their_promises(value: Any) -> None:
    """Whatever a feed puts there: no exception, min ≤ max, known periods, only http(s) links."""
    obj = {"baseSalary": value, "applicationContact": value, "url": value, "directApply": value}
    s, a = salary(obj), how_to_apply(obj)
    if s:
        assert 0 < s["salary_min"] <= s["salary_max"]
        assert s["salary_period"] in (None, "HOUR", "DAY", "WEEK", "MONTH", "YEAR")
    if "apply_url" in a:
        assert a["apply_url"].lower().startswith(("http://", "https://"))
    assert a.get("direct_apply") in (None, True, False)


def test_every_demo_posting_has_a_salary() -> None:
    postings = [p for f in sorted(DEMO.glob("*.jsonld")) for p in json.loads(f.read_text(encoding="utf-8"))]
    assert len(postings) == 150
    assert all(salary(p).get("salary_period") and salary(p).get("salary_currency") == "EUR" for p in postings)


def test_import_stores_and_reimport_updates_the_terms(hub: Hub, tmp_path: Path) -> None:
    f = tmp_path / "feed.json"
    base = {"@type": "MonetaryAmount", "currency": "EUR",
            "value": {"@type": "QuantitativeValue", "minValue": 2600, "maxValue": 3100, "unitText": "MONTH"}}
    f.write_text(json.dumps([posting(baseSalary=base, applicationContact={"email": "hr@x.example"})]))
    with Session(hub.engine) as db:
        feeds.import_files(hub, db, [f], workers=1)
        v = db.exec(select(Vacancy)).one()
        assert (v.salary_min, v.salary_max, v.salary_currency, v.salary_period, v.apply_email) == (
            2600, 3100, "EUR", "MONTH", "hr@x.example")
    f.write_text(json.dumps([posting()]))  # the employer took the salary out of the posting
    with Session(hub.engine) as db:
        report = feeds.import_files(hub, db, [f], workers=1)
        assert report.updated == 1
        v = db.exec(select(Vacancy)).one()
        assert v.salary_min is None and v.apply_email is None


def test_salary_and_distance_as_people_read_them() -> None:
    v = SimpleNamespace(salary_min=2600.0, salary_max=3100.0, salary_currency="EUR", salary_period="MONTH")
    assert display.salary(v, "nl") == "€ 2.600 – € 3.100 per maand"
    assert display.salary(v, "en") == "€2,600 – €3,100 per month"
    hourly = SimpleNamespace(salary_min=14.5, salary_max=None, salary_currency=None, salary_period="HOUR")
    assert display.salary(hourly, "nl") == "€ 14,50 per uur"
    none = SimpleNamespace(salary_min=None, salary_max=None, salary_currency=None, salary_period=None)
    assert display.salary(none, "nl") is None
    assert (display.km(0.04, "nl"), display.km(12.34, "en")) == ("0,0 km", "12.3 km")
    assert (display.sector_name("zorg", "nl"), display.sector_name("horeca", "en")) == ("Zorg", "Hospitality")


def test_tom_notify_on_a_fresh_home_prints_one_summary_line(tom_home: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["notify"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "notify: 0 job seekers with the vacancy alert on, 0 mailed (0 vacancies), 0 failed"
