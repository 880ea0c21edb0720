"""Review flags (核实, CONTRACT §9) on two-quarter inline fixtures: what flags, what does
not, what an explanation (说明) changes, and that the thresholds are the rules file's."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.warehouse import economy, new_warehouse, project, supervision, unit
from warehouse.marts import build_marts
from warehouse.ruleset import default_rules_path, load_rules, parse_rules

RULES = load_rules()
C1, T1, V1, V2 = "320602000000", "320602001000", "320602001001", "320602001002"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = new_warehouse()
    unit(c, C1, "county", "district")
    unit(c, T1, "township", "street", parent=C1)
    unit(c, V1, "village", "village", parent=T1)
    unit(c, V2, "village", "village", parent=T1)
    return c


def flags(con: duckdb.DuckDBPyConnection, period: str = "2017Q2", rules: Any = RULES) -> list[Any]:
    con.execute("BEGIN")
    build_marts(con, [period], rules)
    con.execute("COMMIT")
    cur = con.execute(
        'SELECT unit_code, kind, rule, "column", value, previous_value, message_zh, explained,'
        " explanation, project_id FROM marts.review_flags WHERE period = ?"
        ' ORDER BY unit_code, rule, "column"',
        [period],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_ytd_figure_below_previous_quarter_flags_with_the_sentence(con: Any) -> None:
    project(con, V1, "2017Q1", "P1", name="村道硬化", completed_investment=150.0)
    project(con, V1, "2017Q2", "P1", name="村道硬化", completed_investment=120.0)
    economy(con, V1, "2017Q1", collective_income=20.0)
    economy(con, V1, "2017Q2", collective_income=25.0)  # rising: no flag
    economy(con, C1, "2017Q1", gdp=1500.0, fiscal_revenue=120.0)
    economy(con, C1, "2017Q2", gdp=1400.0, fiscal_revenue=120.0)  # equal: no flag
    found = flags(con)
    assert [(f["unit_code"], f["rule"], f["column"]) for f in found] == [
        (C1, "ytd_decrease", "gdp"),
        (V1, "ytd_decrease", "completed_investment"),
    ]
    invest = found[1]
    assert invest["kind"] == "projects" and invest["project_id"] == "P1"
    assert (invest["value"], invest["previous_value"]) == (120.0, 150.0)
    assert invest["message_zh"] == (
        "项目「村道硬化」（编号P1）的「累计完成投资(万元)」本季度为120，低于上季度累计的150，"
        "请核实并在「说明」中注明原因"
    )
    assert found[0]["message_zh"] == (
        "「地区生产总值(亿元)」本季度为1400，低于上季度累计的1500，请核实并在「说明」中注明原因"
    )
    assert not any(f["explained"] for f in found)


def test_ytd_figures_restart_in_the_first_quarter(con: Any) -> None:
    economy(con, V1, "2016Q4", collective_income=80.0)
    economy(con, V1, "2017Q1", collective_income=15.0)  # a new year: 累计 starts again
    project(con, V1, "2016Q4", "P1", completed_investment=900.0, progress_pct=60.0)
    project(con, V1, "2017Q1", "P1", completed_investment=100.0, progress_pct=50.0)
    found = flags(con, "2017Q1")
    # investment restarts with the year, progress does not: only progress flags
    assert [(f["rule"], f["column"]) for f in found] == [("progress_backwards", "progress_pct")]
    assert "形象进度不应倒退" in found[0]["message_zh"]


def test_party_members_change_beyond_twenty_percent(con: Any) -> None:
    supervision(con, V1, "2017Q1", party_members=100)
    supervision(con, V1, "2017Q2", party_members=66)  # −34%: flags
    supervision(con, V2, "2017Q1", party_members=100)
    supervision(con, V2, "2017Q2", party_members=120)  # +20%: exactly the line, no flag
    found = flags(con)
    assert [(f["unit_code"], f["rule"]) for f in found] == [(V1, "party_members_change")]
    assert found[0]["message_zh"] == (
        "「党员数」本季度为66，较上季度的100变动34%，超过20%，请核实并在「说明」中注明原因"
    )


def test_growth_rate_jump_over_five_points(con: Any) -> None:
    economy(con, C1, "2017Q1", gdp_growth_pct=8.0, income_growth_pct=8.0)
    economy(con, C1, "2017Q2", gdp_growth_pct=14.5, income_growth_pct=3.0)  # +6.5 and −5.0
    found = flags(con)
    assert [(f["column"], f["value"], f["previous_value"]) for f in found] == [
        ("gdp_growth_pct", 14.5, 8.0)
    ]
    assert "相差6.5个百分点，超过5个百分点" in found[0]["message_zh"]


def test_progress_backwards_per_project(con: Any) -> None:
    project(con, V1, "2017Q1", "P1", progress_pct=40.0)
    project(con, V1, "2017Q2", "P1", progress_pct=35.0)
    project(con, V1, "2017Q1", "P2", progress_pct=40.0)
    project(con, V1, "2017Q2", "P2", progress_pct=40.0)
    project(con, V1, "2017Q2", "P3", progress_pct=5.0)  # new this quarter: nothing to compare
    found = flags(con)
    assert [(f["project_id"], f["rule"]) for f in found] == [("P1", "progress_backwards")]


def test_total_row_that_disagrees_flags(con: Any) -> None:
    supervision(con, T1, "2017Q2", source_sha256="a" * 64)
    for row, (total, rows_sum) in enumerate(((300.0, 290.0), (50.0, 50.004)), start=7):
        con.execute(
            "INSERT INTO meta.total_mismatches VALUES (?, 'supervision', '2017Q2', ?, '汇总', ?,"
            " 'party_members', ?, ?)",
            ["a" * 64, T1, row, total, rows_sum],
        )
    found = flags(con)
    assert [(f["rule"], f["value"], f["previous_value"]) for f in found] == [
        ("total_mismatch", 300.0, 290.0)
    ]  # the second differs by less than the threshold 0.01
    assert found[0]["message_zh"] == (
        "合计行「党员数」为300，与其所合计各行之和290不符（汇总工作表第7行），"
        "请核实并在「说明」中注明原因"
    )


def test_an_explanation_marks_the_flags_explained(con: Any) -> None:
    supervision(con, V1, "2017Q1", party_members=100)
    supervision(con, V1, "2017Q2", party_members=50, explanation="  两个支部划出  ")
    supervision(con, V2, "2017Q1", party_members=100)
    supervision(con, V2, "2017Q2", party_members=50, explanation="   ")  # blank: no explanation
    project(con, V1, "2017Q1", "P1", progress_pct=40.0)
    project(con, V1, "2017Q2", "P1", progress_pct=30.0)
    project(con, V1, "2017Q2", "P2", progress_pct=30.0, explanation="P1 设计变更，重新计量")
    found = {(f["unit_code"], f["rule"]): f for f in flags(con)}
    assert found[(V1, "party_members_change")]["explained"] is True
    assert found[(V1, "party_members_change")]["explanation"] == "两个支部划出"
    assert found[(V2, "party_members_change")]["explained"] is False
    # a project report is explained by the 说明 of any of its rows
    assert found[(V1, "progress_backwards")]["explained"] is True


def test_flags_never_change_a_score(con: Any) -> None:
    supervision(con, V1, "2017Q1", party_members=100)
    supervision(con, V1, "2017Q2", party_members=100)
    economy(con, V1, "2017Q2", collective_income=10.0, collective_income_target=40.0)
    build_marts(con, ["2017Q2"], RULES)
    before = con.execute("FROM marts.unit_scores ORDER BY unit_code").fetchall()
    con.execute("UPDATE core.supervision SET party_members = 10 WHERE period = '2017Q2'")
    assert flags(con)  # now flagged …
    after = con.execute("FROM marts.unit_scores ORDER BY unit_code").fetchall()
    assert after == before  # … and scored the same


def test_thresholds_are_the_rules_files(con: Any, tmp_path: Path) -> None:
    supervision(con, V1, "2017Q1", party_members=100)
    supervision(con, V1, "2017Q2", party_members=85)  # −15%
    economy(con, C1, "2017Q1", gdp_growth_pct=8.0)
    economy(con, C1, "2017Q2", gdp_growth_pct=12.0)  # +4 points
    assert flags(con) == []
    text = default_rules_path().read_text(encoding="utf-8")
    text = text.replace(
        "[review.party_members_change]  # 党员数较上季度变动超过 threshold %\nthreshold = 20",
        "[review.party_members_change]\nthreshold = 10",
    )
    text = text.replace(
        'columns = ["gdp_growth_pct", "income_growth_pct"]\nthreshold = 5',
        'columns = ["gdp_growth_pct", "income_growth_pct"]\nthreshold = 3',
    )
    copy = tmp_path / "strict.toml"
    copy.write_text(text, encoding="utf-8")
    strict = load_rules(copy)
    assert strict.filing_round.review["party_members_change"].threshold == 10
    assert [f["rule"] for f in flags(con, rules=strict)] == ["growth_jump", "party_members_change"]
    off = dict(tomllib.loads(text))
    off["review"]["growth_jump"]["enabled"] = False
    assert [f["rule"] for f in flags(con, rules=parse_rules(off))] == ["party_members_change"]
