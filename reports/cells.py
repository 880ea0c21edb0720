"""Cell writing for the assessment workbook: no value ever becomes a formula.

Text goes through :func:`transforms.workbook.write_text` (the project's one guard,
:func:`transforms.cells.safe_cell`). Data is written with ``write_string`` /
``write_number`` only, never ``write``'s guessing or ``write_formula``; the workbook is
opened by :func:`transforms.workbook.workbook`, with ``strings_to_formulas`` off.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from transforms.workbook import write_text


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
    """Write one value by its Python type; text through :func:`write_text`."""
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
        write_text(ws, row, col, value, fmt)
