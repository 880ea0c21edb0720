"""The marts of CONTRACT §4/§5 on two-to-six inline units, against hand-computed values.

These test the 2017 rules (selected explicitly, as ``--rules 2017`` does); the 2018
rules, now the default, are tested in tests/test_rules_2018.py.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.warehouse import economy, new_warehouse, project, scored_unit, supervision, unit
from warehouse.marts import build_marts
from warehouse.ruleset import Rules, load_rules, packaged_rules_path

RULES = load_rules(packaged_rules_path("2017"))

C1, C2, C3, C4, C5 = (
    "320602000000",
    "320611000000",
    "320612000000",
    "320621000000",
    "320623000000",
)
T1, T2 = "320602001000", "320602002000"
V1, V2, V3, V4, V5 = (
    "320602001001",
    "320602001002",
    "320602001003",
    "320602002001",
    "320602002002",
)


def build(con: duckdb.DuckDBPyConnection, *periods: str, rules: Rules = RULES) -> dict[str, int]:
    con.execute("BEGIN")
    written = build_marts(con, list(periods), rules)
    con.execute("COMMIT")
    return written


def rows(con: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def score(con: duckdb.DuckDBPyConnection, code: str, period: str = "2017Q1") -> dict[str, Any]:
    found = rows(
        con,
        "SELECT * FROM marts.unit_scores s JOIN marts.unit_score_components c "
        "USING (period, unit_code) WHERE unit_code = ? AND period = ?",
        code,
        period,
    )
    assert len(found) == 1, (code, period, found)
    return found[0]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = new_warehouse()
    for code in (C1, C2, C3, C4, C5):
        unit(c, code, "county", "district")
    unit(c, T1, "township", "street", parent=C1)
    unit(c, T2, "township", "town", parent=C1)
    unit(c, V1, "village", "village", parent=T1)
    unit(c, V2, "village", "village", parent=T1)
    unit(c, V3, "village", "community", parent=T1)
    unit(c, V4, "village", "village", parent=T2)
    unit(c, V5, "village", "village", parent=T2)
    return c


# ---------------------------------------------------------------- components, P and D


def test_every_component_and_both_scores(con: duckdb.DuckDBPyConnection) -> None:
    # checklist: coverage 3/4 plus five areas 1/2 each → Σdone 8 / Σplanned 14.
    supervision(
        con, V1, "2017Q1", done=3, planned=4, supervisions_held=3, theme_days_planned=4,
        theme_days_held=3, list_published=False,
        **{f"tasks_{w}_{a}": n for a in ("service", "team", "vanguard", "care", "support")
           for w, n in (("planned", 2), ("done", 1))},
    )  # fmt: skip
    project(con, V1, "2017Q1", "S1", project_type="secretary", progress_pct=50.0,
            status="under_construction", party_org_established=True,
            planned_investment=100.0, completed_investment=30.0)  # fmt: skip
    project(con, V1, "2017Q1", "S2", project_type="secretary", progress_pct=80.0,
            status="planned", planned_investment=0.0, completed_investment=5.0)  # fmt: skip
    project(con, V1, "2017Q1", "I1", progress_pct=10.0, status="in_production",
            planned_investment=200.0, completed_investment=250.0)  # fmt: skip
    economy(con, V1, "2017Q1", growth_target_pct=8.0, gdp_growth_pct=6.0,
            income_growth_pct=10.0, collective_income=5.0,
            collective_income_target=40.0)  # fmt: skip
    build(con, "2017Q1")
    s = score(con, V1)

    assert s["checklist"] == pytest.approx(8 / 14)
    assert s["supervision"] == 1.0  # min(1, 3 / 1)
    assert s["theme_days"] == pytest.approx(0.75)
    assert s["list_published"] == 0.0
    assert s["secretary_projects"] == pytest.approx(0.65)  # mean(0.50, 0.80)
    assert s["project_party_orgs"] == pytest.approx(0.5)  # S1 yes, I1 no; S2 not active
    assert s["growth"] == pytest.approx(0.75)  # 6 / 8
    assert s["income"] == 1.0  # 10 / 8 clamped
    assert s["collective"] == pytest.approx(0.5)  # 5 / (40 × 1/4)
    assert s["investment"] == pytest.approx(280 / 300)  # S2 (planned 0) left out

    p = 100 * (40 * 8 / 14 + 10 * 1 + 10 * 0.75 + 10 * 0 + 20 * 0.65 + 10 * 0.5) / 100
    d = 100 * (40 * 0.75 + 30 * 1 + 30 * 0.5 + 30 * 280 / 300) / 130
    assert s["party_score"] == pytest.approx(p)
    assert p == pytest.approx(58.357142857)
    assert s["development_score"] == pytest.approx(d)
    assert d == pytest.approx(79.230769231)
    assert s["coefficient"] == pytest.approx(p / 100)
    assert s["composite_score"] == pytest.approx(d * p / 100)
    assert s["fusion"] == pytest.approx(100 - abs(p - d))
    assert s["level"] == "village"
    assert s["parent_code"] == T1
    assert s["rules_version"] == "2017"


def test_absent_components_redistribute_the_weights(con: duckdb.DuckDBPyConnection) -> None:
    # No tasks planned, no theme days planned, no projects: only supervision (0) and
    # list_published (1) are present → P = 100 × (10·0 + 10·1) / 20 = 50.
    supervision(con, C1, "2017Q1", done=0, planned=0, theme_days_planned=0, theme_days_held=0,
                supervisions_held=0)  # fmt: skip
    # Only collective is present (no growth target): 30 / (80 × 3/4) = 0.5 → D = 50.
    supervision(con, C2, "2017Q3")
    economy(con, C2, "2017Q3", gdp_growth_pct=7.0, collective_income=30.0,
            collective_income_target=80.0)  # fmt: skip
    # Negative growth clamps to 0; income growth absent (NULL) → growth only, D = 0.
    economy(con, C3, "2017Q3", growth_target_pct=5.0, gdp_growth_pct=-2.0)
    build(con, "2017Q1", "2017Q3")

    s = score(con, C1)
    assert (s["checklist"], s["theme_days"], s["secretary_projects"]) == (None, None, None)
    assert s["party_score"] == pytest.approx(50.0)
    assert s["development_score"] is None
    assert (s["coefficient"], s["composite_score"]) == (pytest.approx(0.5), None)
    assert (s["fusion"], s["quadrant"], s["rank_in_level"], s["rank_in_parent"]) == (
        None, None, None, None,
    )  # fmt: skip

    s = score(con, C2, "2017Q3")
    assert s["party_score"] == pytest.approx(100.0)
    assert (s["growth"], s["income"], s["investment"]) == (None, None, None)
    assert s["collective"] == pytest.approx(0.5)
    assert s["development_score"] == pytest.approx(50.0)
    assert s["composite_score"] == pytest.approx(50.0)
    assert s["fusion"] == pytest.approx(50.0)

    s = score(con, C3, "2017Q3")
    assert (s["growth"], s["income"]) == (0.0, None)
    assert s["development_score"] == 0.0
    assert s["party_score"] is None  # no supervision report
    assert (s["coefficient"], s["composite_score"], s["rank_in_level"]) == (None, None, None)


def test_zero_denominators_make_components_absent(con: duckdb.DuckDBPyConnection) -> None:
    # Growth target 0, collective target 0, a project with planned investment 0: no D
    # component → D null. A secretary project but no supervision report → P null.
    economy(con, C1, "2017Q1", growth_target_pct=0.0, gdp_growth_pct=5.0,
            income_growth_pct=5.0, collective_income=10.0,
            collective_income_target=0.0)  # fmt: skip
    project(con, C1, "2017Q1", "P1", project_type="secretary", progress_pct=40.0,
            status="under_construction", planned_investment=0.0,
            completed_investment=3.0)  # fmt: skip
    # Theme days planned 0 and tasks planned 0 with some held/done: absent, not 1.
    supervision(con, C2, "2017Q1", done=0, planned=0, theme_days_planned=0,
                theme_days_held=2, list_published=False)  # fmt: skip
    build(con, "2017Q1")

    s = score(con, C1)
    assert [s[k] for k in ("growth", "income", "collective", "investment")] == [None] * 4
    assert s["development_score"] is None
    assert s["secretary_projects"] == pytest.approx(0.4)  # computed, but P needs a report
    assert s["party_score"] is None

    s = score(con, C2)
    assert (s["checklist"], s["theme_days"]) == (None, None)
    assert s["party_score"] == pytest.approx(50.0)  # (10·1 + 10·0) / 20


def test_units_scored_are_those_valid_with_any_report(con: duckdb.DuckDBPyConnection) -> None:
    unit(con, "320671000000", "county", "zone", valid_from="2017Q2")
    supervision(con, "320671000000", "2017Q1")  # not valid yet: not scored
    project(con, C4, "2017Q1", "X1")  # projects only: scored, P and D null
    economy(con, C5, "2017Q1", gdp=10.0)  # economy only, no component
    build(con, "2017Q1")
    got = rows(con, "SELECT unit_code, party_score, development_score FROM marts.unit_scores")
    assert sorted((r["unit_code"], r["party_score"], r["development_score"]) for r in got) == [
        (C4, None, None),
        (C5, None, None),
    ]


# ---------------------------------------------------------------- coefficient, ranks


def four_counties(con: duckdb.DuckDBPyConnection) -> None:
    """P = 100, 60, 100, 0 (and 50 without D); D = 80, 20, 30, 60 (and null)."""
    scored_unit(con, C1, "2017Q1", party="100", growth=8.0)
    # P = 100 × (40·13/20 + 10·0 + 10·1) / 60 = 60 exactly on paper.
    supervision(con, C2, "2017Q1", done=13, planned=20, supervisions_held=0,
                theme_days_planned=0, theme_days_held=0)  # fmt: skip
    economy(con, C2, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=2.0)
    scored_unit(con, C3, "2017Q1", party="100", growth=3.0)
    scored_unit(con, C4, "2017Q1", party="0", growth=6.0)
    scored_unit(con, C5, "2017Q1", party="50", growth=None)


def test_linear_coefficient_ranks_medians_and_quadrants(con: duckdb.DuckDBPyConnection) -> None:
    four_counties(con)
    build(con, "2017Q1")
    got = {r["unit_code"]: r for r in rows(con, "SELECT * FROM marts.unit_scores")}
    expect = {  # P, D, k, C, F, quadrant, rank
        C1: (100, 80, 1.0, 80, 80, "both_strong", 1),
        C2: (60, 20, 0.6, 12, 60, "party_leads", 3),
        C3: (100, 30, 1.0, 30, 30, "party_leads", 2),
        C4: (0, 60, 0.0, 0, 40, "economy_leads", 4),
        C5: (50, None, 0.5, None, None, None, None),
    }
    for code, (p, d, k, c, f, quadrant, rank) in expect.items():
        r = got[code]
        assert r["party_score"] == pytest.approx(p), code
        assert r["development_score"] == (None if d is None else pytest.approx(d)), code
        assert r["coefficient"] == pytest.approx(k), code
        assert r["composite_score"] == (None if c is None else pytest.approx(c)), code
        assert r["fusion"] == (None if f is None else pytest.approx(f)), code
        assert (r["quadrant"], r["rank_in_level"], r["rank_in_parent"]) == (quadrant, rank, rank)

    # Medians: P over the five units with P {0, 50, 60, 100, 100} → 60; D over the four
    # with D {20, 30, 60, 80} → (30 + 60) / 2 = 45 (even count).
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q1'")
    assert link["level"] == "county"
    assert link["units"] == 4
    assert link["median_party_score"] == pytest.approx(60.0)
    assert link["median_development_score"] == pytest.approx(45.0)
    counts = [link[q] for q in ("both_strong", "party_leads", "economy_leads", "both_weak")]
    assert counts == [1, 2, 1, 0]
    # Pearson by hand: P (100, 60, 100, 0), mean 65 → deviations (35, -5, 35, -65);
    # D (80, 20, 30, 60), mean 47.5 → (32.5, -27.5, -17.5, 12.5).
    # Σ dP·dD = 1137.5 + 137.5 − 612.5 − 812.5 = −150; Σ dP² = 6700; Σ dD² = 2275.
    assert link["corr_party_development"] == pytest.approx(-150 / math.sqrt(6700 * 2275))
    assert link["corr_party_development_next"] is None  # no later quarter loaded


def test_banded_coefficient(con: duckdb.DuckDBPyConnection) -> None:
    four_counties(con)
    banded = dataclasses.replace(RULES, coefficient_method="banded")
    build(con, "2017Q1", rules=banded)
    got = {r["unit_code"]: r for r in rows(con, "SELECT * FROM marts.unit_scores")}
    # Bands 0 → 0.6, 60 → 0.8, 80 → 0.9, 90 → 1.0. P = 60 sits on a bound → 0.8.
    expect = {  # k, C = D × k, rank
        C1: (1.0, 80.0, 1),
        C2: (0.8, 16.0, 4),
        C3: (1.0, 30.0, 3),
        C4: (0.6, 36.0, 2),
        C5: (0.6, None, None),
    }
    for code, (k, c, rank) in expect.items():
        r = got[code]
        assert r["coefficient"] == pytest.approx(k), code
        assert r["composite_score"] == (None if c is None else pytest.approx(c)), code
        assert r["rank_in_level"] == rank, code


def test_rank_ties_nulls_and_siblings(con: duckdb.DuckDBPyConnection) -> None:
    scored_unit(con, V1, "2017Q1", party="100", growth=5.0)  # C = 50
    scored_unit(con, V2, "2017Q1", party="100", growth=5.0)  # C = 50 (tie)
    scored_unit(con, V3, "2017Q1", party="100", growth=None)  # C null: unranked
    scored_unit(con, V4, "2017Q1", party="100", growth=3.0)  # C = 30, other township
    scored_unit(con, V5, "2017Q1", party="50", growth=8.0)  # C = 40, other township
    build(con, "2017Q1")
    got = {
        r["unit_code"]: (r["rank_in_level"], r["rank_in_parent"])
        for r in rows(con, "SELECT * FROM marts.unit_scores")
    }
    assert got == {
        V1: (1, 1),
        V2: (1, 1),
        V5: (3, 1),
        V4: (4, 2),
        V3: (None, None),
    }


def test_even_count_party_median(con: duckdb.DuckDBPyConnection) -> None:
    scored_unit(con, T1, "2017Q1", party="50", growth=2.0)
    scored_unit(con, T2, "2017Q1", party="100", growth=9.0)
    build(con, "2017Q1")
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE level = 'township'")
    assert link["median_party_score"] == pytest.approx(75.0)  # (50 + 100) / 2
    assert link["median_development_score"] == pytest.approx(55.0)  # (20 + 90) / 2
    # Two points always correlate perfectly (both up).
    assert link["corr_party_development"] == pytest.approx(1.0)
    assert [link[q] for q in ("both_strong", "party_leads", "economy_leads", "both_weak")] == [
        1, 0, 0, 1,
    ]  # fmt: skip


def test_correlation_undefined_for_one_unit_or_no_spread(con: duckdb.DuckDBPyConnection) -> None:
    scored_unit(con, C1, "2017Q1", party="100", growth=5.0)
    scored_unit(con, T1, "2017Q1", party="100", growth=5.0)
    scored_unit(con, T2, "2017Q1", party="100", growth=7.0)  # P has no spread
    build(con, "2017Q1")
    got = {r["level"]: r for r in rows(con, "SELECT * FROM marts.linkage")}
    assert got["county"]["units"] == 1
    assert got["county"]["corr_party_development"] is None
    assert got["township"]["units"] == 2
    assert got["township"]["corr_party_development"] is None


# ---------------------------------------------------------------- next-period linkage


def test_next_period_correlation(con: duckdb.DuckDBPyConnection) -> None:
    # P in 2017Q1: C1 100, C2 50, C3 0, C4 100 (C4 has no D in Q2: left out).
    scored_unit(con, C1, "2017Q1", party="100", growth=1.0)
    scored_unit(con, C2, "2017Q1", party="50", growth=1.0)
    scored_unit(con, C3, "2017Q1", party="0", growth=1.0)
    scored_unit(con, C4, "2017Q1", party="100", growth=None)
    build(con, "2017Q1")
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q1'")
    assert link["corr_party_development_next"] is None  # Q2 not loaded yet

    # D in 2017Q2: C1 20, C2 60, C3 40; C4 none; C5 has D in Q2 but no P in Q1.
    for code, g in ((C1, 2.0), (C2, 6.0), (C3, 4.0), (C5, 9.0)):
        scored_unit(con, code, "2017Q2", party="none", growth=g)
    build(con, "2017Q2")  # rebuilding Q2 refreshes Q1's next-period correlation
    # P (100, 50, 0) mean 50 → (50, 0, −50); D (20, 60, 40) mean 40 → (−20, 20, 0).
    # Σ = −1000; Σ dP² = 5000; Σ dD² = 800; r = −1000 / √(5000 × 800) = −0.5.
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q1'")
    assert link["corr_party_development_next"] == pytest.approx(-0.5)
    assert link["units"] == 3  # the rest of Q1's row is untouched

    build(con, "2017Q1")  # and a rebuild of Q1 alone sees the loaded Q2
    (link,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q1'")
    assert link["corr_party_development_next"] == pytest.approx(-0.5)
    (link2,) = rows(con, "SELECT * FROM marts.linkage WHERE period = '2017Q2'")
    assert link2["corr_party_development_next"] is None
    assert link2["units"] == 0  # no P in Q2


# ---------------------------------------------------------------- weak villages


def weak_village_quarters(con: duckdb.DuckDBPyConnection) -> None:
    # 2017Q2 (q = 2): annualised = collective_income × 4 / 2.
    for code, party, income in (
        (V1, "100", 8.0),  # 16 < 18: low income
        (V2, "50", 10.0),  # 20, P 50 < 60: low party score
        (V3, "50", 1.0),  # a community: never on the list
        (V4, "100", 9.0),  # exactly 18: not below the line
        (V5, "50", 2.0),  # both
    ):
        scored_unit(con, code, "2017Q2", party=party, growth=None)
        economy(con, code, "2017Q2", collective_income=income)
    # 2017Q3 (q = 3): V1 15 → 20, off the list (rectified); V2 still low party score;
    # V5 does not report (not assessed).
    for code, party, income in ((V1, "100", 15.0), (V2, "50", 30.0), (V4, "100", 15.0)):
        scored_unit(con, code, "2017Q3", party=party, growth=None)
        economy(con, code, "2017Q3", collective_income=income)


def test_weak_villages_flags_and_communities(con: duckdb.DuckDBPyConnection) -> None:
    weak_village_quarters(con)
    build(con, "2017Q2", "2017Q3")
    got = rows(con, "SELECT * FROM marts.weak_villages ORDER BY period, unit_code")
    simple = [
        (r["period"], r["unit_code"], r["collective_income_annualised"], r["party_score"],
         r["low_income"], r["low_party_score"])
        for r in got
    ]  # fmt: skip
    assert simple == [
        ("2017Q2", V1, pytest.approx(16.0), pytest.approx(100.0), True, False),
        ("2017Q2", V2, pytest.approx(20.0), pytest.approx(50.0), False, True),
        ("2017Q2", V5, pytest.approx(4.0), pytest.approx(50.0), True, True),
        ("2017Q3", V2, pytest.approx(40.0), pytest.approx(50.0), False, True),
    ]


def test_weak_village_history_is_the_quarterly_warning(con: duckdb.DuckDBPyConnection) -> None:
    # The view shows each assessed village-quarter's warning and the previous one's; the
    # flapping quarterly weak/rectified status is gone (annual: marts.weak_village_years).
    weak_village_quarters(con)
    build(con, "2017Q2", "2017Q3")
    got = {
        (r["period"], r["unit_code"]): (r["on_list"], r["previous_on_list"], r["year_status"])
        for r in rows(con, "SELECT * FROM marts.weak_village_history")
    }
    assert got == {
        ("2017Q2", V1): (True, None, None),
        ("2017Q2", V2): (True, None, None),
        ("2017Q2", V4): (False, None, None),
        ("2017Q2", V5): (True, None, None),
        ("2017Q3", V1): (False, True, None),
        ("2017Q3", V2): (True, True, None),
        ("2017Q3", V4): (False, False, None),
    }


# ---------------------------------------------------------------- city summary


def test_city_summary(con: duckdb.DuckDBPyConnection) -> None:
    weak_village_quarters(con)  # 5 supervision reports in Q2, 3 weak villages
    supervision(con, C1, "2017Q2", party_orgs=100, party_members=1000, new_members=20,
                contact_points=3, grid_branches=4, building_groups=5, central_households=6,
                prosperity_communities=7)  # fmt: skip
    economy(con, C1, "2017Q2", gdp=100.0, gdp_growth_pct=10.0, savings_balance=50.0)
    economy(con, C2, "2017Q2", gdp=300.0, gdp_growth_pct=6.0, savings_balance=70.0)
    economy(
        con, T1, "2017Q2", gdp=50.0, gdp_growth_pct=1.0, savings_balance=9.0, collective_income=99.0
    )  # township: not in the county or village sums
    # Secretary projects: the same id in two units counts twice; S2 has a party org.
    project(con, C1, "2017Q2", "S1", project_type="secretary")
    project(con, V1, "2017Q2", "S1", project_type="secretary")
    project(con, V1, "2017Q2", "S2", project_type="secretary", party_org_established=True)
    project(con, V2, "2017Q2", "I1", party_org_established=True)
    project(con, V2, "2017Q1", "S9", project_type="secretary")  # another quarter
    build(con, "2017Q2")
    (s,) = rows(con, "SELECT * FROM marts.city_summary WHERE period = '2017Q2'")
    assert s == {
        "period": "2017Q2",
        "units_reporting": 6,  # V1–V5 and C1
        "party_orgs": 5 * 10 + 100,
        "party_members": 5 * 100 + 1000,
        "new_members": 5 * 2 + 20,
        "contact_points": 3,
        "grid_branches": 4,
        "building_groups": 5,
        "central_households": 6,
        "prosperity_communities": 7,
        "secretary_projects": 3,
        "projects_with_party_org": 2,
        "gdp": pytest.approx(400.0),
        "gdp_growth_pct": pytest.approx((100 * 10 + 300 * 6) / 400),  # 7.0
        "savings_balance": pytest.approx(120.0),
        "collective_income": pytest.approx(8 + 10 + 1 + 9 + 2),  # villages and communities
        "weak_villages": 3,
        "rules_version": "2017",
        # the seed's optional columns (CONTRACT §10): not filed here, so 0
        "new_park_orgs": 0,
        "new_business_district_orgs": 0,
        "new_village_enterprise_orgs": 0,
        # villages and communities with their task list published, counted from core
        "villages_list_published": con.execute(
            "SELECT count(*) FROM core.supervision s JOIN core.units u USING (unit_code)"
            " WHERE s.period = '2017Q2' AND u.level = 'village' AND s.list_published"
        ).fetchone()[0],
    }
    assert s["villages_list_published"] > 0


# ---------------------------------------------------------------- rebuilds and rules


def test_rebuild_replaces_the_partition(con: duckdb.DuckDBPyConnection) -> None:
    four_counties(con)
    first = build(con, "2017Q1")
    again = build(con, "2017Q1")
    assert first == again
    assert first["unit_scores"] == 5
    assert first["city_summary"] == 1
    n = con.execute("SELECT count(*) FROM marts.unit_scores").fetchone()
    assert n == (5,)


def test_changed_rules_file_changes_scores_and_version(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # checklist 1, supervision 1, theme days 1, list 0: P = 100 × 60 / 70 (2017 rules).
    supervision(con, C1, "2017Q1", list_published=False)
    economy(con, C1, "2017Q1", growth_target_pct=10.0, gdp_growth_pct=5.0,
            income_growth_pct=10.0)  # fmt: skip
    build(con, "2017Q1")
    before = score(con, C1)
    assert before["rules_version"] == "2017"
    assert before["party_score"] == pytest.approx(100 * 60 / 70)
    assert before["development_score"] == pytest.approx(100 * (40 * 0.5 + 30 * 1) / 70)

    text = Path(RULES.source).read_text(encoding="utf-8")
    text = text.replace('version = "2017"', 'version = "2018-draft"')
    text = text.replace("list_published = 10", "list_published = 30")
    text = text.replace("growth = 40", "growth = 10")
    path = tmp_path / "2018.toml"
    path.write_text(text, encoding="utf-8")
    build(con, "2017Q1", rules=load_rules(path))
    after = score(con, C1)
    assert after["rules_version"] == "2018-draft"
    assert after["party_score"] == pytest.approx(100 * 60 / 90)
    assert after["development_score"] == pytest.approx(100 * (10 * 0.5 + 30 * 1) / 40)
    versions = con.execute("SELECT DISTINCT rules_version FROM marts.unit_score_components")
    assert versions.fetchall() == [("2018-draft",)]
