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

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from transforms import columns
from transforms.batch import FLAG_PREFIXES, META, ROW, Place
from transforms.columns import ReportKind
from transforms.limits import LimitExceeded, ReadLimits
from transforms.paths import masked_text, path_text
from transforms.pii import mask
from transforms.scanned import ChangedSinceScan, read_scanned
from transforms.textfiles import EmptyFileError, UnreadableError, read_csv, read_json
from transforms.workbooks import (
    FULL_WIDTH,
    WORKBOOKS,
    RawExtras,
    TotalMismatch,
    kind_from_headers,
    read_workbook,
)
from transforms.worker import enabled as worker_enabled
from transforms.worker import read_within_limits

# File-level reason codes (CONTRACT §3).
UNREADABLE_FILE = "unreadable_file"
UNKNOWN_KIND = "unknown_kind"
MISSING_COLUMNS = "missing_columns"
EMPTY_FILE = "empty_file"

FORMATS = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
    ".json": "json",
}


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
    # workbooks: the sheets read and skipped (meta.file_manifest.sheets), each data row's
    # (sheet, sheet row) by ``_row`` − 1, the total rows left out and their mismatches
    sheets: list[dict[str, str]] = field(default_factory=list)
    places: list[Place] | None = None
    total_rows: int = 0
    total_mismatches: list[TotalMismatch] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)  # data rows (_row) the clerk hid
    # workbooks: each sheet's columns (0-based sheet column by canonical name), for 回显
    columns_at: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Data rows read (0 when unreadable)."""
        return 0 if self.frame is None else self.frame.height


def unread_id(path: Path | str) -> str:
    """The stand-in SHA-256 of a file whose bytes cannot be read: of its path, size, mtime."""
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size = mtime = -1
    key = b"ronghe-unread\0" + os.fsencode(path) + f"\0{size}\0{mtime}".encode()
    return hashlib.sha256(key).hexdigest()


Cells = list[str | None]
IDENTITY = ("unit_code", "period", "submitted_at", "单位名称", "unit_name")
"""The cells that say whose report a row is, not what it reports."""


def _text_reader(read: Callable[[bytes], tuple[Cells, list[Cells]]]) -> Callable[[bytes], Read]:
    def reader(data: bytes) -> Read:
        headers, table = read(data)
        return headers, table, None, None

    return reader


def _workbook_reader(fmt: str) -> Callable[[bytes], Read]:
    def reader(data: bytes) -> Read:
        return read_workbook(data, fmt)

    return reader


Read = tuple[Cells, list[Cells], list[Place] | None, RawExtras | None]
"""A file read: headers, columns, each row's (sheet, sheet row) and a workbook's extras."""
READERS: dict[str, Callable[[bytes], Read]] = {
    "csv": _text_reader(read_csv),
    "json": _text_reader(read_json),
    **{fmt: _workbook_reader(fmt) for fmt in WORKBOOKS},
}
"""Each format's reader, by name: ``transforms.worker`` reads workbooks in its own process."""

# --------------------------------------------------------------------------- workbooks

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
        canon = hmap.get(header) or hmap.get(header.lower()) or hmap.get("".join(header.split()))
        slots.append((i, canon, header))
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
        # full-width digits, letters and punctuation read as half-width in codes, numbers,
        # dates, periods, booleans and enums; free text is kept as typed (CONTRACT §2)
        if canon is None or kind is None or columns.is_free_text(kind.column(canon)):
            out[name] = data[i]
        else:
            out[name] = [
                v if v is None or v.isascii() else v.translate(FULL_WIDTH) for v in data[i]
            ]
    height = len(data[0]) if data else 0
    filled = [False] * height
    # a row that fills only its unit (code, name, period, 填报时间: what a multi-unit
    # template fills in for every unit) is no report, as a blank row (CONTRACT §2); in a
    # file without the kind's columns it is what names the units the file reaches
    complete = kind is not None and set(kind.required_names) <= set(out)
    identity = set(IDENTITY) if complete else set()
    for name, col in out.items():
        if name in identity:
            continue
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


def read_file(path: Path | str, limits: ReadLimits | None = None) -> RawFile:
    """Read one report file. Never raises for a bad file: it comes back with reasons.

    ``limits``: the read limits (default: from the environment, :meth:`ReadLimits.from_env`;
    :func:`read_files` reads them once for all its files)."""
    limits = limits or ReadLimits.from_env()
    p = Path(path)
    kind = columns.kind_of(path_text(p.name))
    fmt = FORMATS.get(p.suffix.lower())
    reasons: set[str] = set() if kind is not None else {UNKNOWN_KIND}
    details: list[str] = []
    if kind is None:
        details.append(f"file name {path_text(p.name)!r} does not name a report kind")
    if p.suffix.lower() == ".et":
        fmt = None

    data: bytes | None = None

    def done(sha: str, size: int, frame: pl.DataFrame | None, content: bool = True) -> RawFile:
        return RawFile(
            path=masked_text(path),
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
        data = read_scanned(path, limits)
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
    extras = RawExtras()
    try:
        if not data:
            raise EmptyFileError("the file is empty (0 bytes)")
        headers, table, places, got = read_within_limits(
            fmt, data, READERS, (UnreadableError, EmptyFileError), limits
        )
        extras = got or extras
        if kind is None:
            kind = kind_from_headers(headers)
            if kind is not None:
                reasons.discard(UNKNOWN_KIND)
                details.clear()
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
    raw = done(sha, len(data), frame)
    raw.sheets, raw.places = extras.sheets, places
    raw.total_rows, raw.total_mismatches = extras.total_rows, extras.mismatches
    raw.hidden_rows = extras.hidden
    raw.columns_at = extras.columns
    if frame.height == 0:  # a header and nothing else (or only blank rows)
        reasons.add(EMPTY_FILE)
        details.insert(0, "no data row (only the header)")
    if kind is not None:
        missing = [c for c in kind.required_names if c not in frame.columns]
        if missing:
            reasons.add(MISSING_COLUMNS)
            labels = ", ".join(f"{c} ({kind.column(c).zh})" for c in missing)
            details.append(f"missing columns: {labels}")
    raw.reasons, raw.detail = sorted(reasons), mask("; ".join(details))
    return raw


def kind_of_file(path: Path | str) -> str | None:
    """The kind a file is read as (its name's word, else its headers), None if neither."""
    return read_file(path).kind


def read_files(paths: Sequence[Path | str], workers: int = 1) -> list[RawFile]:
    """Read many files on ``workers`` threads (why not processes: see the module doc).

    Output order is input order; never raises for a bad file.
    """
    paths = list(paths)
    read = functools.partial(read_file, limits=ReadLimits.from_env())
    workers = max(1, min(workers, len(paths)))
    if workers > 1 and len(paths) > 1:
        with ThreadPoolExecutor(workers, thread_name_prefix="ronghe-read") as pool:
            return list(pool.map(read, paths))
    books = [i for i, p in enumerate(paths) if FORMATS.get(Path(p).suffix.lower()) in WORKBOOKS]
    if not (worker_enabled() and books and len(books) < len(paths)):
        return [read(p) for p in paths]
    # The workbooks are parsed in the worker process: fed from a thread of their own, so
    # that it parses them on the other core while this thread reads the text files.
    out: list[RawFile | None] = [None] * len(paths)
    with ThreadPoolExecutor(1, thread_name_prefix="ronghe-read-books") as pool:
        done = pool.submit(lambda: [read(paths[i]) for i in books])
        chosen = set(books)
        for i, p in enumerate(paths):
            if i not in chosen:
                out[i] = read(p)
        for i, raw in zip(books, done.result(), strict=True):
            out[i] = raw
    return [raw for raw in out if raw is not None]
