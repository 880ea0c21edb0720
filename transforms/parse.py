"""Stack a kind's :class:`RawFile` frames and cast text to typed columns.

The output is the *parsed batch* of ``docs/design.md``: ``_id, _file, _row, _record,
_key_unit, _key_period, _pii, _hidden``, then every declared column (typed), then ``_blank__<c>``
for every declared column, then ``_bad__<c>`` for every declared column. Everything
is vectorised Polars. ``_id`` runs 1, 2, … over the batch. Value forms follow CONTRACT §2:

- int: ``12``, ``1,234`` (thousands separators in groups of three), ``12.0``,
  ``+12``, ``-3``; ``3.5`` is bad.
- decimal: ``1,234.5``, ``.5``, ``5.``, ``1e3``; ``inf``/``nan``/``1e400``/``12%`` are bad,
  except in a percentage column (``columns.is_percent``), where ``12%`` is 12.
- bool: ``columns.TRUE_WORDS`` / ``FALSE_WORDS``, case-insensitive.
- timestamp: ``2017年4月10日``, ``2017.4.10`` (a year always: ``4月10日`` is bad),
  ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS[.f]]``, ``T`` instead of the space,
  ``/`` instead of ``-``, 1-digit month/day/hour accepted; an optional ``Z`` or
  ``±HH[:MM]`` offset converts the time to China time (UTC+08:00) and drops the
  zone; without offset a time is taken as China time. An Excel serial number
  20000 … 80000 (days since 1899-12-30, fraction = time of day) is accepted and
  rounded to the second. Result is a naive ``Datetime("us")``.
- enum: the English code (case-insensitive) or the Chinese label → English code.
- period: ``periods.period_expr``; code / text: ``Column.pattern`` must match.

Every value is trimmed first; a cell that is then empty is blank (``_blank__c``),
never bad. A cell holding U+FFFD (``transforms.textfiles.BAD_TEXT``: it did not decode
cleanly in its file's encoding) is bad in every column. A bad cell is null in its typed
column. A blank optional column with a ``default`` gets the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from transforms.batch import (
    FILE,
    HIDDEN,
    ID,
    KEY_PERIOD,
    KEY_UNIT,
    PII,
    POLARS_TYPES,
    RECORD,
    ROW,
    bad_flag,
    blank_flag,
)
from transforms.columns import FALSE_WORDS, TRUE_WORDS, Column, ReportKind, is_percent, roles
from transforms.periods import period_expr
from transforms.pii import ANY_PII, mask_expr
from transforms.read import RawFile
from transforms.textfiles import BAD_TEXT

_SEQ = "__seq"

# Thousands separators only in groups of three; integer part required for ints.
_GROUPED = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
INT_RE = rf"^[+-]?{_GROUPED}(?:\.0*)?$"
DECIMAL_RE = rf"^[+-]?(?:{_GROUPED}(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
TIMESTAMP_RE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)
EXCEL_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
EXCEL_SERIAL_RANGE = (20000.0, 80000.0)
EXCEL_EPOCH = datetime(1899, 12, 30)
LOCAL_OFFSET_MINUTES = 8 * 60  # naive timestamps are China time (UTC+08:00)


def stacked_schema(kind: ReportKind) -> dict[str, pl.DataType]:
    """Schema of :func:`stack`'s output."""
    return {
        FILE: pl.String(),
        ROW: pl.Int64(),
        RECORD: pl.String(),
        PII: pl.List(pl.String()),
        HIDDEN: pl.Boolean(),
    } | {c: pl.String() for c in kind.names}


def pii_names(found: dict[str, pl.Expr]) -> pl.Expr:
    """The names of ``found`` (name → condition) whose condition holds, row by row."""
    hit = [pl.when(cond).then(pl.lit(name)) for name, cond in found.items()]
    return pl.concat_list(pl.lit(None, pl.String), *hit).list.drop_nulls()


# --------------------------------------------------------------------------- stack


def stack(kind: ReportKind, files: Sequence[RawFile]) -> pl.DataFrame:
    """Concatenate the frames of the files of ``kind`` that carry no file-level reason.

    Files with any reason (unreadable, unknown kind, missing columns) are left out:
    they are quarantined whole. Output: ``_file`` (SHA-256), ``_row``, ``_record``
    (the raw row as a JSON object, all of the file's columns incl. extras, values as
    text, personal numbers masked by :func:`transforms.pii.mask`), ``_pii`` (the extra
    columns whose cell holds a personal number, looked for before the record is masked),
    ``_hidden`` (the clerk hid the row in its sheet, ``RawFile.hidden_rows``),
    then every declared column as ``String`` (null where the file lacks it). Rows keep
    the order of ``files`` and, within a file, of ``_row``.
    """
    schema = stacked_schema(kind)
    # Files with the same columns are stacked together so _record is encoded once per group.
    groups: dict[tuple[str, ...], list[tuple[int, RawFile, pl.DataFrame]]] = {}
    for seq, f in enumerate(files):
        if f.kind != kind.name or f.frame is None or f.reasons or f.frame.height == 0:
            continue
        groups.setdefault(tuple(f.frame.columns), []).append((seq, f, f.frame))
    parts: list[pl.DataFrame] = []
    for cols, items in groups.items():
        data = [c for c in cols if c != ROW]
        part = pl.concat([frame for _, _, frame in items], how="vertical").hstack(
            [
                pl.Series(_SEQ, [s for s, _, fr in items for _ in range(fr.height)], pl.Int64),
                pl.Series(FILE, [f.sha256 for _, f, fr in items for _ in range(fr.height)]),
                pl.Series(
                    HIDDEN,
                    [
                        h
                        for _, f, fr in items
                        for h in (
                            [r in f.hidden_rows for r in fr.get_column(ROW)]
                            if f.hidden_rows
                            else [False] * fr.height
                        )
                    ],
                    pl.Boolean,
                ),
            ]
        )
        parts.append(
            part.select(
                pl.col(_SEQ),
                pl.col(FILE),
                pl.col(ROW).cast(pl.Int64),
                # the record is shown and stored, never validated: masked (transforms.pii),
                # each value before JSON escapes what may stand in a number (a tab is "\t"
                # there), then the JSON text for its keys (an extra column's header)
                mask_expr(
                    pl.struct(
                        *(mask_expr(pl.col(c).cast(pl.String)).alias(c) for c in data)
                    ).struct.json_encode()
                ).alias(RECORD),
                pii_names(
                    {c: pl.col(c).str.contains(ANY_PII) for c in data if c not in kind.names}
                ).alias(PII),
                pl.col(HIDDEN),
                *(
                    pl.col(c).cast(pl.String) if c in cols else pl.lit(None, pl.String).alias(c)
                    for c in kind.names
                ),
            )
        )
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts, how="vertical").sort(_SEQ, ROW, maintain_order=True).drop(_SEQ)


# --------------------------------------------------------------------------- casting


def _int(s: pl.Expr) -> pl.Expr:
    digits = s.str.replace_all(",", "", literal=True).str.replace(r"\.0*$", "")
    return pl.when(s.str.contains(INT_RE)).then(digits.cast(pl.Int64, strict=False))


def _decimal(s: pl.Expr, percent: bool = False) -> pl.Expr:
    if percent:  # a percentage column: 40% is 40 (CONTRACT §2)
        s = s.str.replace(r"\s*%$", "")
    number = s.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    return pl.when(s.str.contains(DECIMAL_RE) & number.is_finite()).then(number)


def _bool(s: pl.Expr) -> pl.Expr:
    words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
    return s.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)


def _enum(s: pl.Expr, column: Column) -> pl.Expr:
    labels: dict[str, str] = {}
    for code, zh in column.enum:
        labels[code.lower()] = code
        labels[zh.lower()] = code
    return s.str.to_lowercase().replace_strict(labels, default=None, return_dtype=pl.String)


def _pattern(s: pl.Expr, column: Column) -> pl.Expr:
    if column.pattern is None:
        return s
    return pl.when(s.str.contains(column.pattern)).then(s)


def _timestamp(s: pl.Expr) -> pl.Expr:
    g = s.str.extract_groups(TIMESTAMP_RE)

    def part(i: int, default: str = "0") -> pl.Expr:
        return g.struct.field(str(i)).fill_null(default).str.zfill(2)

    text = pl.concat_str(
        g.struct.field("1"), pl.lit("-"), part(2), pl.lit("-"), part(3), pl.lit(" "),
        part(4), pl.lit(":"), part(5), pl.lit(":"), part(6),
    )  # fmt: skip
    base = text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    fraction = g.struct.field("7").fill_null("").str.slice(0, 6).str.pad_end(6, "0")
    zone = g.struct.field("8").str.replace(":", "", literal=True)
    offset = (
        pl.when(zone.str.to_uppercase() == "Z")
        .then(0)
        .otherwise(
            (
                zone.str.slice(1, 2).cast(pl.Int64) * 60 + zone.str.slice(3, 2).cast(pl.Int64)
            ).fill_null(0)  # "+08" without minutes
            * pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
        )
    )
    shift = pl.when(zone.is_null()).then(0).otherwise(LOCAL_OFFSET_MINUTES - offset)
    iso = base + pl.duration(microseconds=fraction.cast(pl.Int64), minutes=shift)
    serial = s.cast(pl.Float64, strict=False)
    lo, hi = EXCEL_SERIAL_RANGE
    excel = pl.when(s.str.contains(EXCEL_SERIAL_RE) & serial.is_between(lo, hi)).then(
        pl.lit(EXCEL_EPOCH, dtype=pl.Datetime("us"))
        + pl.duration(seconds=(serial * 86400).round(0).cast(pl.Int64))
    )
    return pl.coalesce(iso, excel).cast(pl.Datetime("us"))


def _cast(column: Column) -> pl.Expr:
    """Typed value of a trimmed, non-blank cell; null when it cannot be parsed."""
    s = pl.col(column.name)
    match column.type:
        case "int":
            return _int(s)
        case "decimal":
            return _decimal(s, is_percent(column))
        case "bool":
            return _bool(s)
        case "timestamp":
            return _timestamp(s)
        case "enum":
            return _enum(s, column)
        case "period":
            return period_expr(column.name)
        case "code" | "text":
            return _pattern(s, column)
    raise ValueError(f"unknown column type {column.type!r}")  # pragma: no cover


# --------------------------------------------------------------------------- parse


def parse(kind: ReportKind, stacked: pl.DataFrame) -> pl.DataFrame:
    """Cast a stacked frame of ``kind`` to the parsed batch (docs/design.md).

    Its schema is ``transforms.batch.parsed_schema(kind)``.
    """
    df = stacked
    fill = [pl.lit(None, pl.String).alias(c) for c in (FILE, RECORD, *kind.names) if c not in df]
    if PII not in df:
        fill.append(pii_names({}).alias(PII))
    if HIDDEN not in df:
        fill.append(pl.lit(False).alias(HIDDEN))
    if ROW not in df:
        fill.append(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW))
    if fill:
        df = df.with_columns(fill)
    # Trim every declared column; an empty cell becomes null (= blank).
    trimmed = [
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c) for c in kind.names
    ]
    df = df.with_columns(trimmed)
    typed: list[pl.Expr] = []
    blank: list[pl.Expr] = []
    bad: list[pl.Expr] = []
    pii: dict[str, pl.Expr] = {}  # a typed column's cell that is not of its type is text
    for column in kind.columns:
        c = column.name
        dtype = POLARS_TYPES[column.type]
        # a cell that did not decode cleanly (transforms.textfiles.BAD_TEXT) is bad, whatever
        # its column: its text is not what the filer typed
        damaged = pl.col(c).str.contains(BAD_TEXT, literal=True)
        value = pl.when(damaged).then(None).otherwise(_cast(column)).cast(dtype)
        is_blank = pl.col(c).is_null()
        blank.append(is_blank.alias(blank_flag(c)))
        bad.append((~is_blank & value.is_null()).alias(bad_flag(c)))
        if column.type != "text":  # text columns: the suite's pii expectation
            pii[c] = ~is_blank & value.is_null() & pl.col(c).str.contains(ANY_PII)
        if column.default is not None:
            value = pl.when(is_blank).then(pl.lit(column.default).cast(dtype)).otherwise(value)
        typed.append(value.alias(c))
    r = roles(kind)
    return df.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ID),
        pl.col(FILE).cast(pl.String),
        pl.col(ROW).cast(pl.Int64),
        pl.col(RECORD).cast(pl.String),
        pl.col(r.unit).alias(KEY_UNIT),
        pl.coalesce(period_expr(r.period), pl.col(r.period)).alias(KEY_PERIOD),
        pl.concat_list(pl.col(PII), pii_names(pii)).alias(PII),
        pl.col(HIDDEN).fill_null(False),
        *typed,
        *blank,
        *bad,
    )
