"""How the 通报 compares a figure across quarters (CONTRACT §10), for the workbook and the brief.

* A year-to-date (累计) figure is compared with the same quarter of the previous year
  (上年同期), never with the previous quarter's year-to-date. Its quarter-on-quarter view is
  of the quarter's own amount (当季 = this year-to-date − the previous quarter's within one
  year; a first quarter's 当季 is its year-to-date).
* A year-to-date rate (the GDP growth) is compared with 上年同期 only.
* Balances and counts are at the quarter's end: compared as they are, with the previous
  quarter and with 上年同期.
"""

from __future__ import annotations

from typing import Any, Literal

from transforms.periods import previous_period, quarter_number

from .data import ReportData
from .labels import LEVEL_UNITS_ZH
from .text import SUMMARY_ROWS

Kind = Literal["stock", "ytd", "ytd_rate"]

# marts.city_summary columns that are year to date (本年累计)
YTD = frozenset(
    {
        "gdp",
        "collective_income",
        "new_park_orgs",
        "new_business_district_orgs",
        "new_village_enterprise_orgs",
    }
)
YTD_RATES = frozenset({"gdp_growth_pct"})


def kind(column: str) -> Kind:
    return "ytd" if column in YTD else "ytd_rate" if column in YTD_RATES else "stock"


def periods_needed(period: str) -> tuple[str, ...]:
    """The quarters whose city summary the comparisons need (the report's first)."""
    previous = previous_period(period)
    year_ago = f"{int(period[:4]) - 1}Q{quarter_number(period)}"
    return (period, previous, year_ago, previous_period(previous))


def _get(d: ReportData, period: str, key: str) -> Any:
    row = d.summary.get(period)
    return None if row is None else row.get(key)


def own_amount(d: ReportData, period: str, key: str) -> Any:
    """The quarter's own amount (当季) of a year-to-date column."""
    ytd = _get(d, period, key)
    if ytd is None or quarter_number(period) == 1:
        return ytd
    before = _get(d, previous_period(period), key)
    return None if before is None else ytd - before


def _diff(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def _pct(a: Any, b: Any) -> Any:
    return None if a is None or b is None or not b else (a - b) / b * 100


def summary_rows(d: ReportData) -> list[dict[str, Any]]:
    """One row per 概况 figure: its kind, value and the comparisons that suit it."""
    out = []
    for key, label, fmt in SUMMARY_ROWS:
        cur, ago = _get(d, d.period, key), _get(d, d.year_ago, key)
        row: dict[str, Any] = {
            "key": key,
            "label": label,
            "fmt": fmt,
            "kind": kind(key),
            "cur": cur,
            "ago": ago,
            "d_ago": _diff(cur, ago),
            "pct_ago": _pct(cur, ago) if kind(key) == "ytd" else None,
            "prev": None,
            "d_prev": None,
            "q_cur": None,
            "q_prev": None,
            "d_q": None,
        }
        if row["kind"] == "stock":
            prev = _get(d, d.previous, key)
            row.update(prev=prev, d_prev=_diff(cur, prev))
        elif row["kind"] == "ytd":
            q_cur, q_prev = own_amount(d, d.period, key), own_amount(d, d.previous, key)
            row.update(q_cur=q_cur, q_prev=q_prev, d_q=_diff(q_cur, q_prev))
        out.append(row)
    return out


def reporting_units(d: ReportData) -> list[dict[str, Any]]:
    """概况's 报送与参评单位: per level, units with reports, complete ones, ranked ones."""
    return [
        {
            "level": LEVEL_UNITS_ZH[lv],
            "scored": d.scored_units(lv),
            "complete": d.complete_units(lv),
            "ranked": d.ranked(lv),
        }
        for lv in ("county", "township", "village")
    ]


def blank_notes(d: ReportData) -> list[str]:
    """Why a comparison of the 概况 is blank: the quarter it needs is not in the
    warehouse, or that quarter's reports did not carry the figure (CONTRACT §10: a
    column is blank only with a note saying why)."""
    from .labels import quarter_zh

    rows = summary_rows(d)
    notes = []
    checks = [
        ("ago", "上年同期", d.year_ago, rows),
        ("prev", "上季度", d.previous, [r for r in rows if r["kind"] == "stock"]),
    ]
    ytd = [r for r in rows if r["kind"] == "ytd"]
    if quarter_number(d.period) > 1:
        checks.append(("q_cur", "当季", d.previous, ytd))
    if quarter_number(d.previous) > 1:
        checks.append(("q_prev", "上季度当季", previous_period(d.previous), ytd))
    for key, column, period, shown in checks:
        if not shown:
            continue
        blank = [r for r in shown if r[key] is None and r["cur"] is not None]
        if d.summary.get(period) is None:
            if blank:
                notes.append(
                    f"{column}一栏空白：数据仓库中没有{quarter_zh(period)}的数据（该季度尚未载入）。"
                )
        elif blank:
            labels = "、".join(r["label"].split("（")[0] for r in blank)
            notes.append(f"{column}一栏中{labels}空白：{quarter_zh(period)}的报表未含此项。")
    return notes
