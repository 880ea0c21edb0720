"""The rows of the brief's per-area summaries: one per county-level unit in a city, one per
city (设区市) in a province, so that a province's hundred counties read as thirteen rows.

:func:`grouped` adds ``g_code`` and ``g_name`` to a frame that has ``county_code`` (and
``county_name``); :func:`order` lists the groups in the order the body shows them (the
county ranking's in a city, the codes' in a province).
"""

from __future__ import annotations

import polars as pl

from .data import ReportData
from .names import CITIES

CITY_LABEL, PROVINCE_LABEL = "县（市、区）", "设区市"


def by_city(d: ReportData) -> bool:
    return d.area.endswith("省")


def label(d: ReportData) -> str:
    """The summaries' first column: 县（市、区）, or 设区市 at province scale."""
    return PROVINCE_LABEL if by_city(d) else CITY_LABEL


def grouped(d: ReportData, frame: pl.DataFrame) -> pl.DataFrame:
    if not by_city(d):
        return frame.with_columns(
            pl.col("county_code").alias("g_code"), pl.col("county_name").alias("g_name")
        )
    city = pl.col("county_code").str.slice(0, 4)
    return frame.with_columns(
        city.alias("g_code"),
        (city.replace_strict(CITIES, default=city) + "市").alias("g_name"),
    )


def order(d: ReportData) -> list[tuple[str, str]]:
    """(code, name) of each group, in the order the body lists them."""
    counties = grouped(d, d.counties)
    seen: dict[str, str] = {}
    rows = counties if not by_city(d) else counties.sort("g_code")
    for r in rows.select("g_code", "g_name").to_dicts():
        seen.setdefault(r["g_code"], r["g_name"])
    return list(seen.items())
