"""The 填报说明 sheet of a template: how to fill, name and save it, and every column's rule.

The rules are a table with one row per column of the 报表 sheet, in the same order and
with the same column letter (A, B, …), so each rule sits beside its column's name when
printed (A4 landscape, one page wide, the table's header repeated on every page).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from filers.sheets import fit_height, print_setup, put, text_format
from transforms.columns import Column, ReportKind, is_percent
from transforms.describe import full_rule_zh, requirement_zh

GUIDE_SHEET = "填报说明"
NAME_NOTE = "仅供核对，不必修改"
PERCENT_HINT = "填百分数的数字，40或40%都表示40%"
CN_QUARTER = {"1": "一", "2": "二", "3": "三", "4": "四"}


def example_name(kind: ReportKind, unit_name: str, period: str) -> str:
    """A name ronghe recognises, as a clerk writes it: ``掘港镇2017年一季度党建督导季报.xlsx``."""
    return f"{unit_name}{period[:4]}年{CN_QUARTER[period[-1]]}季度{kind.stems[1]}季报.xlsx"


def how_to(kind: ReportKind, unit_name: str, period: str, form: bool = False) -> list[str]:
    """The numbered instructions above the rules table (``form``: indicators down the rows)."""
    word = kind.stems[-1]
    first = (
        "1. 只填“报表”工作表的“本期”一列：不要改动指标名称，不要增删行；"
        "单位代码、单位名称和报告期已填好。"
        if form
        else "1. 只填“报表”工作表：不要改动表头，不要增删、移动列；单位代码和报告期已填好。"
        "没有数据的单位，该行留空即可（只有单位代码和名称的行不算报表）。"
    )
    return [
        first,
        "2. 填报时间填写实际填报的日期和时间，要写年份，如2017-04-10 09:30"
        "（只写“7月3日”，表格会当作今年，超出报送期限会被退回）。",
        f"3. 列名带(%)的指标{PERCENT_HINT}。",
        "4. 单位代码保持为文本：12位数字，不要变成3.20602E+11这样的科学计数法。",
        "5. 项目名称、说明等文字按原样保存，可用中文标点。不要隐藏有数据的行"
        "（隐藏行的报表会被退回）；表格下方可写备注、填表人、审核人，不作为数据读取。",
        f"6. 文件命名：文件名中须有报表类型“{word}”，如“{example_name(kind, unit_name, period)}”。",
        "7. 保存格式：.xlsx（也可.xls、.ods，或UTF-8、GBK编码的.csv）；"
        "不要保存为WPS的.et格式，不要设置打开密码。",
        "8. 每项的填写要求见下表"
        + (
            "（与“报表”工作表的指标一一对应）。" if form else "（“列”与“报表”工作表的列字母一致）。"
        ),
    ]


def write_guide(
    wb: Workbook,
    kind: ReportKind,
    headers: Sequence[tuple[str, Column | None]],
    rest: Sequence[Column],
    title: str,
    scope: str,
    unit_name: str,
    period: str,
    form: bool = False,
) -> None:
    """Add the 填报说明 sheet; ``headers`` are the 报表 sheet's, in order (None: 单位名称);
    ``form``: the 报表 sheet is a form (its columns are rows: no column letters)."""
    guide = wb.add_worksheet(GUIDE_SHEET)
    head = text_format(wb, bold=True, bg_color="#DDEBF7", border=1, valign="top")
    cell = text_format(wb, text_wrap=True, valign="top", border=1, border_color="#BFBFBF")
    plain = text_format(wb, text_wrap=True, valign="top")
    widths = (6, 24, 16, 70)
    for j, w in enumerate(widths):
        guide.set_column(j, j, w)

    def line(row: int, text: str, fmt: Any = plain) -> None:
        """A line of text across the table's width, wrapped (nothing spills off the page)."""
        guide.merge_range(row, 0, row, 3, text, fmt)
        fit_height(guide, row, [(text, sum(widths))])

    line(0, title, text_format(wb, bold=True, font_size=14))
    line(1, scope)
    lines = how_to(kind, unit_name, period, form)
    for i, text in enumerate(lines, start=2):
        line(i, text)
    top = 3 + len(lines)
    for j, label in enumerate(("序号" if form else "列", "填报项" if form else "列名", "是否必填",
                               "填写要求")):  # fmt: skip
        put(guide, top, j, label, head)
    for i, (label, c) in enumerate(headers, start=top + 1):
        rule = NAME_NOTE if c is None else full_rule_zh(kind, c)
        if c is not None and is_percent(c):
            rule += f"；{PERCENT_HINT}"
        where = str(i - top) if form else xl_col_to_name(i - top - 1)
        cells = (where, label, "" if c is None else requirement_zh(c), rule)
        for j, v in enumerate(cells):
            put(guide, i, j, v, cell)
        fit_height(guide, i, [(rule, widths[3])])
    end = top + len(headers)
    if rest:
        others = "、".join(f"「{c.zh}」（{requirement_zh(c)}）" for c in rest)
        line(end + 2, f"本级模板不含：{others}。")
    guide.print_area(0, 0, end + 2, 3)
    print_setup(guide, (top, top), f"{title}：{GUIDE_SHEET}")
