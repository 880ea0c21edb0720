"""The filing round's settings in the rules file (CONTRACT §9): deadlines and review flags.

``[round]`` holds the deadlines, days after the quarter's end by which each level files
(defaults village 5, township 8, county 10), and the window within which a correction's
填报时间 is plausible. ``[review.<rule>]`` holds the review rules (核实): each has an
``enabled`` switch and a ``threshold``; the ones over year-to-date figures or growth rates
also name their ``columns``. A rules file without these tables gets the defaults below,
so the settings are data: change a threshold in the file and the flags change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from expectations.window import Window
from transforms.columns import LEVELS
from transforms.periods import parse_period

DEFAULT_DEADLINES: dict[str, int] = {"village": 5, "township": 8, "county": 10}
DEFAULT_CORRECTION_WINDOW = 365  # a year (CONTRACT §3)
MAX_THRESHOLD = 1e12
"""A review threshold's upper bound (percentages, points and 万元 alike fit below it)."""
# The review rules, in the order of CONTRACT §9, with their default threshold and columns.
YTD_COLUMNS: tuple[str, ...] = (
    "completed_investment",
    "collective_income",
    "fiscal_revenue",
    "gdp",
)
GROWTH_COLUMNS: tuple[str, ...] = ("gdp_growth_pct", "income_growth_pct")
REVIEW_RULES: dict[str, tuple[float, tuple[str, ...]]] = {
    "ytd_decrease": (0.0, YTD_COLUMNS),  # 累计数低于上季度累计超过 threshold
    "party_members_change": (20.0, ()),  # 党员数变动超过 threshold %
    "growth_jump": (5.0, GROWTH_COLUMNS),  # 增速与上季度相差超过 threshold 个百分点
    "progress_backwards": (0.0, ()),  # 形象进度比上季度低超过 threshold 个百分点
    "total_mismatch": (0.01, ()),  # 合计行与各行之和相差超过 threshold
}


@dataclass(frozen=True)
class ReviewRule:
    """One review rule (核实): flags when a figure moves past ``threshold``."""

    name: str
    threshold: float
    enabled: bool = True
    columns: tuple[str, ...] = ()


def _default_review() -> dict[str, ReviewRule]:
    return {n: ReviewRule(n, t, True, cols) for n, (t, cols) in REVIEW_RULES.items()}


@dataclass(frozen=True)
class RoundSettings:
    """Deadlines per level and the correction window, in days."""

    deadline_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    correction_window_days: int = DEFAULT_CORRECTION_WINDOW
    review: dict[str, ReviewRule] = field(default_factory=_default_review)

    def due_at(self, period: str, level: str) -> datetime:
        """The last instant a level's report for ``period`` is on time (23:59:59 of day N)."""
        return _quarter_end(period) + timedelta(days=self.deadline_days[level] + 1, microseconds=-1)

    def window(self) -> Window:
        """When a report's 填报时间 is plausible, for validation (CONTRACT §3)."""
        return Window(tuple(self.deadline_days.items()), self.correction_window_days)

    def correction_until(self, period: str, level: str) -> datetime:
        """The latest plausible 填报时间 of a correction: the deadline + the window."""
        return self.due_at(period, level) + timedelta(days=self.correction_window_days)

    def chase_at(self, period: str, level: str) -> datetime:
        """When the chase of a level runs: 09:00 on the morning after its deadline."""
        return datetime.combine(self.due_at(period, level).date() + timedelta(days=1), _NINE)

    def chase_cron(self, level: str) -> str:
        """The cron of a level's chase: 09:00 on day N + 1 of January, April, July, October."""
        return f"0 9 {self.deadline_days[level] + 1} 1,4,7,10 *"

    def params(self) -> dict[str, object]:
        """SQL parameters: ``deadline_village`` …, the window and every rule's threshold."""
        out: dict[str, object] = {f"deadline_{lv}": self.deadline_days[lv] for lv in LEVELS}
        out["correction_window_days"] = self.correction_window_days
        for name, rule in self.review.items():
            out[f"review_{name}"] = rule.enabled
            out[f"threshold_{name}"] = float(rule.threshold)
            if name in ("ytd_decrease", "growth_jump"):
                out[f"columns_{name}"] = list(rule.columns)
        return out


_NINE = datetime.min.time().replace(hour=9)


def _quarter_end(period: str) -> datetime:
    """00:00 of the day after the quarter's last day, minus one day: the last day at 00:00."""
    canonical = parse_period(period)
    year, q = int(canonical[:4]), int(canonical[-1])
    first_next = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return datetime.combine(first_next - timedelta(days=1), datetime.min.time())


def parse_round(data: dict[str, Any], fail: Callable[[str, str], NoReturn]) -> RoundSettings:
    """Validate the ``[round]`` and ``[review]`` tables of a parsed rules file."""
    rnd = data.get("round", {})
    if not isinstance(rnd, dict):
        fail("[round]", "must be a table")
    _known(rnd, "round", {"deadline_days", "correction_window_days"}, fail)
    days = rnd.get("deadline_days", {})
    if not isinstance(days, dict):
        fail("round.deadline_days", "must be a table like { village = 5, township = 8 }")
    _known(days, "round.deadline_days", set(LEVELS), fail)
    deadlines = dict(DEFAULT_DEADLINES)
    for level, value in days.items():
        # ≤ 27: the chase runs on day N + 1 of the quarter's next month, a day every
        # month has (the cron schedules of ``ronghe serve``)
        deadlines[level] = _days(value, f"round.deadline_days.{level}", fail, 27)
    window = _days(
        rnd.get("correction_window_days", DEFAULT_CORRECTION_WINDOW),
        "round.correction_window_days",
        fail,
        366,
    )
    review = data.get("review", {})
    if not isinstance(review, dict):
        fail("[review]", "must be a table")
    _known(review, "review", set(REVIEW_RULES), fail)
    rules = _default_review()
    for name, table in review.items():
        where = f"review.{name}"
        if not isinstance(table, dict):
            fail(f"[{where}]", "must be a table")
        default = rules[name]
        allowed = {"enabled", "threshold"} | ({"columns"} if default.columns else set())
        _known(table, where, allowed, fail)
        threshold = table.get("threshold", default.threshold)
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold <= MAX_THRESHOLD  # NaN and 1e308 included
        ):
            text = repr(threshold)
            text = text if len(text) <= 40 else f"{text[:37]}…"
            fail(f"{where}.threshold", f"must be a number 0…{MAX_THRESHOLD:g}, got {text}")
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            fail(f"{where}.enabled", f"must be true or false, got {enabled!r}")
        columns = table.get("columns", list(default.columns))
        if not isinstance(columns, list) or not set(columns) <= set(REVIEW_RULES[name][1]):
            fail(f"{where}.columns", f"must list some of {', '.join(REVIEW_RULES[name][1])}")
        rules[name] = ReviewRule(name, float(threshold), enabled, tuple(columns))
    return RoundSettings(deadlines, window, rules)


def _days(value: object, key: str, fail: Callable[[str, str], NoReturn], most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most:
        text = repr(value)
        fail(key, f"must be a whole number of days 0…{most}, got {text[:40]}")
    return value


def _known(
    table: dict[str, Any], where: str, allowed: set[str], fail: Callable[[str, str], NoReturn]
) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        fail(
            f"{where}.{unknown[0]}", f"is not a known setting (known: {', '.join(sorted(allowed))})"
        )
