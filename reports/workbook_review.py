"""The workbook's review sheets: 报送情况, 数据质量 and 书记项目."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from xlsxwriter.workbook import Workbook

from .brief_review import file_name
from .cells import put
from .data import ReportData, filing_counts
from .facts import quarantined_reports
from .labels import FILING_ZH, PROJECT_STATUS_ZH, REPORT_KINDS_ZH
from .sheet import HEADER_ROW, Col, Formats, new_sheet, set_widths, table_sheet, write_table
from .text import quality_counts, title


def sheet_filing(wb: Workbook, fm: Formats, d: ReportData) -> None:
    note = "已入库：有当前报表；已隔离：收到但未入库；未报送：未收到（党建督导、经济指标季报）"
    ws = new_sheet(wb, "报送情况", fm, title(d, "报送情况"), note)
    widths: dict[int, int] = {}
    r = HEADER_ROW
    for lv, label in (("county", "县（市、区）"), ("township", "镇（街道）")):
        counts = filing_counts(d, lv)
        heading = f"按{label}（含下属单位）"
        if lv == "township":  # a leader reads the townships with something not loaded
            all_in = counts.filter((pl.col("quarantined") + pl.col("missing")) == 0).height
            counts = counts.filter((pl.col("quarantined") + pl.col("missing")) > 0)
            heading += f"：有未入库报表的{counts.height}个；其余{all_in}个的季报均已入库"
        cols = [
            *([Col("县（市、区）", "county_name")] if lv == "township" else []),
            Col(label, "name"),
            Col("已入库", "loaded", "int"),
            Col("已隔离", "quarantined", "int"),
            Col("未报送", "missing", "int"),
        ]
        put(ws, r, 0, heading, fm.section)
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
        Col("单位", "unit_full"),
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


def _when(ts: Any) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def sheet_quality(wb: Workbook, fm: Formats, d: ReportData) -> None:
    ws = new_sheet(
        wb,
        "数据质量",
        fm,
        title(d, "数据质量"),
        "本季度被隔离的报表（整份不入库）及原因，和给填报单位的问题说明",
    )
    widths: dict[int, int] = {}
    counts = (
        d.quarantine.group_by("kind_zh", "reason_zh")
        .agg(pl.struct("unit_code", "source_sha256").n_unique().alias("reports"))
        .sort("kind_zh", "reports", descending=[False, True])
    )
    r = HEADER_ROW
    put(ws, r, 0, "数据质量概要", fm.section)
    cols = [Col("项目", "label"), Col("数量", "count", "int")]
    _, last = write_table(ws, fm, r + 1, cols, quality_counts(d), widths=widths)
    r = last + 2
    if d.unreached:  # the units' deposits the last pull could not reach (CONTRACT §8)
        put(ws, r, 0, "无法连接的数据源清单（最近一次拉取）", fm.section)
        cols = [
            Col("数据源", "source"),
            Col("所属单位", "unit_name"),
            Col("单位代码", "unit_code"),
            Col("最近尝试", lambda x: _when(x["attempted_at"])),
            Col("最近连通", lambda x: _when(x["reached_at"]) or "从未连通"),
            Col("错误", "error"),
        ]
        _, last = write_table(ws, fm, r + 1, cols, d.unreached, widths=widths)
        r = last + 2
    put(ws, r, 0, "隔离原因统计", fm.section)
    cols = [Col("报表", "kind_zh"), Col("原因", "reason_zh"), Col("报表份数", "reports", "int")]
    _, last = write_table(ws, fm, r + 1, cols, counts.to_dicts(), widths=widths)
    if counts.height == 0:
        put(ws, last + 1, 0, "本季度没有被隔离的报表", fm.note)
        last += 1
    r = last + 2
    reports = quarantined_reports(d)
    put(ws, r, 0, f"被隔离的报表（{reports.height:,}份）", fm.section)
    cols = [
        Col("报表", "kind_zh"),
        Col("单位", "unit_full"),
        Col("单位代码", "unit_code"),
        Col("原因", "reason_zh"),
        Col("项目名称", lambda x: _project_names(x["record"]) if x["kind"] == "projects" else ""),
        Col("来源文件", lambda x: file_name(x["source_path"] or "")),
    ]
    _, last = write_table(ws, fm, r + 1, cols, reports.to_dicts(), widths=widths)
    r = last + 2
    put(ws, r, 0, "无法处理的文件（整份文件，不限报告期）", fm.section)
    cols = [Col("文件", lambda x: file_name(x["path"])), Col("原因", "reason_zh")]
    _, last = write_table(ws, fm, r + 1, cols, d.quarantine_files.to_dicts(), widths=widths)
    r = last + 2
    put(ws, r, 0, "问题说明（给填报单位）", fm.section)
    cols = [
        Col("单位", "unit_full"),
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
    table_sheet(
        wb,
        fm,
        "书记项目",
        title(d, "书记项目"),
        "本季度当前版本的书记项目",
        cols,
        d.projects.to_dicts(),
        autofilter=True,
    )
