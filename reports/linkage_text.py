"""The 联动分析 (party building and development) in sentences, for the 通报's 总体情况
and the brief's lead.

Each sentence is a function of :class:`ReportData` that returns its text, or ``None``
when the warehouse holds nothing for it; :data:`SENTENCES` lists them in order. A new
estimate (a mart beside ``marts.linkage``, named ``marts.linkage_*``) is read for the
quarter into ``ReportData.estimates[table name]`` without any change to the reading;
its sentence is one more function here, added to :data:`SENTENCES`. The document fits
its body to four pages whatever the sentences (:func:`reports.document.fit_body`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .data import ReportData
from .labels import LEVEL_UNITS_ZH
from .linkage_effect_text import lagged_effect
from .text import SMALL_SAMPLE

LEVELS = ("county", "township", "village")


def _r(v: float) -> str:
    return f"{v:.2f}"


def strength(r: float) -> str:
    """A correlation in words: 较强正相关, 中等负相关, 几乎无线性相关 …"""
    a = abs(r)
    if a < 0.1:
        return "几乎无线性相关"
    word = "较强" if a >= 0.6 else "中等" if a >= 0.3 else "较弱"
    return f"{word}{'正' if r > 0 else '负'}相关"


def _rows(d: ReportData) -> list[tuple[str, dict[str, Any]]]:
    return [(lv, row) for lv in LEVELS if (row := d.linkage_row(lv)) and row.get("units")]


def same_quarter(d: ReportData) -> str | None:
    """P and D of the quarter: the correlation per level, read in words; a level of few
    units is said to be only indicative."""
    parts = []
    for lv, row in _rows(d):
        r = row.get("corr_party_development")
        if r is None:
            continue
        n = int(row["units"])
        note = f"，仅{n}个单位，仅作参考" if n < SMALL_SAMPLE else ""
        parts.append(f"{LEVEL_UNITS_ZH[lv]}{_r(r)}（{strength(r)}{note}）")
    if not parts:
        return None
    return "党建得分与发展得分的相关系数，" + "，".join(parts) + "。"


def next_quarter(d: ReportData) -> str | None:
    """P of the quarter against D of the quarter after, where that quarter is loaded."""
    parts = [
        f"{LEVEL_UNITS_ZH[lv]}{_r(row['corr_party_development_next'])}"
        for lv, row in _rows(d)
        if row.get("corr_party_development_next") is not None
    ]
    if not parts:
        return None
    return "本季度党建得分与下一季度发展得分的相关系数，" + "，".join(parts) + "。"


def quadrants(d: ReportData) -> str | None:
    """The quadrant counts of the most numerous level with units (the townships, mostly)."""
    row = d.linkage_row("township")
    if not row or not row.get("units"):
        return None
    return (
        f"以中位数为界，{int(row['units']):,}个镇（街道）中双强{int(row['both_strong']):,}个、"
        f"党建领先{int(row['party_leads']):,}个、发展领先{int(row['economy_leads']):,}个、"
        f"双弱{int(row['both_weak']):,}个。"
    )


SENTENCES: tuple[Callable[[ReportData], str | None], ...] = (
    same_quarter,
    next_quarter,
    quadrants,
    lagged_effect,  # marts.linkage_effect (reports.linkage_effect_text)
)


def linkage_sentences(d: ReportData) -> list[str]:
    """The 联动分析's sentences that the warehouse has figures for, in order."""
    return [s for f in SENTENCES if (s := f(d))]
