"""The brief's charts: Altair (Vega-Lite) specifications rendered to inline SVG by vl-convert.

No script runs in the page: vl-convert renders each chart to SVG here, with text kept
as text so the browser draws it in the page's CJK font.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc

from .labels import QUADRANTS_ZH

FONT = (
    "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
)
RED = "#C00000"
QUADRANT_COLOURS = {
    "双强": "#C00000",
    "党建领先": "#E46C0A",
    "发展领先": "#2E75B6",
    "双弱": "#7F7F7F",
}


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(stroke=None)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as one ``<svg>`` element (no XML declaration)."""
    svg: str = vlc.vegalite_to_svg(_config(chart).to_dict())
    return svg[svg.index("<svg") :]


def county_bars(counties: pl.DataFrame) -> alt.TopLevelMixin:
    """Composite score C of every ranked county-level unit, best first."""
    data = counties.filter(pl.col("composite_score").is_not_null()).select(
        pl.col("name").alias("单位"),
        pl.col("composite_score").round(2).alias("综合得分C"),
        pl.col("rank_in_level").alias("排名"),
    )
    base = alt.Chart(data.to_pandas()).encode(
        y=alt.Y("单位:N", sort=alt.SortField("排名"), title=None),
        x=alt.X("综合得分C:Q", scale=alt.Scale(domain=[0, 100]), title="综合得分C"),
    )
    bars = base.mark_bar(color=RED)
    labels = base.mark_text(align="left", dx=3, fontSize=11).encode(
        text=alt.Text("综合得分C:Q", format=".2f")
    )
    return (bars + labels).properties(width=520, height=24 * max(data.height, 1))


def pd_scatter(
    frame: pl.DataFrame, median_p: float | None, median_d: float | None, label: str
) -> alt.TopLevelMixin:
    """P against D for one level's ranked units, with the median lines (the quadrants)."""
    data = frame.filter(
        pl.col("party_score").is_not_null()
        & pl.col("development_score").is_not_null()
        & pl.col("quadrant").is_not_null()
    ).select(
        pl.col("name").alias("单位"),
        pl.col("party_score").round(2).alias("党建得分P"),
        pl.col("development_score").round(2).alias("发展得分D"),
        pl.col("quadrant").replace_strict(QUADRANTS_ZH, default=None).alias("象限"),
    )
    points = (
        alt.Chart(data.to_pandas())
        .mark_circle(size=60 if data.height < 50 else 14, opacity=0.8)
        .encode(
            x=alt.X("党建得分P:Q", scale=alt.Scale(zero=False), title="党建得分P"),
            y=alt.Y("发展得分D:Q", scale=alt.Scale(zero=False), title="发展得分D"),
            color=alt.Color(
                "象限:N",
                scale=alt.Scale(
                    domain=list(QUADRANT_COLOURS), range=list(QUADRANT_COLOURS.values())
                ),
                legend=alt.Legend(title="象限", orient="bottom"),
            ),
        )
    )
    layers: list[Any] = [points]
    if median_p is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"P中位数": [median_p]}).to_pandas())
            .mark_rule(strokeDash=[5, 4], color="#555555")
            .encode(x="P中位数:Q")
        )
    if median_d is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"D中位数": [median_d]}).to_pandas())
            .mark_rule(strokeDash=[5, 4], color="#555555")
            .encode(y="D中位数:Q")
        )
    if data.height < 20:
        layers.append(
            alt.Chart(data.to_pandas())
            .mark_text(align="left", dx=6, dy=-6, fontSize=11)
            .encode(x="党建得分P:Q", y="发展得分D:Q", text="单位:N")
        )
    return alt.layer(*layers).properties(width=300, height=260, title=label)


def weak_trend(trend: pl.DataFrame) -> alt.TopLevelMixin:
    """The number of early-warning villages in each loaded quarter."""
    data = trend.select(pl.col("period").alias("季度"), pl.col("weak_villages").alias("预警村数"))
    base = alt.Chart(data.to_pandas()).encode(
        x=alt.X("季度:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("预警村数:Q", scale=alt.Scale(zero=True), title="预警村数"),
    )
    return alt.layer(
        base.mark_line(color=RED, point=alt.OverlayMarkDef(color=RED, size=50)),
        base.mark_text(dy=-10, fontSize=11).encode(text="预警村数:Q"),
    ).properties(width=520, height=220)
