"""The 通报's 三、存在问题 and 四、下步工作, in sentences built from the warehouse's figures.

存在问题: the weak villages (预警 and the year's 认定), what was not filed or came late,
the "两张皮" units (党建领先 and 发展领先), the reports returned and the figures to be
confirmed. 下步工作 follows from the same figures and the rules: the villages to
rectify, the reports to chase with the next quarter's deadlines, the flags to explain,
the units to supervise. No sentence is written without a figure behind it.
"""

from __future__ import annotations

import polars as pl

from transforms.periods import next_period

from . import facts
from .data import ReportData
from .document_words import WEAK, Caps, Para, change, due_date, joined, n0, numbered
from .labels import LEVEL_UNITS_ZH, REPORT_KINDS_ZH, quarter_zh

# ------------------------------------------------------------------ 三、存在问题


def problems(d: ReportData, caps: Caps) -> list[Para]:
    return numbered(
        [
            ("薄弱村", weak_text(d, caps)),
            ("报送", filing_text(d, caps)),
            ("党建与发展不同步", two_skins_text(d, caps)),
            ("数据质量", quality_text(d, caps)),
        ]
    )


def weak_text(d: ReportData, caps: Caps) -> str:
    w = d.weak
    if w.height == 0 and d.weak_year is None:
        return ""
    trend = {t["period"]: t["weak_villages"] for t in d.weak_trend.to_dicts()}
    text = f"本季度预警{WEAK}{n0(w.height)}个"
    if d.previous in trend:
        text += f"，较上季度{change(w.height - trend[d.previous], '个')}"
    if w.height:
        text += (
            f"，其中年化村集体经营性收入低于{d.income_line:g}万元的"
            f"{n0(w['low_income'].sum())}个、党建得分低于{d.party_line:g}分的"
            f"{n0(w['low_party_score'].sum())}个"
        )
        most = facts.per_county(w, min(caps.counties, 2))
        if len(most) > 1:
            text += "，" + "、".join(f"{c}{k}个" for c, k in most) + "较多"
    text += "。"
    if d.weak_year is not None:
        status = d.weak_years["status"]
        cont = d.weak_years.filter(status == "continuing").sort("county_code", "unit_code")
        text += (
            f"{d.weak_year}年度认定{WEAK}{n0(d.weak_years['weak'].sum())}个"
            f"（新增{n0((status == 'new').sum())}个、连续两年{n0(cont.height)}个），"
            f"已脱薄{n0((status == 'rectified').sum())}个"
        )
        if "first_year" in d.weak_years.columns and bool(d.weak_years["first_year"].any()):
            text += f"（无{d.weak_year - 1}年度认定可比，均记为新增）"
        if cont.height and caps.names:
            shown = cont["full_name"].head(min(caps.names, 3)).to_list()
            text += f"；连续两年认定的有{joined(shown, cont.height)}"
        text += "。"
    return text


def filing_text(d: ReportData, caps: Caps) -> str:
    f = facts.filing(d)
    text = f"本季度应报党建督导、经济指标季报{n0(f.owed)}份，已入库{n0(f.loaded)}份"
    if f.late:
        text += f"（逾期入库{n0(f.late)}份）"
    if not f.overdue:
        return text + "，应报季报已全部入库。"
    missing = int((f.not_in["status"] == "missing").sum())
    shown = [
        f"{r['unit_full']}{REPORT_KINDS_ZH[r['kind']]}"
        for r in f.not_in.head(caps.names).to_dicts()
    ]
    kinds = [f"未报送{n0(missing)}份"] if missing else []
    if f.overdue - missing:
        kinds.append(f"退回未重报{n0(f.overdue - missing)}份")
    text += f"；截至通报生成仍有{n0(f.overdue)}份未入库（{'、'.join(kinds)}）"
    return text + (f"，即{joined(shown, f.overdue, '份')}。" if shown else "。")


def _pd(r: dict[str, object]) -> str:
    return f"{r['full_name']}（党建{r['party_score']:.2f}分、发展{r['development_score']:.2f}分）"


def two_skins_text(d: ReportData, caps: Caps) -> str:
    """党建领先 (P at or above the level's median, D below) and 发展领先, counted; the
    county-level ones named, and the townships with the widest gap."""
    parts = []
    county = facts.two_skins(d, "county")
    lead, econ = county["party_leads"], county["economy_leads"]
    if lead.height + econ.height:
        named = [
            f"{n}个（{joined(shown, f.height)}）"
            if (shown := f["full_name"].head(caps.counties - 1).to_list())
            else f"{n}个"
            for n, f in ((lead.height, lead), (econ.height, econ))
        ]
        parts.append(f"县（市、区）党建领先、发展滞后的{named[0]}，发展领先、党建滞后的{named[1]}")
    towns = facts.two_skins(d, "township")
    t_lead, t_econ = towns["party_leads"], towns["economy_leads"]
    if t_lead.height + t_econ.height:
        text = f"镇（街道）分别为{n0(t_lead.height)}个、{n0(t_econ.height)}个"
        worst = pl.concat([t_lead, t_econ]).sort("gap", "unit_code", descending=[True, False])
        text += "，差距最大的是" + "、".join(_pd(r) for r in worst.head(caps.movers).to_dicts())
        parts.append(text)
    village = d.linkage_row("village")
    if village and village.get("units"):
        parts.append(
            f"村（社区）分别为{n0(village['party_leads'])}个、{n0(village['economy_leads'])}个"
        )
    return "；".join(parts) + "。" if parts else ""


def quality_text(d: ReportData, caps: Caps) -> str:
    reports = facts.quarantined_reports(d)
    flags = facts.flags(d)
    parts = []
    if reports.height:
        reasons = facts.reason_counts(d)[: max(caps.movers, 1)]
        text = (
            f"{n0(reports.height)}份报表因数据问题被退回（不入库、不计分），涉及"
            f"{n0(reports['unit_code'].n_unique())}个单位，主要原因是"
            + "、".join(f"{r}（{k}份）" for r, k in reasons)
        )
        returned = facts.filing(d).returned.height
        if returned:
            text += f"，其中{n0(returned)}份为更正版本被退回、原报表仍计分"
        parts.append(text)
    if flags.total:
        text = f"需核实的数据{n0(flags.total)}条，已说明{n0(flags.explained)}条"
        if flags.open:
            units = flags.unexplained
            text += f"，{n0(flags.open)}条未说明，涉及{n0(units.height)}个单位"
        parts.append(text)
    files = d.quarantine_files["path"].n_unique() if d.quarantine_files.height else 0
    if files:
        parts.append(f"无法读取的文件{n0(files)}个")
    return "；".join(parts) + "。" if parts else ""


# ------------------------------------------------------------------ 四、下步工作


def next_steps(d: ReportData, caps: Caps) -> list[Para]:
    return numbered(
        [
            ("抓好薄弱村整改", rectify_text(d)),
            ("抓好按时报送", chase_text(d)),
            ("抓好数据核实", confirm_text(d, caps)),
            ("推动党建与发展融合", fuse_text(d, caps)),
        ]
    )


def rectify_text(d: ReportData) -> str:
    w = d.weak
    if not w.height:
        return ""
    text = (
        f"预警的{n0(w.height)}个{WEAK}逐村制定整改措施，收入低于预警线的"
        f"{n0(w['low_income'].sum())}个着重发展集体经济，党建得分低于预警线的"
        f"{n0(w['low_party_score'].sum())}个着重补齐组织短板"
    )
    if d.weak_year is not None:
        cont = int((d.weak_years["status"] == "continuing").sum())
        if cont:
            text += f"；连续两年认定的{n0(cont)}个由县（市、区）委组织部挂牌督办"
    return text + "。"


def chase_text(d: ReportData) -> str:
    f = facts.filing(d)
    nxt = next_period(d.period)
    due = "、".join(  # the first date with its year: a fourth quarter's fall in January
        f"{LEVEL_UNITS_ZH[lv]}于{due_date(nxt, days, year=i == 0)}"
        for i, (lv, days) in enumerate(sorted(d.deadlines.items(), key=lambda kv: kv[1]))
    )
    text = ""
    if f.overdue:
        text = (
            f"督促{n0(f.not_in['unit_code'].n_unique())}个单位补报未入库的{n0(f.overdue)}份季报，"
            "被退回的按回执所列问题更正后重报；"
        )
    return text + f"{quarter_zh(nxt)}季报请{due}前报送。"


def confirm_text(d: ReportData, caps: Caps) -> str:
    flags = facts.flags(d)
    if not flags.open:
        return ""
    units = flags.unexplained
    shown = units["unit_full"].head(min(caps.names, 3)).to_list()
    who = joined(shown, units.height) if shown else f"{n0(units.height)}个"
    return f"{who}单位对未说明的{n0(flags.open)}条核实性提示逐条说明或更正，随下季度季报报送。"


def fuse_text(d: ReportData, caps: Caps) -> str:
    towns = facts.two_skins(d, "township")
    both = pl.concat([towns["party_leads"], towns["economy_leads"]])
    if not both.height:
        return ""
    worst = both.sort("gap", "unit_code", descending=[True, False])
    shown = worst["full_name"].head(max(caps.movers, 1)).to_list()
    return (
        f"对党建与发展不同步的{n0(both.height)}个镇（街道）逐一分析原因，"
        f"差距最大的{'、'.join(shown)}作为下季度督导重点。"
    )
