"""What receipts and templates share on paper and on screen.

- **Print set-up**: A4 landscape, fit to one page wide (as many tall as needed), the
  header rows repeated on every page, narrow margins, page numbers in the footer.
- **Text as typed**: a filer's value (``-5``, ``=1+1``) is written as a string cell
  with the *quote prefix* style (Excel's hidden ``'``): it shows exactly as typed, no
  apostrophe is visible, and neither opening nor editing the cell makes it a formula.
  (The 通报 keeps :func:`transforms.workbook.write_text`, whose guard is a visible ``'``.)
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

A4 = 9  # xlsxwriter's paper code


def text_format(wb: Workbook, **props: Any) -> Format:
    """A cell format whose text is never taken for a formula (quote prefix)."""
    return wb.add_format({"quote_prefix": True, **props})


def put(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    """Write ``value`` as text, exactly as typed (``None`` as empty); ``fmt`` from
    :func:`text_format`."""
    ws.write_string(row, col, "" if value is None else str(value), fmt)


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
