"""What a run returned, unit by unit: the problem sentences of the files it received.

Read from the published warehouse (``warehouse/sql/run_problems.sql``); the flows put it
in the run's ``ronghe-quarantined`` artifact, so the UI shows which units must fix what,
not only file paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transforms.paths import path_text
from transforms.reasons import KIND_ZH
from transforms.shown import markdown_text
from warehouse.db import connect_reader, sql_file

LIMIT = 200
"""Rows the artifact shows; the rest are counted (the receipts carry every one)."""


def run_problems(
    published: Path, sha256s: Sequence[str], limit: int = LIMIT
) -> tuple[list[dict[str, Any]], int]:
    """The problems of these files (at most ``limit``) and how many there are in all."""
    if not sha256s:
        return [], 0
    con = connect_reader(published)
    try:
        cur = con.execute(sql_file("run_problems.sql"), {"sha256s": list(sha256s), "limit": limit})
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return rows, int(rows[0]["total"]) if rows else 0


def _cell(value: object) -> str:
    """A filer's text as a literal table cell: no link, image, HTML or cell break."""
    return markdown_text(value)


def problems_markdown(rows: Sequence[dict[str, Any]], total: int, reports: int) -> str:
    """A markdown table: unit, name, kind, quarter, row, sentence (and the file)."""
    lines = [
        f"# 被退回的报表 · {reports} reports returned",
        "",
        f"{total} problems; {'all' if total <= len(rows) else len(rows)} shown"
        " (the receipts 回执 list every one).",
        "",
        "| 单位代码 | 单位 | 报表 | 报告期 | 行 | 问题 | 文件 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        kind = KIND_ZH.get(r["kind"] or "", r["kind"])
        cells = [
            r["unit_code"], r["name"], kind, r["period"], r["sheet_row"], r["message_zh"],
            path_text(Path(r["path"]).name) if r["path"] else None,
        ]  # fmt: skip
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)
