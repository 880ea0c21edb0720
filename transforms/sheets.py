"""Workbooks as offices save them (CONTRACT §2): sheets, header rows, merged cells, formats.

``.xlsx``/``.xlsm``, ``.xls`` and ``.ods`` are opened with fastexcel (calamine); what
calamine does not say (merged ranges, number formats) comes from
:mod:`transforms.cellnotes`, one reader per format. Rows are the sheet's own from row 1
(so row numbers are those the office program shows); columns start at the first one
calamine reads (``absolute_index``), and the notes are shifted to match.

- Every visible sheet is a candidate; a hidden sheet is skipped (``hidden``), as is one
  holding no header of a report (``no_header``: 填报说明, dropdown lists).
- The header is the first row, among the first 10 non-empty rows, holding the common
  columns' labels (:data:`HEADER_SCAN`); a row below it continues it when the header
  is two rows (a group label merged over sub-labels reads ``组织覆盖任务数``).
- A merged range's value holds for every cell of the range.
- A percent-formatted number in a ``_pct`` column is the percentage shown (0.4 → 40),
  elsewhere the text shown (``40%``: a ``bad_value`` of an amount, as typed); a date
  formatted without a year is kept as ``M月D日`` text (a ``bad_value`` later).
- The table ends at the first row below the header that is not a report
  (:func:`table_end`): a note, a signature line (填表人, 审核人 …), a second table's
  header or rows. It and every row below it are left out and said (``SheetTable.below``).
- Each data row says whether the clerk hid it (``SheetTable.hidden``: ``hidden_row`` later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import fastexcel

from transforms import columns
from transforms.cellnotes import PCT, YEARLESS, Notes, NotesError, notes
from transforms.periods import PeriodError, parse_period

Cells = list[str | None]
HEADER_SCAN = 10


class WorkbookError(Exception):
    """The workbook cannot be opened (the reader's words)."""


@dataclass
class Sheet:
    """A sheet's cells as text from its row 1, and what calamine does not say."""

    name: str
    rows: list[Cells]
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → PCT…
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    first_col: int = 0  # the sheet column (0-based) of ``rows``' first cell
    hidden: list[tuple[int, int]] = field(default_factory=list)  # rows r0…r1 hidden

    def is_hidden(self, r: int) -> bool:
        """Whether row ``r`` (0-based: rows[0] is the sheet's row 1) is hidden."""
        return any(r0 <= r <= r1 for r0, r1 in self.hidden)


@dataclass
class SheetTable:
    """One sheet's header and data rows, with each data row's sheet row number, whether
    it is hidden, and the sheet rows below the table that are not reports. A form read
    down a column (:mod:`transforms.vertical`) has one data row and each of its cells'
    sheet rows (``cell_rows``, by the cell's index); a table with its common columns
    written above it (:mod:`transforms.fields`), those cells' rows."""

    name: str
    headers: list[str]
    rows: list[Cells]
    sheet_rows: list[int]
    hidden: list[bool] = field(default_factory=list)
    below: list[int] = field(default_factory=list)
    cell_rows: dict[int, int] | None = None
    cell_cols: dict[int, int] | None = None  # a cell's column where it is not its index
    shape: str = "table"  # "form": read down a column; "fields": common columns above
    header_row: int | None = None  # the sheet row of the header (its last row)


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _annotate(sheet: Sheet, found: Notes, first_col: int) -> None:
    """The notes, in the sheet's columns (calamine's start at ``first_col``)."""
    for (r, c), f in found.formats.items():
        if c >= first_col:
            sheet.formats[(r, c - first_col)] = f
    sheet.hidden = list(found.hidden)
    for r0, c0, r1, c1 in found.merges:
        if c0 >= first_col:  # a merge left of the first read column holds no value
            sheet.merges.append((r0, c0 - first_col, r1, c1 - first_col))


def _text_rows(
    reader: fastexcel.ExcelReader, idx: int, loaded: fastexcel.ExcelSheet
) -> tuple[list[Cells], int]:
    """The sheet's cells as text (numbers with every digit of the stored double), and
    the sheet column of the first one. ``loaded``: the sheet loaded as text. Arrow,
    not Polars: for a few cells it is the cheaper way to Python lists."""
    text = loaded.to_arrow()
    if text.num_rows == 0 or text.num_columns == 0:
        return [], 0
    first_col = min(c.absolute_index for c in loaded.available_columns())
    cols: list[Cells] = [c.to_pylist() for c in text.columns]
    nums = reader.load_sheet(idx, header_row=None, dtypes="float", skip_rows=0).to_arrow()
    if (nums.num_rows, nums.num_columns) == (text.num_rows, text.num_columns):
        for col, num in zip(cols, nums.columns, strict=True):
            if num.null_count == len(num):
                continue
            for k, n in enumerate(num.to_pylist()):
                t = col[k]
                if n is None or t is None:
                    continue
                try:
                    rounded = float(t) != n
                except ValueError:
                    continue  # a text cell such as "true": rendered as itself
                if rounded:  # the rendering rounded the stored double: write the double
                    col[k] = _number_text(n)
    return [list(r) for r in zip(*cols, strict=True)], first_col


def read_sheets(data: bytes, fmt: str) -> tuple[list[Sheet], list[dict[str, str]]]:
    """The visible sheets (text, merges, formats) and the sheets skipped as hidden."""
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
        found = notes(data, fmt)
        sheets: list[Sheet] = []
        skipped: list[dict[str, str]] = []
        for i, name in enumerate(names):
            # loaded once: its visibility, then its cells
            loaded = reader.load_sheet(i, header_row=None, dtypes="string", skip_rows=0)
            if loaded.visible != "visible":
                skipped.append({"sheet": name, "read": "false", "why": "hidden"})
                continue
            rows, first_col = _text_rows(reader, i, loaded)
            sheet = Sheet(name, rows, first_col=first_col)
            if name in found:
                _annotate(sheet, found[name], first_col)
            sheets.append(sheet)
    except fastexcel.FastExcelError as e:
        raise WorkbookError(str(e).splitlines()[0]) from e
    except NotesError as e:
        raise WorkbookError(str(e)) from e
    if not names:
        raise WorkbookError("workbook has no sheets")
    return sheets, skipped


# --------------------------------------------------------------------------- headers


def header_label(v: str | None) -> str:
    return "" if v is None else re.sub(r"\s+", "", columns.normalise_header(str(v)))


@dataclass(frozen=True)
class Labels:
    """Every kind's header spellings (line breaks and spaces removed) → canonical name."""

    known: dict[str, str]  # label → canonical name (any kind)
    common: frozenset[str]  # canonical names of the common columns
    pct: frozenset[str]  # labels of the _pct columns


def labels() -> Labels:
    known: dict[str, str] = {}
    pct: set[str] = set()
    for kind in columns.REPORT_KINDS.values():
        for label, name in columns.header_map(kind).items():
            known[header_label(label)] = name
            if name.endswith("_pct"):
                pct.add(header_label(label))
    common = frozenset(c.name for c in columns.COMMON)
    return Labels(known, common, frozenset(pct))


def _fill_merges(sheet: Sheet) -> None:
    for r0, c0, r1, c1 in sheet.merges:
        if r0 >= len(sheet.rows) or c0 >= len(sheet.rows[r0]):
            continue
        value = sheet.rows[r0][c0]
        for r in range(r0, min(r1, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                row[c] = value


def _hits(cells: list[str], lab: Labels) -> set[str]:
    return {lab.known[c] for c in cells if c in lab.known}


def locate(sheet: Sheet, lab: Labels) -> SheetTable | None:
    """The sheet's header (one or two rows) and data, or None when it holds no header."""
    rows = sheet.rows
    _fill_merges(sheet)
    seen = 0
    for r, row in enumerate(rows):
        if not any(v is not None and str(v).strip() for v in row):
            continue
        seen += 1
        if seen > HEADER_SCAN:
            return None
        top = [header_label(v) for v in row]
        if not lab.common <= _hits(top, lab):
            continue
        start = r + 1
        if r + 1 < len(rows):
            sub = [header_label(v) for v in rows[r + 1]]
            both = [t + s if s and t != s else t for t, s in zip(top, sub, strict=True)]
            if len(_hits(both, lab)) > len(_hits(top, lab)):
                top, start = both, r + 2
        return table(sheet, top, start, lab)
    return None


def table(sheet: Sheet, top: list[str], start: int, lab: Labels) -> SheetTable:
    """The table under header ``top`` whose data starts at ``rows[start]``: its rows up to
    the first that is not a report (:func:`table_end`), as the office program shows them."""
    data = sheet.rows[start:]
    end = table_end(data, top, lab)
    for k, row_ in enumerate(data[:end]):
        for c, v in enumerate(row_):
            row_[c] = shown(sheet, start + k, c, v, c < len(top) and top[c] in lab.pct)
    first = 1 + start  # rows[0] is the sheet's row 1
    return SheetTable(
        sheet.name,
        top,
        data[:end],
        list(range(first, first + end)),
        hidden=[sheet.is_hidden(start + k) for k in range(end)],
        below=[first + k for k in range(end, len(data)) if _filled(data[k])],
        header_row=start,
    )


def shown(sheet: Sheet, r: int, c: int, v: str | None, pct_column: bool) -> str | None:
    """A cell's text as the office program shows it where its format says more than its
    value: a percentage (0.4 → ``40`` in a ``_pct`` column, ``40%`` elsewhere), a date
    without a year (``7月3日``)."""
    f = sheet.formats.get((r, c))
    if f is None or v is None:
        return v
    if f == PCT:
        try:
            pct = _number_text(round(float(v) * 100, 10))
        except ValueError:
            return v
        return pct if pct_column else f"{pct}%"
    m = re.match(r"^\d{4}-(\d{2})-(\d{2})", v) if f == YEARLESS else None
    return f"{int(m.group(1))}月{int(m.group(2))}日" if m else v


def _filled(row: Cells) -> bool:
    return any(v is not None and v.strip() for v in row)


# words that open a note or a signature line below a table (spaces ignored)
NOTE_WORDS = ("注", "备注", "说明", "填表人", "填报人", "审核人", "负责人", "制表人", "联系人",
              "联系电话", "电话", "签字", "签名", "盖章", "填表日期", "填报日期")  # fmt: skip
_NOTE = re.compile(rf"^(?:{'|'.join(NOTE_WORDS)})\s*[:：]|^(?:{'|'.join(NOTE_WORDS[3:])})")
_CODE_LIKE = re.compile(r"^[0-9０-９][0-9０-９.．eE+＋]*$")
TOTAL_WORDS = ("合计", "总计", "小计")


def table_end(data: list[Cells], top: list[str], lab: Labels) -> int:
    """The index of the first row of ``data`` that is not a report, or ``len(data)``.

    A row is not a report when its unit code cell holds no code (not a number) and its
    period cell no quarter, and it holds text in the unit code cell, a note or signature
    (``注：``, ``填表人``, ``审核人：``), or two or more column labels (a second header).
    Total rows (合计, 总计, 小计) are the table's own (:mod:`transforms.workbooks`).
    """
    unit = [i for i, h in enumerate(top) if lab.known.get(h) == "unit_code"]
    period = [i for i, h in enumerate(top) if lab.known.get(h) == "period"]
    for k, row in enumerate(data):
        if not _filled(row):
            continue
        cells = ["".join((v or "").split()) for v in row]
        code = next((cells[i] for i in unit if i < len(cells)), "")
        when = next((cells[i] for i in period if i < len(cells)), "")
        if _CODE_LIKE.match(code) or _is_period(when) or code in TOTAL_WORDS:
            continue
        if any(c in TOTAL_WORDS for c in cells):
            continue
        labels = sum(1 for c in cells if header_label(c) in lab.known)
        if code or labels >= 2 or any(_NOTE.match(c) for c in cells if c):
            return k
    return len(data)


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except PeriodError:
        return False
    return True
