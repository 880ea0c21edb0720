"""Unit profiles: each registry unit's strength and base figures, from which its reports vary.

Nantong's units valid in 2016Q4 are calibrated so that their supervision figures add up
exactly to :data:`SUP_TOTALS_2016Q4`, and its county-level units carry the 2016 figures of
:data:`COUNTY_2016`, which add up to the published GDP, growth and savings.

The 开发区 (320671) reports from 2017Q1, but its organisations, members, savings and GDP
were there before, in the counties it was carved from (:data:`ZONE_CARVED_FROM`,
:data:`ZONE_CARVE`): until 2016Q4 those counties' own reports carry them (``Unit.carried``,
and the county figures of :data:`COUNTY_2016`), from 2017Q1 the zone's units report them
and the counties no longer do, so the city's series run on without a jump.
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
ZONE_FROM = "2017Q1"
CHONGCHUAN, TONGZHOU = "320602000000", "320612000000"
ZONE_CARVED_FROM = {"000": CHONGCHUAN, "001": TONGZHOU, "002": TONGZHOU, "003": CHONGCHUAN}
"""The county that carried each of the zone's units before 2017, by its township digits:
the zone's own organisation and 中兴街道 came from 崇川区, 竹行 and 小海街道 from 通州区
(the sample's assumption)."""
ZONE_CARVE = {CHONGCHUAN: 0.35, TONGZHOU: 0.65}
"""Each parent's share of the zone's 2016 GDP, fiscal revenue and savings, which it
reported until 2016 and no longer from 2017."""


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
    # a parent county's: the supervision figures of the zone's units it carried until 2016
    carried: dict[str, int] = field(default_factory=dict)


def strength(code: str, seed: int, own: float) -> float:
    """A unit's party-building strength: its county's and township's parts (drawn from
    generators of their own) and its own ``own``, within 0.3 … 1.0."""
    s = 0.8 + own + 0.04 * rng(seed, "party-county", code[:6]).gauss(0.0, 1.0)
    if code[6:9] != "000":
        s += 0.05 * rng(seed, "party-township", code[:9]).gauss(0.0, 1.0)
    return min(1.0, max(0.3, s))


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
    u.strength = strength(code, seed, 0.85 * (r.gauss(0.8, 0.15) - 0.8))
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
        return dict(fixed)
    if u.level == "township":
        return {}  # growth targets are the year's (synthetic.reports.growth_target)
    # a village's collective income (万元 a year) and its 2016 target, a little above it;
    # what it achieves of the target each quarter is drawn by synthetic.story
    income = math.exp(r.gauss(math.log(55) + 0.6 * (u.strength - 0.8), 0.62))
    return {
        "collective_income": income,
        "target": round(income * r.uniform(1.0, 1.25) / 5 + 0.5) * 5,
    }


def _calibrate(
    units: dict[str, Unit], raws: dict[str, dict[str, float]], registry: pl.DataFrame
) -> None:
    """Share each 2016Q4 total among Nantong's units valid then and the zone's units (whose
    figures their parent counties carry until 2016), by their raw figures."""
    base = valid_units(registry, BASE_PERIOD).filter(pl.col("unit_code").str.starts_with(NANTONG))
    zone = valid_units(registry, ZONE_FROM).filter(pl.col("unit_code").str.starts_with(ZONE))
    codes = sorted({*base["unit_code"], *zone["unit_code"]})
    for key, total in SUP_TOTALS_2016Q4.items():
        for code, v in zip(
            codes, _largest_remainder([raws[c][key] for c in codes], total), strict=True
        ):
            units[code].sup[key] = v
    for code in sorted(zone["unit_code"]):
        parent = units[ZONE_CARVED_FROM[code[6:9]]]
        for key, v in units[code].sup.items():
            parent.carried[key] = parent.carried.get(key, 0) + v


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
