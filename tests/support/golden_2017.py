"""A fixed, varied warehouse on which the 2017 rules' marts were recorded as golden values.

Two counties, two townships, five villages (one a community), over 2016Q4, 2017Q3 and
2017Q4: complete and incomplete units, projects with and without planned investment,
ties, weak villages on and off the list. Values come from a seeded generator so that
scores are not round numbers; the golden test records what the marts held for it
before the 2018 rules were added (tests/test_marts_2017_golden.py).
"""

from __future__ import annotations

import random

import duckdb

from tests.support.warehouse import economy, new_warehouse, project, supervision, unit
from transforms.columns import AREAS

COUNTIES = ("320602000000", "320611000000", "320612000000", "320621000000")
TOWNSHIPS = ("320602001000", "320602002000", "320611001000")
VILLAGES = (
    "320602001001",
    "320602001002",
    "320602001003",  # community
    "320602002001",
    "320602002002",
    "320611001001",
)
PERIODS = ("2016Q4", "2017Q3", "2017Q4")


def golden_warehouse() -> duckdb.DuckDBPyConnection:
    con = new_warehouse()
    for code in COUNTIES:
        unit(con, code, "county", "district")
    for code in TOWNSHIPS:
        unit(con, code, "township", "town", parent=code[:6] + "000000")
    for code in VILLAGES:
        kind = "community" if code.endswith("003") else "village"
        unit(con, code, "village", kind, parent=code[:9] + "000")
    rng = random.Random(20170)
    for period in PERIODS:
        for i, code in enumerate(COUNTIES + TOWNSHIPS + VILLAGES):
            has_sup = (i + len(period)) % 7 != 3 or period == "2016Q4"
            has_eco = (i * 3 + int(period[-1])) % 8 != 5
            if has_sup:
                counts = {}
                for area, _ in AREAS:
                    planned = rng.randint(0, 9)
                    counts[f"tasks_planned_{area}"] = planned
                    counts[f"tasks_done_{area}"] = rng.randint(0, planned)
                planned_days = rng.choice((0, 2, 3, 6))
                supervision(
                    con, code, period,
                    supervisions_held=rng.choice((0, 1, 2)),
                    theme_days_planned=planned_days,
                    theme_days_held=rng.randint(0, planned_days + 1),
                    list_published=rng.random() < 0.7,
                    **counts,
                )  # fmt: skip
            if has_eco:
                target = rng.choice((None, 0.0, 6.5, 8.0, 9.0))
                values: dict[str, object] = {
                    "growth_target_pct": target,
                    "gdp_growth_pct": round(rng.uniform(-3, 14), 1),
                    "income_growth_pct": rng.choice((None, round(rng.uniform(2, 11), 1))),
                }
                if code in VILLAGES:
                    q = int(period[-1])
                    values["collective_income"] = round(rng.uniform(2, 40) * q / 4, 1)
                    values["collective_income_target"] = rng.choice((None, 0.0, 20.0, 35.0))
                if code in COUNTIES:
                    values["gdp"] = round(rng.uniform(300, 1200), 1)
                    values["savings_balance"] = round(rng.uniform(500, 2000), 1)
                economy(con, code, period, **values)
            for j in range(rng.choice((0, 0, 1, 2, 3))):
                planned_inv = rng.choice((0.0, 120.0, 480.5, 1500.0))
                project(
                    con, code, period, f"P{i}{j}",
                    project_type=rng.choice(("secretary", "industrial", "livelihood")),
                    planned_investment=planned_inv,
                    completed_investment=round(rng.uniform(0, 1.3) * (planned_inv or 50), 1),
                    progress_pct=round(rng.uniform(0, 100), 1),
                    status=rng.choice(("planned", "under_construction", "in_production")),
                    party_org_established=rng.random() < 0.5,
                )  # fmt: skip
    return con
