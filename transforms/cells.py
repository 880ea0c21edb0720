"""Cells bound for a spreadsheet: the one CSV/formula-injection guard (OWASP).

Every export a spreadsheet may open (``ronghe query --format csv``, ``ronghe units
--format csv``, workbooks and CSV files written by the project) passes its values
through :func:`safe_cell`. A text that Excel, LibreOffice or WPS would take for a
formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(…)``, ``+1``, ``-1+2``, ``@SUM(…)``)
or that starts with a tab or a carriage return (which some of them trim, leaving a
formula) is prefixed with ``'``: the spreadsheet then shows it as text, and the
original is the cell minus that first character. Numbers, dates, booleans and
``None`` are not text and pass unchanged (a negative *number* is no formula).

:func:`document_cell` is a cell of a document people read (receipts, chase lists, the
通报, templates): the same guard after :func:`transforms.shown.legible` (no
right-to-left override, no invisible character, control characters shown escaped).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from transforms.shown import legible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""OWASP's list (``= + - @``, tab, carriage return) and a line feed."""

_TRIMMED = " \t\r\n\u3000\xa0"
"""What a spreadsheet may strip from the start of a cell before looking for a formula."""

T = TypeVar("T")


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula."""
    return text.startswith(FORMULA_STARTS) or text.lstrip(_TRIMMED).startswith(FORMULA_STARTS)


def safe_cell(value: T) -> T | str:
    """``value`` made safe for a spreadsheet cell: formula-like text gets a leading ``'``."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


MAX_CELL = 32_000
"""Characters a spreadsheet cell shows (Excel holds 32,767; xlsxwriter writes nothing past)."""


def document_cell(value: object) -> str:
    """A text cell of a document: :func:`transforms.shown.legible`, then :func:`safe_cell`
    (``None`` is empty text); a text past :data:`MAX_CELL` is cut, and says so."""
    text = legible("" if value is None else str(value))
    if len(text) > MAX_CELL:
        text = f"{text[:MAX_CELL]}…（共{len(text):,}字，已截断）"
    return str(safe_cell(text))


def safe_row(values: Iterable[object]) -> list[object]:
    """:func:`safe_cell` of every value of a row."""
    return [safe_cell(v) for v in values]
