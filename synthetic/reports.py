"""The report rows of one unit for one quarter, varying around its profile.

Party reports (the supervision report, the projects' progress and party organisations)
are drawn from the unit's strength. Development figures (GDP and income growth against
the year's target, collective income and project investment against the time-elapsed
share of the year's target or plan) achieve their targets at the rate of the unit's
development level of the quarter (:mod:`synthetic.story`), which carries the lagged
effect of its party building. At 2016Q4 the calibrated stock figures are reported as
they are (so the city's totals come out exactly); other quarters drift a little from
them and carry noise.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from synthetic.new_orgs import year_to_date
from synthetic.profiles import (
    COUNTY_2016,
    SUP_TOTALS_2016Q4,
    ZONE_CARVE,
    ZONE_CODE,
    ZONE_FROM,
    Unit,
    rng,
)
from synthetic.published import BASE_PERIOD
from synthetic.story import achieved
from transforms import periods as quarters
from transforms.columns import REPORT_KINDS

# year-to-date share of the annual figure at the end of each quarter (county GDP, revenue)
YTD_SHARE = {1: 0.22, 2: 0.47, 3: 0.72, 4: 1.0}
# what a parent county writes in 说明 when the zone's members leave its report (a review flag)
ZONE_EXPLANATION = "自2017年起南通经济技术开发区单独报送，原由本区代管的党组织、党员划出"

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


def submitted(
    period: str,
    level: str,
    strength: float,
    r: random.Random,
    now: datetime,
    deadline_days: Mapping[str, int],
) -> datetime:
    """When a unit files (填报时间): most on time, in the last days before its level's
    deadline (``deadline_days`` after the quarter's end, the rules' ``[round]``); about
    one in twelve late, a few days after it (at most 24), weaker units more often.
    Never after ``now``."""
    end = quarters.start_of(quarters.next_period(period))
    due = deadline_days[level]
    if r.random() < 0.02 + 0.25 * (1 - strength):
        day = due + min(24, int(r.expovariate(1 / 3)))
    else:
        day = max(0, due - 1 - int(r.expovariate(1 / 1.5)))
    ts = end + timedelta(days=day, hours=r.randint(8, 18), minutes=r.randint(0, 59))
    return min(ts, now.replace(second=0, microsecond=0))


def _drift(period: str) -> int:
    return quarters.index(period) - quarters.index(BASE_PERIOD)


def list_published(u: Unit, seed: int, period: str) -> bool:
    """Whether the unit's task list (清单) of the year is published by the end of ``period``.

    Each quarter a unit that has not yet published does so with a chance that grows with
    its strength (0.48 … 0.9); once published it stays so for the year. The more than
    1,800 villages with their lists published by the end of 2016 (CONTRACT §10) come out
    of these draws, not a value set in the fourth quarter.
    """
    r = rng(seed, "list", period[:4], u.code)
    chance = 0.3 + 0.6 * u.strength
    return any(r.random() < chance for _ in range(quarters.quarter_number(period)))


def supervision(u: Unit, period: str, seed: int, ts: datetime) -> dict[str, Any]:
    r = rng(seed, "sup", period, u.code)
    exact = period == BASE_PERIOD
    carried = u.carried if period < ZONE_FROM else {}
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    for key in SUP_TOTALS_2016Q4:
        v = u.sup[key] + carried.get(key, 0)
        if not exact and v:
            v = max(0, round(v * (1 + 0.004 * _drift(period) + r.gauss(0, 0.015))))
        row[key] = v
    if u.carried and period == ZONE_FROM:
        row["explanation"] = ZONE_EXPLANATION
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
    extra["list_published"] = list_published(u, seed, period)
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


def growth_target(u: Unit, seed: int, year: int) -> float:
    """The unit's growth target (年度增长目标, %) for ``year``, set at the year's start."""
    r = rng(seed, "target", year, u.code)
    return r.choice((8.5, 9.0, 9.5, 10.0, 10.5) if u.level == "county" else (7.5, 8.0, 8.5, 9.0))


def _growth(e: dict[str, float], seed: int, year: int, code: str) -> float:
    """The county's reported GDP growth of ``year`` (2016's is the calibrated one)."""
    if year == 2016:
        return e["gdp_growth_pct"]
    return round(e["gdp_growth_pct"] + rng(seed, "eco-year", year, code).gauss(-0.3, 0.4), 1)


def _scale(e: dict[str, float], seed: int, year: int, code: str) -> float:
    """The county's GDP of ``year`` against 2016's, compounded at the rates it reports."""
    scale = 1.0
    for y in range(2017, year + 1):
        scale *= 1 + _growth(e, seed, y, code) / 100
    for y in range(year + 1, 2017):  # before 2016: 2016's level less its growth
        scale /= 1 + _growth(e, seed, y, code) / 100
    return scale


def _base(e: dict[str, float], code: str, key: str, period: str) -> float:
    """The county's 2016 ``key`` on the territory it has in ``period``: from 2017 the
    counties the 开发区 was carved from no longer count its share (CONTRACT §12)."""
    if period < ZONE_FROM or code not in ZONE_CARVE:
        return e[key]
    return e[key] - ZONE_CARVE[code] * COUNTY_2016[ZONE_CODE][key]


def economy(u: Unit, period: str, seed: int, ts: datetime, level: float) -> dict[str, Any]:
    """The unit's economy row; ``level``: its development level of the quarter (d)."""
    r = rng(seed, "eco", period, u.code)
    q = quarters.quarter_number(period)
    year = int(period[:4])
    exact = period == BASE_PERIOD
    row: dict[str, Any] = {"unit_code": u.code, "period": period, "submitted_at": ts}
    if u.level in ("county", "township"):
        target = growth_target(u, seed, year)
        row["growth_target_pct"] = target
        income = target * achieved(level, seed, "income", period, u.code)
        row["income_growth_pct"] = round(min(20.0, income), 1)
    if u.level == "county":
        e = u.econ
        g_year = _growth(e, seed, year, u.code)
        # the level grows at the rate the unit reports, year on year (CONTRACT §10 realism)
        scale = _scale(e, seed, year, u.code)
        # a fourth quarter's year to date is the year's; earlier quarters a share of it
        noise = 0.0 if exact else r.gauss(0, 0.01)  # drawn in every quarter: the draws after
        share = YTD_SHARE[q] * (1 + (0.0 if q == 4 else noise))  # it stay as they were
        gdp = _base(e, u.code, "gdp", period) * scale * share
        row["gdp"] = e["gdp"] if exact else round(gdp, 2)
        row["gdp_growth_pct"] = g_year if exact or q == 4 else round(g_year + r.gauss(0, 0.3), 1)
        row["fiscal_revenue"] = round(_base(e, u.code, "fiscal_revenue", period) * scale * share, 2)
        savings = _base(e, u.code, "savings_balance", period) * (
            1 + 0.025 * _drift(period) + (0 if exact else r.gauss(0, 0.005))
        )
        row["savings_balance"] = e["savings_balance"] if exact else round(savings, 2)
    elif u.level == "township":
        growth = row["growth_target_pct"] * achieved(level, seed, "gdp", period, u.code)
        row["gdp_growth_pct"] = round(min(30.0, growth), 1)
    else:
        # the year's target grows with the village; what is achieved of it so far is the
        # development level's share of the time elapsed (序时进度)
        target = max(5, round(u.econ["target"] * 1.06 ** (year - 2016) / 5) * 5)
        rate = achieved(level, seed, "collective", period, u.code)
        row["collective_income"] = round(target * q / 4 * rate, 2)
        row["collective_income_target"] = target
    return row


def projects(
    u: Unit,
    period: str,
    seed: int,
    ts: datetime,
    n_secretary: int,
    n_other: int,
    level: float,
) -> list[dict[str, Any]]:
    """``n_secretary`` secretary projects then ``n_other`` others, the same all year;
    ``level``, the unit's development level of the quarter, sets how much of each
    project's year's plan is done."""
    year = int(period[:4])
    q = quarters.quarter_number(period)
    types = ["secretary"] * n_secretary + [
        "industrial" if i % 2 == 0 else "livelihood" for i in range(n_other)
    ]
    return [
        _project(u, period, seed, ts, year, q, i, ptype, level) for i, ptype in enumerate(types)
    ]


def _project(
    u: Unit,
    period: str,
    seed: int,
    ts: datetime,
    year: int,
    q: int,
    i: int,
    ptype: str,
    level: float,
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
    # (本年累计), the development level's share of 序时进度 (q/4 of the year's plan)
    ar = rng(seed, "annual", year, u.code, i)
    annual = round(planned * ar.uniform(0.4, 0.8), 1) if ar.random() < 0.85 else None
    basis = planned if annual is None else annual
    pace = achieved(level, seed, "investment", period, u.code, i)
    completed = round(min(planned, basis * q / 4 * pace), 1)
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
