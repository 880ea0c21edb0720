"""The workbook's toolkit: cell formats, a titled A4 sheet, a table of :class:`Col`.

Every sheet prints on A4 landscape, fitted to the page's width, its header row repeated
on every page; a helper sheet (chart data) is hidden and never printed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .cells import display_width, put, shown

NUMBER_FORMATS = {
    "text": None,
    "score": "0.00",
    "coef": "0.000",
    "corr": "0.000",
    "int": "#,##0",
    "rank": "0",
    "change": '"↑"0;"↓"0;"—"',
    "money": "#,##0.00",
    "pct": "0.00",
    "delta": "+#,##0.00;-#,##0.00;0",
    "delta_int": "+#,##0;-#,##0;0",
}

HEADER_ROW = 2  # row 0: the sheet's title; row 1: a note; row 2: the header


@dataclass(frozen=True)
class Col:
    """One column of a table: its header, how to get its value from a row, its format."""

    header: str
    get: str | Callable[[dict[str, Any]], Any]
    fmt: str = "text"

    def value(self, row: dict[str, Any]) -> Any:
        return row.get(self.get) if isinstance(self.get, str) else self.get(row)


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb: Workbook) -> None:
        font = {"font_name": "等线", "font_size": 10}
        self.title = wb.add_format({**font, "bold": True, "font_size": 14})
        self.note = wb.add_format({**font, "italic": True, "font_color": "#555555"})
        self.header = wb.add_format(
            {
                **font,
                "bold": True,
                "bg_color": "#C00000",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
                "align": "center",
            }
        )
        self.section = wb.add_format({**font, "bold": True, "font_size": 11})
        self.cells = {
            name: wb.add_format(
                {
                    **font,
                    "border": 1,
                    "valign": "top",
                    **({"num_format": nf} if nf else {"text_wrap": True}),
                }
            )
            for name, nf in NUMBER_FORMATS.items()
        }
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.warn = wb.add_format({"bg_color": "#FFEB9C"})


def new_sheet(wb: Workbook, name: str, fm: Formats, heading: str, note: str = "") -> Worksheet:
    ws = wb.add_worksheet(name)
    ws.hide_gridlines(2)
    put(ws, 0, 0, heading, fm.title)
    if note:
        put(ws, 1, 0, note, fm.note)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_header(f'&C&"等线,Bold"{heading}')
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def write_table(
    ws: Worksheet,
    fm: Formats,
    top: int,
    cols: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    *,
    left: int = 0,
    widths: dict[int, int] | None = None,
) -> tuple[int, int]:
    """Header at ``top``, rows below; returns (first, last) data rows (last < first if none).

    ``widths`` collects each column's widest shown text (the caller sets the widths).
    """
    for j, c in enumerate(cols):
        put(ws, top, left + j, c.header, fm.header)
    for i, row in enumerate(rows):
        for j, c in enumerate(cols):
            v = c.value(row)
            put(ws, top + 1 + i, left + j, v, fm.cells[c.fmt])
            if widths is not None:
                widths[left + j] = max(widths.get(left + j, 0), display_width(shown(v)))
    if widths is not None:
        for j, c in enumerate(cols):
            # headers wrap: their longest half is enough
            w = max(display_width(c.header) // 2 + 1, 6)
            widths[left + j] = max(widths.get(left + j, 0), w)
    return top + 1, top + len(rows)


def table_sheet(
    wb: Workbook,
    fm: Formats,
    name: str,
    heading: str,
    note: str,
    cols: Sequence[Col],
    rows: Sequence[dict[str, Any]],
    autofilter: bool = False,
) -> tuple[Worksheet, int, int]:
    ws = new_sheet(wb, name, fm, heading, note)
    widths: dict[int, int] = {}
    first, last = write_table(ws, fm, HEADER_ROW, cols, rows, widths=widths)
    set_widths(ws, widths)
    ws.set_row(HEADER_ROW, 30)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    ws.repeat_rows(HEADER_ROW)
    if autofilter and rows:
        ws.autofilter(HEADER_ROW, 0, last, len(cols) - 1)
    return ws, first, last


def col_index(cols: Sequence[Col], header: str) -> int:
    return next(j for j, c in enumerate(cols) if c.header == header)


WIDEST = 40  # a printed column wider than this wraps (text_wrap) instead


def set_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for col, w in widths.items():
        ws.set_column(col, col, min(w + 2, WIDEST))


def helper_sheet(wb: Workbook, name: str = "图表数据") -> Worksheet:
    """The chart data's sheet, hidden (and so not printed); one per workbook."""
    existing = wb.get_worksheet_by_name(name)
    if existing is not None:
        return existing
    ws = wb.add_worksheet(name)
    ws.hide()
    return ws
