"""The workbook's 村社区 and 薄弱村 sheets.

村社区 prints what a leader reads (per county, and the city's first and last five); every
village and community is listed below it, outside the print area, for the analyst's
filter: 1,800 villages would otherwise print as forty pages.
"""

from __future__ import annotations

import polars as pl
import xlsxwriter
from xlsxwriter.workbook import Workbook

from .cells import put
from .data import ReportData
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
from .text import determination_text, title

EXTREMES = 5


def village_summary(d: ReportData) -> list[dict[str, object]]:
    """Per county: its villages and communities, how many filed, were ranked, the median
    C and the early-warning villages."""
    v = d.level("village")
    weak = d.weak.group_by("county_code").len()
    per = (
        v.group_by("county_code", "county_name")
        .agg(
            pl.len().alias("units"),
            pl.col("scored").sum(),
            pl.col("composite_score").is_not_null().sum().alias("ranked"),
            pl.col("composite_score").median().alias("median_c"),
        )
        .join(weak, on="county_code", how="left")
        .with_columns(pl.col("len").fill_null(0).alias("weak"))
        .sort("county_code")
    )
    return per.to_dicts()


def sheet_villages(wb: Workbook, fm: Formats, d: ReportData) -> None:
    ws = new_sheet(
        wb,
        "村社区",
        fm,
        title(d, "村（社区）得分"),
        f"打印时只打印各县（市、区）汇总和{d.whole}前后五名；全部村（社区）见下方全表（可筛选）",
    )
    widths: dict[int, int] = {}
    summary = [
        Col("县（市、区）", "county_name"),
        Col("村（社区）数", "units", "int"),
        Col("有报表", "scored", "int"),
        Col("参与排名", "ranked", "int"),
        Col("综合得分C中位数", "median_c", "score"),
        Col("薄弱村预警", "weak", "int"),
    ]
    _, r = write_table(ws, fm, HEADER_ROW, summary, village_summary(d), widths=widths)
    ws.set_row(HEADER_ROW, 30)
    ranked = d.villages.filter(pl.col("rank_in_level").is_not_null()).sort(
        "rank_in_level", "unit_code"
    )
    n = min(EXTREMES, ranked.height // 2)
    short = [
        Col(f"{d.whole}排名", "rank_in_level", "rank"),
        Col("县（市、区）", "county_name"),
        Col("村（社区）", "full_name"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("综合得分C", "composite_score", "score"),
    ]
    for label, part in (
        (f"{d.whole}前{n}名", ranked.head(n)),
        (f"{d.whole}后{n}名", ranked.tail(n)),
    ):
        if not n:
            break
        put(ws, r + 2, 0, label, fm.section)
        _, r = write_table(ws, fm, r + 3, short, part.to_dicts(), widths=widths)
    ws.print_area(0, 0, r, len(summary) - 1)
    weak = set(d.weak["unit_code"].to_list())
    rows = [{**x, "warning": x["unit_code"] in weak} for x in d.villages.to_dicts()]
    cols = [
        Col("县（市、区）", "county_name"),
        Col("镇（街道）", "township_name"),
        Col("村（社区）", "name"),
        Col("类别", "kind_zh"),
        Col("党建得分P", "party_score", "score"),
        Col("发展得分D", "development_score", "score"),
        Col("综合得分C", "composite_score", "score"),
        Col("镇内排名", "rank_in_parent", "rank"),
        Col(f"{d.whole}排名", "rank_in_level", "rank"),
        Col("象限", "quadrant_zh"),
        Col("薄弱村预警", lambda x: "是" if x["warning"] else ""),
        Col(
            "报送",
            lambda x: (
                "未报送" if not x["scored"] else f"缺{x['missing_zh']}" if x["missing_zh"] else ""
            ),
        ),
        Col("单位代码", "unit_code"),
    ]
    top = r + 3
    put(ws, top - 1, 0, "全部村（社区）（不在打印区域内）", fm.section)
    first, last = write_table(ws, fm, top, cols, rows, widths=widths)
    set_widths(ws, widths)
    if last >= first:
        ws.autofilter(top, 0, last, len(cols) - 1)
        letter = xlsxwriter.utility.xl_col_to_name(col_index(cols, "薄弱村预警"))
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
