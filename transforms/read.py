"""Report file → :class:`RawFile`: format, encoding, headers and kind (CONTRACT §2).

Every file is read from its bytes once (the SHA-256 is taken from the same bytes)
into an all-text frame: one ``String`` column per header plus ``_row``, the 1-based
data row number (header not counted). Nothing is typed here; ``transforms.parse``
casts the text.

Decisions a caller may rely on:

- Headers are normalised with ``columns.normalise_header`` and mapped to canonical
  names through ``columns.header_map`` (English case-insensitively). Unrecognised
  headers are kept under their normalised text.
- Two headers that map to the same declared column (``单位代码`` and ``unit_code``, or
  the same label twice) make the file ``unreadable_file``: which copy is meant cannot
  be decided. Repeated *unrecognised* headers are kept, the later ones suffixed
  ``_2``, ``_3``…; so is an unrecognised header that collides with a reserved name
  (``_row``, ``_file``, ``_record``, ``_id``, …). A column with an empty header is kept
  as ``column_<n>`` (n its 1-based position) when it holds any value, dropped
  otherwise.
- Rows in which every cell is blank (missing or only spaces) are dropped; ``_row``
  still counts them, so it is the position in the file.
- A file that is readable but holds no data row is ``empty_file``: an empty (0-byte
  or blank) file, a header-only CSV or sheet, an empty first sheet, ``[]`` or
  ``{"rows": []}`` JSON, or one whose rows are all blank.
- ``reasons`` are sorted, distinct file-level codes. A file whose bytes cannot be
  read from disk at all (permission denied …) is ``unreadable_file`` with the OS's
  reason; it has ``content_read == False``, ``size == 0`` and, as ``sha256``, the
  :func:`unread_id` of its path, size and modification time (there are no bytes
  to hash): the same unreadable file is recognised on the next run, and once it
  can be read it arrives under its real SHA-256.
- ``path`` is :func:`transforms.paths.path_text` of the name (a GBK name is shown
  decoded) with personal numbers masked (:func:`transforms.pii.mask`), as is
  ``detail``; the kind is read from the unmasked text, and ``source`` is the name
  to open the file by (it is never stored or shown).
- xlsx: dates become ``YYYY-MM-DD HH:MM:SS`` text (``.fff`` added when the cell
  holds milliseconds); integral numbers become integer text (``12``, not
  ``12.0``); other numbers keep every digit of the stored double (``0.1``,
  ``99.99999999999``); booleans become ``true``/``false``.
- csv: no limit on a cell's size beyond the file's (a 200 KiB cell is read as in
  JSON, and judged by the column's rules). UTF-8 (BOM or not), else GB18030 (a
  superset of GBK); UTF-16 with a BOM is accepted too. Comma separated, ``"``
  quoting (RFC 4180, Python's C ``csv`` module: on thousands of small files it is
  ~8x faster than ``pl.read_csv``); a row with more non-empty fields than the
  header makes the file unreadable, a short row is padded with nulls. Empty fields are null.
- ``read_files`` reads on one thread by default: the per-file work is small and
  mostly under the GIL, and on 2 cores 2 threads were measured slower than one
  (5,856 files: 5.6–5.9 s against 3.9–4.1 s), a spawned process pool ~2x slower still
  (start-up and pickling). ``workers`` > 1 uses threads.
- json: values become text as written in the file (numbers keep their spelling,
  booleans ``true``/``false``, nested values as JSON text, ``null`` stays null).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from transforms import columns
from transforms.batch import FLAG_PREFIXES, META, ROW
from transforms.columns import ReportKind
from transforms.limits import LimitExceeded, ReadLimits
from transforms.paths import path_text
from transforms.pii import mask
from transforms.scanned import ChangedSinceScan, read_scanned
from transforms.worker import read_within_limits

# File-level reason codes (CONTRACT §3).
UNREADABLE_FILE = "unreadable_file"
UNKNOWN_KIND = "unknown_kind"
MISSING_COLUMNS = "missing_columns"
EMPTY_FILE = "empty_file"

# The C csv module refuses a field over 128 KiB by default; a file's size is the limit.
csv.field_size_limit(2**31 - 1)

FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json"}


@dataclass
class RawFile:
    """One received file, read into an all-text frame (or not, with reasons)."""

    path: str
    sha256: str
    size: int
    format: str | None  # "xlsx" / "csv" / "json", None for an unsupported extension
    kind: str | None  # report kind name, None when the stem selects none
    frame: pl.DataFrame | None  # all String + _row Int64; None when unreadable
    reasons: list[str] = field(default_factory=list)  # sorted file-level reason codes
    detail: str = ""  # human-readable explanation of the reasons
    content_read: bool = True  # False: the bytes could not be read (nothing to archive)
    source: str = ""  # the name to open it by (``path`` is that name as readable text)
    data: bytes | None = field(default=None, repr=False)  # the bytes read (to archive)
    waiting: bool = False  # changed since the scan: not read, left for the next run

    @property
    def rows(self) -> int:
        """Data rows read (0 when unreadable)."""
        return 0 if self.frame is None else self.frame.height


class UnreadableError(Exception):
    """The file's content cannot be turned into a table."""


class EmptyFileError(Exception):
    """The file is readable but holds no data row."""


def unread_id(path: Path | str) -> str:
    """The stand-in SHA-256 of a file whose bytes cannot be read: of its path, size, mtime."""
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size = mtime = -1
    key = b"ronghe-unread\0" + os.fsencode(path) + f"\0{size}\0{mtime}".encode()
    return hashlib.sha256(key).hexdigest()


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


# A table before header mapping: raw header texts and the data as text columns.
# Files are small and many: plain lists keep the per-file cost far below that of
# several Polars queries; one DataFrame is built at the end.
Cells = list[str | None]
Table = tuple[Cells, list[Cells]]


def _read_csv(data: bytes) -> Table:
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


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key is there twice (like a CSV header twice)."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        keys = [k for k, _ in pairs]
        twice = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise UnreadableError(f"a JSON object has the key {twice!r} twice")
    return obj


def _read_json(data: bytes) -> Table:
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
            object_pairs_hook=_unique_keys,
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


def _number_text(value: float) -> str:
    """Text of a numeric cell: integer text when integral, else the shortest exact form."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _read_xlsx(data: bytes) -> Table:
    try:
        reader = fastexcel.read_excel(data)
        if not reader.sheet_names:
            raise UnreadableError("workbook has no sheets")
        # Text rendering of every cell (dates as ISO text, numbers rounded to 9 decimals)…
        text = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
        if text.height == 0 or text.width == 0:
            raise EmptyFileError("the first sheet is empty")
        # …and the exact doubles of numeric cells (text cells that look numeric too).
        nums = reader.load_sheet(0, header_row=None, dtypes="float").to_polars()
    except fastexcel.FastExcelError as e:
        raise UnreadableError(f"not a readable xlsx workbook: {str(e).splitlines()[0]}") from e
    cols: list[Cells] = [s.to_list() for s in text.get_columns()]
    if nums.shape == text.shape:
        for col, num in zip(cols, nums.get_columns(), strict=True):
            if num.null_count() == num.len():
                continue
            for k, n in enumerate(num.to_list()):
                t = col[k]
                if n is None or t is None:
                    continue
                try:
                    rounded = float(t) != n
                except ValueError:
                    continue  # a text cell such as "true": rendered as itself
                # The rendering is a number other than the stored double: it was
                # rounded, so write the double. Text cells ("007") equal their parse.
                if rounded:
                    col[k] = _number_text(n)
    return [c[0] for c in cols], [c[1:] for c in cols]


READERS = {"csv": _read_csv, "json": _read_json, "xlsx": _read_xlsx}


# --------------------------------------------------------------------------- headers


@functools.cache
def _header_map(kind: ReportKind) -> dict[str, str]:
    return columns.header_map(kind)


def _unique(name: str, used: set[str]) -> str:
    def taken(n: str) -> bool:
        # The names the pipeline adds next to the report columns (transforms.batch).
        return n in used or n in META or n.startswith(FLAG_PREFIXES)

    out, i = name, 1
    while taken(out):
        i += 1
        out = f"{name}_{i}"
    return out


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _frame(headers: Cells, data: list[Cells], kind: ReportKind | None) -> pl.DataFrame:
    """Name the columns, add ``_row``, drop all-blank columns without header and blank rows."""
    hmap = _header_map(kind) if kind is not None else {}
    slots: list[tuple[int, str | None, str]] = []  # (position, canonical name, header)
    for i, raw in enumerate(headers):
        header = columns.normalise_header("" if raw is None else str(raw))
        if not header:
            if not all(_blank(v) for v in data[i]):
                slots.append((i, None, f"column_{i + 1}"))
            continue
        slots.append((i, hmap.get(header) or hmap.get(header.lower()), header))
    if not slots:
        raise EmptyFileError("no header and no data")
    seen: dict[str, list[str]] = {}
    for _, canon, header in slots:
        if canon is not None:
            seen.setdefault(canon, []).append(header)
    dups = "; ".join(f"{c} ({', '.join(hs)})" for c, hs in seen.items() if len(hs) > 1)
    if dups:
        raise UnreadableError(f"duplicate columns: {dups}")
    used = set(seen) | (set(kind.names) if kind is not None else set())
    out: dict[str, Cells] = {}
    for i, canon, header in slots:
        name = canon if canon is not None else _unique(header, used)
        used.add(name)
        out[name] = data[i]
    height = len(data[0]) if data else 0
    filled = [False] * height
    for col in out.values():
        for k, v in enumerate(col):
            if v is not None and not filled[k] and v.strip():
                filled[k] = True
    if all(filled):
        rows = list(range(1, height + 1))
    else:
        keep = [k for k in range(height) if filled[k]]
        out = {name: [col[k] for k in keep] for name, col in out.items()}
        rows = [k + 1 for k in keep]
    # One Series for all cells, sliced into columns: far cheaper than one per column.
    flat = pl.Series("", [v for col in out.values() for v in col], dtype=pl.String)
    height = len(rows)
    series = [flat.slice(j * height, height).alias(name) for j, name in enumerate(out)]
    return pl.DataFrame([*series, pl.Series(ROW, rows, dtype=pl.Int64)])


# --------------------------------------------------------------------------- public API


def read_file(path: Path | str) -> RawFile:
    """Read one report file. Never raises for a bad file: it comes back with reasons."""
    p = Path(path)
    kind = columns.kind_of(path_text(p.name))
    fmt = FORMATS.get(p.suffix.lower())
    reasons: set[str] = set() if kind is not None else {UNKNOWN_KIND}
    details: list[str] = []
    if kind is None:
        details.append(f"file name {path_text(p.name)!r} does not name a report kind")

    data: bytes | None = None

    def done(sha: str, size: int, frame: pl.DataFrame | None, content: bool = True) -> RawFile:
        return RawFile(
            path=mask(path_text(path)),
            sha256=sha,
            size=size,
            format=fmt,
            kind=kind.name if kind is not None else None,
            frame=frame,
            reasons=sorted(reasons),
            detail=mask("; ".join(details)),
            content_read=content,
            source=str(path),
            data=data,
        )

    try:
        data = read_scanned(path, ReadLimits.from_env())
    except ChangedSinceScan as e:
        details.insert(0, f"{e}; left for the next run")
        waiting = done(unread_id(p), 0, None, content=False)
        waiting.waiting = True
        return waiting
    except LimitExceeded as e:
        reasons.add(UNREADABLE_FILE)
        details.insert(0, str(e))
        return done(unread_id(p), 0, None, content=False)
    except OSError as e:
        reasons.add(UNREADABLE_FILE)
        details.insert(0, f"cannot read file: {e.strerror or e}")
        return done(unread_id(p), 0, None, content=False)
    sha = hashlib.sha256(data).hexdigest()
    if fmt is None:
        reasons.add(UNREADABLE_FILE)
        details.insert(
            0, f"unsupported file type {p.suffix or '(none)'!r} (use {', '.join(FORMATS)})"
        )
        return done(sha, len(data), None)
    try:
        if not data:
            raise EmptyFileError("the file is empty (0 bytes)")
        headers, table = read_within_limits(fmt, data, READERS, (UnreadableError, EmptyFileError))
        frame = _frame(headers, table, kind)
    except EmptyFileError as e:
        reasons.add(EMPTY_FILE)
        details.insert(0, str(e))
        return done(sha, len(data), None)
    except (UnreadableError, LimitExceeded) as e:
        reasons.add(UNREADABLE_FILE)
        details.insert(0, str(e))
        return done(sha, len(data), None)
    except Exception as e:  # a reader library failing on odd bytes: still a bad file
        reasons.add(UNREADABLE_FILE)
        details.insert(
            0, f"cannot parse {fmt}: {type(e).__name__}: {''.join(str(e).splitlines()[:1])}"
        )
        return done(sha, len(data), None)
    if frame.height == 0:  # a header and nothing else (or only blank rows)
        reasons.add(EMPTY_FILE)
        details.insert(0, "no data row (only the header)")
    if kind is not None:
        missing = [c for c in kind.required_names if c not in frame.columns]
        if missing:
            reasons.add(MISSING_COLUMNS)
            labels = ", ".join(f"{c} ({kind.column(c).zh})" for c in missing)
            details.append(f"missing columns: {labels}")
    return done(sha, len(data), frame)


def read_files(paths: Sequence[Path | str], workers: int = 1) -> list[RawFile]:
    """Read many files on ``workers`` threads (why not processes: see the module doc).

    Output order is input order; never raises for a bad file.
    """
    paths = list(paths)
    workers = max(1, min(workers, len(paths)))
    if workers <= 1 or len(paths) < 2:
        return [read_file(p) for p in paths]
    with ThreadPoolExecutor(workers, thread_name_prefix="ronghe-read") as pool:
        return list(pool.map(read_file, paths))
