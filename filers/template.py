"""``ronghe template``: the workbook a unit fills in (CONTRACT §6), from the declaration.

The first sheet (报表, the one ronghe reads) holds the columns the unit's level reports
(``ReportKind.level_names``) under their Chinese labels, with 单位名称 beside the unit
code (an extra column: kept in the raw record, otherwise ignored); unit code and period
are filled in. Its shape is the one a clerk knows:

- one unit's supervision or economy report is a **form**, indicators down the rows
  (指标名称 | 计量单位 | 本期 | 填写要求, :mod:`filers.template_form`), printed on one A4
  page at a readable size and read back by :mod:`transforms.vertical`;
- a unit's projects (one row per project) and a township's consolidated file for its
  villages (``children``: one row per child unit valid in the period) are a **table**,
  printed A4 landscape at the sheet's size with the header row (and, for a consolidated
  file, the unit's code and name) repeated on every page: a wide table runs over pages
  across, never shrunk to unreadable type.

Every typed cell has Excel data validation (whole numbers and decimals with the
contract's ranges, dropdowns of the Chinese enum labels and 是/否, dates from the period's
start) and an input message with its rule. Codes, periods, words and percentages are
text cells, so what a clerk types stays as typed (a percentage may be typed 40 or 40%).
The second sheet, 填报说明 (:mod:`filers.template_guide`), says how to fill, name and save
the file and lists every column's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.cells import cell_len
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from filers.sheets import print_setup, put, text_format
from filers.template_form import write_form
from filers.template_guide import CN_QUARTER, NAME_NOTE, PERCENT_HINT, write_guide
from transforms.columns import REPORT_KINDS, Column, ReportKind, is_percent, roles
from transforms.describe import LEVEL_ZH, requirement_zh, rule_zh
from transforms.periods import parse_period, start_of
from transforms.workbook import workbook

NAME_HEADER = "单位名称"
DATA_SHEET = "报表"
BLANK_ROWS = 200  # rows below the prefilled ones that still carry the validation
PRINTED_BLANK_ROWS = 5  # blank rows printed below the prefilled ones


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str


def period_zh(period: str) -> str:
    """``2017Q1`` → ``2017年第一季度`` (how a clerk writes it; ronghe reads both)."""
    p = parse_period(period)
    return f"{p[:4]}年第{CN_QUARTER[p[-1]]}季度"


def units_for(
    registry: pl.DataFrame, unit_code: str, period: str, children: bool
) -> tuple[Unit, list[Unit]]:
    """The unit, and the units whose rows the template holds (itself, or its children)."""
    p = parse_period(period)
    reg = registry.select("unit_code", "name", "level", "parent_code", "valid_from", "valid_to")
    valid = (pl.col("valid_from").is_null() | (pl.col("valid_from") <= p)) & (
        pl.col("valid_to").is_null() | (p <= pl.col("valid_to"))
    )
    me = reg.filter(pl.col("unit_code") == unit_code)
    if me.is_empty():
        raise ValueError(f"unit {unit_code} is not in the registry")
    if me.filter(valid).is_empty():
        raise ValueError(f"unit {unit_code} is not valid in {p}")
    code, name, level = me.row(0)[:3]
    unit = Unit(code, name, level)
    if not children:
        return unit, [unit]
    kids = reg.filter((pl.col("parent_code") == unit_code) & valid).sort("unit_code")
    if kids.is_empty():
        raise ValueError(f"unit {unit_code} ({name}) has no child units in {p}")
    return unit, [Unit(c, n, lv) for c, n, lv, *_ in kids.iter_rows()]


def _validation(c: Column, period: str) -> dict[str, Any] | None:
    """The xlsxwriter data validation of a column's cells, or None (free text)."""
    if c.type in ("int", "decimal"):
        v: dict[str, Any] = {"validate": "integer" if c.type == "int" else "decimal"}
        if c.min is not None and c.max is not None:
            v |= {"criteria": "between", "minimum": c.min, "maximum": c.max}
        elif c.min is not None:
            v |= {"criteria": ">=", "value": c.min}
        elif c.max is not None:
            v |= {"criteria": "<=", "value": c.max}
        else:
            v |= {"criteria": "between", "minimum": -1e15, "maximum": 1e15}
    elif c.type == "enum":
        v = {"validate": "list", "source": [zh for _, zh in c.enum]}
    elif c.type == "bool":
        v = {"validate": "list", "source": ["是", "否"]}
    elif c.type == "timestamp":
        v = {"validate": "date", "criteria": ">=", "value": start_of(period)}
    elif c.max_length is not None:
        v = {"validate": "length", "criteria": "between", "minimum": 1, "maximum": c.max_length}
    else:
        return None
    return v | {
        "error_title": c.zh[:32],
        "error_message": f"「{c.zh}」应为{rule_zh(c)}"[:255],
        "ignore_blank": True,
    }


def _width(c: Column) -> int:
    """Narrow numeric columns (the header wraps): one unit's projects print one A4 page
    wide at full size (about 120 widths in all), a consolidated file pages across."""
    if c.type in ("int", "decimal", "bool"):
        return 8
    if c.type in ("timestamp", "period", "code"):
        return 15
    if c.type == "enum" or c.pattern is not None:
        return 10
    return 22 if c.max_length is not None and c.max_length <= 200 else 16


def _prompt(c: Column) -> dict[str, Any]:
    """The input message of a column's cells (header and data): requirement and rule."""
    message = f"{requirement_zh(c)}；应为{rule_zh(c)}"
    if is_percent(c):
        message += f"；{PERCENT_HINT}"
    return {"input_title": c.zh[:32], "input_message": message[:255]}


def write_template(
    kind_name: str,
    unit_code: str,
    period: str,
    out: Path,
    registry: pl.DataFrame,
    children: bool = False,
) -> Path:
    """Write the template of ``kind_name`` for ``unit_code`` and ``period`` to ``out``."""
    kind: ReportKind = REPORT_KINDS[kind_name]
    p = parse_period(period)
    unit, rows = units_for(registry, unit_code, p, children)
    levels = {u.level for u in rows}
    if len(levels) != 1:  # pragma: no cover - the registry's children share a level
        raise ValueError(f"child units of {unit_code} are of several levels: {sorted(levels)}")
    level = levels.pop()
    names = kind.level_names(level)
    cols = [kind.column(n) for n in names]
    r = roles(kind)

    headers: list[tuple[str, Column | None]] = []
    for c in cols:
        headers.append((c.zh, c))
        if c.name == r.unit:
            headers.append((NAME_HEADER, None))
    title = f"{unit.name}（{unit.code}）{period_zh(p)}{kind.zh}"
    # per shape: its cells' number format. Codes, words and percentages are text: what a
    # clerk types stays as typed (40% and 40 both read as 40, CONTRACT §2)
    shapes: dict[str, dict[str, Any]] = {
        "text": {"num_format": "@", "quote_prefix": True},
        "plain": {},
        "when": {"num_format": "yyyy-mm-dd hh:mm"},
    }
    wb = workbook(out)
    form = not children and kind.name != "projects"  # one unit's form: indicators down
    if form:
        prefilled = {
            kind.column(r.unit).zh: unit.code,
            NAME_HEADER: unit.name,
            kind.column(r.period).zh: period_zh(p),
        }
        write_form(wb, kind, headers, prefilled, shapes, lambda c: _validation(c, p), _prompt,
                   title)  # fmt: skip
    else:
        _write_table(wb, kind, headers, rows, p, shapes, title, children)
        if not children:  # one unit's projects: its unit, period and time above the table
            _write_fields(wb.get_worksheet_by_name(DATA_SHEET), wb, kind, unit, p, shapes)
    scope = f"{LEVEL_ZH[level]}单位模板" + (
        f"，{unit.name}下属{len(rows)}个单位各一行" if children else ""
    )
    rest = [c for c in kind.columns if c.name not in names]
    write_guide(wb, kind, headers, rest, title, scope, unit.name, p, not children)
    wb.close()
    return out


def _write_table(
    wb: Workbook,
    kind: ReportKind,
    headers: list[tuple[str, Column | None]],
    rows: list[Unit],
    p: str,
    shapes: dict[str, dict[str, Any]],
    title: str,
    children: bool,
) -> None:
    """The 报表 sheet as a table, one row per unit (or project): a township's file for its
    villages, a unit's projects. Prints A4 landscape at the sheet's size, the header row
    and the unit's columns repeated on every page (a wide table runs over several pages
    across, never shrunk to unreadable type)."""
    r = roles(kind)
    top = 0 if children else FIELDS_TOP  # one unit's projects: the fields above (rows 0–2)
    if not children:
        common = (r.unit, r.period, r.submitted)
        headers = [(h, c) for h, c in headers if c is not None and c.name not in common]
        rows = []
    head = text_format(wb, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True,
                       valign="top")  # fmt: skip
    line: dict[str, Any] = {"border": 1, "border_color": "#BFBFBF"}
    plain_fmt = {k: wb.add_format(v) if v else None for k, v in shapes.items()}
    boxed = {k: wb.add_format(v | line) for k, v in shapes.items()}
    text = plain_fmt["text"]
    ws = wb.add_worksheet(DATA_SHEET)
    last = len(rows) + BLANK_ROWS
    printed = len(rows) + PRINTED_BLANK_ROWS
    lines = 1
    shape_of: list[str] = []
    for j, (label, hc) in enumerate(headers):
        put(ws, top, j, label, head)
        if hc is None:
            ws.set_column(j, j, 12, text)
            name_prompt = {
                "validate": "any",
                "input_title": NAME_HEADER,
                "input_message": NAME_NOTE,
            }
            ws.data_validation(0, j, last, j, name_prompt)
            shape_of.append("text")
            continue
        c = hc
        width = _width(c)
        lines = max(lines, -(-cell_len(label) // (width - 1)))
        shape = "text" if c.type in ("code", "period", "text", "enum") or is_percent(c) else "plain"
        shape = "when" if c.type == "timestamp" else shape
        shape_of.append(shape)
        ws.set_column(j, j, width, plain_fmt[shape])
        ws.data_validation(top, j, top, j, {"validate": "any", **_prompt(c)})
        v = None if is_percent(c) else _validation(c, p)  # text: 40 or 40%, checked on reading
        ws.data_validation(top + 1, j, top + last, j, (v or {"validate": "any"}) | _prompt(c))
    for i in range(1, printed + 1):
        u = rows[i - 1] if i <= len(rows) else None
        for j, (_, hc) in enumerate(headers):
            box = boxed[shape_of[j]]
            i_ = i + top
            if u is not None and hc is None:
                put(ws, i_, j, u.name, box)
            elif u is not None and hc is not None and hc.name == r.unit:
                put(ws, i_, j, u.code, box)
            elif u is not None and hc is not None and hc.name == r.period:
                put(ws, i_, j, period_zh(p), box)
            else:
                ws.write_blank(i_, j, None, box)
    ws.freeze_panes(top + 1, 2 if children else 0)
    ws.set_row(top, 15 * lines + 6)
    ws.print_area(0, 0, top + printed, len(headers) - 1)
    print_setup(ws, (top, top), title)
    if children:  # pages across at full size, the unit's code and name on each
        ws.fit_to_pages(0, 0)
        ws.repeat_columns(0, 1)
    else:  # the title on the sheet, above the unit's fields (not again in the page header)
        ws.merge_range(0, 0, 0, len(headers) - 1, title, text_format(wb, bold=True, font_size=14))
        ws.set_header("")


FIELDS_TOP = 3  # one unit's projects: title, two rows of fields, then the table's header


def _write_fields(
    ws: Worksheet, wb: Workbook, kind: ReportKind, unit: Unit, p: str,
    shapes: dict[str, dict[str, Any]],
) -> None:  # fmt: skip
    """The unit's code, name, period and time of filling, written once above its table
    (label, then the value in the merged two cells to its right: ``transforms.fields``)."""
    r = roles(kind)
    label = text_format(wb, bold=True, align="right", valign="vcenter")
    line = {"border": 1, "border_color": "#808080", "valign": "vcenter"}
    when = kind.column(r.submitted)
    cells = (
        (1, 0, kind.column(r.unit).zh, unit.code, "text"),
        (1, 3, NAME_HEADER, unit.name, "text"),
        (2, 0, kind.column(r.period).zh, period_zh(p), "text"),
        (2, 3, when.zh, None, "when"),
    )
    for row, col, name, value, shape in cells:
        put(ws, row, col, name, label)
        box = wb.add_format(shapes[shape] | line)
        ws.merge_range(row, col + 1, row, col + 2, value or "", box)
        if value is None:
            v = _validation(when, p) or {"validate": "any"}
            ws.data_validation(row, col + 1, row, col + 1, v | _prompt(when))
        ws.set_row(row, 20)
