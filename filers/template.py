"""``ronghe template``: the workbook a unit fills in (CONTRACT §6), from the declaration.

The first sheet (报表, the one ronghe reads) has the columns the rows' level reports
(``ReportKind.level_names``) under their Chinese labels, with 单位名称 beside the unit
code (an extra column: kept in the raw record, otherwise ignored). Unit code and period
are filled in: one row for the unit, or with ``children`` one row per child unit valid
in the period (a township's consolidated file for its villages). Every typed column has
Excel data validation (whole numbers and decimals with the contract's ranges, dropdowns
of the Chinese enum labels and 是/否, dates from the period's start); each header cell
and each data cell has an input message with its rule; the header row and the code
columns are frozen. Percentage columns are plain numbers (40 means 40%, never a %
format, and the message says so). The 报表 sheet prints A4 landscape, one page wide
(narrow numeric columns under wrapped headers), the header repeated on every page.
The second sheet, 填报说明 (:mod:`filers.template_guide`), says how to fill, name and
save the file and lists every column's rule beside its column letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.cells import cell_len

from filers.sheets import print_setup, put, text_format
from filers.template_guide import CN_QUARTER, NAME_NOTE, PERCENT_HINT, is_percent, write_guide
from transforms.columns import REPORT_KINDS, Column, ReportKind, roles
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
    """Narrow numeric columns (the header wraps) so that a whole row prints one page wide."""
    if c.type in ("int", "decimal", "bool"):
        return 9
    if c.type in ("timestamp", "period", "code"):
        return 15
    return 14 if c.type == "enum" else 18


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

    wb = workbook(out)
    head = text_format(wb, bold=True, bg_color="#DDEBF7", border=1, text_wrap=True,
                       valign="top")  # fmt: skip
    # per column: its cells' format (number format), and a bordered one for the printed rows
    shapes: dict[str, dict[str, Any]] = {
        "text": {"num_format": "@", "quote_prefix": True},
        "plain": {},
        "when": {"num_format": "yyyy-mm-dd hh:mm"},
        "percent": {"num_format": "0.0#"},
    }  # a number: 40 means 40 (never a % format)
    line: dict[str, Any] = {"border": 1, "border_color": "#BFBFBF"}
    plain_fmt = {k: wb.add_format(v) if v else None for k, v in shapes.items()}
    boxed = {k: wb.add_format(v | line) for k, v in shapes.items()}
    text = plain_fmt["text"]
    ws = wb.add_worksheet(DATA_SHEET)
    headers: list[tuple[str, Column | None]] = []
    for c in cols:
        headers.append((c.zh, c))
        if c.name == r.unit:
            headers.append((NAME_HEADER, None))
    last = len(rows) + BLANK_ROWS
    printed = len(rows) + PRINTED_BLANK_ROWS
    lines = 1
    shape_of: list[str] = []
    for j, (label, hc) in enumerate(headers):
        put(ws, 0, j, label, head)
        if hc is None:
            ws.set_column(j, j, 14, text)
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
        shape = "text" if c.type in ("code", "period", "text", "enum") else "plain"
        shape = "when" if c.type == "timestamp" else "percent" if is_percent(c) else shape
        shape_of.append(shape)
        ws.set_column(j, j, width, plain_fmt[shape])
        ws.data_validation(0, j, 0, j, {"validate": "any", **_prompt(c)})
        v = _validation(c, p)
        ws.data_validation(1, j, last, j, (v or {"validate": "any"}) | _prompt(c))
    for i in range(1, printed + 1):
        u = rows[i - 1] if i <= len(rows) else None
        for j, (_, hc) in enumerate(headers):
            box = boxed[shape_of[j]]
            if u is not None and hc is None:
                put(ws, i, j, u.name, box)
            elif u is not None and hc is not None and hc.name == r.unit:
                put(ws, i, j, u.code, box)
            elif u is not None and hc is not None and hc.name == r.period:
                put(ws, i, j, period_zh(p), box)
            else:
                ws.write_blank(i, j, None, box)
    ws.freeze_panes(1, 2)
    ws.set_row(0, 15 * lines + 6)
    title = f"{unit.name}（{unit.code}）{period_zh(p)}{kind.zh}"
    ws.print_area(0, 0, printed, len(headers) - 1)
    print_setup(ws, (0, 0), title)

    scope = f"{LEVEL_ZH[level]}单位模板" + (
        f"，{unit.name}下属{len(rows)}个单位各一行" if children else ""
    )
    rest = [c for c in kind.columns if c.name not in names]
    write_guide(wb, kind, headers, rest, title, scope, unit.name, p)
    wb.close()
    return out
