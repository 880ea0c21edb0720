"""The brief's review sections and its annexes (附件).

The body of the brief is what a leader reads: per-county summaries and counts. The
lists behind them are annexes after it: every township's rank, the weak villages, the
reports not loaded, the problem sentences of the 数据质量 (each row as the filer must
fix it, for the receipts' readers) and the files rejected whole (by file name, never
where they lay on the server), and the secretary projects.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import polars as pl

from . import facts
from .data import ReportData, filing_counts
from .groups import by_city, grouped
from .labels import FILING_ZH, PROJECT_STATUS_ZH, REPORT_KINDS_ZH
from .text import f2

ANNEXES = (
    ("annex-townships", "镇（街道）综合得分排名"),
    ("annex-weak", "薄弱村预警名单"),
    ("annex-filing", "已隔离和未报送的报表"),
    ("annex-quality", "数据质量明细"),
    ("annex-projects", "书记项目明细"),
)
COUNTY_ANNEX = ("annex-counties", "县（市、区）综合得分排名")
"""At province scale the county ranking (a hundred rows) is an annex too; the body shows
its first and last ten."""


def annex_list(d: ReportData, counties_annexed: bool) -> list[tuple[str, str, str]]:
    """(id, 附件N, title) of the brief's annexes, numbered in order."""
    ids = [COUNTY_ANNEX, *ANNEXES] if counties_annexed else list(ANNEXES)
    return [(key, f"附件{i}", title) for i, (key, title) in enumerate(ids, start=1)]


def filing(d: ReportData) -> dict[str, Any]:
    counts = filing_counts(d, "county")
    if by_city(d):  # a province's counties summed per city
        counts = (
            grouped(d, counts.rename({"unit_code": "county_code"}))
            .group_by("g_code", "g_name")
            .agg(pl.col("loaded", "quarantined", "missing").sum())
            .sort("g_code")
            .rename({"g_name": "name"})
        )
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
    """The lead, the reasons counted, and every problem sentence (for the annex)."""
    reports = facts.quarantined_reports(d)
    if reports.height:
        lead = (
            f"本季度{reports.height:,}份报表被隔离（整份不入库，不参与计分），"
            f"涉及{reports['unit_code'].n_unique():,}个单位；按原因统计如下"
            "（一份报表可有几个原因）。给填报单位的逐行问题说明见附件和各单位的回执。"
        )
    else:
        lead = "本季度没有被隔离的报表。"
    reasons = [{"reason_zh": r, "reports": n} for r, n in facts.reason_counts(d)]
    problems = [
        {
            "unit": r["unit_full"],
            "kind": REPORT_KINDS_ZH.get(r["kind"], r["kind"]),
            "message": r["message_zh"],
        }
        for r in d.problems.to_dicts()
    ]
    return lead, reasons, problems


def quarantined_list(d: ReportData) -> list[dict[str, Any]]:
    """The quarantined reports (what 数据质量's count counts), one row each."""
    return [
        {"kind": r["kind_zh"], "unit": r["unit_full"], "reasons": r["reason_zh"]}
        for r in facts.quarantined_reports(d).to_dicts()
    ]


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


def project_counties(d: ReportData) -> list[dict[str, Any]]:
    """书记项目 per county: how many, their investment and progress."""
    if d.projects.height == 0:
        return []
    per = (
        grouped(d, d.projects.with_columns(pl.col("county_code").fill_null("")))
        .with_columns(pl.col("g_name").fill_null("（未知）").alias("county_name"))
        .group_by("county_name")
        .agg(
            pl.len().alias("n"),
            pl.col("planned_investment").sum().alias("planned"),
            pl.col("completed_investment").sum().alias("completed"),
            pl.col("progress_pct").mean().alias("progress"),
            pl.col("party_org_established").fill_null(False).sum().alias("orgs"),
        )
        .sort("n", "county_name", descending=[True, False])
    )
    return [
        {
            "county": r["county_name"],
            "n": f"{r['n']:,}",
            "planned": f2(r["planned"]),
            "completed": f2(r["completed"]),
            "progress": f2(r["progress"]),
            "orgs": f"{r['orgs']:,}",
        }
        for r in per.to_dicts()
    ]


def file_name(path: str) -> str:
    """A received file as a reader names it: its name, never the folder it lay in."""
    return PurePath(path.replace("\\", "/")).name


def rejected_files(d: ReportData) -> list[dict[str, Any]]:
    """The files rejected whole (无法处理的文件), whatever their period, by file name."""
    return [
        {"name": file_name(r["path"]), "reason": r["reason_zh"]}
        for r in d.quarantine_files.to_dicts()
    ]
