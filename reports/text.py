"""Words shared by the workbook and the brief."""

from __future__ import annotations

from typing import Any

import polars as pl

from .checks import CHECKS
from .data import ReportData
from .labels import quarter_zh

# marts.city_summary columns shown in 概况: (column, Chinese label, number format)
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("units_reporting", "报送党建督导季报的单位数", "int"),
    ("party_orgs", "基层党组织数", "int"),
    ("party_members", "党员数", "int"),
    ("new_members", "发展党员数", "int"),
    ("contact_points", "党建工作联系点数", "int"),
    ("grid_branches", "网格党支部数", "int"),
    ("building_groups", "楼道党小组数", "int"),
    ("central_households", "党员中心户数", "int"),
    ("prosperity_communities", "党群致富共同体数", "int"),
    ("villages_list_published", "清单已公示的村（社区）数", "int"),
    ("new_park_orgs", "新组建园区统筹型党组织数（本年累计）", "int"),
    ("new_business_district_orgs", "新组建商圈统筹型党组织数（本年累计）", "int"),
    ("new_village_enterprise_orgs", "新组建村企统筹型党组织数（本年累计）", "int"),
    ("secretary_projects", "书记项目数", "int"),
    ("projects_with_party_org", "同步建立党组织的项目数", "int"),
    ("gdp", "地区生产总值（亿元，县级合计，累计）", "money"),
    ("gdp_growth_pct", "地区生产总值增速（%，按地区生产总值加权）", "pct"),
    ("savings_balance", "居民储蓄存款余额（亿元）", "money"),
    ("collective_income", "村集体经营性收入（万元，累计）", "money"),
    ("weak_villages", "薄弱村预警数", "int"),
)

SMALL_SAMPLE = 10


def f2(v: Any) -> str:
    return "" if v is None else f"{v:,.2f}"


def num(v: Any, fmt: str) -> str:
    """A figure as printed: counts as integers, the rest with two decimals."""
    if v is None:
        return ""
    return f"{int(v):,}" if fmt == "int" else f"{v:,.2f}"


def signed(v: Any, fmt: str) -> str:
    """A change, with its sign: counts as integers (+855, never +855.00)."""
    if v is None:
        return ""
    return f"{int(v):+,}" if fmt == "int" else f"{v:+,.2f}"


def title(d: ReportData, section: str | None = None) -> str:
    whole = f"{d.area}融合党建{quarter_zh(d.period)}通报"
    return whole if section is None else f"{whole} · {section}"


def missing(row: dict[str, Any]) -> str:
    """What the unit did not file (缺报): why an incomplete unit has no C, F, quadrant or rank."""
    if not row["scored"]:
        return "本季度未报送任何报表"
    return row["missing_zh"] or "无"


def determination_text(d: ReportData) -> str:
    """The latest annual determination (认定) in one sentence, or why there is none yet."""
    if d.weak_year is None:
        return "年度认定每年第四季度作出；数据仓库中尚无可用的第四季度，暂无认定结果"
    years = d.weak_years
    counts = {s: int((years["status"] == s).sum()) for s in ("new", "continuing", "rectified")}
    text = (
        f"{d.weak_year}年度认定：认定{years.height}个村，其中薄弱村{int(years['weak'].sum())}个"
        f"（新增{counts['new']}个、持续{counts['continuing']}个），"
        f"已脱薄{counts['rectified']}个"
    )
    if "first_year" in years.columns and bool(years["first_year"].any()):
        text += f"；数据仓库中无{d.weak_year - 1}年度认定可比，本年度薄弱村均记为新增"
    return text


def correlation_note(row: dict[str, Any]) -> str:
    """A plain-language reading of the level's correlation, with a caution when n < 10."""
    n = int(row.get("units") or 0)
    r = row.get("corr_party_development")
    if r is None:
        return "单位数不足或得分无差异，无法计算相关系数"
    strength = (
        "较强"
        if abs(r) >= 0.6
        else "中等"
        if abs(r) >= 0.3
        else "较弱"
        if abs(r) >= 0.1
        else "几乎无"
    )
    sign = "正" if r > 0 else "负"
    text = f"党建与发展{strength}{sign}相关" if strength != "几乎无" else "党建与发展几乎无线性相关"
    if n < SMALL_SAMPLE:
        text += f"；仅{n}个单位，样本太少，相关系数很不稳定，只作参考，不宜据此下结论"
    return text


def quality_counts(d: ReportData) -> list[dict[str, Any]]:
    """数据质量's summary: label and count (None: the warehouse keeps no such table yet)."""
    from .facts import quarantined_reports

    q = quarantined_reports(d)
    rows: list[dict[str, Any]] = [
        {"label": "被隔离的报表（份）", "count": q.height},
        {"label": "报表被隔离的单位", "count": q["unit_code"].n_unique() if q.height else 0},
        {"label": "无法处理的文件（整份）", "count": d.quarantine_files["path"].n_unique()},
        {"label": "给填报单位的问题说明（条）", "count": d.problems.height},
    ]
    rows += [{"label": label, "count": d.checks.get(key)} for key, label in CHECKS]
    return rows


def totals_note(d: ReportData) -> str:
    """Which units' economy reports the city's totals lack this quarter ("" when none).

    A city total (地区生产总值, 居民储蓄存款余额, 村集体经营性收入) sums the reports that
    loaded: without a county's it is not comparable with 上季度 or 上年同期, and says so.
    """
    lacking = d.units.filter(
        ~pl.col("scored").fill_null(False)
        | pl.col("missing_kinds").list.contains("economy").fill_null(False)
    )
    counties = lacking.filter(pl.col("level") == "county").sort("unit_code")["name"].to_list()
    villages = lacking.filter(pl.col("level") == "village").height
    parts = []
    if counties:
        parts.append(
            f"{'、'.join(counties)}本季度未报经济指标季报，地区生产总值及其增速、"
            f"居民储蓄存款余额的{d.whole}合计不含其数"
        )
    if villages:
        parts.append(f"{villages:,}个村（社区）未报经济指标季报，村集体经营性收入合计不含其数")
    if not parts:
        return ""
    return "注：" + "；".join(parts) + "，与上季度、上年同期比较时口径不同。"
