"""The brief's charts at every scale: a province's 20,000 villages as a density of cells,
not one mark each (Altair refuses more than 5,000 rows), names that never collide, and one
axis range for P and D that shows their spread."""

from __future__ import annotations

import random
from typing import Any

import polars as pl
import pytest

from reports import charts
from reports.plot_labels import place_labels, score_range, text_width

QUADRANTS = ("both_strong", "party_leads", "economy_leads", "both_weak")


def frame(n: int, seed: int = 1) -> pl.DataFrame:
    """``n`` scored units as the brief gets them from reports.data."""
    rng = random.Random(seed)
    p = [min(100.0, max(0.0, rng.gauss(85, 9))) for _ in range(n)]
    d = [min(100.0, max(0.0, rng.gauss(88, 8))) for _ in range(n)]
    return pl.DataFrame(
        {
            "unit_code": [f"32{i:010d}" for i in range(n)],
            "full_name": [f"第{i}镇第{i}村" for i in range(n)],
            "name": [f"第{i}村" for i in range(n)],
            "party_score": p,
            "development_score": d,
            "composite_score": [a * b / 100 for a, b in zip(p, d, strict=True)],
            "rank_in_level": list(range(1, n + 1)),
            "quadrant": [QUADRANTS[i % 4] for i in range(n)],
        }
    )


def rows_in(spec: dict[str, Any]) -> list[int]:
    """The number of rows of every dataset a chart's specification carries."""
    return [len(v) for v in spec.get("datasets", {}).values()]


@pytest.mark.parametrize(("n", "density"), [(20_000, True), (1_300, True), (129, False)])
def test_a_province_scatter_aggregates_and_renders(n: int, density: bool) -> None:
    data = frame(n)
    link = {"both_strong": n // 4, "party_leads": n // 4, "economy_leads": n // 4,
            "both_weak": n - 3 * (n // 4)}  # fmt: skip
    chart = charts.pd_scatter(data, 85.0, 88.0, "村（社区）", link)
    spec = chart.to_dict()
    assert max(rows_in(spec)) <= 2_500  # cells of 2 points: at most 50 × 50
    svg = charts.to_svg(chart)
    assert svg.startswith("<svg") and "村（社区）" in svg
    assert ("单位数" in svg) == density  # the density's legend
    assert f"双强 {n // 4:,}" in svg  # the quadrants' counts, one line above the chart


def test_a_density_counts_every_unit_once() -> None:
    data = frame(5_000)
    lo, hi = score_range([*data["party_score"].to_list(), *data["development_score"].to_list()])
    cells = charts.density(data, lo, hi)
    assert int(cells["单位数"].sum()) == 5_000
    assert cells["p1"].max() <= hi and cells["d1"].max() <= hi  # 100 is in the last cell
    assert cells["p0"].min() >= lo


def test_a_hundred_counties_fit_one_chart() -> None:
    data = frame(100)
    spec = charts.county_bars(data).to_dict()
    assert spec["height"] <= 1_000  # not 24 pixels a bar
    charts.to_svg(charts.county_bars(data))


def test_one_range_for_both_axes_shows_the_spread() -> None:
    # D crowded near 100, P spread: both axes from 55 to 100, not D from 95.5
    assert score_range([60.85, 97.69, 95.48, 100.0]) == (55.0, 100.0)
    assert score_range([95.5, 100.0]) == (90.0, 100.0)
    assert score_range([]) == (0.0, 100.0)
    assert score_range([0.4, 50.0]) == (0.0, 100.0)


def boxes(placed: list[Any], lo: float, hi: float, size: float, font: float) -> list[tuple]:
    per = size / (hi - lo)
    out = []
    for p in placed:
        x0, yc = (p.x - lo) * per, size - (p.y - lo) * per
        out.append((x0, yc - font * 0.6, x0 + text_width(p.text, font), yc + font * 0.6))
    return out


def test_names_never_collide_even_where_points_do() -> None:
    """海安县 and 海门市 at nearly the same point: their names apart, a line to each."""
    points = [
        ("海门市", 95.03, 100.0),
        ("海安县", 94.65, 100.0),
        ("启东市", 91.73, 98.33),
        ("港闸区", 90.63, 96.66),
        ("如皋市", 97.69, 96.97),
        ("崇川区", 83.88, 97.36),
        ("如东县", 67.28, 95.48),
        ("南通经济技术开发区", 60.85, 97.65),
    ]
    lo, hi, size, font = 55.0, 100.0, 300.0, 11.0
    placed = place_labels(points, lo, hi, size, font)
    assert [p.text for p in placed] == [p[0] for p in points]
    bs = boxes(placed, lo, hi, size, font)
    for i, a in enumerate(bs):
        for b in bs[i + 1 :]:
            overlap_w = min(a[2], b[2]) - max(a[0], b[0])
            overlap_h = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_w <= 0.5 or overlap_h <= 0.5, (a, b)
        assert a[0] >= -1 and a[2] <= size + 1, a  # inside the chart
    assert any(p.line for p in placed)  # a crowded point's name went further out
