"""Names beside the points of a small scatter, placed so that no two collide.

Greedy, in the chart's pixels: the most crowded point is named first, each at the first
of eight places around it (right, left, above, below, then the diagonals) where its
name's box overlaps no name placed before, no point and stays inside the chart; where
none is free nearby, further out on rings around the point, with a thin leader line
back to it; where none is free at all, at the place that overlaps least. Each name is
returned as the data coordinates of its left edge (text aligned left, baseline middle),
so one text layer draws them all, and of its line's two ends where it has one.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

GAP = 6.0  # pixels between a point and its name
DOT = 4.0  # a point's half side, in pixels


RINGS = (0.0, 12.0, 26.0, 42.0)  # pixels further out than the first places, in turn


@dataclass(frozen=True)
class Placed:
    text: str
    x: float  # the name's left edge, in data units
    y: float  # its middle, in data units
    line: tuple[float, float, float, float] | None = None  # point → name, in data units


Box = tuple[float, float, float, float]


def text_width(text: str, font: float) -> float:
    """Pixels a name takes: CJK characters a full em, others about half."""
    return sum(
        font if unicodedata.east_asian_width(ch) in ("W", "F") else font * 0.55 for ch in text
    )


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _candidates(px: float, py: float, w: float, h: float, ring: float = 0.0) -> list[Box]:
    """The eight boxes around a point, ``ring`` pixels further out, in order of
    preference (pixels, y down)."""
    gap = GAP + ring
    right, left = px + gap, px - gap - w
    mid = py - h / 2
    above, below = py - gap - h, py + gap
    centre = px - w / 2
    return [
        (right, mid, right + w, mid + h),
        (left, mid, left + w, mid + h),
        (centre, above, centre + w, above + h),
        (centre, below, centre + w, below + h),
        (right, above, right + w, above + h),
        (right, below, right + w, below + h),
        (left, above, left + w, above + h),
        (left, below, left + w, below + h),
    ]


def place_labels(
    points: Sequence[tuple[str, float, float]], lo: float, hi: float, size: float, font: float
) -> list[Placed]:
    """Where to write each point's name (``(name, x, y)`` in data units on a square
    chart of ``size`` pixels whose axes both run ``lo`` … ``hi``)."""
    per = size / (hi - lo)
    px = [((x - lo) * per, size - (y - lo) * per) for _, x, y in points]
    dots: list[Box] = [(x - DOT, y - DOT, x + DOT, y + DOT) for x, y in px]
    h = font * 1.2
    crowd = [sum(1 for bx, by in px if abs(bx - x) < 60 and abs(by - y) < 20) for x, y in px]
    order = sorted(range(len(points)), key=lambda i: (-crowd[i], px[i][0], px[i][1]))
    taken: list[Box] = []
    out: dict[int, Placed] = {}
    for i in order:
        name = points[i][0]
        w = text_width(name, font)
        others = [d for j, d in enumerate(dots) if j != i]

        def cost(box: Box, others: list[Box] = others) -> float:
            outside = max(0.0, -box[0]) + max(0.0, box[2] - size) + max(0.0, -box[1])
            outside += max(0.0, box[3] - size)
            return (
                sum(_overlap(box, t) for t in taken)
                + sum(_overlap(box, d) for d in others)
                + outside * h * 4
            )

        rings = [(r, b) for r in RINGS for b in _candidates(*px[i], w, h, r)]
        ring, best = next(
            ((r, b) for r, b in rings if cost(b) == 0), min(rings, key=lambda rb: cost(rb[1]))
        )
        taken.append(best)
        line = None
        if ring:
            # from the point to the nearest point of the name's box
            ex = min(max(px[i][0], best[0]), best[2])
            ey = min(max(px[i][1], best[1]), best[3])
            line = (points[i][1], points[i][2], lo + ex / per, lo + (size - ey) / per)
        out[i] = Placed(name, lo + best[0] / per, lo + (size - (best[1] + best[3]) / 2) / per, line)
    return [out[i] for i in range(len(points))]


def score_range(values: list[float | None]) -> tuple[float, float]:
    """One axis range for P and D: from a multiple of 5 at least a point below the lowest
    value, to 100."""
    xs = [v for v in values if v is not None]
    if not xs:
        return 0.0, 100.0
    lo = math.floor(min(xs) / 5) * 5
    if min(xs) - lo < 1:
        lo -= 5
    return max(0.0, lo), 100.0
