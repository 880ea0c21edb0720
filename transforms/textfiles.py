"""CSV and JSON report files → a table of text cells (see :mod:`transforms.read`)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any


class UnreadableError(Exception):
    """The file's content cannot be turned into a table."""


class EmptyFileError(Exception):
    """The file is readable but holds no data row."""


# The C csv module refuses a field over 128 KiB by default; a file's size is the limit.
csv.field_size_limit(2**31 - 1)

# --------------------------------------------------------------------------- decoding


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-16 with BOM, UTF-8 (BOM optional), else GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise UnreadableError("invalid UTF-16 text") from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as e:
            raise UnreadableError("text is neither UTF-8 nor GBK/GB18030") from e
    if "\x00" in text:
        raise UnreadableError("binary data, not text")
    return text


BAD_TEXT = "\ufffd"
"""Marks a cell that does not decode cleanly in its file's encoding (U+FFFD, the Unicode
replacement character): such a cell is ``bad_value`` (``transforms.parse``), whatever
its column, and its sentence says how to save the file (``expectations.sentences``)."""


_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_UTF8_HANZI = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){2,}")
"""Two or more Chinese characters as UTF-8 writes them (U+4E00–U+9FFF)."""


def _half_pasted(b: bytes, text: str) -> bool:
    """A GBK cell with part of it pasted as UTF-8 (``村道`` then UTF-8 ``拓宽`` reads
    ``村道鎷撳``): UTF-8 Chinese among its bytes, and GBK reads a character no clerk types
    there (outside GB2312: GBK's extensions, its user-defined area)."""
    if not _UTF8_HANZI.search(b):
        return False
    for ch in text:
        if ch.isascii():
            continue
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return True
    return False


def _decode_cells(data: bytes) -> list[list[str]] | None:
    """The records of a CSV that is not all UTF-8, each cell decoded on its own.

    Each cell is read in the encoding its bytes are valid in (UTF-8, else GB18030); the
    file's encoding is the one most of its non-ASCII cells are in, and a data cell in the
    other one was pasted from elsewhere: it is kept as GBK reads it, marked
    :data:`BAD_TEXT` (a UTF-8 ``农田水利`` in a GBK file reads ``鍐滅敯姘村埄``, as Excel
    shows it; a GBK cell in a UTF-8 file reads as what was typed); so is a GBK cell with
    part of it pasted as UTF-8 (:func:`_half_pasted`). None when the bytes are not CSV.
    """
    raw = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    try:
        records = list(csv.reader(io.StringIO(raw, newline=""), strict=True))
    except csv.Error:
        return None
    utf8: set[tuple[int, int]] = set()
    other = 0
    for r, rec in enumerate(records):
        for f, cell in enumerate(rec):
            if not cell.isascii():
                try:
                    cell.encode("utf-8")
                except UnicodeEncodeError:  # bytes that are not UTF-8
                    other += 1
                    continue
                if _CJK.search(cell):  # UTF-8 Chinese; GBK bytes that happen to be
                    utf8.add((r, f))  # valid UTF-8 read as Latin or Greek (未 → δ)
                else:
                    other += 1
    as_gbk = other >= len(utf8)  # Excel on Chinese Windows saves GBK
    for r, rec in enumerate(records):
        for f, cell in enumerate(rec):
            if cell.isascii():
                continue
            b = cell.encode("utf-8", "surrogateescape")
            is_utf8 = (r, f) in utf8
            if r > 0 and is_utf8 == as_gbk:  # pasted from elsewhere: marked, as GBK reads it
                rec[f] = BAD_TEXT + b.decode("gb18030", "replace").replace(BAD_TEXT, "")
                continue
            try:  # a header is read in whichever encoding it is valid in
                rec[f] = b.decode("utf-8") if is_utf8 else b.decode("gb18030")
            except UnicodeDecodeError:  # valid in neither
                rec[f] = BAD_TEXT + b.decode("gb18030", "replace").replace(BAD_TEXT, "")
                continue
            if r > 0 and not is_utf8 and _half_pasted(b, rec[f]):  # GBK, and UTF-8 inside
                rec[f] = BAD_TEXT + rec[f]
    return records


# A table before header mapping: raw header texts and the data as text columns.
# Files are small and many: plain lists keep the per-file cost far below that of
# several Polars queries; one DataFrame is built at the end.
Cells = list[str | None]
Table = tuple[Cells, list[Cells]]


def read_csv(data: bytes) -> Table:
    records: list[list[str]] | None = None
    if b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:  # GBK, or GBK with a cell pasted as UTF-8 (or the reverse)
            records = _decode_cells(data)
    if records is None:
        text = decode_text(data)
        if not text.strip():
            raise EmptyFileError("the file is empty")
        # Python's csv module (C, RFC 4180 quoting) rather than pl.read_csv: for the
        # small files we receive it is ~8x faster per file, and the text is decoded here
        # anyway. Unquoted empty fields become null, as Polars would make them.
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as e:
            raise UnreadableError(f"not valid CSV: {e}") from e
    while records and not records[-1]:
        records.pop()
    if not records:
        raise EmptyFileError("the file is empty")
    width = len(records[0])
    cols: list[Cells] = [[] for _ in range(width)]
    for n, rec in enumerate(records[1:], start=2):
        if len(rec) > width and any(v.strip() for v in rec[width:]):
            raise UnreadableError(f"record {n} has {len(rec)} fields, the header {width}")
        rec = rec[:width] + [""] * (width - len(rec))
        for col, v in zip(cols, rec, strict=True):
            col.append(v or None)
    return [v or None for v in records[0]], cols


class _Number(str):
    """A JSON number, kept as the text it was written as."""


def _json_dump(value: Any) -> str:
    """JSON text of a nested value, numbers as written."""
    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}: {_json_dump(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_dump(v) for v in value) + "]"
    if isinstance(value, _Number):
        return str.__str__(value)
    return json.dumps(value, ensure_ascii=False)


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _json_dump(value)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key twice is unreadable (which value is meant cannot be decided)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        keys = [k for k, _ in pairs]
        dup = next(k for k in keys if keys.count(k) > 1)
        raise UnreadableError(f"a JSON object has the key {dup!r} twice")
    return out


def read_json(data: bytes) -> Table:
    text = decode_text(data)
    if not text.strip():
        raise EmptyFileError("the file is empty")
    try:
        # Numbers stay as written: parse_int/parse_float receive the literal text.
        doc = json.loads(
            text,
            parse_int=_Number,
            parse_float=_Number,
            parse_constant=_Number,
            object_pairs_hook=_object,
        )
    except (json.JSONDecodeError, RecursionError) as e:
        raise UnreadableError(f"invalid JSON: {e}") from e
    rows = doc.get("rows") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise UnreadableError('JSON must be an array of objects or an object with "rows"')
    keys: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise UnreadableError(f"JSON row {i + 1} is not an object")
        keys.update(dict.fromkeys(row))
    if not keys:
        raise EmptyFileError("no rows in JSON" if not rows else "every JSON row is empty")
    return list(keys), [[_json_text(row.get(k)) for row in rows] for k in keys]
