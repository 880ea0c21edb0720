"""Workbook sheets → one table of a file (CONTRACT §2 "Workbooks as offices save them").

The sheets come from :mod:`transforms.sheets`; here every visible sheet holding a
header is stacked into one table (columns by header), each data row keeps its
(sheet, sheet row), and total rows (合计/总计/小计 in the unit code or unit name
cell, spaces ignored) are left out, counted and checked against the rows above them
(:class:`TotalMismatch`, a review flag ``total_mismatch`` for a later step, §9).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from transforms import columns, fields, sheets, vertical
from transforms.batch import Place
from transforms.columns import ReportKind
from transforms.textfiles import EmptyFileError, UnreadableError

Cells = list[str | None]
WORKBOOKS = ("xlsx", "xls", "ods")
TOTAL_WORDS = ("合计", "总计", "小计")
# Full-width ASCII (！…～) and the ideographic space read as their half-width forms.
FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True)
class TotalMismatch:
    """A total row whose figure is not the sum of the rows it totals (a review flag, §9)."""

    sheet: str
    sheet_row: int
    column: str
    total: float
    sum: float


UNIT_NAME_LABELS = ("单位名称", "unit_name")
_NUMERIC = frozenset(
    c.name for k in columns.REPORT_KINDS.values() for c in k.columns if c.type in ("int", "decimal")
)


def _number(v: str | None) -> float | None:
    try:
        return None if v is None else float(v.replace(",", "").translate(FULL_WIDTH))
    except ValueError:
        return None


def _is_total(row: Cells, where: list[int]) -> bool:
    return any(
        row[i] is not None and "".join(str(row[i]).split()) in TOTAL_WORDS
        for i in where
        if i < len(row)
    )


def _totals(t: sheets.SheetTable, names: list[str | None]) -> tuple[list[int], list[TotalMismatch]]:
    """The total rows of a sheet (indices) and their columns that are not the sum above."""
    where = [i for i, h in enumerate(t.headers) if names[i] == "unit_code" or h in UNIT_NAME_LABELS]
    totals: list[int] = []
    bad: list[TotalMismatch] = []
    start = 0
    for k, row in enumerate(t.rows):
        if not _is_total(row, where):
            continue
        totals.append(k)
        block = [r for r in t.rows[start:k] if any(v is not None and v.strip() for v in r)]
        for i, name in enumerate(names):
            total = _number(row[i]) if name in _NUMERIC and i < len(row) else None
            if total is None or name is None:
                continue
            got = sum(_number(r[i]) or 0.0 for r in block if i < len(r))
            if abs(got - total) > 1e-6 * max(1.0, abs(total)):
                bad.append(TotalMismatch(t.name, t.sheet_rows[k], name, total, got))
        start = k + 1
    return totals, bad


def read_workbook(data: bytes, fmt: str) -> tuple[Cells, list[Cells], list[Place], RawExtras]:
    """Every visible sheet holding a header, as one table (columns by header, in order)."""
    try:
        found, skipped = sheets.read_sheets(data, fmt)
    except sheets.WorkbookError as e:
        raise UnreadableError(f"not a readable {fmt} workbook: {e}") from e
    lab = _labels()
    manifest = list(skipped)
    headers: dict[str, int] = {}
    rows: list[dict[int, str | None]] = []
    places: list[Place] = []
    extras = RawExtras()
    fallback: sheets.Sheet | None = None
    for sheet in found:
        t = sheets.locate(sheet, lab) or fields.locate(sheet, lab) or vertical.locate(sheet, lab)
        if t is None:
            blank = not any(v is not None and v.strip() for r in sheet.rows for v in r)
            why = "empty" if blank else "no_header"
            manifest.append({"sheet": sheet.name, "read": "false", "why": why})
            if not blank and fallback is None:
                fallback = sheet
            continue
        names = [lab.known.get(h) for h in t.headers]
        # each column's place in the sheet (0-based), by canonical name: the portal's 回显
        extras.columns[sheet.name] = {
            n or h: sheet.first_col + (t.cell_cols or {}).get(i, i)
            for i, (n, h) in enumerate(zip(names, t.headers, strict=True))
        }
        totals, bad = _totals(t, names)
        extras.total_rows += len(totals)
        extras.mismatches.extend(bad)
        said = {"sheet": sheet.name, "read": "true"}
        if t.shape == "form" and t.cell_rows:  # read down its labels (transforms.vertical)
            said["why"] = f"form_rows={min(t.cell_rows.values())}-{max(t.cell_rows.values())}"
        else:
            said["why"] = f"header_row={t.header_row if t.header_row is not None else ''}"
        if t.shape == "fields" and t.cell_rows:  # common columns above (transforms.fields)
            said["fields_rows"] = ",".join(str(r) for r in sorted(set(t.cell_rows.values())))
        if t.below:  # notes, signatures or another table below the data: not reports
            said["below"] = _ranges(t.below)
        manifest.append(said)
        slot = [headers.setdefault(h or f"\0{i}", len(headers)) for i, h in enumerate(t.headers)]
        cells = (
            None
            if t.cell_rows is None
            else {lab.known.get(t.headers[i], t.headers[i]): r for i, r in t.cell_rows.items()}
        )
        for k, row in enumerate(t.rows):
            if k in totals:
                continue
            rows.append({slot[i]: v for i, v in enumerate(row) if i < len(slot)})
            places.append((sheet.name, t.sheet_rows[k]) if cells is None else
                          (sheet.name, t.sheet_rows[k], cells))  # fmt: skip
            if k < len(t.hidden) and t.hidden[k]:
                extras.hidden.add(len(rows))  # the data row's number (_row), from 1
    extras.sheets = manifest
    if not headers and fallback is not None:
        # no sheet holds the common columns' labels: its first row is taken as the
        # header, so that the file is missing_columns with what it does hold
        head0: Cells = [None if v is None else str(v) for v in fallback.rows[0]]
        extras.sheets = manifest
        body = fallback.rows[1:]
        places = [(fallback.name, 2 + k) for k in range(len(body))]  # the sheet's row 2 on
        return (
            head0,
            [list(c) for c in zip(*body, strict=True)] or [[] for _ in head0],
            places,
            extras,
        )
    if not rows and not headers:
        raise EmptyFileError("the workbook holds no visible sheet with data")
    head: Cells = [None if h.startswith("\0") else h for h in headers]
    cols: list[Cells] = [[r.get(j) for r in rows] for j in range(len(head))]
    return head, cols, places, extras


@dataclass
class RawExtras:
    """What reading a workbook says beside its table."""

    sheets: list[dict[str, str]] = field(default_factory=list)
    total_rows: int = 0
    mismatches: list[TotalMismatch] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)  # data rows (_row) the clerk hid
    columns: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet → name → column


def _ranges(rows: Sequence[int]) -> str:
    """``[8, 9, 10, 12]`` → ``"8-10、12"``: sheet rows as a person reads them."""
    out: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return "、".join(out)


@functools.cache
def _labels() -> sheets.Labels:
    return sheets.labels()


def kind_from_headers(headers: Sequence[str | None]) -> ReportKind | None:
    """The one kind whose required columns, and one of its own, the header holds, else None."""
    lab = _labels()
    names = {lab.known.get(sheets.header_label(h)) for h in headers}
    common = {c.name for c in columns.COMMON}
    hits = [
        k
        for k in columns.REPORT_KINDS.values()
        if set(k.required_names) <= names and (set(k.names) - common) & names
    ]
    return hits[0] if len(hits) == 1 else None
