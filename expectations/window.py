"""When a report's 填报时间 is plausible (CONTRACT §3), as validation needs it.

Light to import (no Polars): the rules (``warehouse.round_rules``) build it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """Not later than its unit's level's deadline (days after the quarter's end, through
    that day) plus the round's correction window (days)."""

    deadline_days: tuple[tuple[str, int], ...]  # (level, days)
    correction_days: int
