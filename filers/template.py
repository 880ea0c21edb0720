"""``ronghe template``: the workbook a unit fills in (CONTRACT §6), from the declaration.

The first sheet (报表, the one ronghe reads) has the columns the rows' level reports
(``ReportKind.level_names``) under their Chinese labels, with 单位名称 beside the unit
code (an extra column: kept in the raw record, otherwise ignored). Unit code and period
are filled in: one row for the unit, or with ``children`` one row per child unit valid
in the period (a township's consolidated file for its villages). Every typed column has
Excel data validation (whole numbers and decimals with the contract's ranges, dropdowns
of the Chinese enum labels and 是/否, dates from the period's start); each header cell
has an input message with its rule; the header row and the code columns are frozen.
The second sheet, 填报说明, lists every column's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from transforms.columns import REPORT_KINDS, Column, ReportKind, roles
from transforms.describe import LEVEL_ZH, full_rule_zh, requirement_zh, rule_zh
from transforms.periods import parse_period, start_of
from transforms.workbook import workbook, write_text

NAME_HEADER = "单位名称"
DATA_SHEET = "报表"
GUIDE_SHEET = "填报说明"
BLANK_ROWS = 200  # rows below the prefilled ones that still carry the validation
_CN_QUARTER = {"1": "一", "2": "二", "3": "三", "4": "四"}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str


def period_zh(period: str) -> str:
    """``2017Q1`` → ``2017年第一季度`` (how a clerk writes it; ronghe reads both)."""
    p = parse_period(period)
    return f"{p[:4]}年第{_CN_QUARTER[p[-1]]}季度"


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
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet(DATA_SHEET)
    headers: list[tuple[str, Column | None]] = []
    for c in cols:
        headers.append((c.zh, c))
        if c.name == r.unit:
            headers.append((NAME_HEADER, None))
    last = len(rows) + BLANK_ROWS
    for j, (label, hc) in enumerate(headers):
        ws.write_string(0, j, label, head)
        if hc is None:
            ws.set_column(j, j, 16, text)
            ws.data_validation(
                0, j, 0, j, {"validate": "any", "input_title": NAME_HEADER,
                             "input_message": "仅供核对，不必修改"},
            )  # fmt: skip
            continue
        c = hc
        width = max(12, min(28, len(c.zh) * 2 + 2))
        fmt = text if c.type in ("code", "period", "text", "enum") else None
        fmt = when if c.type == "timestamp" else fmt
        ws.set_column(j, j, width, fmt)
        ws.data_validation(
            0, j, 0, j,
            {"validate": "any", "input_title": c.zh[:32],
             "input_message": f"{requirement_zh(c)}；应为{rule_zh(c)}"[:255]},
        )  # fmt: skip
        v = _validation(c, p)
        if v is not None:
            ws.data_validation(1, j, last, j, v)
    for i, u in enumerate(rows, start=1):
        for j, (_, hc) in enumerate(headers):
            if hc is None:
                write_text(ws, i, j, u.name)
            elif hc.name == r.unit:
                ws.write_string(i, j, u.code)
            elif hc.name == r.period:
                ws.write_string(i, j, period_zh(p))
    ws.freeze_panes(1, 2)
    ws.set_row(0, 36)

    guide = wb.add_worksheet(GUIDE_SHEET)
    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 26)
    guide.set_column(2, 2, 70)
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    title = f"{unit.name}（{unit.code}）{period_zh(p)}{kind.zh}"
    scope = f"{LEVEL_ZH[level]}单位模板" + (
        f"，{unit.name}下属{len(rows)}个单位各一行" if children else ""
    )
    write_text(guide, 0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    write_text(guide, 1, 0, scope)
    guide.write_string(
        2, 0,
        "填好“报表”工作表后保存为.xlsx报送；请勿改动表头。单位代码和报告期已填好；"
        "填报时间填写实际填报的日期和时间。",
    )  # fmt: skip
    for j, label in enumerate(("列名", "英文列名", "规则")):
        guide.write_string(4, j, label, head)
    for i, c in enumerate(cols, start=5):
        guide.write_string(i, 0, c.zh, wrap)
        guide.write_string(i, 1, c.name, wrap)
        guide.write_string(i, 2, full_rule_zh(kind, c), wrap)
    rest = [c for c in kind.columns if c.name not in names]
    if rest:
        n = 6 + len(cols)
        others = "、".join(f"「{c.zh}」（{requirement_zh(c)}）" for c in rest)
        guide.write_string(n, 0, f"本级模板不含：{others}。", wrap)
    wb.close()
    return out
