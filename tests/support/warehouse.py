"""Tiny inline warehouses for the marts and guide tests: units and current reports.

Each helper inserts one row into ``core.*`` with sensible defaults, overridable by
keyword, so a test states only the values its hand computation uses.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from transforms.columns import AREAS
from warehouse.marts import ensure_marts
from warehouse.schema import all_ddl

CITY = "320600000000"


def new_warehouse() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with every table (core, raw, meta, quarantine, marts)."""
    con = duckdb.connect()
    for statement in all_ddl():
        con.execute(statement)
    ensure_marts(con)
    return con


def _insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    names = ", ".join(row)
    marks = ", ".join(f"${k}" for k in row)
    con.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", row)


def unit(
    con: duckdb.DuckDBPyConnection,
    code: str,
    level: str,
    kind: str,
    parent: str | None = CITY,
    name: str | None = None,
    valid_from: str | None = None,
    valid_to: str | None = None,
) -> None:
    _insert(
        con,
        "core.units",
        {
            "unit_code": code,
            "name": name or f"单位{code[-6:]}",
            "level": level,
            "kind": kind,
            "parent_code": parent,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "synthetic": True,
        },
    )


def _common(code: str, period: str) -> dict[str, Any]:
    return {
        "unit_code": code,
        "period": period,
        "submitted_at": datetime(int(period[:4]) + 1, 1, 5),
        "source_sha256": "f" * 64,
    }


def supervision(
    con: duckdb.DuckDBPyConnection,
    code: str,
    period: str,
    *,
    done: int = 10,
    planned: int = 10,
    **values: Any,
) -> None:
    """A supervision report; ``done``/``planned`` go to the coverage area, others 0.

    Defaults give every P component the value 1 except that there are no projects:
    checklist 1, supervision 1, theme_days 1, list_published 1.
    """
    row: dict[str, Any] = {
        **_common(code, period),
        "party_orgs": 10,
        "party_members": 100,
        "new_members": 2,
        "contact_points": 0,
        "grid_branches": 0,
        "building_groups": 0,
        "central_households": 0,
        "prosperity_communities": 0,
        "supervisions_held": 1,
        "theme_days_planned": 3,
        "theme_days_held": 3,
        "list_published": True,
    }
    for area, _ in AREAS:
        row[f"tasks_planned_{area}"] = planned if area == "coverage" else 0
        row[f"tasks_done_{area}"] = done if area == "coverage" else 0
    row.update(values)
    _insert(con, "core.supervision", row)


def economy(con: duckdb.DuckDBPyConnection, code: str, period: str, **values: Any) -> None:
    """An economy report; only the given figures are set (others NULL)."""
    _insert(con, "core.economy", {**_common(code, period), **values})


def project(
    con: duckdb.DuckDBPyConnection, code: str, period: str, project_id: str, **values: Any
) -> None:
    row: dict[str, Any] = {
        **_common(code, period),
        "project_id": project_id,
        "project_type": "industrial",
        "name": f"项目{project_id}",
        "planned_investment": 0.0,
        "completed_investment": 0.0,
        "progress_pct": 0.0,
        "status": "planned",
        "party_org_established": False,
        "party_members": 0,
    }
    row.update(values)
    _insert(con, "core.projects", row)


def scored_unit(
    con: duckdb.DuckDBPyConnection, code: str, period: str, *, party: str, growth: float | None
) -> None:
    """Reports that give a unit a chosen P and D under the default (2017) rules.

    ``party``: "100" (all components 1), "50" (supervision 1, list 0, checklist and
    theme days absent) or "0" (supervision 0, list 0, checklist and theme days absent).
    ``growth`` g with target 10 gives the only D component, so D = 10·g (clamped);
    None gives no economy report (D null).
    """
    if party == "100":
        supervision(con, code, period)
    elif party == "50":
        supervision(
            con, code, period, done=0, planned=0, theme_days_planned=0, theme_days_held=0,
            list_published=False,
        )  # fmt: skip
    elif party == "0":
        supervision(
            con, code, period, done=0, planned=0, theme_days_planned=0, theme_days_held=0,
            list_published=False, supervisions_held=0,
        )  # fmt: skip
    elif party != "none":
        raise ValueError(party)
    if growth is not None:
        economy(con, code, period, growth_target_pct=10.0, gdp_growth_pct=growth)


def published(home: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the published warehouse under ``home`` (read-only)."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
