"""The parsed batch's own columns (docs/design.md), declared once.

``transforms.read`` keeps file headers off these names, ``transforms.parse`` writes
them, ``expectations/`` reads them. The declared report columns themselves come from
``transforms.columns``.
"""

from __future__ import annotations

import polars as pl

from transforms.columns import ReportKind

# Row and batch bookkeeping columns, in the batch's column order.
ID = "_id"
FILE = "_file"
ROW = "_row"
RECORD = "_record"
KEY_UNIT = "_key_unit"
KEY_PERIOD = "_key_period"
# The row's cells outside the declared text columns that hold a personal number (reason
# ``pii``): an extra column's (named as the file names it) or a declared column's cell
# that is not a value of its type (words, a nested JSON value). GX checks the text columns.
PII = "_pii"
# The row was hidden in its sheet by the clerk (reason ``hidden_row``, CONTRACT §2).
HIDDEN = "_hidden"
META = (ID, FILE, ROW, RECORD, KEY_UNIT, KEY_PERIOD, PII, HIDDEN)

Place = tuple[str, int] | tuple[str, int, dict[str, int]]
"""Where a workbook's data row is: (sheet, sheet row), and for a form read down a column
(:mod:`transforms.vertical`) each of its cells' sheet rows by column name."""

# Per-column flags: ``_blank__<c>`` and ``_bad__<c>`` for every declared column ``c``.
BLANK = "_blank__"
BAD = "_bad__"
FLAG_PREFIXES = (BLANK, BAD)

POLARS_TYPES: dict[str, pl.DataType] = {
    "code": pl.String(),
    "period": pl.String(),
    "timestamp": pl.Datetime("us"),
    "int": pl.Int64(),
    "decimal": pl.Float64(),
    "bool": pl.Boolean(),
    "text": pl.String(),
    "enum": pl.String(),
}


def blank_flag(column: str) -> str:
    """Name of the column flagging a blank cell of declared column ``column``."""
    return f"{BLANK}{column}"


def bad_flag(column: str) -> str:
    """Name of the column flagging an unparseable cell of declared column ``column``."""
    return f"{BAD}{column}"


def flags(kind: ReportKind) -> list[str]:
    """Every flag column of ``kind``: the blank flags, then the bad flags."""
    return [blank_flag(c) for c in kind.names] + [bad_flag(c) for c in kind.names]


def parsed_schema(kind: ReportKind) -> dict[str, pl.DataType]:
    """Schema of the parsed batch of ``kind`` (``transforms.parse.parse``'s output)."""
    meta: dict[str, pl.DataType] = {
        ID: pl.Int64(),
        FILE: pl.String(),
        ROW: pl.Int64(),
        RECORD: pl.String(),
        KEY_UNIT: pl.String(),
        KEY_PERIOD: pl.String(),
        PII: pl.List(pl.String()),
        HIDDEN: pl.Boolean(),
    }
    typed = {c.name: POLARS_TYPES[c.type] for c in kind.columns}
    return meta | typed | dict.fromkeys(flags(kind), pl.Boolean())
