"""The 报表 sheet of one unit's template as statistical forms run: indicators down the rows.

A single unit's supervision or economy report is a form (CONTRACT §2, issue 29), read back
by :mod:`transforms.vertical`::

    瑞丰村（320623100200）2017年第一季度党建督导季报
    指标名称            计量单位    本期              填写要求
    单位代码            —           320623100200      必填；应为12位数字的统计用区划代码
    单位名称            —           瑞丰村            仅供核对，不必修改
    报告期              —           2017年第一季度    …
    填报时间            年-月-日    (date)            …
    基层党组织数        个          (number)          …

Only the 本期 column is filled in. Each value cell has the column's data validation and
input message; codes, periods, text, dropdown words and percentages are text cells, so
what a clerk types stays as typed (``40%`` and ``40`` both read as 40; a code keeps its
leading digits). The sheet prints on one A4 page, portrait, at the sheet's own size
(11 pt; wrapped rules at most two lines), with the title in the page header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from xlsxwriter.workbook import Workbook

from filers.sheets import A4, put, text_format
from filers.template_guide import NAME_NOTE, PERCENT_HINT
from transforms.columns import Column, ReportKind, is_percent, roles
from transforms.describe import full_rule_zh

HEAD = ("指标名称", "计量单位", "本期", "填写要求")
WIDTHS = (19, 7, 15, 33)  # about 75 widths: A4 portrait at (nearly) full size
TOP = 2  # the header row (0-based): title, note, then the header


def measure(c: Column | None) -> str:
    """A column's unit of measure (计量单位) as a form says it."""
    if c is None:
        return "—"
    if is_percent(c):
        return "%"
    money = re.search(r"\((万元|亿元)\)", c.zh)
    if money:
        return money.group(1)
    if c.type == "int":
        for end, unit in (("户数", "户"), ("任务数", "项"), ("完成数", "项"), ("次数", "次"),
                          ("员数", "人")):  # fmt: skip
            if c.zh.endswith(end):
                return unit
        return "个"
    if c.type == "timestamp":
        return "年-月-日 时:分"
    return "是/否" if c.type == "bool" else "—"


def write_form(
    wb: Workbook,
    kind: ReportKind,
    headers: Sequence[tuple[str, Column | None]],
    values: dict[str, str],
    shapes: dict[str, dict[str, Any]],
    validation: Callable[[Column], dict[str, Any] | None],
    prompt: Callable[[Column], dict[str, Any]],
    title: str,
) -> None:
    """The 报表 sheet, one row per column of ``headers`` (None: 单位名称) in that order.

    ``values``: label → prefilled value (unit code, name, period); ``shapes``: the value
    cells' formats by shape (``text``, ``plain``, ``when``); ``validation`` and ``prompt``:
    each column's data validation and input message.
    """
    ws = wb.add_worksheet("报表")
    line = {"border": 1, "border_color": "#808080", "valign": "vcenter"}
    head = text_format(wb, bold=True, bg_color="#DDEBF7", align="center", **line)
    label = text_format(wb, **line)
    rule = text_format(wb, text_wrap=True, font_size=10, **line)
    boxed = {k: wb.add_format(v | line) for k, v in shapes.items()}
    ws.merge_range(0, 0, 0, 3, title, text_format(wb, bold=True, font_size=14, align="center"))
    note = "只填写“本期”一列；单位代码、单位名称、报告期已填好。每行的要求见右侧，详见“填报说明”。"
    ws.merge_range(1, 0, 1, 3, note, text_format(wb, font_size=10))
    for j, (h, w) in enumerate(zip(HEAD, WIDTHS, strict=True)):
        put(ws, TOP, j, h, head)
        ws.set_column(j, j, w)
    r = roles(kind)
    for i, (name, c) in enumerate(headers, start=TOP + 1):
        put(ws, i, 0, name, label)
        put(ws, i, 1, measure(c), label)
        text = NAME_NOTE if c is None else full_rule_zh(kind, c)
        if c is not None and is_percent(c):
            text += f"；{PERCENT_HINT}"
        put(ws, i, 3, text, rule)
        shape = _shape(c)
        if name in values:
            put(ws, i, 2, values[name], boxed[shape])
        else:
            ws.write_blank(i, 2, None, boxed[shape])
        if c is not None and c.name not in (r.unit, r.period):
            v = None if is_percent(c) else validation(c)  # text: 40 or 40%, checked on reading
            ws.data_validation(i, 2, i, 2, (v or {"validate": "any"}) | prompt(c))
        lines = -(-cell_len(text) // int(WIDTHS[3] * 1.15))  # 10 pt text in that width
        ws.set_row(i, 17 if lines <= 1 else 13 * lines + 3)
    ws.freeze_panes(TOP + 1, 0)
    last = TOP + len(headers)
    ws.print_area(0, 0, last, 3)
    ws.set_portrait()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.25})


def _shape(c: Column | None) -> str:
    """The value cell's format: text (codes, words, percentages as typed), a date, a number."""
    if c is None or c.type in ("code", "period", "text", "enum", "bool") or is_percent(c):
        return "text"
    return "when" if c.type == "timestamp" else "plain"
