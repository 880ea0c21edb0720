"""The brief's review sections: 报送情况, 数据质量, 书记项目 and the files rejected whole."""

from __future__ import annotations

from typing import Any

import polars as pl

from .data import ReportData, filing_counts
from .labels import FILING_ZH, PROJECT_STATUS_ZH, REPORT_KINDS_ZH
from .text import f2

PROBLEMS_SHOWN = 100


def filing(d: ReportData) -> dict[str, Any]:
    counts = filing_counts(d, "county")
    lst = (
        d.filing.filter(pl.col("status") != "loaded")
        .join(d.units.select("unit_code", "county_name", "township_name"), on="unit_code")
        .sort("status", "county_code", "unit_code", "kind")
    )
    return {
        "counties": counts.to_dicts(),
        "list": [
            {
                "status": FILING_ZH.get(r["status"], r["status"]),
                "county": r["county_name"],
                "township": r["township_name"] or "",
                "name": r["unit_name"],
                "kind": REPORT_KINDS_ZH.get(r["kind"], r["kind"]),
            }
            for r in lst.to_dicts()
        ],
    }


def quality(d: ReportData) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    reports = d.quarantine["source_sha256"].n_unique() if d.quarantine.height else 0
    units = d.quarantine["unit_code"].n_unique() if d.quarantine.height else 0
    lead = f"本季度{units}个单位的报表被隔离（整份不入库，不参与计分），按报表和原因统计如下。"
    if not reports:
        lead = "本季度没有被隔离的报表。"
    reasons = (
        d.quarantine.group_by("kind_zh", "reason_zh")
        .agg(pl.col("source_sha256").n_unique().alias("reports"))
        .sort("kind_zh", "reports", descending=[False, True])
        .to_dicts()
    )
    problems = [
        {
            "unit": r["unit_name"],
            "kind": REPORT_KINDS_ZH.get(r["kind"], r["kind"]),
            "message": r["message_zh"],
        }
        for r in d.problems.head(PROBLEMS_SHOWN).to_dicts()
    ]
    if d.problems.height > PROBLEMS_SHOWN:
        problems.append(
            {
                "unit": "",
                "kind": "",
                "message": f"其余{d.problems.height - PROBLEMS_SHOWN}条见工作簿“数据质量”表",
            }
        )
    return lead, reasons, problems


def projects(d: ReportData) -> list[dict[str, Any]]:
    """书记项目: the quarter's current secretary projects."""
    return [
        {
            "county": r["county_name"] or "",
            "township": r["township_name"] or "",
            "unit": r["unit_name"] or "",
            "name": r["name"] or "",
            "planned": f2(r["planned_investment"]),
            "completed": f2(r["completed_investment"]),
            "progress": f2(r["progress_pct"]),
            "status": PROJECT_STATUS_ZH.get(r["status"], r["status"] or ""),
            "party_org": "是" if r["party_org_established"] else "否",
        }
        for r in d.projects.to_dicts()
    ]


def rejected_files(d: ReportData) -> list[dict[str, Any]]:
    """The files rejected whole (无法处理的文件), whatever their period."""
    return [{"path": r["path"], "reason": r["reason_zh"]} for r in d.quarantine_files.to_dicts()]
