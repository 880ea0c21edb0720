"""A quarter's marts (and the core tables a BI user joins them to) as files for BI tools and
Excel (``ronghe export``, docs/warehouse.md «导出»).

Read from the published warehouse, read-only. What is written, per quarter ``P``:

- marts of ``P``: ``unit_scores``, ``unit_score_components``, ``filing_status``,
  ``review_flags``, ``weak_villages``, ``linkage``, ``city_summary``, and
  ``weak_village_years`` of ``P``'s year (once its fourth quarter is built);
- core tables: ``units`` (the units valid in ``P``, for names and parents) and the
  current ``supervision``, ``economy`` and ``projects`` reports of ``P``.

Formats: ``parquet`` (one file per table, the warehouse's column names and types), ``csv``
(one file per table, UTF-8 with a BOM so that Excel reads the Chinese, Chinese headers,
no cell that starts a formula: :func:`transforms.cells.safe_cell`) and ``xlsx`` (one
workbook, a sheet per table, Chinese headers, real numbers and dates, unit codes as text,
a 说明 sheet naming each column in both languages). CSV and parquet come with
``columns.csv`` (the same 说明). A Chinese header is the column's label in the report
declaration, or the guide's short name (:data:`HEADERS`), else the head of its Chinese
``COMMENT``.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from transforms.cells import safe_cell
from transforms.columns import REPORT_KINDS
from transforms.workbook import workbook, write_text
from warehouse.db import WarehouseError, connect_reader, has

FORMATS = ("csv", "xlsx", "parquet")

TABLES: tuple[tuple[str, str], ...] = (
    ("marts.unit_scores", "period = $period"),
    ("marts.unit_score_components", "period = $period"),
    ("marts.filing_status", "period = $period"),
    ("marts.review_flags", "period = $period"),
    ("marts.weak_villages", "period = $period"),
    ("marts.linkage", "period = $period"),
    ("marts.city_summary", "period = $period"),
    ("marts.weak_village_years", "year = $year"),
    (
        "core.units",
        "(valid_from IS NULL OR valid_from <= $period)"
        " AND (valid_to IS NULL OR $period <= valid_to)",
    ),
    ("core.supervision", "period = $period"),
    ("core.economy", "period = $period"),
    ("core.projects", "period = $period"),
)
"""(table, which rows belong to the quarter) in the order they are written."""

_HEAD = re.compile(r"[：:（(；;，,]")

HEADERS: dict[str, dict[str, str]] = {
    "marts.unit_scores": {
        "coefficient": "乘数系数 k",
        "composite_score": "综合得分 C",
        "fusion": "融合度 F",
        "rank_in_level": "全市同层级排名",
        "rank_in_parent": "同一上级下排名",
    },
    "marts.unit_score_components": {
        "checklist": "清单任务完成率",
        "supervision": "党建督导",
        "theme_days": "主题党日",
        "list_published": "清单公示",
        "secretary_projects": "书记项目进度",
        "project_party_orgs": "项目同步建党组织",
        "growth": "GDP增速达成",
        "income": "收入增速达成",
        "collective": "集体收入达成",
        "investment": "项目投资完成",
    },
    "marts.filing_status": {
        "submitted_at": "填报时间",
        "arrived_at": "到达时间",
        "first_arrived_at": "首次到达时间",
        "source_sha256": "来源文件 SHA-256",
        "problems": "问题数",
    },
    "marts.review_flags": {
        "source_sha256": "来源文件 SHA-256",
        "message_zh": "说明句",
        "explanation": "说明",
    },
    "marts.weak_villages": {
        "low_income": "收入低于收入线",
        "low_party_score": "党建得分低于党建线",
    },
    "marts.linkage": {
        "units": "参与分析的单位数",
        "corr_party_development": "P 与 D 的相关系数",
        "corr_party_development_next": "P 与下季度 D 的相关系数",
    },
    "marts.city_summary": {"units_reporting": "报送党建督导季报的单位数"},
}
"""Short headers where a column's comment starts with a sentence (the guide's 中文 names)."""


@dataclass(frozen=True)
class Exported:
    """One table written: its name, rows and the file it is in."""

    table: str
    rows: int
    path: Path


def labels(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str]) -> list[str]:
    """The Chinese header of each column of ``table`` (unique within the table)."""
    schema, _, name = table.partition(".")
    declared = {c.name: c.zh for c in REPORT_KINDS[name].columns} if name in REPORT_KINDS else {}
    declared |= HEADERS.get(table, {})
    comments = dict(
        con.execute(
            "SELECT column_name, comment FROM duckdb_columns()"
            " WHERE schema_name = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    )
    out: list[str] = []
    for c in columns:
        text = declared.get(c) or _HEAD.split(comments.get(c) or "", maxsplit=1)[0].strip() or c
        out.append(text if text not in out else f"{text}（{c}）")
    return out


def _comment(con: duckdb.DuckDBPyConnection, table: str, column: str) -> str:
    schema, _, name = table.partition(".")
    row = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
        " AND column_name = ?",
        [schema, name, column],
    ).fetchall()
    return (row[0][0] if row else None) or ""


def _plain(value: Any) -> Any:
    """A value as a CSV cell: lists joined, booleans as TRUE/FALSE, text made safe."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return safe_cell("、".join("" if v is None else str(v) for v in value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, Decimal):
        return str(value)
    return safe_cell(value)


def _frames(
    con: duckdb.DuckDBPyConnection, period: str
) -> list[tuple[str, pl.DataFrame, list[str]]]:
    params = {"period": period, "year": int(period[:4])}
    found = []
    for table, where in TABLES:
        if not has(con, table):  # a warehouse from before the table
            continue
        # table and filter are ours (above), never input; the quarter is bound
        sql = f"SELECT * FROM {table} WHERE {where} ORDER BY ALL"
        bound = {k: v for k, v in params.items() if f"${k}" in where}
        frame = con.sql(sql, params=bound).pl()
        found.append((table, frame, labels(con, table, frame.columns)))
    return found


def export_period(published: Path, period: str, out_dir: Path, fmt: str) -> list[Exported]:
    """Write the quarter's tables into ``out_dir`` as ``fmt``; what was written."""
    if fmt not in FORMATS:
        raise ValueError(f"not an export format: {fmt!r} (one of {', '.join(FORMATS)})")
    con = connect_reader(published)
    try:
        filed = has(con, "marts.filing_status")
        row = con.execute(
            "SELECT (SELECT count(*) FROM marts.unit_scores WHERE period = $p)"
            + (" + (SELECT count(*) FROM marts.filing_status WHERE period = $p)" if filed else ""),
            {"p": period},
        ).fetchall()
        if not row or not row[0][0]:
            raise WarehouseError(
                f"no marts for {period} in the published warehouse: run"
                f" `ronghe run --period {period}` first"
            )
        frames = _frames(con, period)
        legend = [
            (table, column, zh, _comment(con, table, column))
            for table, frame, zhs in frames
            for column, zh in zip(frame.columns, zhs, strict=True)
        ]
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        path = out_dir / f"ronghe-{period}.xlsx"
        _write_xlsx(path, frames, legend)
        return [Exported(t, f.height, path) for t, f, _ in frames]
    written = []
    for table, frame, zhs in frames:
        path = out_dir / f"{table}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        else:
            _write_csv(path, zhs, frame.rows())
        written.append(Exported(table, frame.height, path))
    _write_csv(
        out_dir / "columns.csv",
        ["表", "字段", "中文名", "说明"],
        [tuple(r) for r in legend],
    )
    return written


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    # UTF-8 with a BOM: Excel and WPS then read the Chinese; CRLF as Excel writes it
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow([safe_cell(h) for h in header])
        for row in rows:
            w.writerow([_plain(v) for v in row])


def _width(head: str, values: pl.Series) -> int:
    """A column wide enough for its header and its first values (a CJK character counts 2)."""

    def shown(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    texts = [head, *("" if v is None else str(v) for v in values.to_list())]
    return max(8, min(40, max(shown(t) for t in texts) + 2))


def _write_xlsx(
    path: Path,
    frames: Sequence[tuple[str, pl.DataFrame, list[str]]],
    legend: Sequence[tuple[str, str, str, str]],
) -> None:
    book = workbook(path)
    bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    about = book.add_worksheet("说明")
    for col, head in enumerate(["表（工作表）", "字段", "中文名", "说明"]):
        write_text(about, 0, col, head, bold)
    for n, values in enumerate(legend, 1):
        for col, value in enumerate(values):
            write_text(about, n, col, value)
    about.set_column(0, 1, 26)
    about.set_column(2, 2, 22)
    about.set_column(3, 3, 80)
    about.freeze_panes(1, 0)
    for table, frame, zhs in frames:
        ws = book.add_worksheet(table.split(".", 1)[1][:31])
        for col, head in enumerate(zhs):
            write_text(ws, 0, col, head, bold)
            ws.set_column(col, col, _width(head, frame.get_column(frame.columns[col]).head(200)))
        for r, row in enumerate(frame.rows(), 1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float | Decimal) and math.isfinite(value):
                    ws.write_number(r, c, float(value))
                elif isinstance(value, datetime):
                    ws.write_datetime(r, c, value, when)
                elif isinstance(value, date):
                    ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                else:
                    write_text(ws, r, c, _plain(value) if isinstance(value, list) else value)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(frame.height, 1), max(len(zhs) - 1, 0))
    book.close()
