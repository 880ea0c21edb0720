"""A report read down a column: the statistical form of one unit (CONTRACT §2).

Real statistical forms for one unit run vertically, the indicators down the rows::

    指标名称        计量单位   本期
    单位代码                   320623100200
    报告期                     2017年第一季度
    填报时间                   2017-04-10 09:30
    基层党组织数     个         12
    …

A sheet with no header row (:func:`transforms.sheets.locate` finds none) is read
this way when one of its columns holds the common columns' labels (单位代码, 报告期,
填报时间) down its rows: that column is the labels, and the values are in the column
headed 本期 (or 本期数, 本季度, 数值, 填报数) in the header row above the labels, else,
under a label column headed 指标名称 (指标, 项目), in the next column that is not
计量单位. Without such a header row it is no form (a list of columns, such as a
template's 填报说明).

The sheet is one report: one data row whose cells are the values, each keeping its
own sheet row (``SheetTable.cell_rows``), so a problem names the row the clerk sees.
Rows between the first and the last label are the table (a label the kinds do not
know is kept as an extra column); notes below it are left out and said. Formats (a
percentage, a date without a year) and hidden rows count as in a table read across
(:func:`transforms.sheets.shown`).
"""

from __future__ import annotations

from transforms.sheets import Cells, Labels, Sheet, SheetTable, header_label, shown

VALUE_HEADERS = ("本期", "本期数", "本期值", "本季", "本季度", "本季度数", "数值", "填报数", "数据")
UNIT_HEADERS = ("计量单位", "单位", "计量")
LABEL_HEADERS = ("指标名称", "指标", "项目", "栏目", "项目名称")
SCAN_ROWS = 200  # a form is short: labels are looked for in its first rows


def _label_column(rows: list[Cells], lab: Labels) -> tuple[int, list[int]] | None:
    """The column holding the common columns' labels down its rows, and those rows."""
    width = max((len(r) for r in rows[:SCAN_ROWS]), default=0)
    best: tuple[int, list[int]] | None = None
    for c in range(width):
        hits = [
            r
            for r, row in enumerate(rows[:SCAN_ROWS])
            if c < len(row) and header_label(row[c]) in lab.known
        ]
        names = {lab.known[header_label(rows[r][c])] for r in hits}
        if lab.common <= names and (best is None or len(hits) > len(best[1])):
            best = (c, hits)
    return best


def _value_column(rows: list[Cells], label_col: int, first: int) -> int | None:
    """The column of the values: headed 本期 (…) in the header row above the labels, else,
    under a label column headed 指标名称 (…), the next one that is not 计量单位. None when
    the labels have no such header above them (a list of columns, such as 填报说明)."""
    for r in range(first - 1, max(-1, first - 4), -1):
        heads = ["".join((v or "").split()) for v in rows[r]]
        for c, h in enumerate(heads):
            if c > label_col and h in VALUE_HEADERS:
                return c
        if label_col < len(heads) and heads[label_col] in LABEL_HEADERS:
            nxt = label_col + 1
            return nxt + 1 if nxt < len(heads) and heads[nxt] in UNIT_HEADERS else nxt
        if any(heads):
            return None
    return None


def locate(sheet: Sheet, lab: Labels) -> SheetTable | None:
    """The sheet as one report read down its label column, or None when it is no form."""
    if "说明" in sheet.name:  # a sheet of instructions lists the labels too (填报说明)
        return None
    rows = sheet.rows
    found = _label_column(rows, lab)
    if found is None:
        return None
    col, hits = found
    first, last = hits[0], hits[-1]
    value_col = _value_column(rows, col, first)
    if value_col is None:
        return None
    headers: list[str] = []
    values: Cells = []
    cell_rows: dict[int, int] = {}
    hidden = False
    for r in range(first, last + 1):
        row = rows[r]
        label = header_label(row[col] if col < len(row) else None)
        if not label:
            continue
        v = row[value_col] if value_col < len(row) else None
        v = shown(sheet, r, value_col, v, label in lab.pct)
        if label in headers:  # a label twice: the first one counts, the second is extra
            label = f"{label}_{r + 1}"
        cell_rows[len(headers)] = r + 1  # rows[0] is the sheet's row 1
        headers.append(label)
        values.append(v)
        hidden = hidden or (sheet.is_hidden(r) and v is not None and bool(v.strip()))
    below = [
        r + 1
        for r in range(last + 1, len(rows))
        if any(v is not None and v.strip() for v in rows[r])
    ]
    return SheetTable(
        sheet.name,
        headers,
        [values],
        [first + 1],
        hidden=[hidden],
        below=below,
        cell_rows=cell_rows,
        cell_cols=dict.fromkeys(cell_rows, value_col),
        shape="form",
    )
