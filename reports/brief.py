"""The assessment as one self-contained HTML page (the brief for leaders and counties).

The page loads nothing: its style is inline, its charts are inline SVG rendered by
vl-convert (:mod:`reports.charts`), and a Content-Security-Policy forbids any fetch.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup, escape

from transforms.shown import legible_value

from . import charts
from .brief_review import filing, projects, quality, rejected_files
from .compare import reporting_units, summary_rows
from .data import ReportData
from .labels import (
    LEVEL_UNITS_ZH,
    QUADRANTS,
    QUADRANTS_ZH,
    quarter_zh,
)
from .text import (
    correlation_note,
    determination_text,
    f2,
    missing,
    num,
    quality_counts,
    signed,
    title,
    totals_note,
)

SECTIONS = (
    ("summary", "概况"),
    ("counties", "县区排名"),
    ("townships", "镇街排名"),
    ("villages", "村社区"),
    ("weak", "薄弱村"),
    ("linkage", "联动分析"),
    ("filing", "报送情况"),
    ("quality", "数据质量"),
    ("projects", "书记项目"),
)
CHARTS = ("county-bars", "weak-trend", "scatter-county", "scatter-township", "scatter-village")


def change(v: Any, had_rank: bool = True) -> Markup:
    """Rank change as ↑n / ↓n / —, coloured."""
    if v is None:
        return Markup('<span class="note">新</span>') if had_rank else Markup("")
    if v > 0:
        return Markup(f'<span class="up">↑{int(v)}</span>')
    if v < 0:
        return Markup(f'<span class="down">↓{-int(v)}</span>')
    return Markup("—")


def quadrant(code: str | None) -> Markup:
    if code is None:
        return Markup("")
    return Markup(
        f'<span class="tag q-{escape(code)}">{escape(QUADRANTS_ZH.get(code, code))}</span>'
    )


def _band(rank: Any, worst: int, n: int = 3) -> str:
    if rank is None:
        return ""
    return "top" if rank <= n else "bottom" if rank > worst - n else ""


def _summary(d: ReportData) -> list[dict[str, str]]:
    """The 概况 rows as text; which comparisons a row has follows :mod:`reports.compare`."""
    out = []
    for r in summary_rows(d):
        fmt = r["fmt"]
        shown = {k: num(r[k], fmt) for k in ("cur", "prev", "ago", "q_cur", "q_prev")}
        shown |= {k: signed(r[k], fmt) for k in ("d_prev", "d_ago", "d_q")}
        pct = r["pct_ago"]
        out.append(
            {
                **shown,
                "key": r["key"],
                "label": r["label"],
                "kind": r["kind"],
                "pct_ago": "" if pct is None else f"{pct:+.1f}%",
            }
        )
    return out


def _kpis(d: ReportData, rows: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    by_key = {r["key"]: r for r in rows}
    picks = ("units_reporting", "party_members", "secretary_projects", "weak_villages")
    out = []
    for key in picks:
        r = by_key[key]
        label = r["label"]
        out.append(
            {
                "label": label,
                "value": r["cur"],
                "delta": f"较上季度 {r['d_prev']}" if r["d_prev"] else "",
            }
        )
    return out


def _lead(d: ReportData) -> str:
    cur = d.summary[d.period] or {}
    top = d.counties.filter(pl.col("rank_in_level") == 1)["name"].to_list()
    parts = [f"本季度全市{cur.get('units_reporting', 0):,}个单位报送党建督导季报"]
    parts.append(
        f"{d.ranked('county')}个县（市、区）、{d.ranked('township')}个镇（街道）、"
        f"{d.ranked('village')}个村（社区）参与排名"
    )
    if top:
        parts.append(f"县级综合得分第一为{'、'.join(top)}")
    parts.append(f"薄弱村预警{d.weak.height}个")
    return "；".join(parts) + "。"


def _counties(d: ReportData) -> list[dict[str, Any]]:
    worst = d.ranked("county")
    out = []
    for r in d.counties.to_dicts():
        out.append(
            {
                "code": r["unit_code"],
                "rank": r["rank_in_level"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "k": "" if r["coefficient"] is None else f"{r['coefficient']:.3f}",
                "c": f2(r["composite_score"]),
                "f": f2(r["fusion"]),
                "quadrant": quadrant(r["quadrant"]),
                "change": change(
                    r["rank_change"],
                    r["previous_rank_in_level"] is not None or r["rank_in_level"] is not None,
                ),
                "missing": missing(r),
                "band": _band(r["rank_in_level"], worst),
            }
        )
    return out


def _cards(d: ReportData, counties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    towns = d.level("township")
    out = []
    for c in counties:
        mine = towns.filter(pl.col("county_code") == c["code"])
        cs = [float(v) for v in mine["composite_score"].drop_nulls().to_list()]
        spread = (
            f"{mine.height}个，综合得分 {min(cs):.2f}–{max(cs):.2f}，"
            f"中位数 {statistics.median(cs):.2f}"
            if cs
            else f"{mine.height}个，无综合得分"
        )
        weak = d.weak.filter(pl.col("county_code") == c["code"])
        names = weak["name"].to_list()
        shown = "、".join(names[:12]) + (f"等{len(names)}个" if len(names) > 12 else "")
        out.append(
            {
                **c,
                "rank": f"第{c['rank']}名" if c["rank"] else "未排名",
                "spread": spread,
                "weak_count": len(names),
                "weak_names": shown,
            }
        )
    return out


def _townships(d: ReportData) -> list[dict[str, Any]]:
    worst = d.ranked("township")
    groups: list[dict[str, Any]] = []
    for r in d.townships.to_dicts():
        if not groups or groups[-1]["code"] != r["county_code"]:
            groups.append({"code": r["county_code"], "county": r["county_name"], "rows": []})
        groups[-1]["rows"].append(
            {
                "rank_parent": r["rank_in_parent"] or "",
                "rank": r["rank_in_level"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "c": f2(r["composite_score"]),
                "quadrant": quadrant(r["quadrant"]),
                "change": change(r["rank_change_in_parent"], r["rank_in_parent"] is not None),
                "missing": "" if r["complete"] else missing(r),
                "band": _band(r["rank_in_level"], worst, 10),
            }
        )
    return groups


def _villages(
    d: ReportData,
) -> tuple[list[dict[str, Any]], list[tuple[str, list[dict[str, Any]], str]]]:
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
        .sort("county_code")
    )
    counties = [
        {
            "county": r["county_name"],
            "units": r["units"],
            "scored": r["scored"],
            "ranked": r["ranked"],
            "median_c": f2(r["median_c"]),
            "weak": r["len"] or 0,
        }
        for r in per.to_dicts()
    ]
    ranked = v.filter(pl.col("rank_in_level").is_not_null()).sort("rank_in_level", "unit_code")

    def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "rank": r["rank_in_level"],
                "county": r["county_name"],
                "township": r["township_name"] or "",
                "name": r["name"],
                "p": f2(r["party_score"]),
                "d": f2(r["development_score"]),
                "c": f2(r["composite_score"]),
            }
            for r in frame.to_dicts()
        ]

    extremes = [
        ("全市前十名", rows(ranked.head(10)), "top"),
        ("全市后十名", rows(ranked.tail(10)), "bottom"),
    ]
    return counties, extremes


def _weak(d: ReportData) -> tuple[str, list[dict[str, Any]]]:
    trend = d.weak_trend.to_dicts()
    prev = next((t["weak_villages"] for t in trend if t["period"] == d.previous), None)
    lead = (
        f"按预警线（年化村集体经营性收入低于{d.income_line:g}万元，或党建得分低于{d.party_line:g}分）"
        f"本季度预警{d.weak.height}个村"
    )
    if prev is not None:
        lead += f"，上季度{prev}个（{d.weak.height - prev:+d}）"
    low_income, low_party = int(d.weak["low_income"].sum()), int(d.weak["low_party_score"].sum())
    lead += f"；其中收入低于预警线{low_income}个，党建得分低于预警线{low_party}个。"
    rows = [
        {
            "county": r["county_name"],
            "township": r["township_name"],
            "name": r["name"],
            "income": f2(r["collective_income_annualised"]),
            "p": f2(r["party_score"]),
            "lines": r["lines_crossed"],
            "determination": r["determination"] or "",
        }
        for r in d.weak.to_dicts()
    ]
    return lead, rows


def _linkage(d: ReportData) -> list[dict[str, Any]]:
    out = []
    for lv in ("county", "township", "village"):
        row = d.linkage_row(lv) or {"units": 0}
        r, rn = row.get("corr_party_development"), row.get("corr_party_development_next")
        out.append(
            {
                "level": LEVEL_UNITS_ZH[lv],
                "units": row.get("units", 0),
                "r": "" if r is None else f"{r:.3f}",
                "note": correlation_note(row),
                "r_next": "下一季度尚未载入" if rn is None else f"{rn:.3f}",
                "mp": f2(row.get("median_party_score")),
                "md": f2(row.get("median_development_score")),
                **{q: row.get(q, 0) for q in QUADRANTS},
            }
        )
    return out


def _charts(d: ReportData) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    svgs = {
        "county_bars": charts.to_svg(charts.county_bars(d.counties)),
        "weak_trend": charts.to_svg(charts.weak_trend(d.weak_trend)),
    }
    scatters = []
    for i, lv in enumerate(("county", "township", "village"), start=3):
        link = d.linkage_row(lv) or {}
        chart = charts.pd_scatter(
            d.level(lv),
            link.get("median_party_score"),
            link.get("median_development_score"),
            LEVEL_UNITS_ZH[lv],
        )
        scatters.append(
            (
                lv,
                f"图{i}　{LEVEL_UNITS_ZH[lv]}党建得分P与发展得分D（虚线为中位数）",
                charts.to_svg(chart),
            )
        )
    return svgs, scatters


def _template(name: str) -> str:
    return (resources.files("reports") / "templates" / name).read_text(encoding="utf-8")


def render_brief(d: ReportData) -> str:
    """The brief's HTML."""
    # every value shown is legible (no bidi override, control characters escaped), then escaped
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=legible_value
    )
    template = env.from_string(_template("brief.html"))
    summary_rows = _summary(d)
    counties = _counties(d)
    svgs, scatters = _charts(d)
    village_counties, village_extremes = _villages(d)
    weak_lead, weak_rows = _weak(d)
    quality_lead, reasons, problems = quality(d)
    unit_rows = [
        {k: v if k == "level" else num(v, "int") for k, v in r.items()} for r in reporting_units(d)
    ]
    return template.render(
        d=d,
        q=quarter_zh,
        heading=title(d),
        sections=SECTIONS,
        lead=_lead(d),
        kpis=_kpis(d, summary_rows),
        summary_rows=summary_rows,
        totals_note=totals_note(d),
        unit_rows=unit_rows,
        charts=svgs,
        counties=counties,
        cards=_cards(d, counties),
        township_groups=_townships(d),
        village_counties=village_counties,
        village_extremes=village_extremes,
        weak_lead=weak_lead,
        weak_rows=weak_rows,
        weak_year="" if d.weak_year is None else f"（{d.weak_year}年）",
        determination=determination_text(d),
        linkage_rows=_linkage(d),
        scatters=scatters,
        filing=filing(d),
        quality_lead=quality_lead,
        reasons=reasons,
        problems=problems,
        quality_counts=quality_counts(d),
        rejected=rejected_files(d),
        projects=projects(d),
        css=Markup(_template("brief.css")),
    )


def write_brief(d: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_brief(d), encoding="utf-8")
    return path
