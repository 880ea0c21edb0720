"""The 数据质量 counts from tables other parts of ronghe may not have made yet.

Each is read only where its table (or column) exists, so a warehouse without it still
gets its 通报; an absent count is ``None`` and is shown as 无此项数据.
"""

from __future__ import annotations

from typing import Any

import duckdb

from warehouse.db import has, sql_file

from .sql_text import sql

# (key, Chinese label)
CHECKS: tuple[tuple[str, str], ...] = (
    ("sources_unreached", "无法连接的数据源（最近一次拉取）"),
    ("returned_corrections", "退回更正的报表（新版本被隔离，旧版本仍计入）"),
    ("review_flags", "需核实的数据（核实性提示）"),
    ("review_flags_explained", "其中已说明的"),
)


def read_checks(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, int | None]:
    """The counts of :data:`CHECKS` for ``period`` (``None`` where the warehouse has no table)."""
    out: dict[str, int | None] = {key: None for key, _ in CHECKS}

    def one(name: str, params: dict[str, Any]) -> tuple[Any, ...]:
        return con.execute(sql(name), params).fetchone() or (0, 0)

    if has(con, "meta.source_status"):
        out["sources_unreached"] = int(one("sources_unreached", {})[0])
    if has(con, "marts.filing_status", "returned_correction"):
        out["returned_corrections"] = int(one("returned_corrections", {"period": period})[0])
    if has(con, "marts.review_flags"):
        flags, explained = one("review_flags", {"period": period})
        out["review_flags"], out["review_flags_explained"] = int(flags), int(explained or 0)
    return out


def unreached_sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The sources the last pull could not reach, one row each (none before sources, §8)."""
    if not has(con, "meta.source_status", "reached_at"):
        return []
    cur = con.execute(sql_file("sources_unreachable.sql"))
    names = [c[0] for c in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
