"""What a workbook says about its cells that calamine does not: merged ranges, formats.

fastexcel (calamine) gives each cell's value, not its number format, the merged
ranges nor the rows a clerk hid. Those are read here, one reader per format, from what
the file itself says, without a spreadsheet parser of our own:

- ``.xlsx``: the sheet XML's ``<mergeCell>``, each cell's style (``s`` →
  ``cellXfs`` → ``numFmt``) and each ``<row hidden="1">``, with the standard library;
- ``.ods``: ``content.xml``'s ``table:number-rows-spanned`` /
  ``table:number-columns-spanned``, each cell's value type (``percentage``) or its
  style (own, else its column's default) → data style (``number:percentage-style``, a
  ``number:date-style`` without a year), and each row's ``table:visibility``
  (``collapse``: hidden; ``filter``: filtered out), with the standard library;
- ``.xls``: xlrd (``formatting_info=True``): ``merged_cells``, each cell's XF →
  number format, and each row's ``hidden``.

A format is :data:`PCT` (a percentage: the cell shows 40% for a stored 0.4) or
:data:`YEARLESS` (a date shown without a year). Positions are 0-based and absolute in
the sheet (row 0 is the sheet's row 1, column 0 its column A).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from posixpath import join as urljoin
from xml.etree import ElementTree

PCT, YEARLESS = "pct", "yearless"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_RE = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*? s="(\d+)"')
_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ROW_RE = re.compile(rb"<row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_ROW_HIDDEN = re.compile(rb'\shidden="(?:1|true)"')
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_ODS_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


class NotesError(Exception):
    """The workbook's own formats cannot be read (the reader's words)."""


@dataclass
class Notes:
    """One sheet's number formats and merged ranges (0-based, absolute positions)."""

    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → PCT…
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    hidden: list[tuple[int, int]] = field(default_factory=list)  # rows r0…r1 hidden


def classify(format_id: int, code: str) -> str | None:
    """PCT, YEARLESS or None for an Excel number format (its built-in id and its code)."""
    bare = _QUOTED.sub("", code).lower()
    if format_id in (9, 10) or "%" in bare:
        return PCT
    if format_id in (16, 58) or ("d" in bare and not re.search(r"[ye]", bare)):
        return YEARLESS  # a day shown, no year: d-mmm, m"月"d"日"
    return None


def notes(data: bytes, fmt: str) -> dict[str, Notes]:
    """Sheet name → its notes, for a workbook of format ``fmt`` (xlsx, xls or ods)."""
    if fmt == "xlsx":
        return _xlsx(data)
    if fmt == "ods":
        return _ods(data)
    if fmt == "xls":
        return _xls(data)
    return {}


# --------------------------------------------------------------------------- xlsx


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _xlsx(data: bytes) -> dict[str, Notes]:
    try:
        z = zipfile.ZipFile(BytesIO(data))
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    styles: dict[int, str] = {}
    try:
        st = ElementTree.fromstring(z.read("xl/styles.xml"))
        codes = {
            int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in st.iter(f"{_MAIN}numFmt")
        }
        xfs = st.find(f"{_MAIN}cellXfs")
        for i, xf in enumerate([] if xfs is None else list(xfs)):
            fid = int(xf.get("numFmtId", 0))
            f = classify(fid, codes.get(fid, ""))
            if f is not None:
                styles[i] = f
    except (KeyError, ElementTree.ParseError):
        pass
    out: dict[str, Notes] = {}
    for s in book.iter(f"{_MAIN}sheet"):
        t = target.get(s.get(f"{_REL}id"), "")
        path = t.lstrip("/") if t.startswith("/") else urljoin("xl", t)
        try:
            xml = z.read(path)
        except KeyError:
            continue
        n = out[s.get("name", "")] = Notes()
        if styles:
            for m in _CELL_RE.finditer(xml):
                f = styles.get(int(m.group(3)))
                if f is not None:
                    n.formats[(int(m.group(2)) - 1, _col(m.group(1)))] = f
        for m in _MERGE_RE.finditer(xml):
            r0, c0, r1, c1 = int(m.group(2)), _col(m.group(1)), int(m.group(4)), _col(m.group(3))
            n.merges.append((r0 - 1, c0, r1 - 1, c1))
        for m in _ROW_RE.finditer(xml):
            number = _ROW_NUMBER.search(m.group(1))
            if number is not None and _ROW_HIDDEN.search(m.group(1)):
                r = int(number.group(1)) - 1
                n.hidden.append((r, r))
    return out


# --------------------------------------------------------------------------- ods


def _ods_data_styles(root: ElementTree.Element) -> dict[str, str]:
    """Data style name → PCT/YEARLESS (percentage styles; date styles without a year)."""
    out: dict[str, str] = {}
    for el in root.iter(f"{_NUMBER}percentage-style"):
        out[el.get(f"{_STYLE}name", "")] = PCT
    for el in root.iter(f"{_NUMBER}date-style"):
        if el.find(f"{_NUMBER}day") is not None and el.find(f"{_NUMBER}year") is None:
            out[el.get(f"{_STYLE}name", "")] = YEARLESS
    return out


def _ods_cell_styles(roots: list[ElementTree.Element]) -> dict[str, str]:
    """Cell style name → PCT/YEARLESS, through its data style (or its parent's)."""
    data: dict[str, str] = {}
    parent: dict[str, str] = {}
    own: dict[str, str] = {}
    for root in roots:
        data |= _ods_data_styles(root)
        for el in root.iter(f"{_STYLE}style"):
            name = el.get(f"{_STYLE}name", "")
            if el.get(f"{_STYLE}data-style-name"):
                own[name] = el.get(f"{_STYLE}data-style-name", "")
            if el.get(f"{_STYLE}parent-style-name"):
                parent[name] = el.get(f"{_STYLE}parent-style-name", "")
    out: dict[str, str] = {}
    for name in {*own, *parent}:
        seen: set[str] = set()
        at = name
        while at not in own and at in parent and at not in seen:
            seen.add(at)
            at = parent[at]
        f = data.get(own.get(at, ""))
        if f is not None:
            out[name] = f
    return out


def _repeat(el: ElementTree.Element, attr: str) -> int:
    try:
        return max(1, int(el.get(f"{_TABLE}{attr}", "1")))
    except ValueError:
        return 1


def _ods_rows(table: ElementTree.Element) -> Iterator[tuple[int, ElementTree.Element]]:
    """Each row element of a table with its first sheet row (repeats counted, groups entered)."""
    r = 0
    for el in table.iter(f"{_TABLE}table-row"):
        yield r, el
        r += _repeat(el, "number-rows-repeated")


def _ods_columns(table: ElementTree.Element) -> list[str]:
    """Each column's default cell style, up to the last column that has one."""
    out: list[str] = []
    for el in table.iter(f"{_TABLE}table-column"):
        style = el.get(f"{_TABLE}default-cell-style-name", "")
        n = _repeat(el, "number-columns-repeated")
        out.extend([style] * (n if style and style != "Default" else min(n, 1024)))
    while out and out[-1] in ("", "Default"):
        out.pop()
    return out


def _ods_cell(cell: ElementTree.Element, col_style: str, cell_styles: dict[str, str]) -> str | None:
    kind = cell.get(f"{_OFFICE}value-type")
    if kind == "percentage":
        return PCT
    f = cell_styles.get(cell.get(f"{_TABLE}style-name") or col_style)
    if (f == PCT and kind == "float") or (f == YEARLESS and kind == "date"):
        return f
    return None


def _ods_table(table: ElementTree.Element, cell_styles: dict[str, str]) -> Notes:
    n = Notes()
    cols = _ods_columns(table)
    for r, row in _ods_rows(table):
        times = _repeat(row, "number-rows-repeated")
        if row.get(f"{_TABLE}visibility", "visible") != "visible":  # collapse, filter
            n.hidden.append((r, r + times - 1))
        c = 0
        for cell in row:
            if cell.tag not in _ODS_CELLS:
                continue
            span = _repeat(cell, "number-columns-repeated")
            if cell.tag == f"{_TABLE}table-cell" and cell.get(f"{_OFFICE}value-type"):
                f = _ods_cell(cell, cols[c] if c < len(cols) else "", cell_styles)
                down = _repeat(cell, "number-rows-spanned")
                right = _repeat(cell, "number-columns-spanned")
                for dr in range(times):  # a repeated row or cell repeats its value
                    for dc in range(span):
                        if f is not None:
                            n.formats[(r + dr, c + dc)] = f
                        if down > 1 or right > 1:
                            n.merges.append((r + dr, c + dc, r + dr + down - 1, c + dc + right - 1))
            c += span
    return n


def _ods(data: bytes) -> dict[str, Notes]:
    try:
        z = zipfile.ZipFile(BytesIO(data))
        content = ElementTree.fromstring(z.read("content.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    roots = [content]
    with contextlib.suppress(KeyError, ElementTree.ParseError):
        roots.append(ElementTree.fromstring(z.read("styles.xml")))
    cell_styles = _ods_cell_styles(roots)
    return {
        t.get(f"{_TABLE}name", ""): _ods_table(t, cell_styles)
        for t in content.iter(f"{_TABLE}table")
    }


# --------------------------------------------------------------------------- xls


def _xls(data: bytes) -> dict[str, Notes]:
    import xlrd  # only for .xls: its formats and merged ranges (calamine says neither)

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as e:  # xlrd raises its own errors and plain ones on odd bytes
        raise NotesError(f"{type(e).__name__}: {e}".splitlines()[0]) from e
    styles: dict[int, str] = {}
    for i, xf in enumerate(book.xf_list):
        fmt = book.format_map.get(xf.format_key)
        f = classify(xf.format_key, fmt.format_str if fmt is not None else "")
        if f is not None:
            styles[i] = f
    numbers = (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE)
    out: dict[str, Notes] = {}
    for sheet in book.sheets():
        n = out[sheet.name] = Notes()
        n.merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        n.hidden = [(r, r) for r, info in sheet.rowinfo_map.items() if info.hidden]
        if not styles:
            continue
        for r in range(sheet.nrows):
            for c, ctype in enumerate(sheet.row_types(r)):
                if ctype in numbers:
                    f = styles.get(sheet.cell_xf_index(r, c))
                    if f is not None:
                        n.formats[(r, c)] = f
    return out
