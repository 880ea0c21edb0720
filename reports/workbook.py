"""The assessment as an Excel workbook (xlsxwriter, every label in Chinese).

One sheet per section; every figure is written as a number from :class:`ReportData`
(never a formula), every text through :func:`reports.cells.put`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from transforms.workbook import workbook

from .cells import put
from .compare import reporting_units, summary_rows
from .data import ReportData
from .labels import LEVELS_ZH, quarter_zh
from .sheet import (
    HEADER_ROW,
    Col,
    Formats,
    col_index,
    new_sheet,
    set_widths,
    table_sheet,
    write_table,
)
from .text import determination_text, missing, title, totals_note
from .workbook_linkage import linkage_charts, sheet_linkage
from .workbook_review import sheet_filing, sheet_projects, sheet_quality

SHEETS = (
    "概况",
    "县区排名",
    "镇街排名",
    "村社区",
    "薄弱村",
    "联动分析",
    "报送情况",
    "数据质量",
    "书记项目",
)


def sheet_summary(wb: Workbook, fm: Formats, d: ReportData) -> None:
    ws = new_sheet(
        wb,
        "概况",
        fm,
        title(d, "概况"),
        f"计分规则 {d.rules_version}；生成于 {d.generated_at:%Y-%m-%d %H:%M}；"
        "数据来自已发布的数据仓库（marts.city_summary、marts.unit_scores）",
    )
    rows = summary_rows(d)
    stock = [r for r in rows if r["kind"] == "stock"]
    ytd = [r for r in rows if r["kind"] != "stock"]
    q, prev, ago = (quarter_zh(p) for p in (d.period, d.previous, d.year_ago))
    put(ws, HEADER_ROW, 0, "期末数（时点指标）", fm.section)
    headers = ["指标", q, f"上季度\n（{prev}）", "较上季度", f"上年同期\n（{ago}）", "较上年同期"]
    r = _summary_table(
        ws, fm, HEADER_ROW + 1, headers, stock, ("cur", "prev", "d_prev", "ago", "d_ago")
    )
    put(ws, r + 1, 0, "本年累计（累计指标与上年同期比较；当季 = 本季累计 − 上季累计）", fm.section)
    headers = [
        "指标",
        f"本年累计\n（{q}）",
        f"上年同期\n（{ago}）",
        "较上年同期",
        "增长（%）",
        "当季",
        "上季度当季",
        "当季较上季度",
    ]
    keys = ("cur", "ago", "d_ago", "pct_ago", "q_cur", "q_prev", "d_q")
    r = _summary_table(ws, fm, r + 2, headers, ytd, keys)
    note = totals_note(d)
    if note:
        put(ws, r, 0, note, fm.note)
        r += 1
    r += 1
    put(ws, r, 0, "报送与参评单位", fm.section)
    unit_cols = [
        Col("层级", "level"),
        Col("有报表的单位", "scored", "int"),
        Col("完整报送单位\n（党建督导＋经济指标）", "complete", "int"),
        Col("参与排名单位\n（有综合得分）", "ranked", "int"),
    ]
    unit_rows = reporting_units(d)
    write_table(ws, fm, r + 1, unit_cols, unit_rows)
    ws.set_row(r + 1, 44)  # the long headers wrap onto three lines
    ws.set_column(0, 0, 34)
    ws.set_column(1, 7, 17)


def _summary_table(
    ws: Worksheet,
    fm: Formats,
    top: int,
    headers: Sequence[str],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
) -> int:
    """One 概况 table at ``top``; returns the row after it. Counts print as integers."""
    for j, h in enumerate(headers):
        put(ws, top, j, h, fm.header)
    ws.set_row(top, 44)
    for i, row in enumerate(rows, start=top + 1):
        put(ws, i, 0, row["label"], fm.cells["text"])
        integer = row["fmt"] == "int"
        for j, key in enumerate(keys, start=1):
            change = key.startswith("d_")
            fmt = ("delta_int" if integer else "delta") if change else row["fmt"]
            fmt = "pct" if key == "pct_ago" else fmt
            put(ws, i, j, row[key], fm.cells[fmt])
    return top + len(rows) + 1


def sheet_counties(wb: Workbook, fm: Formats, d: ReportData) -> None:
    cols = [
        Col("全市排名", "rank_in_level", "rank"),
        Col("县（市、区）", "name"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("系数k", "coefficient", "coef"),
        Col("综合得分C", "composite_score", "score"),
        Col("融合度F", "fusion", "score"),
        Col("象限", "quadrant_zh"),
        Col("上季度排名", "previous_rank_in_level", "rank"),
        Col("排名变化", "rank_change", "change"),
        Col("缺报情况", missing),
        Col("单位代码", "unit_code"),
    ]
    rows = d.counties.to_dicts()
    ws, first, last = table_sheet(
        wb,
        fm,
        "县区排名",
        title(d, "县（市、区）排名"),
        "按综合得分C = D × k 降序；排名变化：↑上升、↓下降（与上季度比）；前三名绿色、后三名红色；"
        "缺报党建督导季报或经济指标季报的单位不计综合得分、不排名，列在最后",
        cols,
        rows,
    )
    c = col_index(cols, "综合得分C")
    last = first + d.ranked("county") - 1  # the ranked ones come first
    if last >= first:
        ws.conditional_format(first, c, last, c, {"type": "top", "value": 3, "format": fm.good})
        ws.conditional_format(first, c, last, c, {"type": "bottom", "value": 3, "format": fm.bad})
        chart = wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "综合得分C",
                "categories": ["县区排名", first, 1, last, 1],
                "values": ["县区排名", first, c, last, c],
                "fill": {"color": "#C00000"},
                "data_labels": {"value": True, "num_format": "0.00"},
            }
        )
        chart.set_title({"name": f"{quarter_zh(d.period)} 县（市、区）综合得分"})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"min": 0, "max": 100, "num_format": "0"})
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 360})
        ws.insert_chart(last + 3, 1, chart)


def sheet_townships(wb: Workbook, fm: Formats, d: ReportData) -> None:
    cols = [
        Col("县（市、区）", "county_name"),
        Col("县内排名", "rank_in_parent", "rank"),
        Col("全市排名", "rank_in_level", "rank"),
        Col("镇（街道）", "name"),
        Col("类别", "kind_zh"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("系数k", "coefficient", "coef"),
        Col("综合得分C", "composite_score", "score"),
        Col("融合度F", "fusion", "score"),
        Col("象限", "quadrant_zh"),
        Col("县内排名变化", "rank_change_in_parent", "change"),
        Col("全市排名变化", "rank_change", "change"),
        Col("缺报情况", missing),
        Col("单位代码", "unit_code"),
    ]
    ws, first, last = table_sheet(
        wb,
        fm,
        "镇街排名",
        title(d, "镇（街道）排名"),
        "按县（市、区）分组，组内按县内排名；全市前十名绿色、后十名红色",
        cols,
        d.townships.to_dicts(),
        autofilter=True,
    )
    r = col_index(cols, "全市排名")
    if last >= first:
        ws.conditional_format(first, r, last, r, {"type": "bottom", "value": 10, "format": fm.good})
        ws.conditional_format(first, r, last, r, {"type": "top", "value": 10, "format": fm.bad})


def sheet_villages(wb: Workbook, fm: Formats, d: ReportData) -> None:
    weak = set(d.weak["unit_code"].to_list())
    rows = [{**r, "warning": r["unit_code"] in weak} for r in d.villages.to_dicts()]
    cols = [
        Col("县（市、区）", "county_name"),
        Col("镇（街道）", "township_name"),
        Col("村（社区）", "name"),
        Col("类别", "kind_zh"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("综合得分C", "composite_score", "score"),
        Col("镇内排名", "rank_in_parent", "rank"),
        Col("全市排名", "rank_in_level", "rank"),
        Col("象限", "quadrant_zh"),
        Col("薄弱村预警", lambda r: "是" if r["warning"] else ""),
        Col(
            "报送",
            lambda r: (
                "未报送" if not r["scored"] else f"缺{r['missing_zh']}" if r["missing_zh"] else ""
            ),
        ),
        Col("单位代码", "unit_code"),
    ]
    ws, first, last = table_sheet(
        wb,
        fm,
        "村社区",
        title(d, "村（社区）得分"),
        "每个村和社区一行；黄色为薄弱村预警；可用表头筛选",
        cols,
        rows,
        autofilter=True,
    )
    w = col_index(cols, "薄弱村预警")
    if last >= first:
        letter = xlsxwriter.utility.xl_col_to_name(w)
        ws.conditional_format(
            first,
            0,
            last,
            len(cols) - 1,
            {"type": "formula", "criteria": f'=${letter}{first + 1}="是"', "format": fm.warn},
        )


def sheet_weak(wb: Workbook, fm: Formats, d: ReportData) -> None:
    year = "" if d.weak_year is None else f"（{d.weak_year}年）"
    cols = [
        Col("县（市、区）", "county_name"),
        Col("镇（街道）", "township_name"),
        Col("村", "name"),
        Col("年化集体经营性收入（万元）", "collective_income_annualised", "money"),
        Col("党建得分P", "party_score", "score"),
        Col("预警原因", "lines_crossed"),
        Col(f"最近年度认定{year}", "determination"),
        Col("单位代码", "unit_code"),
    ]
    note = (
        f"预警线：年化村集体经营性收入低于{d.income_line:g}万元，或党建得分低于{d.party_line:g}分"
        "（仅村，不含社区）"
    )
    ws, _, last = table_sheet(
        wb, fm, "薄弱村", title(d, "薄弱村预警名单"), note, cols, d.weak.to_dicts()
    )
    # the trend beside the list, and its chart
    left = len(cols) + 1
    widths: dict[int, int] = {}
    trend_cols = [Col("季度", "period"), Col("预警村数", "weak_villages", "int")]
    put(ws, HEADER_ROW - 1, left, "各季度薄弱村预警数", fm.section)
    t_first, t_last = write_table(
        ws, fm, HEADER_ROW, trend_cols, d.weak_trend.to_dicts(), left=left, widths=widths
    )
    set_widths(ws, widths)
    if t_last >= t_first:
        chart = wb.add_chart({"type": "line"})
        chart.add_series(
            {
                "name": "薄弱村预警数",
                "categories": ["薄弱村", t_first, left, t_last, left],
                "values": ["薄弱村", t_first, left + 1, t_last, left + 1],
                "marker": {"type": "circle"},
                "line": {"color": "#C00000"},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "薄弱村预警数变化"})
        chart.set_legend({"none": True})
        chart.set_y_axis({"min": 0})
        chart.set_size({"width": 520, "height": 300})
        ws.insert_chart(t_last + 3, left, chart)
    if not d.weak.height:
        put(ws, last + 1, 0, "本季度没有预警的村", fm.note)
        last += 1
    put(ws, last + 2, 0, determination_text(d), fm.note)


def write_workbook(
    d: ReportData, path: Path, extra: Callable[[Workbook], None] | None = None
) -> Path:
    """Write the assessment workbook to ``path``; ``extra`` adds sheets after the others
    (a correction's 更正说明, :mod:`reports.versions`), before the hidden chart data."""
    wb = workbook(path)
    wb.set_properties(
        {
            "title": title(d),
            "subject": "融合党建季度通报",
            "author": "ronghe",
            "comments": f"计分规则 {d.rules_version}",
        }
    )
    fm = Formats(wb)
    sheet_summary(wb, fm, d)
    sheet_counties(wb, fm, d)
    sheet_townships(wb, fm, d)
    sheet_villages(wb, fm, d)
    sheet_weak(wb, fm, d)
    linkage = sheet_linkage(wb, fm, d)
    sheet_filing(wb, fm, d)
    sheet_quality(wb, fm, d)
    sheet_projects(wb, fm, d)
    if extra is not None:
        extra(wb)
    linkage_charts(wb, fm, d, *linkage)  # the hidden chart-data sheet comes last
    wb.close()
    return path


__all__ = ["LEVELS_ZH", "SHEETS", "write_workbook"]
