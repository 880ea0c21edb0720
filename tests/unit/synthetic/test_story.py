"""The city the sample draws (CONTRACT §12, docs/sample.md): its model's P is the rules',
the 开发区 moves out of its counties, units file by their deadlines with a late tail,
secretary projects sit at county and township levels, lists are published over the
year, development figures spread, and faults vary by quarter."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import pytest

from synthetic.faults import inject
from synthetic.plan import Plan, plan_period
from synthetic.profiles import ZONE_CARVE, ZONE_CODE, Unit, unit_profiles
from synthetic.story import party_score
from tests.support.warehouse import new_warehouse, project, supervision, unit
from transforms import periods as quarters
from warehouse.marts import build_marts
from warehouse.registry import load_registry, valid_units
from warehouse.ruleset import load_rules

NOW = datetime(2018, 3, 1)
DEADLINE = {"village": 5, "township": 8, "county": 10}


def _plans(reg: pl.DataFrame, periods: list[str]) -> tuple[dict[str, Unit], list[Plan]]:
    units = unit_profiles(reg, 2017)
    plans: list[Plan] = []
    for p in periods:
        valid = sorted(valid_units(reg, p)["unit_code"])
        before = sorted(valid_units(reg, quarters.previous_period(p))["unit_code"])
        party = plans[-1].party if plans else None
        plans.append(plan_period(units, valid, before, 2017, p, False, NOW, party_before=party))
    return units, plans


@pytest.fixture(scope="module")
def city() -> tuple[dict[str, Unit], list[Plan]]:
    return _plans(load_registry(), ["2016Q4", "2017Q1"])


def _rows(plan: Plan, kind: str) -> list[dict[str, Any]]:
    return [r for f in plan.files if f.kind == kind for r in f.rows]


def test_the_zone_moves_out_of_the_counties_it_was_carved_from(
    city: tuple[dict[str, Unit], list[Plan]],
) -> None:
    units, (q4, q1) = city
    for key in ("party_members", "party_orgs"):
        before = sum(r[key] for r in _rows(q4, "supervision"))
        after = sum(r[key] for r in _rows(q1, "supervision"))
        assert abs(after / before - 1) < 0.015, (key, before, after)  # no jump
    zone = sum(
        r["party_members"] for r in _rows(q1, "supervision") if r["unit_code"][:6] == "320671"
    )
    assert zone > 5000
    own = {
        (r["period"], r["unit_code"]): r
        for r in _rows(q4, "supervision") + _rows(q1, "supervision")
    }
    for parent in ZONE_CARVE:
        carried = units[parent].carried["party_members"]
        drop = own[("2016Q4", parent)]["party_members"] - own[("2017Q1", parent)]["party_members"]
        assert drop > 0.8 * carried and own[("2017Q1", parent)]["explanation"]
    gdp = {
        r["unit_code"]: r["gdp"] for r in _rows(q1, "economy") if r["unit_code"].endswith("000000")
    }
    assert gdp[ZONE_CODE] > 0


def test_most_file_by_their_deadline_with_a_late_tail(
    city: tuple[dict[str, Unit], list[Plan]],
) -> None:
    units, plans = city
    for plan in plans:
        end = quarters.start_of(quarters.next_period(plan.period))
        late: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for row in _rows(plan, "supervision"):
            level = units[row["unit_code"]].level
            days = (row["submitted_at"] - end) / timedelta(days=1)
            assert 0 <= days < DEADLINE[level] + 25
            seen[level] += 1
            late[level] += days >= DEADLINE[level]
        share = late.total() / seen.total()
        assert 0.03 < share < 0.15, share
        assert 0.02 < late["village"] / seen["village"] < 0.2


def test_secretary_projects_at_county_and_township_levels(
    city: tuple[dict[str, Unit], list[Plan]],
) -> None:
    units, (q4, q1) = city
    for plan in (q4, q1):
        secretary = {
            (r["unit_code"], r["project_id"])
            for r in _rows(plan, "projects")
            if r["project_type"] == "secretary"
        }
        assert {units[u].level for u, _ in secretary} == {"county", "township"}
        if plan.period == "2016Q4":
            assert len(secretary) == 202


def test_lists_are_published_over_the_year(
    city: tuple[dict[str, Unit], list[Plan]],
) -> None:
    units, (q4, q1) = city
    villages = [
        [
            r["list_published"]
            for r in _rows(p, "supervision")
            if units[r["unit_code"]].level == "village"
        ]
        for p in (q4, q1)
    ]
    assert sum(villages[0]) >= 1800 and not all(villages[0])  # 2016's end
    assert 0.6 < sum(villages[1]) / len(villages[1]) < 0.9  # a new year's first quarter


def test_development_figures_spread(city: tuple[dict[str, Unit], list[Plan]]) -> None:
    units, (_, q1) = city
    eco = _rows(q1, "economy")
    town = [
        r["gdp_growth_pct"] / r["growth_target_pct"]
        for r in eco
        if units[r["unit_code"]].level == "township"
    ]
    assert 0.05 < pl.Series(town).std() < 0.2  # type: ignore[operator]
    assert sum(x >= 1 for x in town) / len(town) < 0.2  # not pinned at the ceiling
    county = {r["growth_target_pct"] for r in eco if units[r["unit_code"]].level == "county"}
    assert len(county) >= 3
    collective = [
        r["collective_income"] / (r["collective_income_target"] / 4)
        for r in eco
        if r.get("collective_income_target")
    ]
    assert sum(x >= 1 for x in collective) / len(collective) < 0.2


def test_faults_vary_in_kind_and_count() -> None:
    reg = load_registry().filter(pl.col("unit_code").str.slice(0, 6).is_in(["320623", "320682"]))
    units, plans = _plans(reg, quarters.period_range("2017Q1", "2017Q4"))
    counts = [Counter(i.problem for i in inject(plan, units)) for plan in plans]
    assert len({sum(c.values()) for c in counts}) > 1  # not the same number every quarter
    assert len(set().union(*counts)) >= 6  # of many kinds
    assert any(n > 1 for c in counts for n in c.values())  # a slip made twice in a quarter


def test_the_models_party_score_is_the_rules() -> None:
    """story.party_score (what the sample's development follows) against the marts'."""
    sup = {
        "supervisions_held": 0,
        "theme_days_planned": 3,
        "theme_days_held": 2,
        "list_published": False,
        **{f"tasks_planned_{a}": 0 for a in ("service", "team", "vanguard", "care", "support")},
        **{f"tasks_done_{a}": 0 for a in ("service", "team", "vanguard", "care", "support")},
        "tasks_planned_coverage": 8,
        "tasks_done_coverage": 5,
    }
    projects = [
        {"project_type": "secretary", "progress_pct": 40.0, "status": "under_construction",
         "party_org_established": True},
        {"project_type": "industrial", "progress_pct": 90.0, "status": "in_production",
         "party_org_established": False},
    ]  # fmt: skip
    con = new_warehouse()
    code = "320623100000"
    unit(con, code, "township", "town", parent="320623000000")
    fields = ("supervisions_held", "theme_days_planned", "theme_days_held", "list_published")
    supervision(con, code, "2017Q2", done=5, planned=8, **{k: sup[k] for k in fields})
    for i, p in enumerate(projects):
        project(con, code, "2017Q2", f"P{i}", **p)
    rules = load_rules()
    build_marts(con, ["2017Q2"], rules)
    (got,) = con.execute("SELECT party_score FROM marts.unit_scores").fetchone() or (None,)
    want = party_score(sup, projects, rules.party_weights, rules.supervisions_expected)
    assert got == pytest.approx(want, abs=0.005)
