"""Report validation: every report reason code of CONTRACT §3, report grouping, verdicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from expectations.suites import REASON_KEY, REPORT_REASONS, expectations_for, runner
from expectations.validate import EXPLANATIONS, QUARANTINE_SCHEMA, Verdicts, explain, validate
from tests.support.batches import (
    COUNTY,
    MERGED,
    NOW,
    TOWNSHIP,
    UNKNOWN,
    VILLAGE,
    ZONE,
    batch,
    registry,
    valid_row,
)
from transforms.columns import ECONOMY, KINDS, PROJECTS, REPORT_KINDS, SUPERVISION, ReportKind


def run(kind: ReportKind, rows: list[dict[str, Any]], now: datetime = NOW) -> Verdicts:
    return validate(kind, batch(kind, rows), registry(), now)


def only_reasons(v: Verdicts) -> list[str]:
    """The reasons of the single quarantined report."""
    assert v.quarantined.height == 1, v.quarantined
    return list(v.quarantined["reasons"][0])


S, P, E = SUPERVISION, PROJECTS, ECONOMY


@pytest.mark.parametrize("name", KINDS)
def test_valid_report_is_accepted(name: str) -> None:
    kind = REPORT_KINDS[name]
    v = run(kind, [valid_row(kind), valid_row(kind, unit_code=VILLAGE, _file="sha-b")])
    assert v.quarantined.height == 0
    assert v.row_reasons.height == 0
    assert v.accepted.columns == [*kind.names, "_file", "_row"]
    assert v.accepted["unit_code"].to_list() == [COUNTY, VILLAGE]
    assert v.accepted["_file"].to_list() == ["sha-a", "sha-b"]
    assert v.accepted["_row"].to_list() == [1, 1]


CASES: list[tuple[str, ReportKind, dict[str, Any], list[str]]] = [
    ("bad int", S, {"_bad": {"party_orgs"}}, ["bad_value"]),
    ("bad decimal", P, {"_bad": {"planned_investment"}}, ["bad_value"]),
    ("bad enum", P, {"_bad": {"status"}}, ["bad_value"]),
    ("bad bool", S, {"_bad": {"list_published"}}, ["bad_value"]),
    ("bad timestamp", S, {"_bad": {"submitted_at"}}, ["bad_value"]),
    ("bad unit code", S, {"_bad": {"unit_code"}, "_raw": {"unit_code": "3206"}}, ["bad_value"]),
    ("bad project_id", P, {"_bad": {"project_id"}}, ["bad_value"]),
    ("blank required int", S, {"party_orgs": None}, ["missing_required_value"]),
    ("blank required bool", S, {"list_published": None}, ["missing_required_value"]),
    ("blank name", P, {"name": None}, ["missing_required_value"]),
    ("blank period", S, {"period": None}, ["missing_required_value"]),
    ("blank submitted_at", E, {"submitted_at": None}, ["missing_required_value"]),
    ("negative int", S, {"party_orgs": -1}, ["out_of_range"]),
    ("progress over 100", P, {"progress_pct": 100.5}, ["out_of_range"]),
    ("growth under -50", E, {"gdp_growth_pct": -50.1}, ["out_of_range"]),
    ("target over 30", E, {"growth_target_pct": 31.0}, ["out_of_range"]),
    ("name too long", P, {"name": "项" * 201}, ["out_of_range"]),
    ("done > planned", S, {"tasks_done_care": 6, "tasks_planned_care": 5}, ["inconsistent"]),
    ("new > members", S, {"new_members": 6, "party_members": 5}, ["inconsistent"]),
    ("unknown unit", S, {"unit_code": UNKNOWN}, ["unknown_unit"]),
    (
        "zone before it had a code",
        S,
        {"unit_code": ZONE, "period": "2016Q4", "submitted_at": datetime(2017, 1, 5)},
        ["unit_not_valid_in_period"],
    ),
    ("unparseable period", S, {"_bad": {"period"}, "_raw": {"period": "2018Q5"}}, ["bad_period"]),
    (
        "period after the submission quarter",
        S,
        {"period": "2018Q2", "submitted_at": datetime(2018, 3, 31, 23, 59)},
        ["bad_period"],
    ),
    (
        "submitted in the future",
        E,
        {"period": "2018Q2", "submitted_at": datetime(2018, 7, 1, 8, 0)},
        ["future_submission"],
    ),
    ("mobile in name", P, {"name": "联系人张三13812345678"}, ["pii"]),
    ("resident id in name", P, {"name": "负责人32060219900101123X"}, ["pii"]),
    ("resident id as project_id", P, {"project_id": "320602199001011234"}, ["pii"]),
]


@pytest.mark.parametrize(
    ("kind", "overrides", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_reason_codes(kind: ReportKind, overrides: dict[str, Any], expected: list[str]) -> None:
    v = run(kind, [valid_row(kind, **overrides)])
    assert only_reasons(v) == expected
    assert v.accepted.height == 0
    assert v.row_reasons.to_dicts() == [{"_id": 1, "reasons": expected}]


def test_every_report_reason_code_is_covered() -> None:
    assert {r for c in CASES for r in c[3]} | {"duplicate_in_file"} == set(REPORT_REASONS)


def test_boundaries_are_accepted() -> None:
    """Equal to min/max, done == planned, submitted on the period's first instant, at now."""
    rows = [
        valid_row(S, party_orgs=0, new_members=5, party_members=5, tasks_done_team=5),
        valid_row(S, unit_code=TOWNSHIP, submitted_at=datetime(2018, 1, 1)),
        valid_row(S, unit_code=VILLAGE, period="2018Q2", submitted_at=NOW),
        valid_row(S, unit_code=MERGED, period="2017Q4", submitted_at=datetime(2018, 1, 2)),
    ]
    v = run(S, rows)
    assert v.quarantined.height == 0
    assert v.accepted.height == 4
    p = run(P, [valid_row(P, progress_pct=100.0, name="项" * 200, project_id="a" * 32)])
    assert p.quarantined.height == 0


def test_unit_valid_until_its_last_quarter_only() -> None:
    later = datetime(2020, 6, 1)
    ok = valid_row(S, unit_code=MERGED, period="2019Q4", submitted_at=datetime(2020, 1, 5))
    gone = valid_row(S, unit_code=MERGED, period="2020Q1", submitted_at=datetime(2020, 4, 5))
    v = run(S, [ok, gone], now=later)
    assert v.accepted["period"].to_list() == ["2019Q4"]
    assert v.quarantined["period"].to_list() == ["2020Q1"]
    assert v.quarantined["reasons"].to_list() == [["unit_not_valid_in_period"]]


def test_report_with_two_bad_rows_and_one_good_is_quarantined_whole() -> None:
    rows = [
        valid_row(P, project_id="P-1", progress_pct=150.0),
        valid_row(P, project_id="P-2"),
        valid_row(P, project_id="P-3", _bad={"planned_investment"}),
        # another unit's report in the same file stays accepted
        valid_row(P, project_id="P-1", unit_code=VILLAGE),
    ]
    v = run(P, rows)
    q = v.quarantined.to_dicts()
    assert len(q) == 1
    assert q[0]["source_sha256"] == "sha-a"
    assert q[0]["kind"] == "projects"
    assert (q[0]["unit_code"], q[0]["period"]) == (COUNTY, "2018Q1")
    assert q[0]["row_numbers"] == [1, 2, 3]
    assert q[0]["reasons"] == ["bad_value", "out_of_range"]
    record = json.loads(q[0]["record"])
    assert [r["project_id"] for r in record] == ["P-1", "P-2", "P-3"]
    assert record[2]["planned_investment"] == "x?"  # the raw text, as read
    assert v.accepted["unit_code"].to_list() == [VILLAGE]
    assert v.accepted["_row"].to_list() == [4]
    assert sorted(v.row_reasons["_id"].to_list()) == [1, 3]


def test_record_is_in_row_order() -> None:
    rows = [
        valid_row(P, project_id="B", _row=7, party_members=-1),
        valid_row(P, project_id="A", _row=3),
    ]
    q = run(P, rows).quarantined
    assert q["row_numbers"].to_list() == [[3, 7]]
    assert [r["project_id"] for r in json.loads(q["record"][0])] == ["A", "B"]


def test_multiple_reasons_are_recorded_together() -> None:
    rows = [
        valid_row(P, project_id="P-1", progress_pct=-1.0, name="电话13912345678"),
        valid_row(P, project_id="P-2", _bad={"status"}, submitted_at=datetime(2019, 1, 1)),
    ]
    assert only_reasons(run(P, rows)) == [
        "bad_value",
        "future_submission",
        "out_of_range",
        "pii",
    ]
    one = run(S, [valid_row(S, unit_code=UNKNOWN, party_orgs=None, new_members=9)])
    assert only_reasons(one) == ["inconsistent", "missing_required_value", "unknown_unit"]


def test_level_dependent_requirements() -> None:
    rows = [
        valid_row(E, gdp=None),  # county: gdp required
        valid_row(E, unit_code=VILLAGE, gdp=None, gdp_growth_pct=None, savings_balance=None),
        valid_row(E, unit_code=TOWNSHIP, gdp=None, gdp_growth_pct=None),  # township: growth
        valid_row(E, unit_code=VILLAGE, collective_income=None, _file="sha-b"),  # village
        valid_row(E, unit_code=TOWNSHIP, collective_income=None, _file="sha-b"),
    ]
    v = run(E, rows)
    got = {(r["source_sha256"], r["unit_code"]): r["reasons"] for r in v.quarantined.to_dicts()}
    assert got == {
        ("sha-a", COUNTY): ["missing_required_value"],
        ("sha-a", TOWNSHIP): ["missing_required_value"],
        ("sha-b", VILLAGE): ["missing_required_value"],
    }
    assert v.accepted.select("_file", "unit_code").rows() == [
        ("sha-a", VILLAGE),
        ("sha-b", TOWNSHIP),
    ]


def test_level_requirement_unparseable_is_bad_value_only() -> None:
    assert only_reasons(run(E, [valid_row(E, _bad={"gdp"})])) == ["bad_value"]


def test_unknown_unit_has_no_level_requirement() -> None:
    assert only_reasons(run(E, [valid_row(E, unit_code=UNKNOWN, gdp=None)])) == ["unknown_unit"]


@pytest.mark.parametrize("name", ["supervision", "economy"])
def test_every_copy_of_a_duplicate_is_quarantined(name: str) -> None:
    kind = REPORT_KINDS[name]
    rows = [
        valid_row(kind),
        valid_row(kind, unit_code=VILLAGE),
        valid_row(kind),
        valid_row(kind, _file="sha-b"),  # the same report in another file is not a duplicate
    ]
    v = run(kind, rows)
    assert v.quarantined.select("source_sha256", "unit_code", "row_numbers", "reasons").rows() == [
        ("sha-a", COUNTY, [1, 3], ["duplicate_in_file"])
    ]
    assert v.row_reasons["_id"].to_list() == [1, 3]
    assert v.accepted.select("_file", "unit_code").rows() == [("sha-a", VILLAGE), ("sha-b", COUNTY)]


def test_project_id_repeated_in_one_report() -> None:
    rows = [
        valid_row(P, project_id="P-1"),
        valid_row(P, project_id="P-2"),
        valid_row(P, project_id="P-1", name="另一个项目"),
    ]
    v = run(P, rows)
    assert only_reasons(v) == ["duplicate_in_file"]
    assert v.quarantined["row_numbers"].to_list() == [[1, 2, 3]]
    assert v.row_reasons["_id"].to_list() == [1, 3]


def test_same_project_id_in_two_units_or_periods_is_fine() -> None:
    rows = [
        valid_row(P, project_id="P-1"),
        valid_row(P, project_id="P-1", unit_code=VILLAGE),
        valid_row(P, project_id="P-1", period="2017Q4", submitted_at=datetime(2018, 1, 3)),
    ]
    v = run(P, rows)
    assert v.quarantined.height == 0
    assert v.accepted.height == 3


def test_blank_keys_are_not_duplicates() -> None:
    rows = [valid_row(P, project_id=None), valid_row(P, project_id=None)]
    assert only_reasons(run(P, rows)) == ["missing_required_value"]


def test_nulls_do_not_create_out_of_range_or_inconsistent() -> None:
    blank_optional = valid_row(
        E,
        growth_target_pct=None,
        fiscal_revenue=None,
        income_growth_pct=None,
        collective_income=None,
        collective_income_target=None,
    )
    assert run(E, [blank_optional]).quarantined.height == 0
    # an unparseable party_members: bad_value only, not inconsistent with new_members
    assert only_reasons(run(S, [valid_row(S, _bad={"party_members"})])) == ["bad_value"]
    # a blank required figure: missing only
    assert only_reasons(run(S, [valid_row(S, tasks_planned_care=None)])) == [
        "missing_required_value"
    ]
    # unparseable timestamp: no future/bad_period; unparseable period: no registry reason
    row = valid_row(S, unit_code=ZONE, _bad={"period"}, submitted_at=datetime(2016, 1, 1))
    assert only_reasons(run(S, [row])) == ["bad_period"]


def test_blank_optional_int_gets_default_and_is_accepted() -> None:
    v = run(S, [valid_row(S, contact_points=None)])
    assert v.quarantined.height == 0
    assert v.accepted["contact_points"].to_list() == [0]


def test_blank_unit_code_groups_into_one_report() -> None:
    rows = [valid_row(S, unit_code=None), valid_row(S, unit_code=None, _row=5)]
    v = run(S, rows)
    q = v.quarantined.to_dicts()
    assert len(q) == 1
    assert q[0]["unit_code"] is None
    assert q[0]["row_numbers"] == [1, 5]
    assert q[0]["reasons"] == ["missing_required_value"]


def test_aware_now_is_taken_as_china_time() -> None:
    row = valid_row(S, period="2018Q2", submitted_at=datetime(2018, 6, 30, 15, 0))
    # 07:30 UTC is 15:30 in China: the submission at 15:00 is not in the future
    assert run(S, [row], now=datetime(2018, 6, 30, 7, 30, tzinfo=UTC)).quarantined.height == 0
    assert only_reasons(run(S, [row], now=datetime(2018, 6, 30, 6, 30, tzinfo=UTC))) == [
        "future_submission"
    ]


def test_empty_batch() -> None:
    v = run(S, [])
    assert v.accepted.height == 0 and v.quarantined.height == 0 and v.row_reasons.height == 0
    assert dict(v.quarantined.schema) == QUARANTINE_SCHEMA
    assert v.accepted.columns == [*S.names, "_file", "_row"]


def test_quarantine_schema() -> None:
    v = run(S, [valid_row(S, party_orgs=-1)])
    assert dict(v.quarantined.schema) == QUARANTINE_SCHEMA


def test_missing_batch_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="_bad__party_orgs"):
        validate(S, batch(S, [valid_row(S)]).drop("_bad__party_orgs"), registry(), NOW)


@pytest.mark.parametrize("name", KINDS)
def test_every_expectation_maps_to_one_reason(name: str) -> None:
    kind = REPORT_KINDS[name]
    r = runner(kind.name)
    s = r.suite  # the suite validate() runs
    assert s is runner(kind.name).suite  # built once per process
    narrow = [n for e in s.expectations for n in r.members.get(str(e.id), [e])]
    assert len(narrow) == len(expectations_for(kind))  # every rule, wide or narrow
    for e in [*s.expectations, *narrow]:
        assert e.meta is not None and e.meta[REASON_KEY] in REPORT_REASONS


def test_the_bounds_of_all_columns_are_one_wide_expectation() -> None:
    r = runner(S.name)
    wide = [e for e in r.suite.expectations if str(e.id) in r.members]
    assert len(wide) == 1 and type(wide[0]).__name__ == "ExpectColumnValuesWithinBounds"
    members = r.members[str(wide[0].id)]
    assert len(members) > 10 and {type(e).__name__ for e in members} == {
        "ExpectColumnValuesToBeBetween"
    }
    assert len(r.suite.expectations) < len(expectations_for(S)) - 10


def test_out_of_range_in_two_columns_of_one_row_names_both() -> None:
    """The wide expectation fails, its narrow ones say which columns (and only those)."""
    v = run(S, [valid_row(S, party_orgs=-1, party_members=-3), valid_row(S, unit_code=TOWNSHIP)])
    assert v.quarantined.height == 1 and v.accepted.height == 1
    got = sorted(v.problems.filter(pl.col("reason") == "out_of_range")["column"].to_list())
    assert got == ["party_members", "party_orgs"]


def test_validation_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    run(P, [valid_row(P, progress_pct=200.0), valid_row(P, project_id="X")])
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_explain() -> None:
    assert set(REPORT_REASONS) <= set(EXPLANATIONS)
    assert explain(["pii", "bad_value"]) == (
        "a text field contains an ID-card or mobile number; a value cannot be read as its type"
    )
    assert explain(["something_new"]) == "something_new"
    assert len(set(EXPLANATIONS.values())) == len(EXPLANATIONS)


def test_many_rows_map_back_exactly() -> None:
    """COMPLETE results name every failing row, not just the first 20."""
    rows = [
        valid_row(P, project_id=f"P{i}", progress_pct=101.0 if i % 3 == 0 else 50.0)
        for i in range(300)
    ]
    v = run(P, rows)
    assert v.row_reasons["_id"].to_list() == [i + 1 for i in range(300) if i % 3 == 0]
    assert v.quarantined["row_numbers"].to_list() == [list(range(1, 301))]
    assert isinstance(v.quarantined, pl.DataFrame)


def test_round_trip_with_the_real_reader_parser_and_registry(tmp_path: Path) -> None:
    """A CSV read, stacked and parsed by transforms/, validated against the shipped registry."""
    from transforms.parse import parse, stack
    from transforms.read import read_file
    from warehouse.registry import load_registry

    f = tmp_path / "项目_2017Q1.csv"
    f.write_text(
        "单位代码,报告期,填报时间,项目编号,项目类型,项目名称,计划总投资(万元),"
        "累计完成投资(万元),形象进度(%),项目状态,是否同步建立党组织,项目党员数,备注\n"
        '320602000000,2017年第一季度,2017-04-05 10:00,P-1,书记项目,道路改造,"1,200",'
        "300,25,在建,是,,x\n"
        "320602000000,2017Q1,2017-04-05 10:00,P-2,产业项目,联系人13812345678,100,abc,"
        "25,在建,是,3,\n"
        "320623000000,2017Q1,2017-04-05 10:00,P-1,富民实事项目,水利,100,50,50,投产,否,1,\n"
        "320671000000,2016Q4,2017-01-05,Z-1,产业项目,园区厂房,100,50,50,投产,否,1,\n",
        encoding="utf-8",
    )
    raw = read_file(f)
    v = validate(P, parse(P, stack(P, [raw])), load_registry(), datetime(2018, 1, 1))
    assert v.accepted.select("unit_code", "project_id", "_row").rows() == [
        ("320623000000", "P-1", 3)
    ]
    assert v.accepted["planned_investment"].to_list() == [100.0]
    got = v.quarantined.select("unit_code", "period", "row_numbers", "reasons").rows()
    assert got == [
        ("320602000000", "2017Q1", [1, 2], ["bad_value", "pii"]),
        ("320671000000", "2016Q4", [4], ["unit_not_valid_in_period"]),
    ]
    assert v.quarantined["source_sha256"].to_list() == [raw.sha256] * 2
    assert json.loads(v.quarantined["record"][0])[0]["备注"] == "x"


def test_a_number_in_an_extra_column_is_a_pii_problem_on_that_column() -> None:
    rows = [valid_row(P, project_id="P-1"), valid_row(P, project_id="P-2")]
    b = batch(P, rows).with_columns(
        pl.Series("_pii", [[], ["联系电话"]], pl.List(pl.String)),
        pl.Series("_record", [json.dumps({"联系电话": v}) for v in ("", "139****5678")]),
    )
    v = validate(P, b, registry(), NOW)
    assert only_reasons(v) == ["pii"]
    (p,) = v.problems.filter(pl.col("reason") == "pii").to_dicts()
    assert (p["column"], p["column_zh"], p["value"], p["sheet_row"]) == (
        "联系电话",
        "联系电话",
        "139****5678",
        3,
    )
    assert p["message_zh"] == "第3行「联系电话」不得包含身份证号或手机号，收到“139****5678”"
    assert p["message_en"] == (
        'Row 3, 联系电话: must not contain an ID-card or mobile number; got "139****5678"'
    )
