"""What receipts and templates share on paper and on screen.

- **Print set-up**: A4 landscape, fit to one page wide (as many tall as needed), the
  header rows repeated on every page, narrow margins, page numbers in the footer.
- **Text as typed, never obeyed**: a filer's value is written as a string cell with the
  *quote prefix* style (Excel's hidden ``'``), and through the project's one guard,
  :func:`transforms.cells.document_cell`, as in the 通报 and the chase lists: a value
  that starts a formula (``=1+1``, ``-5``, ``@x``) gets a visible ``'`` too (a copy
  pasted elsewhere or saved as CSV stays text), and no right-to-left override or
  control character reaches the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from transforms.cells import document_cell

A4 = 9  # xlsxwriter's paper code
LINE_HEIGHT = 15.5  # points per line of 11-point text (CJK included)


def text_format(wb: Workbook, **props: Any) -> Format:
    """A cell format whose text is never taken for a formula (quote prefix)."""
    return wb.add_format({"quote_prefix": True, **props})


def put(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    """Write ``value`` as text (``None`` as empty) through the one guard; ``fmt`` from
    :func:`text_format`."""
    ws.write_string(row, col, document_cell(value), fmt)


def print_setup(ws: Worksheet, header_rows: tuple[int, int], title: str) -> None:
    """A4 landscape, one page wide, ``header_rows`` (first, last; 0-based) on every page."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(*header_rows)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_header(f'&L&"-,Bold"{title.replace("&", "&&")}', {"margin": 0.25})
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.25})


def fit_height(ws: Worksheet, row: int, cells: Sequence[tuple[str, float]]) -> None:
    """Set ``row`` tall enough for its wrapped ``(text, column width)`` cells.

    Spreadsheets do not grow a row for wrapped text they did not lay out themselves, so
    a long problem list would print as its first line only.
    """
    lines = 1
    for text, width in cells:
        per_line = max(1, int(width) - 1)
        n = sum(max(1, -(-cell_len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, n)
    if lines > 1:
        ws.set_row(row, min(409, LINE_HEIGHT * lines + 3))
