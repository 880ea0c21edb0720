"""Workbooks written for people (通报, 回执, templates): nothing in them starts a formula.

Every workbook is opened with ``strings_to_formulas`` (and URL/number guessing) off, and
text is written through :func:`write_text`, which applies the project's one guard,
:func:`transforms.cells.document_cell` (OWASP: a leading ``'`` before ``= + - @``, tab,
CR, LF, also after leading spaces; no bidirectional control or invisible character,
control characters shown escaped).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from transforms.cells import document_cell


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


def write_text(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None = None) -> None:
    """Write ``value`` as a text cell (``None`` as empty text), never as a formula."""
    ws.write_string(row, col, document_cell(value), fmt)


def print_a4(ws: Worksheet, header_row: int) -> None:
    """Print on A4 landscape, fit to the page's width, the header row repeated on each page."""
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many long as needed
    ws.repeat_rows(header_row)
