"""The 通报's body in sentences: 一、总体情况 and 二、先进与后进 here, 三、存在问题 and
四、下步工作 in :mod:`reports.document_issues`; :func:`body` puts them together.

Every sentence is built from the warehouse's figures and names (:mod:`reports.facts`); a
sentence whose figures the quarter lacks is left out, never written with a blank. How
many names a list carries is a :class:`Caps` setting, so that the body can be fitted to
its four pages (:func:`reports.document.fit_body`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from . import facts
from .compare import summary_rows
from .data import ReportData
from .document_issues import next_steps, problems
from .document_words import Caps, Para, Section, change, joined, n0, numbered, score
from .labels import LEVEL_UNITS_ZH
from .linkage_text import linkage_sentences


def _scored(rows: Sequence[dict[str, Any]]) -> str:
    return "、".join(f"{r['full_name']}（{score(r['composite_score'])}）" for r in rows)


def _lacking_economy(d: ReportData, level: str) -> list[str]:
    units = d.level(level).filter(
        ~pl.col("scored").fill_null(False)
        | pl.col("missing_kinds").list.contains("economy").fill_null(False)
    )
    return units.sort("unit_code")["full_name"].to_list()


# ------------------------------------------------------------------ 一、总体情况


def overview(d: ReportData) -> list[Para]:
    rows = {r["key"]: r for r in summary_rows(d)}
    out = [Para(_filing_sentence(d))]
    party = _party_sentence(d.whole, rows)
    if party:
        out.append(Para(party))
    economy = _economy_sentence(d, rows)
    if economy:
        out.append(Para(economy))
    link = "".join(linkage_sentences(d))
    if link:
        out.append(Para(link))
    return out


def _filing_sentence(d: ReportData) -> str:
    ranked = "、".join(
        f"{n0(d.ranked(lv))}个{LEVEL_UNITS_ZH[lv]}"
        for lv in ("county", "township", "village")
        if d.ranked(lv)
    )
    return (
        f"本季度{d.whole}应报单位{n0(d.units.height)}个，{n0(d.scored_units())}个单位报送季报，"
        f"其中党建督导、经济指标季报均已入库的{n0(d.complete_units())}个"
        + (f"；{ranked}参与综合排名。" if ranked else "，尚无单位参与综合排名。")
    )


def _party_sentence(whole: str, rows: dict[str, dict[str, Any]]) -> str:
    """Counts at the quarter's end, with their change since the previous quarter."""
    items = [
        (name, rows[key], unit)
        for key, name, unit in (
            ("party_orgs", "基层党组织", "个"),
            ("party_members", "党员", "名"),
            ("secretary_projects", "书记项目", "个"),
        )
        if rows.get(key) and rows[key]["cur"] is not None
    ]
    if not items:
        return ""
    text = whole + "、".join(f"{name}{n0(r['cur'])}{unit}" for name, r, unit in items)
    if all(r["d_prev"] == 0 for _, r, _ in items):
        text += "，均与上季度持平"
    elif all(r["d_prev"] is not None for _, r, _ in items):
        text += "，较上季度分别" + "、".join(change(r["d_prev"], u) for _, r, u in items)
    new = rows.get("new_members")
    if new and new["cur"] is not None:
        text += f"；本季度发展党员{n0(new['cur'])}名"
        if new["d_ago"] is not None:
            text += f"，较上年同期{change(new['d_ago'], '名')}"
    text += "。"
    orgs = [
        f"{name}{n0(rows[key]['cur'])}个"
        for key, name in (
            ("new_park_orgs", "园区统筹型"),
            ("new_business_district_orgs", "商圈统筹型"),
            ("new_village_enterprise_orgs", "村企统筹型"),
        )
        if rows.get(key) and rows[key]["cur"]
    ]
    if orgs:
        text += "本年累计新组建" + "、".join(orgs) + "党组织。"
    return text


def _economy_sentence(d: ReportData, rows: dict[str, dict[str, Any]]) -> str:
    counties = _lacking_economy(d, "county")
    villages = len(_lacking_economy(d, "village"))
    parts = []
    gdp, growth = rows.get("gdp"), rows.get("gdp_growth_pct")
    if gdp and gdp["cur"] is not None:
        text = f"县级地区生产总值累计{gdp['cur']:,.2f}亿元"
        if growth and growth["cur"] is not None:
            text += f"，加权平均增速{growth['cur']:.2f}%"
        parts.append(text)
    savings = rows.get("savings_balance")
    if savings and savings["cur"] is not None:
        text = f"居民储蓄存款余额{savings['cur']:,.2f}亿元"
        if not counties and savings["d_ago"] is not None:
            text += f"，较上年同期{change(savings['d_ago'], '', '增加', '减少')}亿元"
        parts.append(text)
    income = rows.get("collective_income")
    if income and income["cur"] is not None:
        text = f"村集体经营性收入累计{income['cur']:,.2f}万元"
        if not villages and income["pct_ago"] is not None:
            text += f"，较上年同期{'增长' if income['pct_ago'] >= 0 else '下降'}"
            text += f"{abs(income['pct_ago']):.1f}%"
        parts.append(text)
    if not parts:
        return ""
    text = "；".join(parts) + "。"
    lacking = []
    if counties:
        lacking.append(f"{joined(counties)}未报经济指标季报，县级合计不含其数")
    if villages:
        lacking.append(f"{n0(villages)}个村（社区）未报经济指标季报，村级合计不含其数")
    if lacking:
        text += "其中" + "；".join(lacking) + "，不作同比。"
    return text


# ------------------------------------------------------------------ 二、先进与后进


def leaders(d: ReportData, caps: Caps) -> list[Para]:
    return numbered(
        [
            (LEVEL_UNITS_ZH[lv], _level_ranking(d, lv, n, caps))
            for lv, n in (
                ("county", caps.counties),
                ("township", caps.townships),
                ("village", caps.villages),
            )
        ]
    )


def _level_ranking(d: ReportData, level: str, n: int, caps: Caps) -> str:
    top, _ = facts.extremes(d, level, n)
    _, bottom = facts.extremes(d, level, max(1, n - 1))
    if not top:
        return ""
    text = f"{n0(d.ranked(level))}个参与排名，综合得分" + (
        f"前{len(top)}名依次为{_scored(top)}" if len(top) > 1 else f"第1名为{_scored(top)}"
    )
    text += f"，后{len(bottom)}名为" if len(bottom) > 1 else "，末位为"
    text += _scored(bottom) + "。"
    if level != "village":
        up, down = facts.movers(d, level, caps.movers)
        moved = []
        if up:
            moved.append(
                "上升较多的有"
                + "、".join(f"{r['full_name']}（{n0(r['rank_change'])}位）" for r in up)
            )
        if down:
            moved.append(
                "下降较多的有"
                + "、".join(f"{r['full_name']}（{n0(-r['rank_change'])}位）" for r in down)
            )
        if moved:
            text += "与上季度相比，" + "；".join(moved) + "。"
    missing = facts.unranked(d, level)
    if missing:
        shown = missing[: max(caps.names, 1)]
        kinds = {r["missing_zh"] for r in missing}
        what = kinds.pop() if len(kinds) == 1 else "部分季报"
        text += f"{joined([r['full_name'] for r in shown], len(missing))}缺报{what}，未参与排名。"
    return text


def body(d: ReportData, caps: Caps) -> list[Section]:
    """The four sections of the body with the names ``caps`` allows."""
    sections = [
        Section("一、总体情况", tuple(overview(d))),
        Section("二、先进与后进", tuple(leaders(d, caps))),
        Section("三、存在问题", tuple(problems(d, caps))),
        Section("四、下步工作", tuple(next_steps(d, caps))),
    ]
    return sections
