"""The brief's charts: Altair (Vega-Lite) specifications rendered to inline SVG by vl-convert.

No script runs in the page: vl-convert renders each chart to SVG here, with text kept
as text so the browser draws it in the page's CJK font.

Charts aggregate as a reader wants them, never one mark per unit where units are many:
the P–D scatter of a level with many units (the villages; the townships of a province)
is a density of 2-point cells, not tens of thousands of dots, so no chart passes
Altair's row limit at any scale. Both axes of a P–D chart share one range, from a round
number below the lowest score to 100, so that the spread of P and of D compare at a
glance; a few points carry their names, placed where they collide with no other.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl
import vl_convert as vlc

from .labels import QUADRANTS, QUADRANTS_ZH
from .plot_labels import place_labels, score_range

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
NAMED_POINTS = 30  # a level with at most this many units has its points named
POINTS = 600  # more units than this: a density of cells instead of points
CELL = 2.0  # a density cell's side, in points of P and D
SIZE = 300  # a P–D chart's side, in pixels
LABEL_FONT = 11


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
    step = max(8, min(24, 480 // max(data.height, 1)))  # a province's hundred stay one page
    base = alt.Chart(data.to_pandas()).encode(
        y=alt.Y("单位:N", sort=alt.SortField("排名"), title=None),
        x=alt.X("综合得分C:Q", scale=alt.Scale(domain=[0, 100]), title="综合得分C"),
    )
    layers: list[Any] = [base.mark_bar(color=RED)]
    if step >= 16:
        layers.append(
            base.mark_text(align="left", dx=3, fontSize=11).encode(
                text=alt.Text("综合得分C:Q", format=".2f")
            )
        )
    return alt.layer(*layers).properties(width=520, height=step * max(data.height, 1))


def _scored(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(
        pl.col("party_score").is_not_null()
        & pl.col("development_score").is_not_null()
        & pl.col("quadrant").is_not_null()
    )


def pd_scatter(
    frame: pl.DataFrame,
    median_p: float | None,
    median_d: float | None,
    label: str,
    counts: dict[str, Any] | None = None,
) -> alt.TopLevelMixin:
    """P against D for one level's ranked units, with the median lines (the quadrants)
    and, above it, how many units each quadrant holds (``counts``: the level's
    ``marts.linkage`` row). Points where units are few (named where at most
    :data:`NAMED_POINTS`), a density where they are many."""
    data = _scored(frame)
    lo, hi = score_range(
        [*data["party_score"].to_list(), *data["development_score"].to_list(), median_p, median_d]
    )
    scale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    x = alt.X("党建得分P:Q", scale=scale, title="党建得分P")
    y = alt.Y("发展得分D:Q", scale=scale, title="发展得分D")
    layers: list[Any] = []
    if data.height > POINTS:
        layers.append(_density(data, lo, hi))
    else:
        layers.append(_points(data, x, y))
    for name, value, channel in (("P中位数", median_p, "x"), ("D中位数", median_d, "y")):
        if value is not None:
            rule = alt.Chart(pl.DataFrame({name: [value]}).to_pandas()).mark_rule(
                strokeDash=[5, 4], color="#555555"
            )
            layers.append(rule.encode(**{channel: alt.X(f"{name}:Q", scale=scale)}))
    if 0 < data.height <= NAMED_POINTS:
        layers.extend(_names(data, lo, hi, scale))
    title = alt.Title(label, subtitle=quadrant_counts(counts) if counts else "")
    return alt.layer(*layers).properties(width=SIZE, height=SIZE, title=title)


def quadrant_counts(counts: dict[str, Any]) -> str:
    """双强 34 · 党建领先 31 · 发展领先 31 · 双弱 33: one line, above the chart."""
    return " · ".join(f"{QUADRANTS_ZH[q]} {int(counts.get(q) or 0):,}" for q in QUADRANTS)


def _points(data: pl.DataFrame, x: alt.X, y: alt.Y) -> alt.Chart:
    frame = data.select(
        pl.col("full_name").alias("单位"),
        pl.col("party_score").round(2).alias("党建得分P"),
        pl.col("development_score").round(2).alias("发展得分D"),
        pl.col("quadrant").replace_strict(QUADRANTS_ZH, default=None).alias("象限"),
    )
    return (
        alt.Chart(frame.to_pandas())
        .mark_circle(size=60 if frame.height <= NAMED_POINTS else 18, opacity=0.8)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "象限:N",
                scale=alt.Scale(
                    domain=list(QUADRANT_COLOURS), range=list(QUADRANT_COLOURS.values())
                ),
                legend=alt.Legend(title="象限", orient="bottom", direction="horizontal"),
            ),
        )
    )


def density(data: pl.DataFrame, lo: float, hi: float, cell: float = CELL) -> pl.DataFrame:
    """Units per cell of P × D (``cell`` points a side): one row per non-empty cell."""
    top = hi - cell  # 100 falls in the last cell, not one of its own

    def corner(col: str) -> pl.Expr:
        return (((pl.col(col).clip(lo, hi) - lo) / cell).floor() * cell + lo).clip(upper_bound=top)

    return (
        data.select(corner("party_score").alias("p0"), corner("development_score").alias("d0"))
        .group_by("p0", "d0")
        .agg(pl.len().alias("单位数"))
        .with_columns((pl.col("p0") + cell).alias("p1"), (pl.col("d0") + cell).alias("d1"))
        .sort("p0", "d0")
    )


def _density(data: pl.DataFrame, lo: float, hi: float) -> alt.Chart:
    cells = density(data, lo, hi)
    scale = alt.Scale(domain=[lo, hi], nice=False, zero=False)
    return (
        alt.Chart(cells.to_pandas())
        .mark_rect()
        .encode(
            x=alt.X("p0:Q", scale=scale, title="党建得分P"),
            x2="p1:Q",
            y=alt.Y("d0:Q", scale=scale, title="发展得分D"),
            y2="d1:Q",
            color=alt.Color(
                "单位数:Q",
                scale=alt.Scale(scheme="reds", type="sqrt"),
                legend=alt.Legend(title="单位数", orient="bottom", direction="horizontal"),
            ),
        )
    )


def _names(data: pl.DataFrame, lo: float, hi: float, scale: alt.Scale) -> list[alt.Chart]:
    """Each point's name where it collides with no other name and no point; a thin line
    back to its point where it had to go further out."""
    points = [
        (r["full_name"], r["party_score"], r["development_score"])
        for r in data.sort("unit_code").to_dicts()
    ]
    placed = place_labels(points, lo, hi, SIZE, LABEL_FONT)
    frame = pl.DataFrame(
        {"单位": [p.text for p in placed], "x": [p.x for p in placed], "y": [p.y for p in placed]}
    )
    x, y = alt.X("x:Q", scale=scale), alt.Y("y:Q", scale=scale)
    layers = [
        alt.Chart(frame.to_pandas())
        .mark_text(align="left", baseline="middle", fontSize=LABEL_FONT)
        .encode(x=x, y=y, text="单位:N")
    ]
    lines = [p.line for p in placed if p.line]
    if lines:
        ends = pl.DataFrame(lines, schema=["x", "y", "x2", "y2"], orient="row")
        layers.append(
            alt.Chart(ends.to_pandas())
            .mark_rule(color="#888888", strokeWidth=0.7)
            .encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
        )
    return layers


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
    ).properties(width=520, height=160)
