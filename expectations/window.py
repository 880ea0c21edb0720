"""When a report's 填报时间 is plausible (CONTRACT §3), as validation needs it.

Light to import (no Polars): the rules (``warehouse.round_rules``) build it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Window:
    """Not later than its unit's level's deadline (days after the quarter's end, through
    that day) plus the round's correction window (days)."""

    deadline_days: tuple[tuple[str, int], ...]  # (level, days)
    correction_days: int


def latest(window: Window | None, level: str, start: str) -> pl.Expr:
    """The latest plausible 填报时间 of each row, from its unit's ``level`` column and its
    quarter's ``start`` column (null without a window or a level)."""
    import polars as pl

    if window is None:
        return pl.lit(None, pl.Datetime("us"))
    days = pl.col(level).replace_strict(dict(window.deadline_days), default=None)
    end = pl.col(start).dt.offset_by("3mo")  # the quarter's end (the next one's start)
    return end + pl.duration(days=days + 1 + window.correction_days) - pl.duration(microseconds=1)
