"""Small report rows and files, written inline by the tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from transforms.columns import Column

COUNTY = "320602000000"  # 崇川区
COUNTY2 = "320623000000"  # 如东县


def raw_value(c: Column, i: int = 0) -> str:
    """A valid raw text for column ``c`` (derived from the declaration); ``i`` varies it."""
    by_type = {
        "code": COUNTY,
        "period": "2017Q1",
        "timestamp": "2017-04-05 10:00:00",
        "int": str(i + 3),
        "decimal": "1.5",
        "bool": "是",
        "text": f"P-{i}",
        "enum": c.enum[0][1] if c.enum else "",
    }
    return by_type[c.type]


def supervision_row(unit: str = COUNTY, period: str = "2017Q1", **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "unit_code": unit,
        "period": period,
        "submitted_at": "2017-04-10 09:30",
        "party_orgs": 120,
        "party_members": 3000,
        "new_members": 40,
        "contact_points": 3,
        "grid_branches": 0,
        "building_groups": 5,
        "central_households": 20,
        "prosperity_communities": 10,
        "supervisions_held": 2,
        "theme_days_planned": 3,
        "theme_days_held": 3,
        "list_published": "是",
    }
    for area in ("coverage", "service", "team", "vanguard", "care", "support"):
        row[f"tasks_planned_{area}"] = 10
        row[f"tasks_done_{area}"] = 8
    row.update(over)
    return row


def project_row(
    unit: str = COUNTY, period: str = "2017Q1", pid: str = "P1", **over: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "unit_code": unit,
        "period": period,
        "submitted_at": "2017-04-10 09:30",
        "project_id": pid,
        "project_type": "secretary",
        "name": "党建引领产业园",
        "planned_investment": "1,200",
        "completed_investment": 600,
        "progress_pct": 50,
        "status": "under_construction",
        "party_org_established": "Y",
        "party_members": 12,
    }
    row.update(over)
    return row


def economy_row(unit: str = COUNTY, period: str = "2017Q1", **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "unit_code": unit,
        "period": period,
        "submitted_at": "2017-04-10 09:30",
        "growth_target_pct": 8,
        "gdp": 250.5,
        "gdp_growth_pct": 8.8,
        "fiscal_revenue": 20,
        "savings_balance": 900,
        "income_growth_pct": 8.5,
        "collective_income": None,
        "collective_income_target": None,
    }
    row.update(over)
    return row


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if v is None else v for k, v in r.items()})
    return path


def write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path
