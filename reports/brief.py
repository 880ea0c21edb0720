"""The assessment as one self-contained HTML page (the brief for leaders and counties).

Its body is what a leader reads in a few minutes, on at most eight printed pages: the
quarter in words (the 通报's 总体情况, :mod:`reports.document_text`), the figures, the
county ranking, per-county summaries and the charts. The lists behind them are annexes
after it (:mod:`reports.brief_review`). The page loads nothing: its style is inline, its
charts are inline SVG rendered by vl-convert (:mod:`reports.charts`), and a
Content-Security-Policy forbids any fetch.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from transforms.shown import legible_value

from . import brief_levels as levels
from . import charts, groups
from .brief_levels import band, change, quadrant
from .brief_review import (
    annex_list,
    filing,
    project_counties,
    projects,
    quality,
    quarantined_list,
    rejected_files,
)
from .compare import blank_notes, reporting_units, summary_rows
from .data import ReportData
from .document_text import overview
from .labels import (
    LEVEL_UNITS_ZH,
    QUADRANTS,
    quarter_zh,
)
from .linkage_text import linkage_sentences
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


def _lead(d: ReportData) -> list[str]:
    """The quarter in words: the 通报's 总体情况, paragraph for paragraph."""
    return [p.text for p in overview(d)]


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
                # 新: ranked now and not before; an unranked unit shows no change
                "change": change(r["rank_change"], r["rank_in_level"] is not None),
                "missing": missing(r),
                "band": band(r["rank_in_level"], worst),
            }
        )
    return out


CARDS = 12  # more county-level units than this (a province): no scorecards
BODY_COUNTIES = 10  # a province's county ranking: its first and last ten in the body


def _bar_counties(d: ReportData) -> pl.DataFrame:
    """The county bars: every one in a city, the first and last ten in a province."""
    c = d.counties
    n = d.ranked("county")
    if c.height <= CARDS:
        return c
    rank = pl.col("rank_in_level")
    return c.filter((rank <= BODY_COUNTIES) | (rank > n - BODY_COUNTIES))


def _counties_body(counties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The county rows the body shows: all in a city; the first and last ten ranked in a
    province (every one in an annex)."""
    if len(counties) <= CARDS:
        return counties
    ranked = [c for c in counties if c["rank"] != ""]
    return ranked[:BODY_COUNTIES] + ranked[-BODY_COUNTIES:]


def _cards(d: ReportData, counties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(counties) > CARDS:
        return []
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
        names = weak["full_name"].to_list()
        shown = "、".join(names[:4]) + (f"等{len(names)}个" if len(names) > 4 else "")
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
        "county_bars": charts.to_svg(charts.county_bars(_bar_counties(d))),
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
            link,
        )
        many = d.level(lv).height > charts.POINTS
        how = "每格颜色为单位数" if many else "每点一个单位"
        scatters.append(
            (
                lv,
                f"图{i}　{LEVEL_UNITS_ZH[lv]}党建得分P与发展得分D（{how}；虚线为中位数）",
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
    body = _counties_body(counties)
    annexes = annex_list(d, len(body) < len(counties))
    svgs, scatters = _charts(d)
    village_counties, village_extremes = levels.villages(d)
    weak_lead, weak_rows = levels.weak(d)
    quality_lead, reasons, problems = quality(d)
    unit_rows = [
        {k: v if k == "level" else num(v, "int") for k, v in r.items()} for r in reporting_units(d)
    ]
    return template.render(
        d=d,
        q=quarter_zh,
        heading=title(d),
        sections=SECTIONS,
        annexes=annexes,
        annex_no={key: no for key, no, _ in annexes},
        annex_title={key: title for key, _, title in annexes},
        group_label=groups.label(d),
        lead=_lead(d),
        kpis=_kpis(d, summary_rows),
        summary_rows=summary_rows,
        totals_note=totals_note(d),
        blank_notes=blank_notes(d),
        unit_rows=unit_rows,
        charts=svgs,
        counties=counties,
        counties_body=body,
        cards=_cards(d, counties),
        township_summary=levels.township_summary(d),
        township_extremes=levels.township_extremes(d),
        township_groups=levels.townships(d),
        village_counties=village_counties,
        village_extremes=village_extremes,
        weak_lead=weak_lead,
        weak_counties=levels.weak_counties(d),
        weak_rows=weak_rows,
        weak_year="" if d.weak_year is None else f"（{d.weak_year}年）",
        determination=determination_text(d),
        linkage_lead=linkage_sentences(d),
        linkage_rows=_linkage(d),
        scatters=scatters,
        filing=filing(d),
        quality_lead=quality_lead,
        reasons=reasons,
        quarantined=quarantined_list(d),
        problems=problems,
        quality_counts=quality_counts(d),
        rejected=rejected_files(d),
        projects=projects(d),
        project_counties=project_counties(d),
        css=Markup(_template("brief.css")),
    )


def write_brief(d: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_brief(d), encoding="utf-8")
    return path
