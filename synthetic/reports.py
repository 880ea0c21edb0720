"""The report rows of one unit for one quarter, varying around its profile.

At 2016Q4 the calibrated figures are reported as they are (so the city's totals come out
exactly); other quarters drift a little from them and carry noise.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from synthetic.new_orgs import year_to_date
from synthetic.profiles import (
    SUP_TOTALS_2016Q4,
    ZONE_CODE,
    ZONE_SHARE_2016,
    Unit,
    rng,
)
from synthetic.published import BASE_PERIOD, NANTONG
from transforms import periods as quarters
from transforms.columns import REPORT_KINDS

# year-to-date share of the annual figure at the end of each quarter
YTD_SHARE = {1: 0.22, 2: 0.47, 3: 0.72, 4: 1.0}

_AREAS = tuple(
    c.name.removeprefix("tasks_planned_")
    for c in REPORT_KINDS["supervision"].columns
    if c.name.startswith("tasks_planned_")
)

_TOPICS = (
    "党建引领乡村振兴",
    "红色网格服务",
    "党群服务中心提升",
    "高标准农田建设",
    "村企联建共富",
    "老旧小区改造",
    "特色农业产业园",
    "邻里中心建设",
    "江海先锋驿站",
    "智慧社区建设",
    "河道整治",
    "标准厂房建设",
    "家庭农场培育",
    "电商服务站",
    "养老服务中心",
    "文化礼堂建设",
)


def submitted(period: str, r: random.Random, now: datetime) -> datetime:
    """Within 20 days after the quarter ends, and never after ``now``."""
    end = quarters.start_of(quarters.next_period(period))
    ts = end + timedelta(days=r.randint(0, 19), hours=r.randint(8, 18), minutes=r.randint(0, 59))
    return min(ts, now.replace(second=0, microsecond=0))


def _drift(period: str) -> int:
    return quarters.index(period) - quarters.index(BASE_PERIOD)


def supervision(u: Unit, period: str, seed: int, ts: datetime) -> dict[str, Any]:
    r = rng(seed, "sup", period, u.code)
    exact = period == BASE_PERIOD
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    for key in SUP_TOTALS_2016Q4:
        v = u.sup[key]
        if not exact and v:
            v = max(0, round(v * (1 + 0.004 * _drift(period) + r.gauss(0, 0.015))))
        row[key] = v
    s = u.strength
    extra = {
        "new_members": round(row["party_members"] * r.uniform(0.002, 0.012)),
        "supervisions_held": 0
        if r.random() < 0.25 * (1 - s)
        else r.randint(1, 4 if u.level != "village" else 2),
        "theme_days_planned": 3 if r.random() < 0.9 else r.choice((0, 2, 4)),
    }
    extra["theme_days_held"] = min(
        extra["theme_days_planned"],
        max(0, round(extra["theme_days_planned"] * min(1, s + r.gauss(0, 0.15)))),
    )
    # every village and community of Nantong had its list published by 2016Q4 (CONTRACT
    # §10: more than 1,800); from then on a few lapse. The draw is made either way, so the
    # draws after it stay as they were.
    published = r.random() < 0.45 + 0.55 * s
    if u.level == "village" and u.code.startswith(NANTONG) and period >= BASE_PERIOD:
        published = (
            period == BASE_PERIOD or published or rng(seed, "list", period, u.code).random() < 0.97
        )
    extra["list_published"] = published
    for area in _AREAS:
        planned = r.randint(2, 6) if u.level == "village" else r.randint(4, 12)
        extra[f"tasks_planned_{area}"] = planned
        extra[f"tasks_done_{area}"] = min(
            planned, max(0, round(planned * min(1.0, s + r.gauss(0.05, 0.2))))
        )
    row |= extra
    row |= year_to_date((u.code, u.level, u.kind), period, seed, u.new_orgs_2016)
    # keep the canonical column order
    return {c.name: row[c.name] for c in REPORT_KINDS["supervision"].columns if c.name in row}


def _growth(e: dict[str, float], seed: int, year: int, code: str) -> float:
    """The county's reported GDP growth of ``year`` (2016's is the calibrated one)."""
    if year == 2016:
        return e["gdp_growth_pct"]
    return round(e["gdp_growth_pct"] + rng(seed, "eco-year", year, code).gauss(-0.3, 0.4), 1)


def _level(e: dict[str, float], seed: int, year: int, code: str) -> float:
    """The county's GDP of ``year`` against 2016's, compounded at the rates it reports.

    From 2017 the 开发区 reports its own GDP, which until then was in the other counties'
    (CONTRACT §1): theirs lose its share, so the city's total grows at the reported rate.
    """
    scale = 1.0
    for y in range(2017, year + 1):
        scale *= 1 + _growth(e, seed, y, code) / 100
    for y in range(year + 1, 2017):  # before 2016: 2016's level less its growth
        scale /= 1 + _growth(e, seed, y, code) / 100
    if year >= 2017 and code.startswith(NANTONG) and code != ZONE_CODE:
        scale *= 1 - ZONE_SHARE_2016
    return scale


def economy(u: Unit, period: str, seed: int, ts: datetime) -> dict[str, Any]:
    r = rng(seed, "eco", period, u.code)
    q = quarters.quarter_number(period)
    year = int(period[:4])
    exact = period == BASE_PERIOD
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    if u.level == "county":
        e = u.econ
        g_year = _growth(e, seed, year, u.code)
        # the level grows at the rate the unit reports, year on year (CONTRACT §10 realism)
        scale = _level(e, seed, year, u.code)
        # a fourth quarter's year to date is the year's; earlier quarters a share of it
        noise = 0.0 if exact else r.gauss(0, 0.01)  # drawn in every quarter: the draws after
        share = YTD_SHARE[q] * (1 + (0.0 if q == 4 else noise))  # it stay as they were
        row["growth_target_pct"] = e["target"]
        row["gdp"] = e["gdp"] if exact else round(e["gdp"] * scale * share, 2)
        row["gdp_growth_pct"] = g_year if exact or q == 4 else round(g_year + r.gauss(0, 0.3), 1)
        row["fiscal_revenue"] = round(e["fiscal_revenue"] * scale * share, 2)
        savings = e["savings_balance"] * (
            1 + 0.025 * _drift(period) + (0 if exact else r.gauss(0, 0.005))
        )
        row["savings_balance"] = e["savings_balance"] if exact else round(savings, 2)
        row["income_growth_pct"] = round(e["income_growth_pct"] + r.gauss(0, 0.3), 1)
    elif u.level == "township":
        row["growth_target_pct"] = u.econ["target"]
        row["gdp_growth_pct"] = round(
            min(30, max(-15, r.gauss(8.6 + 3 * (u.strength - 0.8), 2.5))), 1
        )
        row["income_growth_pct"] = round(min(20, max(-5, r.gauss(8.4, 1.4))), 1)
    else:
        annual = u.econ["collective_income"] * (1.06 ** (year - 2016)) * (1 + r.gauss(0, 0.03))
        share = YTD_SHARE[q] * (1 + (0 if q == 4 else r.gauss(0, 0.05)))
        row["collective_income"] = round(annual * share, 2)
        row["collective_income_target"] = u.econ["target"]
    return row


def projects(
    u: Unit, period: str, seed: int, ts: datetime, n_secretary: int, n_other: int
) -> list[dict[str, Any]]:
    """``n_secretary`` secretary projects then ``n_other`` others, the same all year."""
    year = int(period[:4])
    q = quarters.quarter_number(period)
    types = ["secretary"] * n_secretary + [
        "industrial" if i % 2 == 0 else "livelihood" for i in range(n_other)
    ]
    return [_project(u, period, seed, ts, year, q, i, ptype) for i, ptype in enumerate(types)]


def _project(
    u: Unit, period: str, seed: int, ts: datetime, year: int, q: int, i: int, ptype: str
) -> dict[str, Any]:
    pr = rng(seed, "proj", year, u.code, i)  # stable over the quarters of a year
    qr = rng(seed, "projq", period, u.code, i)
    scale = {"county": (5000, 50000), "township": (500, 6000), "village": (20, 300)}[u.level]
    prefix = {"secretary": "SJ", "industrial": "CY", "livelihood": "FM"}[ptype]
    planned = round(pr.uniform(*scale), 1)
    start = pr.uniform(0, 30)
    speed = pr.uniform(12, 30) * (0.6 + 0.5 * u.strength)
    progress = round(min(100.0, max(0.0, start + speed * q + qr.gauss(0, 3))), 1)
    suspended = pr.random() < 0.03
    if suspended:
        status = "suspended"
    elif progress <= 0:
        status = "planned"
    elif progress >= 100:
        status = "completed" if pr.random() < 0.5 else "in_production"
    else:
        status = "under_construction" if ptype != "industrial" or progress < 80 else "in_production"
    # the year's plan (年度计划投资) for most projects, blank for some so that the 2018
    # rules' fallback to planned_investment is exercised; completion is year to date
    # (本年累计), spread around 序时进度 (q/4 of the year's plan). A generator of its own,
    # so the other draws, and the published 2016Q4 figures, do not move.
    ar = rng(seed, "annual", year, u.code, i)
    annual = round(planned * ar.uniform(0.4, 0.8), 1) if ar.random() < 0.85 else None
    pace = ar.uniform(0.7, 1.15) * (0.8 + 0.3 * u.strength)
    basis = planned if annual is None else annual
    completed = round(min(planned, basis * q / 4 * pace * qr.uniform(0.95, 1.05)), 1)
    return {
        "unit_code": u.code,
        "period": period,
        "submitted_at": ts,
        "project_id": f"{prefix}{year}-{i + 1:02d}",
        "project_type": ptype,
        "name": f"{u.name}{_TOPICS[pr.randrange(len(_TOPICS))]}项目",
        "planned_investment": planned,
        "annual_planned_investment": annual,
        "completed_investment": completed,
        "progress_pct": progress,
        "status": status,
        "party_org_established": pr.random() < 0.5 + 0.4 * u.strength,
        "party_members": pr.randint(0, 30) if u.level != "village" else pr.randint(0, 8),
    }
