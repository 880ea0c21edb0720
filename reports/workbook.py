"""The assessment as an Excel workbook (xlsxwriter, every label in Chinese).

One sheet per section; every figure is written as a number from :class:`ReportData`
(never a formula), every text through :func:`reports.cells.put`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from transforms.workbook import workbook

from .cells import put
from .compare import blank_notes, reporting_units, summary_rows
from .data import ReportData
from .labels import LEVELS_ZH, quarter_zh
from .sheet import (
    HEADER_ROW,
    Col,
    Formats,
    col_index,
    new_sheet,
    table_sheet,
    write_table,
)
from .text import missing, title, totals_note
from .workbook_levels import sheet_villages, sheet_weak
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
        "数据来自已发布的数据仓库",
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
    for note in [totals_note(d), *blank_notes(d)]:
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
        Col(f"{d.whole}排名", "rank_in_level", "rank"),
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
        Col(f"{d.whole}排名", "rank_in_level", "rank"),
        Col("镇（街道）", "name"),
        Col("类别", "kind_zh"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("系数k", "coefficient", "coef"),
        Col("综合得分C", "composite_score", "score"),
        Col("融合度F", "fusion", "score"),
        Col("象限", "quadrant_zh"),
        Col("县内排名变化", "rank_change_in_parent", "change"),
        Col(f"{d.whole}排名变化", "rank_change", "change"),
        Col("缺报情况", missing),
        Col("单位代码", "unit_code"),
    ]
    ws, first, last = table_sheet(
        wb,
        fm,
        "镇街排名",
        title(d, "镇（街道）排名"),
        f"按县（市、区）分组，组内按县内排名；{d.whole}前十名绿色、后十名红色",
        cols,
        d.townships.to_dicts(),
        autofilter=True,
    )
    r = col_index(cols, f"{d.whole}排名")
    if last >= first:
        ws.conditional_format(first, r, last, r, {"type": "bottom", "value": 10, "format": fm.good})
        ws.conditional_format(first, r, last, r, {"type": "top", "value": 10, "format": fm.bad})


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
