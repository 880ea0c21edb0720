"""marts.linkage_effect's estimator: the two-way fixed-effects slope and its clustered
standard error, checked against the textbook computation on dummy variables (LSDV)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tests.support.warehouse import economy, new_warehouse, supervision, unit
from warehouse.linkage_effect import MIN_UNITS, build_linkage_effect, estimate
from warehouse.marts import build_marts
from warehouse.ruleset import load_rules


def _panel(seed: int, units: int, quarters: int, effect: float) -> tuple[list[str], ...]:
    """An unbalanced panel: unit and quarter effects, P correlated with the unit effect."""
    r = np.random.default_rng(seed)
    code, period, d, p = [], [], [], []
    level = r.normal(0, 5, units)
    for u in range(units):
        for t in range(quarters):
            if r.random() < 0.1:
                continue  # a quarter the unit did not file
            party = 80 + 2 * level[u] + r.normal(0, 6)
            code.append(f"u{u:03d}")
            period.append(f"2017Q{t}")
            p.append(party)
            d.append(70 + level[u] + 1.5 * t + effect * party + r.normal(0, 3))
    return code, period, d, p


def test_the_slope_and_its_clustered_error_are_the_textbook_ones() -> None:
    code, period, d, p = _panel(1, 40, 6, 0.3)
    got = estimate(code, period, np.array(d), np.array(p))
    # LSDV: D on P, a dummy per unit and per quarter but the first
    units, quarters = np.unique(code), np.unique(period)
    x = np.column_stack(
        [
            np.array(p),
            (np.array(code)[:, None] == units).astype(float),
            (np.array(period)[:, None] == quarters[1:]).astype(float),
        ]
    )
    beta, *_ = np.linalg.lstsq(x, np.array(d), rcond=None)
    resid = np.array(d) - x @ beta
    bread = np.linalg.pinv(x.T @ x)
    meat = sum(
        np.outer(s, s)
        for s in ((x[np.array(code) == u] * resid[np.array(code) == u, None]).sum(0) for u in units)
    )
    n, g, k = len(d), len(units), 1 + len(quarters) - 1  # unit dummies nest in the clusters
    se = float(np.sqrt(g / (g - 1) * (n - 1) / (n - k) * (bread @ meat @ bread)[0, 0]))
    assert got.effect == pytest.approx(beta[0], abs=1e-9)
    assert got.std_error == pytest.approx(se, rel=1e-6)
    half = stats.t.ppf(0.975, g - 1) * se
    assert (got.ci_low, got.ci_high) == pytest.approx((beta[0] - half, beta[0] + half))
    assert got.units == 40 and got.observations == n and got.quarters == 6
    assert got.ci_low < 0.3 < got.ci_high  # the effect drawn


def test_no_effect_is_no_effect() -> None:
    code, period, d, p = _panel(2, 60, 6, 0.0)
    got = estimate(code, period, np.array(d), np.array(p))
    assert got.ci_low is not None and got.ci_high is not None
    assert got.ci_low < 0 < got.ci_high and got.p_value is not None and got.p_value > 0.05


def test_a_unit_seen_once_says_nothing_and_too_few_units_give_no_interval() -> None:
    code, period, d, p = _panel(3, MIN_UNITS, 4, 0.3)
    once = (["solo"], ["2017Q1"], [80.0], [70.0])
    full = estimate(code, period, np.array(d), np.array(p))
    more = estimate(code + once[0], period + once[1], np.array(d + once[2]), np.array(p + once[3]))
    assert more == full  # dropped: no within-unit variation
    few = estimate(code[:-8], period[:-8], np.array(d[:-8]), np.array(p[:-8]))
    assert few.units == MIN_UNITS - 2 and few.effect is None and few.ci_low is None


def test_the_mart_reads_the_scores_of_units_complete_in_both_quarters() -> None:
    """Three quarters of 24 townships scored by the marts, each D following the previous
    quarter's P with slope 0.35: one row per period with pairs; a pair counts only where the
    unit is complete in both of its quarters (2018 rules)."""
    con = new_warehouse()
    periods = ("2017Q1", "2017Q2", "2017Q3")
    r = np.random.default_rng(4)
    for i in range(24):
        code = f"320623{100 + i:03d}000"
        unit(con, code, "township", "town", parent="320623000000")
        done = [int(x) for x in r.integers(4, 11, size=3)]
        for t, period in enumerate(periods):
            # P = 100 (40 done/10 + 30) / 70: checklist, supervision, theme days, list
            supervision(con, code, period, done=done[t])
            if i == 0 and t == 1:
                continue  # the first township lacks its 2017Q2 economy report
            before = done[t - 1] if t else 7
            growth = 5.0 + 0.4 * before + t + float(r.normal(0, 0.1))
            # D = 100 growth / 20, so 0.35 points of D per point of the previous P
            economy(con, code, period, growth_target_pct=20.0, gdp_growth_pct=round(growth, 1))
    build_marts(con, periods, load_rules())
    rows = con.execute(
        "SELECT period, level, first_period, units, observations, quarters, effect,"
        " ci_low, ci_high FROM marts.linkage_effect ORDER BY period"
    ).fetchall()
    # 2017Q1 has no quarter before it; 2017Q2 one pair per unit (nothing within a unit)
    assert [row[:6] for row in rows] == [
        ("2017Q2", "township", "2015Q3", 0, 0, 0),
        ("2017Q3", "township", "2015Q4", 23, 46, 2),  # the first township drops out
    ]
    _, _, _, _, _, _, effect, low, high = rows[1]
    assert low < 0.35 < high and abs(effect - 0.35) < 0.05
    # a rebuild of 2017Q2 re-estimates 2017Q3, whose window holds it
    con.execute("DELETE FROM marts.linkage_effect")
    build_marts(con, ["2017Q2"], load_rules())
    assert con.execute(
        "SELECT list(period ORDER BY period) FROM marts.linkage_effect"
    ).fetchone() == (["2017Q2", "2017Q3"],)
    assert build_linkage_effect(con, ["2017Q3"], True, "2018") == 1
