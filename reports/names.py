"""How a leader's page names a unit and the area the 通报 covers (CONTRACT §10).

A village is named with its township (``掘港镇瑞丰村``: 如东县 has several 瑞丰村); a
township, in a list of the whole area, with its county (``海安县城东镇``) unless its name
already says which county it is in (``如皋经济技术开发区``). The area is the city whose
county-level units the registry holds (``南通市``), or the province when it holds several.
"""

from __future__ import annotations

import polars as pl

from warehouse.registry import JIANGSU_CITIES

PROVINCE = "江苏省"
CITIES = dict(JIANGSU_CITIES)
COUNTY_SUFFIXES = ("市", "县", "区")


def county_stem(county: str) -> str:
    """``如皋市`` → ``如皋``: the part of a county's name its own units' names start with."""
    stem = county[:-1] if county.endswith(COUNTY_SUFFIXES) else county
    return stem if len(stem) >= 2 else county


def village_name(township: str | None, village: str) -> str:
    """``掘港镇`` + ``瑞丰村`` → ``掘港镇瑞丰村``; a name that already starts with its
    township's stays as it is."""
    if not township or village.startswith(township):
        return village
    return township + village


def township_name(county: str | None, township: str) -> str:
    """``海安县`` + ``城东镇`` → ``海安县城东镇``; ``如皋经济技术开发区`` stays."""
    if not county or township.startswith(county_stem(county)):
        return township
    return county + township


def with_full_names(units: pl.DataFrame) -> pl.DataFrame:
    """``full_name``: a unit's name as a list of the whole area shows it (see the module)."""
    rows = units.select("level", "name", "county_name", "township_name").to_dicts()
    full = [
        village_name(r["township_name"], r["name"])
        if r["level"] == "village"
        else township_name(r["county_name"], r["name"])
        if r["level"] == "township"
        else r["name"]
        for r in rows
    ]
    return units.with_columns(pl.Series("full_name", full, dtype=pl.String))


def area_name(county_codes: list[str]) -> str:
    """The city of the county-level units (``南通市``), or the province when they are in
    several cities (the province-scale registry)."""
    cities = {c[:4] for c in county_codes}
    if len(cities) == 1:
        (city,) = cities
        if city in CITIES:
            return CITIES[city] + "市"
    return PROVINCE


def issuer(area: str) -> str:
    """The department that issues the 通报 of ``area`` (发文机关): 中共南通市委组织部."""
    return f"中共{area}委组织部"
