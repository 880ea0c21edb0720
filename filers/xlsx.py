"""Writing workbooks for people: nothing we write ever starts a formula (OWASP CSV injection).

Every workbook is opened with ``strings_to_formulas`` (and URL/number guessing) off, and
text goes through :func:`safe_text`, which puts a leading ``'`` before a value that a
spreadsheet would take as a formula (``= + - @``, tab, carriage return).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> str:
    """The text of ``value`` as a spreadsheet must show it: never the start of a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def workbook(path: Path) -> xlsxwriter.Workbook:
    """A new workbook that takes every string literally (built in memory: no temp files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
