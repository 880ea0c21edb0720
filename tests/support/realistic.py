"""Report files as units really send them: Chinese headers, level templates, Excel/WPS.

openpyxl-written xlsx stands in for a workbook saved by Excel or WPS; CSV is GBK as
saved by Excel on Chinese Windows. Values are what a clerk types: Chinese quarter
names, 是/否, Chinese enum labels.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from transforms.columns import ECONOMY, SUPERVISION, ReportKind

CITY = "320602000000"  # 崇川区 (county level)
TOWN = "320602001000"  # 城东街道 (township level, under 崇川区)
VILLAGE = "320602001001"  # 城北社区 (village level, under 城东街道)
VILLAGE2 = "320602001002"  # 城东跃龙社区
QUARTER = "2017年第一季度"


def supervision_row(unit: str, **over: Any) -> dict[str, Any]:
    """A supervision row (canonical names): 3 of everything, 120 members, filed 4月10日."""
    row: dict[str, Any] = {n: 3 for n in SUPERVISION.names}
    row |= {
        "unit_code": unit,
        "period": QUARTER,
        "submitted_at": "2017-04-10 09:30",
        "party_members": 120,
        "list_published": "是",
    }
    return row | over


def economy_row(level: str, unit: str, **over: Any) -> dict[str, Any]:
    """An economy row holding only the columns of ``level``'s template (canonical names)."""
    values: dict[str, Any] = {
        "unit_code": unit,
        "period": QUARTER,
        "submitted_at": "2017-04-10 09:30",
        "growth_target_pct": 8,
        "gdp": 6768.2,
        "gdp_growth_pct": 9.3,
        "fiscal_revenue": 590.5,
        "savings_balance": 10123.4,
        "income_growth_pct": 8.5,
        "collective_income": 35.6,
        "collective_income_target": 120,
    }
    row = {n: values[n] for n in ECONOMY.level_names(level) if n in values}
    row.update(over)
    return row


def chinese(kind: ReportKind, row: dict[str, Any]) -> dict[str, Any]:
    """The row under the Chinese headers a clerk's template carries."""
    return {(kind.column(k).zh if k in kind.names else k): v for k, v in row.items()}


def write_xlsx(path: Path, kind: ReportKind, rows: list[dict[str, Any]]) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    headers = list(chinese(kind, rows[0]))
    ws.append(headers)
    for r in rows:
        ws.append(list(chinese(kind, r).values()))
    wb.save(path)
    return path


def write_gbk_csv(path: Path, kind: ReportKind, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    zh = [chinese(kind, r) for r in rows]
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(zh[0]))
        w.writeheader()
        w.writerows(zh)
    return path
