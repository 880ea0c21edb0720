"""The 2018 rules (CONTRACT §4, the default) on inline units, against hand-computed values.

Each test states the reports, computes the expected figures by hand in the comments,
and where it shows what changed, builds the same input under the 2017 rules too.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from tests.support.warehouse import economy, new_warehouse, project, supervision, unit
from warehouse.db import sql_file
from warehouse.marts import build_marts
from warehouse.ruleset import Rules, load_rules, packaged_rules_path

R2018 = load_rules()
R2017 = load_rules(packaged_rules_path("2017"))

C1, C2, C3, C4 = "320602000000", "320611000000", "320612000000", "320621000000"
T1, T2, T3, T4 = "320602001000", "320602002000", "320602003000", "320602004000"
V1, V2, V3, V4, V5, V6, V7 = (f"32060200100{i}" for i in range(1, 8))
COMMUNITY = "320602001009"


def build(con: duckdb.DuckDBPyConnection, *periods: str, rules: Rules = R2018) -> None:
    con.execute("BEGIN")
    build_marts(con, list(periods), rules)
    con.execute("COMMIT")


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def scores(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, dict[str, Any]]:
    return {
        r["unit_code"]: r
        for r in rows(
            con,
            "SELECT * FROM marts.unit_scores s JOIN marts.unit_score_components c "
            "USING (period, unit_code, rules_version) WHERE period = ?",
            period,
        )
    }


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = new_warehouse()
    for code in (C1, C2, C3, C4):
        unit(c, code, "county", "district")
    for code in (T1, T2, T3, T4):
        unit(c, code, "township", "town", parent=C1)
    for code in (V1, V2, V3, V4, V5, V6, V7):
        unit(c, code, "village", "village", parent=T1)
    unit(c, COMMUNITY, "village", "community", parent=T1)
    return c


# ---------------------------------------------------------------- complete units only


def townships_one_without_economy(con: duckdb.DuckDBPyConnection) -> None:
    # T1: P 100, D = 100 × 8/10 = 80.  T2: P = 100 × (10·1 + 10·0) / 20 = 50, D 60.
    supervision(con, T1, "2017Q1")
    economy(con, T1, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=8.0)
    supervision(con, T2, "2017Q1", done=0, planned=0, theme_days_planned=0,
                theme_days_held=0, list_published=False)  # fmt: skip
    economy(con, T2, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=6.0)
    # T3: its economy report was quarantined; P 100 and D from investment alone:
    # min(1, 100 / (100 × 1/4)) = 1 → D 100 (2017: 100 / 100 = 1 → D 100 too).
    supervision(con, T3, "2017Q1")
    project(con, T3, "2017Q1", "I1", planned_investment=100.0, completed_investment=100.0)
    # T4: an economy report only (P null).
    economy(con, T4, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=9.0)


def test_a_unit_missing_its_economy_report_is_flagged_and_unranked(
    con: duckdb.DuckDBPyConnection,
) -> None:
    townships_one_without_economy(con)
    build(con, "2017Q1")
    s = scores(con, "2017Q1")

    t3 = s[T3]
    assert (t3["complete"], t3["missing_kinds"]) == (False, ["economy"])
    assert (t3["party_score"], t3["development_score"], t3["coefficient"]) == (100.0, 100.0, 1.0)
    assert [t3[k] for k in ("composite_score", "fusion", "quadrant")] == [None, None, None]
    assert (t3["rank_in_level"], t3["rank_in_parent"]) == (None, None)
    t4 = s[T4]
    assert (t4["complete"], t4["missing_kinds"], t4["party_score"]) == (
        False,
        ["supervision"],
        None,
    )
    assert t4["development_score"] == 90.0 and t4["rank_in_level"] is None

    # Complete units: medians over {T1, T2} only: P (100 + 50) / 2 = 75, D (80 + 60) / 2 = 70.
    # T1: C = 80 × 1.00 = 80, F = 80, both strong, rank 1; T2: C = 60 × 0.5 = 30, F = 90,
    # both weak, rank 2 (T3 with C 100 would have been first).
    for code, (c, f, quadrant, rank) in {
        T1: (80.0, 80.0, "both_strong", 1),
        T2: (30.0, 90.0, "both_weak", 2),
    }.items():
        r = s[code]
        assert (r["complete"], r["missing_kinds"]) == (True, [])
        assert (r["composite_score"], r["fusion"], r["quadrant"]) == (c, f, quadrant), code
        assert (r["rank_in_level"], r["rank_in_parent"]) == (rank, rank), code
        assert r["rules_version"] == "2018"

    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE level = 'township'")
    assert link["units"] == 2
    assert (link["median_party_score"], link["median_development_score"]) == (75.0, 70.0)
    assert link["corr_party_development"] == pytest.approx(1.0)  # two points, both up
    assert [link[q] for q in ("both_strong", "party_leads", "economy_leads", "both_weak")] == [
        1, 0, 0, 1,
    ]  # fmt: skip
    assert link["rules_version"] == "2018"


def test_under_2017_the_same_unit_ranks_first(con: duckdb.DuckDBPyConnection) -> None:
    townships_one_without_economy(con)
    build(con, "2017Q1", rules=R2017)
    s = scores(con, "2017Q1")
    # C: T3 100, T1 80, T2 30; P median over {100, 50, 100} = 100, D over {80, 60, 100, 90} = 85.
    assert [s[c]["rank_in_level"] for c in (T3, T1, T2, T4)] == [1, 2, 3, None]
    assert s[T3]["quadrant"] == "both_strong" and s[T3]["complete"] is False
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE level = 'township'")
    assert (link["units"], link["median_party_score"], link["median_development_score"]) == (
        3, 100.0, 85.0,
    )  # fmt: skip
    assert link["rules_version"] == "2017"


def test_correlations_count_complete_units_only(con: duckdb.DuckDBPyConnection) -> None:
    # Counties, P 100 for all. Q1 D: C1 20, C2 60, C3 40 (complete); C4 has supervision
    # and projects only (D from investment 1 → 100): left out of every figure.
    for code, g in ((C1, 2.0), (C2, 6.0), (C3, 4.0)):
        supervision(con, code, "2017Q1")
        economy(con, code, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=g)
    supervision(con, C4, "2017Q1", list_published=False)  # P = 100 × 60/70 = 85.71
    project(con, C4, "2017Q1", "I1", planned_investment=40.0, completed_investment=40.0)
    # C1's P is 50 in Q1, so that P has spread: 100 × (10·1 + 10·0) / 20.
    con.execute(
        "UPDATE core.supervision SET tasks_planned_coverage = 0, tasks_done_coverage = 0, "
        "theme_days_planned = 0, theme_days_held = 0, list_published = false "
        "WHERE unit_code = ? AND period = '2017Q1'",
        [C1],
    )
    # Q2 D: C1 30, C2 90, C3 50; C4 incomplete again (D 100 from investment).
    for code, g in ((C1, 3.0), (C2, 9.0), (C3, 5.0)):
        supervision(con, code, "2017Q2")
        economy(con, code, "2017Q2", growth_target_pct=10.0, gdp_growth_pct=g)
    supervision(con, C4, "2017Q2")
    project(con, C4, "2017Q2", "I1", planned_investment=40.0, completed_investment=40.0)
    build(con, "2017Q1", "2017Q2")

    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q1'")
    # Over C1–C3: P (50, 100, 100) mean 83.33 → (−33.3, 16.7, 16.7); D (20, 60, 40) mean
    # 40 → (−20, 20, 0). Σ dP·dD = 666.7 + 333.3 + 0 = 1000; Σ dP² = 1666.7; Σ dD² = 800.
    # r = 1000 / √(1666.7 × 800) = 0.866025 (= √3 / 2). With C4 (85.71, 100) it would differ.
    assert link["units"] == 3
    assert link["corr_party_development"] == pytest.approx(3**0.5 / 2)
    # Medians: P {50, 100, 100} → 100; D {20, 40, 60} → 40 (C4's 85.71 and 100 left out).
    assert (link["median_party_score"], link["median_development_score"]) == (100.0, 40.0)
    assert sum(link[q] for q in ("both_strong", "party_leads", "economy_leads", "both_weak")) == 3
    # Next quarter: P in Q1 (50, 100, 100) against D in Q2 (30, 90, 50) over the units
    # complete in both: dD = (−26.7, 33.3, −6.7); Σ dP·dD = 888.9 + 555.6 − 111.1 = 1333.3;
    # Σ dD² = 711.1 + 1111.1 + 44.4 = 1866.7; r = 1333.3 / √(1666.7 × 1866.7) = 0.755929.
    assert link["corr_party_development_next"] == pytest.approx(
        1333.3333 / (1666.6667 * 1866.6667) ** 0.5
    )


# ---------------------------------------------------------------- rounding


def test_half_away_from_zero_exactly(con: duckdb.DuckDBPyConnection) -> None:
    # D from growth alone: 100 × 0.2675 / 10 = 2.675 on paper; in binary floating point the
    # sum is 2.67499999999999982…, which a float round() gives as 2.67. Published: 2.68.
    supervision(con, C1, "2017Q1")
    economy(con, C1, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=0.2675)
    # P = 100 × (10·1 + 10·7/8 + 10·0) / 30 = 62.5 (checklist absent, theme days 7 of 8,
    # list not published); D = 100 × 2.02 / 10 = 20.2. C = 20.20 × 0.625 = 12.625 → 12.63
    # (the float product 20.2 × 0.625 is 12.62499999999999929…).
    supervision(con, C2, "2017Q1", done=0, planned=0, theme_days_planned=8, theme_days_held=7,
                list_published=False)  # fmt: skip
    economy(con, C2, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=2.02)
    # P = 100 × (40 · 25/48 + 10 + 10 + 10·0) / 70 = 58.3333… → 58.33; D 80.
    # k = 0.5833; C = 80 × 0.5833 = 46.664 → 46.66; F = 100 − |58.33 − 80| = 78.33.
    supervision(con, C3, "2017Q1", done=25, planned=48, list_published=False)
    economy(con, C3, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=8.0)
    build(con, "2017Q1")
    s = scores(con, "2017Q1")
    # what a float computation publishes for the same D:
    float_d = "SELECT round(100.0::DOUBLE * (40 * (0.2675::DOUBLE / 10)) / 40, 2)"
    assert con.execute(float_d).fetchone() == (2.67,)

    assert s[C1]["development_score"] == 2.68
    assert s[C1]["composite_score"] == 2.68  # 2.68 × 1.00
    assert s[C1]["fusion"] == 2.68  # 100 − |100 − 2.68|
    assert (s[C2]["party_score"], s[C2]["development_score"]) == (62.5, 20.2)
    assert (s[C2]["coefficient"], s[C2]["composite_score"]) == (0.625, 12.63)
    assert s[C2]["fusion"] == 57.7
    assert (s[C3]["party_score"], s[C3]["coefficient"]) == (58.33, 0.5833)
    assert (s[C3]["composite_score"], s[C3]["fusion"]) == (46.66, 78.33)

    build(con, "2017Q1", rules=R2017)  # unrounded under 2017
    s = scores(con, "2017Q1")
    assert s[C3]["party_score"] == pytest.approx(100 * (40 * 25 / 48 + 20) / 70)
    assert s[C3]["party_score"] != 58.33


def four_counties_printing_94_6(con: duckdb.DuckDBPyConnection) -> None:
    # P 100 for all; D = 10 × growth: 94.604, 94.596, 94.61, 90 → printed 94.60, 94.60,
    # 94.61, 90.00.
    for code, g in ((C1, 9.4604), (C2, 9.4596), (C3, 9.461), (C4, 9.0)):
        supervision(con, code, "2017Q1")
        economy(con, code, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=g)


def test_units_printing_the_same_score_tie_in_rank_and_quadrant(
    con: duckdb.DuckDBPyConnection,
) -> None:
    four_counties_printing_94_6(con)
    build(con, "2017Q1")
    s = scores(con, "2017Q1")
    # D median over {94.60, 94.60, 94.61, 90.00} = (94.60 + 94.60) / 2 = 94.60; P median 100.
    # C = D: 94.61 first; C1 and C2 tie at 94.60 (RANK 2, 2), C4 fourth.
    assert [s[c]["development_score"] for c in (C1, C2, C3, C4)] == [94.6, 94.6, 94.61, 90.0]
    assert [s[c]["rank_in_level"] for c in (C1, C2, C3, C4)] == [2, 2, 1, 4]
    assert [s[c]["quadrant"] for c in (C1, C2, C3, C4)] == [
        "both_strong", "both_strong", "both_strong", "party_leads",
    ]  # fmt: skip
    (link,) = rows(con, "SELECT * FROM marts.linkage")
    assert link["median_development_score"] == 94.6


def test_under_2017_they_split(con: duckdb.DuckDBPyConnection) -> None:
    four_counties_printing_94_6(con)
    build(con, "2017Q1", rules=R2017)
    s = scores(con, "2017Q1")
    # Unrounded median (94.596 + 94.604) / 2 = 94.6: C1 above, C2 below, both printing 94.6.
    assert [s[c]["rank_in_level"] for c in (C1, C2, C3, C4)] == [2, 3, 1, 4]
    assert (s[C1]["quadrant"], s[C2]["quadrant"]) == ("both_strong", "party_leads")


# ---------------------------------------------------------------- investment 序时进度


def investment_projects(con: duckdb.DuckDBPyConnection, code: str, annual: bool) -> None:
    plans = (  # id, planned total, annual plan, completed year to date
        ("A", 1200.0, 400.0, 60.0),
        ("B", 800.0, None, 100.0),  # no annual plan: the total plan is used
        ("C", 0.0, None, 5.0),  # no plan at all: left out
        ("D", 500.0, 0.0, 30.0),  # an annual plan of 0: left out
    )
    for pid, planned, annual_plan, completed in plans:
        project(con, code, "2018Q1", pid, planned_investment=planned,
                annual_planned_investment=annual_plan if annual else None,
                completed_investment=completed)  # fmt: skip


def test_q1_investment_against_a_quarter_of_the_annual_plan(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # With annual plans: A 400 and B's total 800 (D is left out, its annual plan is 0):
    # Σ completed 60 + 100 = 160 against (400 + 800) × 1/4 = 300 → 0.5333 → D 53.33.
    investment_projects(con, V1, annual=True)
    # Without: totals A 1200, B 800, D 500: Σ completed 60 + 100 + 30 = 190 against
    # 2500 × 1/4 = 625 → 0.304 → D 30.40.
    investment_projects(con, V2, annual=False)
    # Q3, year to date: 270 of 400 × 3/4 = 300 → 0.9; ahead of time is capped at 1.
    project(con, V3, "2018Q3", "A", planned_investment=1200.0, annual_planned_investment=400.0,
            completed_investment=270.0)  # fmt: skip
    project(con, V4, "2018Q3", "A", planned_investment=1200.0, annual_planned_investment=400.0,
            completed_investment=390.0)  # fmt: skip
    for code in (V1, V2):
        supervision(con, code, "2018Q1")
        economy(con, code, "2018Q1", collective_income=30.0)  # no target: collective absent
    build(con, "2018Q1", "2018Q3")
    q1, q3 = scores(con, "2018Q1"), scores(con, "2018Q3")
    assert q1[V1]["investment"] == pytest.approx(160 / 300)
    assert q1[V1]["development_score"] == 53.33
    assert q1[V2]["investment"] == pytest.approx(190 / 625)
    assert q1[V2]["development_score"] == 30.4
    assert q3[V3]["investment"] == pytest.approx(0.9)
    assert q3[V3]["development_score"] == 90.0
    assert q3[V4]["investment"] == 1.0  # 390 / 300 capped

    build(con, "2018Q1", rules=R2017)  # 2017: Σ completed / Σ total plan, annual ignored
    q1 = scores(con, "2018Q1")
    assert q1[V1]["investment"] == pytest.approx((60 + 100 + 30) / 2500)
    assert q1[V2]["investment"] == pytest.approx((60 + 100 + 30) / 2500)


# ---------------------------------------------------------------- weak villages


def village_year(
    con: duckdb.DuckDBPyConnection, code: str, period: str, income: float | None, party: str
) -> None:
    """Reports of a village: collective income (None: no economy report); P "100" or "50"."""
    if party == "100":
        supervision(con, code, period)
    else:  # P = 100 × (10·1 + 10·0) / 20 = 50
        supervision(con, code, period, done=0, planned=0, theme_days_planned=0,
                    theme_days_held=0, list_published=False)  # fmt: skip
    if income is not None:
        economy(con, code, period, collective_income=income)


def weak_village_years(con: duckdb.DuckDBPyConnection) -> None:
    # Line 18 万元 (Q4 income, the whole year) or P 60.
    village_year(con, V1, "2016Q4", 10.0, "100")  # weak (income)
    village_year(con, V1, "2017Q2", 2.0, "100")  # warned in Q2 (annualised 4) ...
    village_year(con, V1, "2017Q3", 20.0, "100")  # ... not in Q3 (26.7) ...
    village_year(con, V1, "2017Q4", 25.0, "100")  # not weak at year-end: rectified
    village_year(con, V2, "2016Q4", 30.0, "50")  # weak (P 50)
    village_year(con, V2, "2017Q3", 30.0, "100")  # not warned in Q3 (annualised 40)
    village_year(con, V2, "2017Q4", 12.0, "100")  # weak (income): continuing
    village_year(con, V3, "2016Q4", 18.0, "100")  # exactly the line: not weak
    village_year(con, V3, "2017Q4", 17.99, "100")  # weak: new
    village_year(con, V4, "2016Q4", 5.0, "100")  # weak
    village_year(con, V4, "2017Q4", None, "100")  # incomplete in Q4: not determined
    village_year(con, V5, "2016Q4", 40.0, "100")  # not weak
    village_year(con, V5, "2017Q2", 1.0, "50")  # a bad quarter (warned) ...
    village_year(con, V5, "2017Q4", 40.0, "100")  # ... not weak at year-end: no status
    village_year(con, V6, "2017Q4", 3.0, "100")  # weak, not determined in 2016: new
    village_year(con, COMMUNITY, "2016Q4", 1.0, "50")  # a community: never determined
    village_year(con, COMMUNITY, "2017Q4", 1.0, "50")


EXPECTED_2017 = {  # unit: (collective_income, party_score, weak, status)
    V1: (25.0, 100.0, False, "rectified"),
    V2: (12.0, 100.0, True, "continuing"),
    V3: (17.99, 100.0, True, "new"),
    V5: (40.0, 100.0, False, None),
    V6: (3.0, 100.0, True, "new"),
}


def determination(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, tuple[Any, ...]]:
    return {
        r["unit_code"]: (r["collective_income"], r["party_score"], r["weak"], r["status"])
        for r in rows(con, "SELECT * FROM marts.weak_village_years WHERE year = ?", year)
    }


@pytest.mark.parametrize("order", ["in_order", "2017_first"])
def test_weak_village_determination_is_annual(con: duckdb.DuckDBPyConnection, order: str) -> None:
    weak_village_years(con)
    periods = ["2016Q4", "2017Q2", "2017Q3", "2017Q4"]
    if order == "in_order":
        build(con, *periods)
    else:  # 2017 built before 2016 is loaded into the marts: rebuilding 2016Q4 refreshes it
        build(con, "2017Q2", "2017Q3", "2017Q4")
        assert determination(con, 2017)[V1][3] is None  # no 2016 determination yet
        build(con, "2016Q4")
    assert determination(con, 2016) == {
        V1: (10.0, 100.0, True, "new"),
        V2: (30.0, 50.0, True, "new"),
        V3: (18.0, 100.0, False, None),
        V4: (5.0, 100.0, True, "new"),
        V5: (40.0, 100.0, False, None),
    }
    assert determination(con, 2017) == EXPECTED_2017
    assert {r[0] for r in con.execute("SELECT rules_version FROM marts.weak_village_years")
            .fetchall()} == {"2018"}  # fmt: skip

    # The quarterly early warning still lists V1 in 2017Q2 (annualised 2 × 4 / 2 = 4).
    warned = rows(con, "SELECT period, unit_code FROM marts.weak_villages ORDER BY ALL")
    assert {(r["period"], r["unit_code"]) for r in warned} >= {("2017Q2", V1), ("2017Q2", V5)}

    sql = sql_file("weak_village_determination_counts.sql")
    counts = con.execute(sql, {"year": 2017}).fetchall()
    assert counts == [(5, 3, 2, 1, 1)]  # determined, weak, new, continuing, rectified


def test_every_mart_row_names_its_rules(con: duckdb.DuckDBPyConnection) -> None:
    weak_village_years(con)
    build(con, "2016Q4", "2017Q4")
    for table in ("unit_scores", "unit_score_components", "linkage", "weak_villages",
                  "city_summary", "weak_village_years"):  # fmt: skip
        got = con.execute(f"SELECT DISTINCT rules_version FROM marts.{table}").fetchall()
        assert got == [("2018",)], table
