"""The assessment as an Excel workbook (xlsxwriter, every label in Chinese).

One sheet per section; every figure is written as a number from :class:`ReportData`
(never a formula), every text through :func:`reports.cells.put`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from transforms.workbook import workbook

from .cells import display_width, put, shown
from .data import ReportData, filing_counts
from .labels import (
    FILING_ZH,
    LEVEL_UNITS_ZH,
    LEVELS_ZH,
    PROJECT_STATUS_ZH,
    QUADRANTS,
    QUADRANTS_ZH,
    REPORT_KINDS_ZH,
    quarter_zh,
)
from .text import SUMMARY_ROWS, correlation_note, determination_text, missing, title

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

NUMBER_FORMATS = {
    "text": None,
    "score": "0.00",
    "coef": "0.000",
    "corr": "0.000",
    "int": "#,##0",
    "rank": "0",
    "change": '"↑"0;"↓"0;"—"',
    "money": "#,##0.00",
    "pct": "0.00",
    "delta": "+#,##0.00;-#,##0.00;0",
}

HEADER_ROW = 2  # row 0: the sheet's title; row 1: a note; row 2: the header


@dataclass(frozen=True)
class Col:
    """One column of a table: its header, how to get its value from a row, its format."""

    header: str
    get: str | Callable[[dict[str, Any]], Any]
    fmt: str = "text"

    def value(self, row: dict[str, Any]) -> Any:
        return row.get(self.get) if isinstance(self.get, str) else self.get(row)


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb: Workbook) -> None:
        font = {"font_name": "等线", "font_size": 10}
        self.title = wb.add_format({**font, "bold": True, "font_size": 14})
        self.note = wb.add_format({**font, "italic": True, "font_color": "#555555"})
        self.header = wb.add_format(
            {
                **font,
                "bold": True,
                "bg_color": "#C00000",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.section = wb.add_format({**font, "bold": True, "font_size": 11})
        self.cells = {
            name: wb.add_format({**font, "border": 1, **({"num_format": nf} if nf else {})})
            for name, nf in NUMBER_FORMATS.items()
        }
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.warn = wb.add_format({"bg_color": "#FFEB9C"})


def _sheet(wb: Workbook, name: str, fm: Formats, heading: str, note: str = "") -> Worksheet:
    ws = wb.add_worksheet(name)
    ws.hide_gridlines(2)
    put(ws, 0, 0, heading, fm.title)
    if note:
        put(ws, 1, 0, note, fm.note)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_header(f'&C&"等线,Bold"{heading}')
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def write_table(
    ws: Worksheet,
    fm: Formats,
    top: int,
    cols: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    *,
    left: int = 0,
    widths: dict[int, int] | None = None,
) -> tuple[int, int]:
    """Header at ``top``, rows below; returns (first, last) data rows (last < first if none).

    ``widths`` collects each column's widest shown text (the caller sets the widths).
    """
    for j, c in enumerate(cols):
        put(ws, top, left + j, c.header, fm.header)
    for i, row in enumerate(rows):
        for j, c in enumerate(cols):
            v = c.value(row)
            put(ws, top + 1 + i, left + j, v, fm.cells[c.fmt])
            if widths is not None:
                widths[left + j] = max(widths.get(left + j, 0), display_width(shown(v)))
    if widths is not None:
        for j, c in enumerate(cols):
            # headers wrap: their longest half is enough
            w = max(display_width(c.header) // 2 + 1, 6)
            widths[left + j] = max(widths.get(left + j, 0), w)
    return top + 1, top + len(rows)


def set_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for col, w in widths.items():
        ws.set_column(col, col, min(w + 2, 60))


def _table_sheet(
    wb: Workbook,
    fm: Formats,
    name: str,
    heading: str,
    note: str,
    cols: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    autofilter: bool = False,
) -> tuple[Worksheet, int, int]:
    ws = _sheet(wb, name, fm, heading, note)
    widths: dict[int, int] = {}
    first, last = write_table(ws, fm, HEADER_ROW, cols, rows, widths=widths)
    set_widths(ws, widths)
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)
    if autofilter and rows:
        ws.autofilter(HEADER_ROW, 0, last, len(cols) - 1)
    return ws, first, last


def _col_index(cols: Sequence[Col], header: str) -> int:
    return next(j for j, c in enumerate(cols) if c.header == header)


# --- the sheets ---------------------------------------------------------------------


def sheet_summary(wb: Workbook, fm: Formats, d: ReportData) -> None:
    cur, prev, ago = (d.summary[p] for p in (d.period, d.previous, d.year_ago))

    def delta(a: dict[str, Any] | None, b: dict[str, Any] | None, key: str) -> Any:
        if a is None or b is None or a.get(key) is None or b.get(key) is None:
            return None
        return a[key] - b[key]

    rows = []
    for key, label, fmt in SUMMARY_ROWS:
        rows.append(
            {
                "label": label,
                "fmt": fmt,
                "cur": None if cur is None else cur.get(key),
                "prev": None if prev is None else prev.get(key),
                "d_prev": delta(cur, prev, key),
                "ago": None if ago is None else ago.get(key),
                "d_ago": delta(cur, ago, key),
            }
        )
    ws = _sheet(
        wb,
        "概况",
        fm,
        title(d, "概况"),
        f"计分规则 {d.rules_version}；生成于 {d.generated_at:%Y-%m-%d %H:%M}；"
        "数据来自已发布的数据仓库（marts.city_summary、marts.unit_scores）",
    )
    headers = [
        "指标",
        quarter_zh(d.period),
        f"上季度（{quarter_zh(d.previous)}）",
        "较上季度",
        f"上年同期（{quarter_zh(d.year_ago)}）",
        "较上年同期",
    ]
    for j, h in enumerate(headers):
        put(ws, HEADER_ROW, j, h, fm.header)
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        put(ws, i, 0, row["label"], fm.cells["text"])
        num = fm.cells[row["fmt"]]
        put(ws, i, 1, row["cur"], num)
        put(ws, i, 2, row["prev"], num)
        put(ws, i, 3, row["d_prev"], fm.cells["delta"])
        put(ws, i, 4, row["ago"], num)
        put(ws, i, 5, row["d_ago"], fm.cells["delta"])
    r = HEADER_ROW + len(rows) + 2
    put(ws, r, 0, "报送与参评单位", fm.section)
    unit_cols = [
        Col("层级", "level"),
        Col("有报表的单位", "scored", "int"),
        Col("完整报送单位（党建督导＋经济指标）", "complete", "int"),
        Col("参与排名单位（有综合得分）", "ranked", "int"),
    ]
    unit_rows = [
        {
            "level": LEVEL_UNITS_ZH[lv],
            "scored": d.scored_units(lv),
            "complete": d.complete_units(lv),
            "ranked": d.ranked(lv),
        }
        for lv in ("county", "township", "village")
    ]
    write_table(ws, fm, r + 1, unit_cols, unit_rows)
    ws.set_column(0, 0, 36)
    ws.set_column(1, 5, 22)
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.repeat_rows(HEADER_ROW)


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
    ws, first, last = _table_sheet(
        wb,
        fm,
        "县区排名",
        title(d, "县（市、区）排名"),
        "按综合得分C = D × k 降序；排名变化：↑上升、↓下降（与上季度比）；前三名绿色、后三名红色；"
        "缺报党建督导季报或经济指标季报的单位不计综合得分、不排名，列在最后",
        cols,
        rows,
    )
    c = _col_index(cols, "综合得分C")
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
    ws, first, last = _table_sheet(
        wb,
        fm,
        "镇街排名",
        title(d, "镇（街道）排名"),
        "按县（市、区）分组，组内按县内排名；全市前十名绿色、后十名红色",
        cols,
        d.townships.to_dicts(),
        autofilter=True,
    )
    r = _col_index(cols, "全市排名")
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
    ws, first, last = _table_sheet(
        wb,
        fm,
        "村社区",
        title(d, "村（社区）得分"),
        "每个村和社区一行；黄色为薄弱村预警；可用表头筛选",
        cols,
        rows,
        autofilter=True,
    )
    w = _col_index(cols, "薄弱村预警")
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
    ws, _, last = _table_sheet(
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


def sheet_linkage(wb: Workbook, fm: Formats, d: ReportData) -> None:
    rows = []
    for lv in ("county", "township", "village"):
        row = d.linkage_row(lv) or {"units": 0}
        rows.append({**row, "level_zh": LEVEL_UNITS_ZH[lv], "note": correlation_note(row)})
    cols = [
        Col("层级", "level_zh"),
        Col("参与分析单位数", "units", "int"),
        Col("相关系数r（P与D）", "corr_party_development", "corr"),
        Col("说明", "note"),
        Col("下季度相关系数r（P与下季度D）", "corr_party_development_next", "corr"),
        Col("党建得分中位数", "median_party_score", "score"),
        Col("发展得分中位数", "median_development_score", "score"),
        *(Col(QUADRANTS_ZH[q], q, "int") for q in QUADRANTS),
    ]
    ws, _, last = _table_sheet(
        wb,
        fm,
        "联动分析",
        title(d, "党建与发展联动分析"),
        "皮尔逊相关系数；象限以同层级本季度P、D中位数为界",
        cols,
        rows,
    )
    ws.set_column(3, 3, 44)
    # P–D scatter per level (complete units only: those with a quadrant), with the median
    # lines; the points and the lines' ends are written here, below the charts
    r = last + 3
    put(ws, r, 0, "中位数线（散点图用）", fm.section)
    points_row = r + 32
    put(ws, points_row, 0, "散点图数据（有象限的单位，即完整报送单位）", fm.section)
    points_row += 1
    for i, lv in enumerate(("county", "township")):
        link = d.linkage_row(lv)
        points = d.level(lv).filter(pl.col("quadrant").is_not_null())
        if not link or points.height == 0:
            continue
        mp, md = link.get("median_party_score"), link.get("median_development_score")
        base = r + 1 + i * 4
        put(ws, base, 0, f"{LEVEL_UNITS_ZH[lv]} P中位数线", fm.cells["text"])
        put(ws, base, 1, mp, fm.cells["score"])
        put(ws, base, 2, mp, fm.cells["score"])
        put(ws, base + 1, 1, 0, fm.cells["score"])
        put(ws, base + 1, 2, 100, fm.cells["score"])
        put(ws, base + 2, 0, f"{LEVEL_UNITS_ZH[lv]} D中位数线", fm.cells["text"])
        put(ws, base + 2, 1, 0, fm.cells["score"])
        put(ws, base + 2, 2, 100, fm.cells["score"])
        put(ws, base + 3, 1, md, fm.cells["score"])
        put(ws, base + 3, 2, md, fm.cells["score"])
        point_cols = [
            Col(LEVEL_UNITS_ZH[lv], "name"),
            Col("党建得分P", "party_score", "score"),
            Col("发展得分D", "development_score", "score"),
        ]
        first, lastrow = write_table(
            ws, fm, points_row, point_cols, points.sort("unit_code").to_dicts()
        )
        points_row = lastrow + 2
        chart = wb.add_chart({"type": "scatter"})
        chart.add_series(
            {
                "name": LEVEL_UNITS_ZH[lv],
                "categories": ["联动分析", first, 1, lastrow, 1],
                "values": ["联动分析", first, 2, lastrow, 2],
                "marker": {"type": "circle", "size": 6, "fill": {"color": "#C00000"}},
            }
        )
        for name, row0 in (("P中位数", base), ("D中位数", base + 2)):
            chart.add_series(
                {
                    "name": name,
                    "categories": ["联动分析", row0, 1, row0, 2],
                    "values": ["联动分析", row0 + 1, 1, row0 + 1, 2],
                    "line": {"color": "#7F7F7F", "dash_type": "dash", "width": 1},
                    "marker": {"type": "none"},
                }
            )
        chart.set_title({"name": f"{LEVEL_UNITS_ZH[lv]} 党建得分P与发展得分D"})
        chart.set_x_axis({"name": "党建得分P", "min": 0, "max": 100})
        chart.set_y_axis({"name": "发展得分D", "min": 0, "max": 100})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 520, "height": 400})
        ws.insert_chart(r + 10, i * 6, chart)


def sheet_filing(wb: Workbook, fm: Formats, d: ReportData) -> None:
    note = "已入库：有当前报表；已隔离：收到但未入库；未报送：未收到（党建督导、经济指标季报）"
    ws = _sheet(wb, "报送情况", fm, title(d, "报送情况"), note)
    widths: dict[int, int] = {}
    r = HEADER_ROW
    for lv, label in (("county", "县（市、区）"), ("township", "镇（街道）")):
        counts = filing_counts(d, lv)
        cols = [
            *([Col("县（市、区）", "county_name")] if lv == "township" else []),
            Col(label, "name"),
            Col("已入库", "loaded", "int"),
            Col("已隔离", "quarantined", "int"),
            Col("未报送", "missing", "int"),
        ]
        put(ws, r, 0, f"按{label}（含下属单位）", fm.section)
        _, last = write_table(ws, fm, r + 1, cols, counts.to_dicts(), widths=widths)
        r = last + 2
    put(ws, r, 0, "已隔离和未报送的报表", fm.section)
    lst = (
        d.filing.filter(pl.col("status") != "loaded")
        .join(d.units.select("unit_code", "county_name", "township_name"), on="unit_code")
        .sort("status", "county_code", "unit_code", "kind")
    )
    cols = [
        Col("状态", lambda x: FILING_ZH.get(x["status"], x["status"])),
        Col("县（市、区）", "county_name"),
        Col("镇（街道）", "township_name"),
        Col("单位", "unit_name"),
        Col("单位代码", "unit_code"),
        Col("报表", lambda x: REPORT_KINDS_ZH.get(x["kind"], x["kind"])),
        Col("问题数", "problems", "int"),
    ]
    write_table(ws, fm, r + 1, cols, lst.to_dicts(), widths=widths)
    set_widths(ws, widths)


def _project_names(record: str | None) -> str:
    try:
        rows = json.loads(record or "[]")
    except ValueError:
        return ""
    if not isinstance(rows, list):
        return ""
    names = [str(r.get("name")) for r in rows if isinstance(r, dict) and r.get("name")]
    return "、".join(names)


def sheet_quality(wb: Workbook, fm: Formats, d: ReportData) -> None:
    ws = _sheet(
        wb,
        "数据质量",
        fm,
        title(d, "数据质量"),
        "本季度被隔离的报表（整份不入库）及原因，和给填报单位的问题说明",
    )
    widths: dict[int, int] = {}
    counts = (
        d.quarantine.group_by("kind_zh", "reason_zh")
        .agg(pl.col("source_sha256").n_unique().alias("reports"))
        .sort("kind_zh", "reports", descending=[False, True])
    )
    r = HEADER_ROW
    put(ws, r, 0, "隔离原因统计", fm.section)
    cols = [Col("报表", "kind_zh"), Col("原因", "reason_zh"), Col("报表份数", "reports", "int")]
    _, last = write_table(ws, fm, r + 1, cols, counts.to_dicts(), widths=widths)
    if counts.height == 0:
        put(ws, last + 1, 0, "本季度没有被隔离的报表", fm.note)
        last += 1
    r = last + 2
    put(ws, r, 0, "被隔离的报表", fm.section)
    reports = (
        d.quarantine.group_by("kind", "kind_zh", "unit_code", "unit_name", "source_sha256")
        .agg(pl.col("reason_zh").unique().sort().str.join("、"), pl.col("record").first())
        .sort("kind", "unit_code")
    )
    cols = [
        Col("报表", "kind_zh"),
        Col("单位", "unit_name"),
        Col("单位代码", "unit_code"),
        Col("原因", "reason_zh"),
        Col("项目名称", lambda x: _project_names(x["record"]) if x["kind"] == "projects" else ""),
        Col("来源文件（SHA-256前12位）", lambda x: (x["source_sha256"] or "")[:12]),
    ]
    _, last = write_table(ws, fm, r + 1, cols, reports.to_dicts(), widths=widths)
    r = last + 2
    put(ws, r, 0, "无法处理的文件（整份文件，不限报告期）", fm.section)
    cols = [Col("文件", "path"), Col("原因", "reason_zh"), Col("说明", "detail")]
    _, last = write_table(ws, fm, r + 1, cols, d.quarantine_files.to_dicts(), widths=widths)
    r = last + 2
    put(ws, r, 0, "问题说明（给填报单位）", fm.section)
    cols = [
        Col("单位", "unit_name"),
        Col("单位代码", "unit_code"),
        Col("报表", lambda x: REPORT_KINDS_ZH.get(x["kind"], x["kind"])),
        Col("行", "sheet_row", "int"),
        Col("列", "column_zh"),
        Col("收到的值", "value"),
        Col("问题说明", "message_zh"),
    ]
    _, last = write_table(ws, fm, r + 1, cols, d.problems.to_dicts(), widths=widths)
    if d.problems.height == 0:
        put(ws, last + 1, 0, "本季度没有问题说明", fm.note)
    set_widths(ws, widths)


def sheet_projects(wb: Workbook, fm: Formats, d: ReportData) -> None:
    cols = [
        Col("县（市、区）", "county_name"),
        Col("镇（街道）", "township_name"),
        Col("单位", "unit_name"),
        Col("项目编号", "project_id"),
        Col("项目名称", "name"),
        Col("计划总投资（万元）", "planned_investment", "money"),
        Col("累计完成投资（万元）", "completed_investment", "money"),
        Col("形象进度（%）", "progress_pct", "pct"),
        Col("项目状态", lambda x: PROJECT_STATUS_ZH.get(x["status"], x["status"])),
        Col("同步建立党组织", "party_org_established"),
    ]
    _table_sheet(
        wb,
        fm,
        "书记项目",
        title(d, "书记项目"),
        "本季度当前版本的书记项目",
        cols,
        d.projects.to_dicts(),
        autofilter=True,
    )


def write_workbook(
    d: ReportData, path: Path, extra: Callable[[Workbook], None] | None = None
) -> Path:
    """Write the assessment workbook to ``path``; ``extra`` adds sheets after the others."""
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
    sheet_linkage(wb, fm, d)
    sheet_filing(wb, fm, d)
    sheet_quality(wb, fm, d)
    sheet_projects(wb, fm, d)
    if extra is not None:
        extra(wb)
    wb.close()
    return path


__all__ = ["LEVELS_ZH", "SHEETS", "write_workbook"]
