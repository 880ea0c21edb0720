"""Checks of the cells beside the suite: personal numbers outside the declared text
columns (CONTRACT §3, personal numbers), and rows the clerk hid (§2, ``hidden_row``).

The suite's ``pii`` expectation looks at the declared text columns. A number is also
looked for in every other cell that holds text: an extra (undeclared) column's, and a
typed column's cell that is not a value of its type (words, a nested JSON value). They
are found while parsing, before the record is masked (``transforms.batch.PII``); each
is a ``pii`` problem on the column as the file names it, beside the suite's findings.
"""

from __future__ import annotations

import polars as pl

from expectations.problems import HITS_SCHEMA
from transforms.batch import HIDDEN, ID, PII


def pii_hits(batch: pl.DataFrame) -> pl.DataFrame:
    """One ``pii`` hit per (row, column) the parsed batch's ``_pii`` names (HITS_SCHEMA)."""
    return (
        batch.select(ID, pl.col(PII).alias("column"))
        .explode("column")
        .drop_nulls("column")
        .select(
            ID,
            pl.lit("pii").alias("reason"),
            "column",
            pl.lit(None, pl.String).alias("level"),
        )
        .cast(HITS_SCHEMA)  # type: ignore[arg-type]
    )


def hidden_hits(batch: pl.DataFrame) -> pl.DataFrame:
    """One ``hidden_row`` hit per row the clerk hid in its sheet (``_hidden``): a filled
    row hidden from view never loads unseen. Its column is none (the whole row)."""
    return (
        batch.filter(pl.col(HIDDEN))
        .select(
            ID,
            pl.lit("hidden_row").alias("reason"),
            pl.lit(None, pl.String).alias("column"),
            pl.lit(None, pl.String).alias("level"),
        )
        .cast(HITS_SCHEMA)  # type: ignore[arg-type]
    )
