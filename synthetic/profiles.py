"""Unit profiles: each registry unit's strength and base figures, from which its reports vary.

Nantong's units valid in 2016Q4 are calibrated so that their supervision figures add up
exactly to :data:`SUP_TOTALS_2016Q4`, and its county-level units carry the 2016 figures of
:data:`COUNTY_2016`, which add up to the published GDP, growth and savings.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from synthetic.new_orgs import calibrate_2016
from synthetic.published import BASE_PERIOD, NANTONG, exact_count
from synthetic.registry_names import ZONE
from warehouse.registry import valid_units

# The supervision totals of Nantong's 2016Q4 reports: the published figures, and above
# the two published only as floors.
SUP_TOTALS_2016Q4: dict[str, int] = {
    "party_orgs": exact_count("party_orgs"),
    "party_members": exact_count("party_members"),
    "grid_branches": exact_count("grid_branches"),
    "building_groups": exact_count("building_groups"),
    "central_households": 5_236,  # published as "at least 5,000"
    "prosperity_communities": 2_863,  # published as "at least 2,800"
    "contact_points": exact_count("contact_points"),
}

# 2016 annual figures of the county-level units (亿元; growth in %). GDP values are
# multiples of 0.25 so that sums are exact in binary floating point: Σ gdp = 6,768 and
# the GDP-weighted mean growth is 9.3; Σ savings = 10,243 (> 10,000).
COUNTY_2016: dict[str, dict[str, float]] = {
    "320602000000": {
        "gdp": 876.75,
        "gdp_growth_pct": 9.2,
        "savings_balance": 1650.5,
        "fiscal_revenue": 61.25,
    },
    "320611000000": {
        "gdp": 375.0,
        "gdp_growth_pct": 9.8,
        "savings_balance": 520.25,
        "fiscal_revenue": 30.5,
    },
    "320612000000": {
        "gdp": 1006.0,
        "gdp_growth_pct": 9.4,
        "savings_balance": 1420.75,
        "fiscal_revenue": 70.75,
    },
    "320621000000": {
        "gdp": 781.0,
        "gdp_growth_pct": 9.7,
        "savings_balance": 1060.5,
        "fiscal_revenue": 60.5,
    },
    "320623000000": {
        "gdp": 743.0,
        "gdp_growth_pct": 9.4,
        "savings_balance": 1090.25,
        "fiscal_revenue": 55.25,
    },
    "320681000000": {
        "gdp": 906.0,
        "gdp_growth_pct": 9.8,
        "savings_balance": 1380.0,
        "fiscal_revenue": 70.0,
    },
    "320682000000": {
        "gdp": 897.75,
        "gdp_growth_pct": 8.8,
        "savings_balance": 1510.75,
        "fiscal_revenue": 65.5,
    },
    "320684000000": {
        "gdp": 1182.5,
        "gdp_growth_pct": 8.8,
        "savings_balance": 1610.0,
        "fiscal_revenue": 85.25,
    },
    # from 2017Q1
    "320671000000": {
        "gdp": 560.0,
        "gdp_growth_pct": 9.0,
        "savings_balance": 310.0,
        "fiscal_revenue": 48.0,
    },
}

ZONE_CODE = f"{ZONE}000000"  # 南通经济技术开发区, reporting from 2017Q1
ZONE_SHARE_2016 = COUNTY_2016[ZONE_CODE]["gdp"] / sum(
    v["gdp"] for code, v in COUNTY_2016.items() if code != ZONE_CODE
)
"""The zone's part of the 2016 GDP the other counties reported (carved out from 2017)."""


def rng(*key: object) -> random.Random:
    """A generator of its own for ``key``: each draw is independent of the others' order."""
    return random.Random("|".join(str(k) for k in key))


@dataclass
class Unit:
    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    strength: float  # 0.3 … 1.0: how well the unit does its party work
    sup: dict[str, int]  # calibrated supervision figures at 2016Q4
    econ: dict[str, float]  # county: annual 2016 figures; village: annual collective income
    new_orgs_2016: dict[str, int] = field(default_factory=dict)  # Nantong's, calibrated


def unit_profiles(registry: pl.DataFrame, seed: int) -> dict[str, Unit]:
    """Every registry unit with its base figures; Nantong's 2016Q4 ones calibrated."""
    units: dict[str, Unit] = {}
    raws: dict[str, dict[str, float]] = {}
    for row in registry.sort("unit_code").iter_rows(named=True):
        units[row["unit_code"]], raws[row["unit_code"]] = _profile(row, seed)
    _calibrate(units, raws, registry)
    base = valid_units(registry, BASE_PERIOD).filter(pl.col("unit_code").str.starts_with(NANTONG))
    who = [(c, units[c].level, units[c].kind) for c in sorted(base["unit_code"].to_list())]
    for code, figures in calibrate_2016(who, seed).items():
        units[code].new_orgs_2016 = figures
    return units


def _profile(row: dict[str, Any], seed: int) -> tuple[Unit, dict[str, float]]:
    """One unit's profile and its uncalibrated supervision figures."""
    code = row["unit_code"]
    r = rng(seed, "unit", code)
    u = Unit(code, row["name"], row["level"], row["kind"], row["parent_code"], 0.0, {}, {})
    u.strength = min(1.0, max(0.3, r.gauss(0.8, 0.15)))
    raw = _raw_sup(u, r)
    u.sup = {k: round(v) for k, v in raw.items()}
    u.econ = _econ(u, r)
    return u, raw


def _raw_sup(u: Unit, r: random.Random) -> dict[str, float]:
    if u.level == "county":
        return {
            "party_orgs": r.uniform(350, 650),
            "party_members": r.uniform(6000, 11000),
            "grid_branches": 0,
            "building_groups": 0,
            "central_households": 0,
            "prosperity_communities": r.uniform(10, 30),
            "contact_points": r.uniform(15, 25),
        }
    if u.level == "township":
        return {
            "party_orgs": r.uniform(30, 70),
            "party_members": r.uniform(700, 1500),
            "grid_branches": 0,
            "building_groups": 0,
            "central_households": r.uniform(0, 6),
            "prosperity_communities": r.uniform(2, 8),
            "contact_points": r.uniform(0.5, 1.5),
        }
    community = u.kind == "community"
    return {
        "party_orgs": r.uniform(6, 10),
        "party_members": r.uniform(150, 310),
        "grid_branches": r.uniform(4, 10) if community else 0,
        "building_groups": r.uniform(8, 17) if community else 0,
        "central_households": r.uniform(0, 3) if community else r.uniform(1, 5),
        "prosperity_communities": r.uniform(0, 1.5) if community else r.uniform(0.5, 2.5),
        "contact_points": 0,
    }


def _econ(u: Unit, r: random.Random) -> dict[str, float]:
    if u.level == "county":
        fixed = COUNTY_2016.get(u.code)
        if fixed is None:  # synthetic (province) county or a later successor
            gdp = round(r.uniform(300, 1500) * 4) / 4
            fixed = {
                "gdp": gdp,
                "gdp_growth_pct": round(r.uniform(7.0, 10.5), 1),
                "savings_balance": round(gdp * r.uniform(1.1, 1.7) * 4) / 4,
                "fiscal_revenue": round(gdp * r.uniform(0.06, 0.09) * 4) / 4,
            }
        econ = dict(fixed)
        econ["target"] = round(r.uniform(8.0, 9.5) * 2) / 2
        econ["income_growth_pct"] = round(r.uniform(8.0, 9.6), 1)
        return econ
    if u.level == "township":
        return {"target": round(r.uniform(7.5, 10.0) * 2) / 2}
    income = math.exp(r.gauss(math.log(55) + 0.6 * (u.strength - 0.8), 0.62))
    return {
        "collective_income": income,
        "target": round(income * r.uniform(1.0, 1.25) / 5 + 0.5) * 5,
    }


def _calibrate(
    units: dict[str, Unit], raws: dict[str, dict[str, float]], registry: pl.DataFrame
) -> None:
    """Share each 2016Q4 total among Nantong's units valid then, by their raw figures."""
    base = valid_units(registry, BASE_PERIOD).filter(pl.col("unit_code").str.starts_with(NANTONG))
    codes = sorted(base["unit_code"].to_list())
    for key, total in SUP_TOTALS_2016Q4.items():
        for code, v in zip(
            codes, _largest_remainder([raws[c][key] for c in codes], total), strict=True
        ):
            units[code].sup[key] = v


def _largest_remainder(raw: list[float], total: int) -> list[int]:
    s = sum(raw)
    if s <= 0:
        return [0] * len(raw)
    exact = [x * total / s for x in raw]
    out = [math.floor(x) for x in exact]
    order = sorted(range(len(raw)), key=lambda i: (-(exact[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out
