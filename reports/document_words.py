"""The 通报's words: its paragraphs and sections, how many names a list carries, and
how a figure is said (counts with thousands separators, scores with two decimals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from transforms.periods import next_period, start_of

WEAK = "薄弱村"
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Para:
    """A body paragraph; ``lead`` is its run-in heading (（一）…), set in 楷体."""

    text: str
    lead: str = ""


@dataclass(frozen=True)
class Section:
    title: str  # 一、总体情况
    paras: tuple[Para, ...]


@dataclass(frozen=True)
class Caps:
    """How many units a sentence names (the rest are counted: 等N个)."""

    counties: int = 3
    townships: int = 3
    villages: int = 2
    movers: int = 2
    names: int = 4


# from the most names to the fewest: the body takes the first that fits its four pages
CAPS = (
    Caps(3, 5, 3, 3, 6),
    Caps(),
    Caps(3, 3, 2, 1, 3),
    Caps(2, 2, 1, 1, 2),
    Caps(2, 2, 1, 1, 1),
    Caps(1, 1, 1, 1, 1),
)


def n0(v: Any) -> str:
    return f"{int(v):,}"


def score(v: Any) -> str:
    return f"{v:.2f}分"


def joined(items: Sequence[str], total: int | None = None, unit: str = "个") -> str:
    """``A、B、C``; with ``total`` above the names shown, ``A、B、C等N个``."""
    text = "、".join(items)
    if total is not None and total > len(items):
        text += f"等{n0(total)}{unit}" if items else f"{n0(total)}{unit}"
    return text


def change(v: Any, unit: str, up: str = "增加", down: str = "减少") -> str:
    if v is None:
        return ""
    if v > 0:
        return f"{up}{n0(v) if unit else f'{v:,.2f}'}{unit}"
    if v < 0:
        return f"{down}{n0(-v) if unit else f'{-v:,.2f}'}{unit}"
    return "持平"


def numbered(items: Sequence[tuple[str, str]]) -> list[Para]:
    """Run-in heads numbered in order, those without text left out: （一）薄弱村。…"""
    kept = [(h, t) for h, t in items if t]
    return [Para(text, f"（{NUMERALS[i]}）{head}。") for i, (head, text) in enumerate(kept)]


def due_date(period: str, days: int, year: bool = False) -> str:
    """The day ``days`` after ``period``'s end: ``4月5日`` for 5 days after 2018Q1
    (``2018年4月5日`` with ``year``)."""
    day = start_of(next_period(period)) + timedelta(days=days - 1)
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"
