"""Safe cell writing for the workbook: no value ever becomes a formula.

The OWASP rule for CSV and formula injection: a text that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written as text prefixed with ``'``. Data
is written with ``write_string`` / ``write_number`` only, never ``write``'s guessing or
``write_formula``; the workbook is also opened with ``strings_to_formulas`` off.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text``, prefixed with ``'`` when a spreadsheet could take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def display_width(text: str) -> int:
    """Columns the text takes in a spreadsheet: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def shown(value: Any) -> str:
    """The text a value is shown as (for widths)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """Write one value by its Python type; text through :func:`safe_text`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        ws.write_string(row, col, value.strftime("%Y-%m-%d %H:%M"), fmt)
    elif isinstance(value, date):
        ws.write_string(row, col, value.isoformat(), fmt)
    else:
        ws.write_string(row, col, safe_text(str(value)), fmt)
