"""A table whose common columns are written once above it, as forms do (CONTRACT §2).

One unit's projects are a table, one row per project, and the unit, the period and the
time of filling are the same for every row: a form writes them once, above the table::

    瑞丰村（320623100200）2017年第一季度项目季报
    单位代码  320623100200   单位名称  瑞丰村   报告期  2017年第一季度   填报时间  2017-04-10 09:30
    项目编号  项目类型  项目名称  计划总投资(万元)  …
    P1        书记项目  道路硬化  100               …

A sheet with no header row holding the common columns (:func:`transforms.sheets.locate`
finds none) is read this way when, among its first rows, each common column's label
(单位代码, 报告期, 填报时间) stands in a cell (``单位代码`` or ``单位代码：``) with its value
in the next cell to the right (or after the colon in the same cell), and a row below
them holds two or more other column labels of one kind: that row is the header. Every
data row then holds those values too, each problem about one of them naming the row it
was written in (``SheetTable.cell_rows``); the table itself is read as any other
(:func:`transforms.sheets.table`: notes below it, hidden rows, formats).
"""

from __future__ import annotations

import re

from transforms.sheets import HEADER_SCAN, Labels, Sheet, SheetTable, header_label, shown, table

UNIT_NAME = "单位名称"
_COLON = re.compile(r"[:：]")


def _fields(sheet: Sheet, lab: Labels, upto: int) -> dict[str, tuple[str | None, int, int]]:
    """Label → (value, sheet row, column) of the label–value cells in ``rows[:upto]``."""
    found: dict[str, tuple[str | None, int, int]] = {}
    for r, row in enumerate(sheet.rows[:upto]):
        for c, v in enumerate(row):
            if v is None or not v.strip():
                continue
            name, colon, rest = _COLON.split(v, maxsplit=1)[0], _COLON.search(v), ""
            if colon is not None:
                rest = v[colon.end() :].strip()
            label = header_label(name)
            if label != UNIT_NAME and lab.known.get(label) not in lab.common:
                continue
            value: str | None = rest or None
            at = c
            if value is None and c + 1 < len(row):
                value, at = shown(sheet, r, c + 1, row[c + 1], False), c + 1
            found.setdefault(label, (value, r + 1, at))
    return found


def locate(sheet: Sheet, lab: Labels) -> SheetTable | None:
    """The sheet's table with the common columns taken from above it, or None."""
    rows = sheet.rows
    seen = 0
    for r, row in enumerate(rows):
        if not any(v is not None and v.strip() for v in row):
            continue
        seen += 1
        if seen > HEADER_SCAN:
            return None
        top = [header_label(v) for v in row]
        own = {lab.known[h] for h in top if h in lab.known} - lab.common
        if len(own) < 2:
            continue
        fields = _fields(sheet, lab, r)
        if not lab.common <= {lab.known.get(k) for k in fields}:
            return None
        t = table(sheet, top, r + 1, lab)
        extra = [k for k in fields if k not in top]
        cell_rows = {len(top) + i: fields[k][1] for i, k in enumerate(extra)}
        cell_cols = {len(top) + i: fields[k][2] for i, k in enumerate(extra)}
        return SheetTable(
            t.name,
            [*top, *extra],
            [[*data, *(fields[k][0] for k in extra)] for data in t.rows],
            t.sheet_rows,
            hidden=t.hidden,
            below=t.below,
            cell_rows=cell_rows,
            cell_cols=cell_cols,
            shape="fields",
            header_row=t.header_row,
        )
    return None
