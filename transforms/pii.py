"""Masking personal numbers: the one rule, applied wherever a person can look.

A number the ``pii`` rule detects (an 18-character resident ID or an 11-digit mainland
mobile, :data:`transforms.pii_rule.PII_NUMBERS`) is masked in everything a run stores or
shows: a mobile keeps its first 3 and last 4 digits (``139****5678``), a resident ID
its first 6 and last 4 characters (``320602********1234``). The unmasked bytes stay
only in the archive. Detection and masking are built from the same declaration, so
they cannot disagree: :func:`mask` changes a text exactly where a ``PII_PATTERNS``
regex finds a number, and masking twice changes nothing more.

What is masked is *text* (a raw record, a value, a sentence, a file name); typed values
are never touched, so masking changes neither what is validated nor what is loaded.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from transforms.pii_rule import PII_NUMBERS, PII_PATTERNS, PiiNumber

if TYPE_CHECKING:  # light to import: sources.inbox (and so ``ronghe watch``) uses mask
    import polars as pl

# the detection pattern, with the boundary before the number a group of its own and the
# character after it only looked at (so that two numbers side by side are both masked)
_MASKS = tuple(
    (
        re.compile(
            rf"(?P<pre>{n.prefix + '|' if n.prefix else ''}^|[^0-9０-９])"
            rf"(?P<number>{n.body})(?![{n.not_after}])"
        ),
        n,
    )
    for n in PII_NUMBERS
)
_CHAR = re.compile("[0-9０-９XxＸｘ]")


def _masked(m: re.Match[str], n: PiiNumber) -> str:
    """The head and the tail kept, each other digit a ``*`` (separators kept)."""
    number = m["number"]
    places = [k.start() for k in _CHAR.finditer(number)]
    hidden = set(places[n.keep_head : len(places) - n.keep_tail])
    return m["pre"] + "".join("*" if i in hidden else ch for i, ch in enumerate(number))


ANY_PII = "|".join(f"(?:{p})" for p in PII_PATTERNS)
"""One regex that finds any personal number (Python ``re`` and Polars alike)."""


def mask(text: str) -> str:
    """``text`` with every resident ID and mobile number masked; other text unchanged."""
    for rx, n in _MASKS:
        text = rx.sub(functools.partial(_masked, n=n), text)
    return text


def mask_or_none(text: str | None) -> str | None:
    return None if text is None else mask(text)


def has_pii(text: str) -> bool:
    """Whether the ``pii`` rule finds a personal number in ``text``."""
    return re.search(ANY_PII, text) is not None


def mask_series(s: pl.Series) -> pl.Series:
    """A text series with :func:`mask` applied to the values that hold a number.

    The search is vectorised; only those values go through Python.
    """
    hit = s.str.contains(ANY_PII).fill_null(False)
    if not hit.any():
        return s
    idx = hit.arg_true()
    return s.clone().scatter(idx, [mask(v) for v in s.gather(idx).to_list()])


def mask_expr(e: pl.Expr) -> pl.Expr:
    """:func:`mask_series` as an expression over a String column."""
    import polars as pl

    return e.map_batches(mask_series, return_dtype=pl.String())
