"""Quarters: parsing the accepted spellings and simple arithmetic (CONTRACT §1)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import polars as pl

_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "1": "1", "2": "2", "3": "3", "4": "4"}
# Every accepted spelling; group 1 the year, group 2 or 3 the quarter. Valid for both
# Python's ``re`` and Polars (Rust regex).
PERIOD_PATTERN = r"^\s*(\d{4})\s*(?:-?\s*[Qq]\s*([1-4])|年\s*第?\s*([1-4一二三四])\s*季度)\s*$"
_PERIOD_RE = re.compile(PERIOD_PATTERN)


# A quarter written inside other text (a file name: 掘港镇2017年一季度党建督导季报.xlsx)
_IN_TEXT = re.compile(
    r"(?<!\d)(\d{4})\s*(?:-?\s*[Qq]\s*([1-4])(?!\d)|年\s*第?\s*([1-4一二三四])\s*季度)"
)


class PeriodError(ValueError):
    """A quarter that cannot be parsed."""


def parse_period(text: str) -> str:
    """Return the canonical ``2017Q1`` form of any accepted spelling.

    Full-width forms (``２０１６Ｑ４``) are read as their ASCII ones (NFKC).
    """
    m = _PERIOD_RE.match(unicodedata.normalize("NFKC", str(text)))
    if not m:
        raise PeriodError(f"not a quarter: {text!r} (write it like 2017Q1)")
    q = m.group(2) or _CN_DIGITS[m.group(3)]
    return f"{m.group(1)}Q{q}"


def period_in(text: str) -> str | None:
    """The one quarter written anywhere in ``text`` (a file name), else None (none, or
    two different ones)."""
    found = {
        f"{m.group(1)}Q{m.group(2) or _CN_DIGITS[m.group(3)]}"
        for m in _IN_TEXT.finditer(unicodedata.normalize("NFKC", text))
    }
    return found.pop() if len(found) == 1 else None


def period_expr(col: str) -> pl.Expr:
    """Polars expression: canonical quarter string, null where it cannot be parsed."""
    raw = pl.col(col).cast(pl.String).str.normalize("NFKC")
    year = raw.str.extract(PERIOD_PATTERN, 1)
    q = pl.coalesce(
        raw.str.extract(PERIOD_PATTERN, 2),
        raw.str.extract(PERIOD_PATTERN, 3).replace_strict(_CN_DIGITS, default=None),
    )
    return pl.when(year.is_not_null() & q.is_not_null()).then(year + "Q" + q).otherwise(None)


def index(period: str) -> int:
    """A quarter's ordinal (year × 4 + quarter − 1), for ranges and comparisons."""
    return int(period[:4]) * 4 + int(period[5]) - 1


def from_index(i: int) -> str:
    return f"{i // 4}Q{i % 4 + 1}"


def quarter_number(period: str) -> int:
    return int(period[5])


def period_range(start: str, end: str) -> list[str]:
    a, b = index(parse_period(start)), index(parse_period(end))
    if b < a:
        raise PeriodError(f"--from {start} is after --to {end}")
    return [from_index(i) for i in range(a, b + 1)]


def start_of(period: str) -> datetime:
    return datetime(int(period[:4]), 3 * (int(period[5]) - 1) + 1, 1)


def start_expr(col: str) -> pl.Expr:
    """Polars :func:`start_of`: the first instant of a canonical quarter, null otherwise."""
    period = pl.col(col)
    start = pl.datetime(
        period.str.slice(0, 4).cast(pl.Int32, strict=False),
        (period.str.slice(5, 1).cast(pl.Int32, strict=False) - 1) * 3 + 1,
        1,
    )
    return pl.when(period.str.contains(r"^\d{4}Q[1-4]$")).then(start)


def of_datetime(ts: datetime) -> str:
    return f"{ts.year}Q{(ts.month - 1) // 3 + 1}"


def next_period(period: str) -> str:
    return from_index(index(period) + 1)


def previous_period(period: str) -> str:
    return from_index(index(period) - 1)


def last_complete(now: datetime) -> str:
    """The quarter that ended most recently before ``now``."""
    return previous_period(of_datetime(now))
