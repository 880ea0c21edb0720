"""The brief's tables of the levels below the counties: the townships (a summary per
county and the city's first and last ten in the body, every township in 附件1), the
villages (per county, first and last ten), the weak villages (per county in the body,
the list in 附件2). Villages are named with their township, townships with their county.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from markupsafe import Markup, escape

from .data import ReportData
from .groups import by_city, grouped, order
from .labels import QUADRANTS_ZH
from .text import f2, missing

EXTREMES = 5  # the first and last five in the body; every unit in the annexes and workbook


def change(v: Any, had_rank: bool = True) -> Markup:
    """Rank change as ↑n / ↓n / —, coloured."""
    if v is None:
        return Markup('<span class="note">新</span>') if had_rank else Markup("")
    if v > 0:
        return Markup(f'<span class="up">↑{int(v)}</span>')
    if v < 0:
        return Markup(f'<span class="down">↓{-int(v)}</span>')
    return Markup("—")


def quadrant(code: str | None) -> Markup:
    if code is None:
        return Markup("")
    return Markup(
        f'<span class="tag q-{escape(code)}">{escape(QUADRANTS_ZH.get(code, code))}</span>'
    )


def band(rank: Any, worst: int, n: int = 3) -> str:
    if rank is None:
        return ""
    return "top" if rank <= n else "bottom" if rank > worst - n else ""


def townships(d: ReportData) -> list[dict[str, Any]]:
    """附件1: every township, grouped by county, in its county's order."""
    worst = d.ranked("township")
    groups: list[dict[str, Any]] = []
    for r in d.townships.to_dicts():
        if not groups or groups[-1]["code"] != r["county_code"]:
            groups.append({"code": r["county_code"], "county": r["county_name"], "rows": []})
        groups[-1]["rows"].append(
            {
                "rank_parent": r["rank_in_parent"] or "",
                "rank": r["rank_in_level"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "c": f2(r["composite_score"]),
                "quadrant": quadrant(r["quadrant"]),
                "change": change(r["rank_change_in_parent"], r["rank_in_parent"] is not None),
                "missing": "" if r["complete"] else missing(r),
                "band": band(r["rank_in_level"], worst, 10),
            }
        )
    return groups


def township_summary(d: ReportData) -> list[dict[str, Any]]:
    """Per county (per city in a province): its townships, how many ranked, the median C,
    the first and the last."""
    out = []
    towns = grouped(d, d.level("township"))
    for code, name in order(d):
        mine = towns.filter(pl.col("g_code") == code)
        ranked = mine.filter(pl.col("rank_in_level").is_not_null()).sort(
            "rank_in_level", "unit_code"
        )
        first = ranked.head(1).to_dicts()
        last = ranked.tail(1).to_dicts() if ranked.height > 1 else []
        out.append(
            {
                "county": name,
                "units": mine.height,
                "ranked": ranked.height,
                "median_c": f2(ranked["composite_score"].median()) if ranked.height else "",
                "first": _named(first, by_city(d)),
                "last": _named(last, by_city(d)),
            }
        )
    return out


def _named(rows: list[dict[str, Any]], full: bool = False) -> str:
    key = "full_name" if full else "name"
    return "、".join(f"{r[key]}（{r['composite_score']:.2f}）" for r in rows)


def township_extremes(d: ReportData) -> list[tuple[str, list[dict[str, Any]], str]]:
    """The city's first and last ten townships (fewer when fewer are ranked)."""
    ranked = d.level("township").filter(pl.col("rank_in_level").is_not_null())
    ranked = ranked.sort("rank_in_level", "unit_code")
    n = min(EXTREMES, ranked.height // 2)

    def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "rank": r["rank_in_level"],
                "county": r["county_name"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "c": f2(r["composite_score"]),
                "change": change(r["rank_change"], True),
            }
            for r in frame.to_dicts()
        ]

    if not n:
        return []
    return [
        (f"{d.whole}前{n}名", rows(ranked.head(n)), "top"),
        (f"{d.whole}后{n}名", rows(ranked.tail(n)), "bottom"),
    ]


def weak_counties(d: ReportData) -> list[dict[str, Any]]:
    """薄弱村 per county (per city in a province): warned this quarter (by which line),
    and the year's 认定."""
    out = []
    warned = grouped(d, d.weak)
    years = grouped(d, d.weak_years) if d.weak_years.height else None
    for code, name in order(d):
        w = warned.filter(pl.col("g_code") == code)
        y = years.filter(pl.col("g_code") == code) if years is not None else None
        status = y["status"] if y is not None else pl.Series([], dtype=pl.String)
        out.append(
            {
                "county": name,
                "weak": w.height,
                "income": int(w["low_income"].sum()) if w.height else 0,
                "party": int(w["low_party_score"].sum()) if w.height else 0,
                "year_weak": int(y["weak"].sum()) if y is not None else 0,
                "new": int((status == "new").sum()),
                "continuing": int((status == "continuing").sum()),
                "rectified": int((status == "rectified").sum()),
            }
        )
    return [r for r in out if any(v for k, v in r.items() if k != "county")]


def villages(
    d: ReportData,
) -> tuple[list[dict[str, Any]], list[tuple[str, list[dict[str, Any]], str]]]:
    v = d.level("village")
    weak = grouped(d, d.weak).group_by("g_code").len()
    per = (
        grouped(d, v)
        .group_by("g_code", "g_name")
        .agg(
            pl.len().alias("units"),
            pl.col("scored").sum(),
            pl.col("composite_score").is_not_null().sum().alias("ranked"),
            pl.col("composite_score").median().alias("median_c"),
        )
        .join(weak, on="g_code", how="left")
        .sort("g_code")
    )
    counties = [
        {
            "county": r["g_name"],
            "units": r["units"],
            "scored": r["scored"],
            "ranked": r["ranked"],
            "median_c": f2(r["median_c"]),
            "weak": r["len"] or 0,
        }
        for r in per.to_dicts()
    ]
    ranked = v.filter(pl.col("rank_in_level").is_not_null()).sort("rank_in_level", "unit_code")

    def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "rank": r["rank_in_level"],
                "county": r["county_name"],
                "township": r["township_name"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "c": f2(r["composite_score"]),
            }
            for r in frame.to_dicts()
        ]

    n = min(EXTREMES, ranked.height // 2)
    extremes = (
        [
            (f"{d.whole}前{n}名", rows(ranked.head(n)), "top"),
            (f"{d.whole}后{n}名", rows(ranked.tail(n)), "bottom"),
        ]
        if n
        else []
    )
    return counties, extremes


def weak(d: ReportData) -> tuple[str, list[dict[str, Any]]]:
    """The lead sentence and 附件2's rows: every early-warning village."""
    trend = d.weak_trend.to_dicts()
    prev = next((t["weak_villages"] for t in trend if t["period"] == d.previous), None)
    lead = (
        f"按预警线（年化村集体经营性收入低于{d.income_line:g}万元，或党建得分低于{d.party_line:g}分）"
        f"本季度预警{d.weak.height}个村"
    )
    if prev is not None:
        lead += f"，上季度{prev}个（{d.weak.height - prev:+d}）"
    low_income, low_party = int(d.weak["low_income"].sum()), int(d.weak["low_party_score"].sum())
    lead += f"；其中收入低于预警线{low_income}个，党建得分低于预警线{low_party}个。"
    rows = [
        {
            "county": r["county_name"],
            "township": r["township_name"],
            "name": r["name"],
            "income": f2(r["collective_income_annualised"]),
            "p": f2(r["party_score"]),
            "lines": r["lines_crossed"],
            "determination": r["determination"] or "",
        }
        for r in d.weak.to_dicts()
    ]
    return lead, rows
