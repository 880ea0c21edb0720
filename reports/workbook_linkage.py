"""The workbook's 联动分析 sheet: the correlations, and a P–D scatter per level.

The scatter points and the median lines are chart data on the hidden sheet (never
printed); both axes share one range, from below the lowest score to 100.
"""

from __future__ import annotations

import polars as pl
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .cells import put
from .data import ReportData
from .labels import LEVEL_UNITS_ZH, QUADRANTS, QUADRANTS_ZH
from .linkage_effect_text import lagged_effect
from .plot_labels import score_range
from .sheet import Col, Formats, helper_sheet, table_sheet, write_table
from .text import correlation_note, title


def sheet_linkage(wb: Workbook, fm: Formats, d: ReportData) -> tuple[Worksheet, int]:
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
    ws, _, last = table_sheet(
        wb,
        fm,
        "联动分析",
        title(d, "党建与发展联动分析"),
        "皮尔逊相关系数；象限以同层级本季度P、D中位数为界",
        cols,
        rows,
    )
    ws.set_column(3, 3, 44)
    sentence = lagged_effect(d)
    if sentence:  # the lagged effect in words (marts.linkage_effect), below the table
        last += 2
        ws.merge_range(last, 0, last, len(cols) - 1, "", fm.cells["text"])
        put(ws, last, 0, sentence, fm.cells["text"])
        ws.set_row(last, 36)
    return ws, last


def linkage_charts(wb: Workbook, fm: Formats, d: ReportData, ws: Worksheet, last: int) -> None:
    """The P–D scatters below the table; their data on the hidden sheet (made last)."""
    data = helper_sheet(wb)
    at = 0
    for i, lv in enumerate(("county", "township")):
        link = d.linkage_row(lv)
        points = d.level(lv).filter(pl.col("quadrant").is_not_null()).sort("unit_code")
        if not link or points.height == 0:
            continue
        ps, ds = points["party_score"].to_list(), points["development_score"].to_list()
        mp, md = link.get("median_party_score"), link.get("median_development_score")
        # one range for both axes, as the brief's: the spread of P and of D compare
        (x0, x1) = (y0, y1) = score_range([*ps, *ds, mp, md])
        put(data, at, 0, f"{LEVEL_UNITS_ZH[lv]}（散点图数据）", fm.section)
        put(data, at + 1, 0, "P中位数线", fm.cells["text"])
        for j, v in enumerate((mp, mp, y0, y1, x0, x1, md, md)):
            put(data, at + 1 + j // 2, 1 + j % 2, v, fm.cells["score"])
        put(data, at + 3, 0, "D中位数线", fm.cells["text"])
        point_cols = [
            Col(LEVEL_UNITS_ZH[lv], "name"),
            Col("党建得分P", "party_score", "score"),
            Col("发展得分D", "development_score", "score"),
        ]
        first, lastrow = write_table(data, fm, at + 6, point_cols, points.to_dicts())
        sheet = data.get_name()
        chart = wb.add_chart({"type": "scatter"})
        chart.add_series(
            {
                "name": LEVEL_UNITS_ZH[lv],
                "categories": [sheet, first, 1, lastrow, 1],
                "values": [sheet, first, 2, lastrow, 2],
                "marker": {"type": "circle", "size": 6, "fill": {"color": "#C00000"}},
            }
        )
        for name, row0 in (("P中位数", at + 1), ("D中位数", at + 3)):
            chart.add_series(
                {
                    "name": name,
                    "categories": [sheet, row0, 1, row0, 2],
                    "values": [sheet, row0 + 1, 1, row0 + 1, 2],
                    "line": {"color": "#7F7F7F", "dash_type": "dash", "width": 1},
                    "marker": {"type": "none"},
                }
            )
        chart.set_title({"name": f"{LEVEL_UNITS_ZH[lv]} 党建得分P与发展得分D"})
        chart.set_x_axis({"name": "党建得分P", "min": x0, "max": x1})
        chart.set_y_axis({"name": "发展得分D", "min": y0, "max": y1})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 480, "height": 360})
        ws.insert_chart(last + 3, i * 5, chart)
        at = lastrow + 3
