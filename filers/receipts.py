"""Receipts (回执): one workbook per township and per county-level unit, in Chinese.

For the unit itself and each unit directly under it (a township's villages, a county's
townships), and each kind it shows in ``marts.filing_status``: 已入库 with when it was
filed, 被退回 with every problem sentence of its latest returned file, or 未报送. The
facts are ``marts.filing_status`` and ``quarantine.problems`` of the published
warehouse (SQL in ``warehouse/sql/receipts_*.sql``), so a receipt says what analysts see.
Nothing written starts a formula (:mod:`transforms.workbook`): problem sentences hold values
the filers typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filers.template import period_zh
from transforms.periods import parse_period
from transforms.workbook import workbook, write_text
from warehouse.db import connect_reader, sql_file

KIND_ZH = {"supervision": "党建督导", "economy": "经济指标", "projects": "项目"}
STATUS_ZH = {"loaded": "已入库", "quarantined": "被退回", "missing": "未报送"}
CELL_LIMIT = 32000  # Excel holds at most 32,767 characters in a cell


@dataclass(frozen=True)
class Filing:
    """One row of ``marts.filing_status`` with the unit's name."""

    unit_code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    status: str
    submitted_at: datetime | None
    received_at: datetime | None
    problems: int
    county_code: str | None


def _rows(con: Any, name: str, period: str) -> list[dict[str, Any]]:
    cur = con.execute(sql_file(name), {"period": period})
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def filings(con: Any, period: str) -> list[Filing]:
    """``marts.filing_status`` of ``period`` with names (``receipts_status.sql``)."""
    return [Filing(**r) for r in _rows(con, "receipts_status.sql", period)]


def unfiled(con: Any, period: str) -> list[Filing]:
    """Every unit valid in ``period`` as missing: a quarter no run has touched yet."""
    return [Filing(**r) for r in _rows(con, "status_unfiled.sql", period)]


def _stamp(ts: datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def _file_name(code: str, name: str, period: str) -> str:
    clean = re.sub(r"[\\/:*?\"<>|\s]+", "_", name)
    return f"回执_{period}_{code}_{clean}.xlsx"


def write_receipts(published: Path, period: str, out_dir: Path) -> list[Path]:
    """Write the receipts of ``period`` from the published warehouse into ``out_dir``.

    One workbook per township and per county-level unit valid in the period; returns
    their paths (sorted). Raises when the warehouse has no filing status for the period.
    """
    p = parse_period(period)
    con = connect_reader(published)
    try:
        rows = filings(con, p)
        problems = _rows(con, "receipts_problems.sql", p)
    finally:
        con.close()
    if not rows:
        raise ValueError(f"no filing status for {p} in {published}: run `ronghe run --period {p}`")
    by_unit: dict[str, list[Filing]] = {}
    under: dict[str, list[Filing]] = {}
    for f in rows:
        by_unit.setdefault(f.unit_code, []).append(f)
        if f.parent_code is not None:
            under.setdefault(f.parent_code, []).append(f)
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for q in problems:
        found.setdefault((q["unit_code"], q["kind"]), []).append(q)
    out: list[Path] = []
    for code, own in by_unit.items():
        if own[0].level not in ("county", "township"):
            continue
        members = [*own, *under.get(code, [])]
        path = out_dir / _file_name(code, own[0].name, p)
        _write(path, own[0], p, members, found)
        out.append(path)
    return sorted(out)


def write_period_receipts(published: Path, periods: Sequence[str], root: Path) -> list[Path]:
    """The receipts of each of ``periods``, into ``root/<period>/`` (after a run)."""
    return [p for period in periods for p in write_receipts(published, period, root / period)]


def _write(
    path: Path,
    owner: Filing,
    period: str,
    members: Sequence[Filing],
    problems: dict[tuple[str, str], list[dict[str, Any]]],
) -> None:
    wb = workbook(path)
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    top = wb.add_format({"valign": "top"})
    colours = {
        "loaded": wb.add_format({"valign": "top", "font_color": "#006100", "bg_color": "#C6EFCE"}),
        "quarantined": wb.add_format(
            {"valign": "top", "font_color": "#9C0006", "bg_color": "#FFC7CE"}
        ),
        "missing": wb.add_format({"valign": "top", "font_color": "#9C5700", "bg_color": "#FFEB9C"}),
    }
    ws = wb.add_worksheet("回执")
    write_text(ws, 0, 0, f"{owner.name}（{owner.unit_code}）{period_zh(period)}报送回执", bold)
    counts = {s: sum(f.status == s for f in members) for s in STATUS_ZH}
    ws.write_string(
        1, 0,
        f"共{len(members)}份应报报表：已入库{counts['loaded']}份，被退回{counts['quarantined']}份，"
        f"未报送{counts['missing']}份。被退回的报表请按“问题”一栏改正后重新报送。",
    )  # fmt: skip
    ws.write_string(2, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}")
    headers = ("单位代码", "单位名称", "报表", "状态", "填报时间", "收到时间", "问题")
    widths = (16, 18, 10, 8, 17, 17, 90)
    for j, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(4, j, h, head)
        ws.set_column(j, j, w)
    for i, f in enumerate(members, start=5):
        mine = problems.get((f.unit_code, f.kind), []) if f.status == "quarantined" else []
        text = "\n".join(str(q["message_zh"]) for q in mine)
        if f.status == "quarantined" and not mine:
            text = f"共{f.problems}个问题，详见“问题明细”" if f.problems else ""
        if len(text) > CELL_LIMIT:
            text = text[:CELL_LIMIT] + f"…（共{len(mine)}个问题，详见“问题明细”）"
        ws.write_string(i, 0, f.unit_code, top)
        write_text(ws, i, 1, f.name, top)
        ws.write_string(i, 2, KIND_ZH.get(f.kind, f.kind), top)
        ws.write_string(i, 3, STATUS_ZH[f.status], colours[f.status])
        ws.write_string(i, 4, _stamp(f.submitted_at), top)
        ws.write_string(i, 5, _stamp(f.received_at), top)
        write_text(ws, i, 6, text, wrap)
    ws.freeze_panes(5, 2)
    ws.autofilter(4, 0, 4 + len(members), len(headers) - 1)

    detail = wb.add_worksheet("问题明细")
    detail_headers = (
        "单位代码",
        "单位名称",
        "报表",
        "文件",
        "行",
        "列",
        "收到的值",
        "原因代码",
        "说明",
    )
    detail_widths = (16, 18, 10, 30, 6, 24, 16, 22, 80)
    for j, (h, w) in enumerate(zip(detail_headers, detail_widths, strict=True)):
        detail.write_string(0, j, h, head)
        detail.set_column(j, j, w)
    i = 1
    for f in members:
        if f.status != "quarantined":
            continue
        for q in problems.get((f.unit_code, f.kind), []):
            cells = (
                f.unit_code,
                f.name,
                KIND_ZH.get(f.kind, f.kind),
                Path(str(q["path"] or "")).name,
                "" if q["sheet_row"] is None else str(q["sheet_row"]),
                q["column_zh"] or "",
                q["value"] or "",
                q["reason"],
                q["message_zh"],
            )
            for j, v in enumerate(cells):
                write_text(detail, i, j, v)
            i += 1
    detail.freeze_panes(1, 0)
    wb.close()
