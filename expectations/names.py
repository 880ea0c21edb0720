"""Unit names (CONTRACT §2): a row's 单位名称 must be the registry's name for its code.

Checked in Polars beside the GX suite (it needs the registry's names and aliases, not a
column rule): spaces are ignored; the registry's optional ``aliases`` column lists
former and short names, ``|``-separated.
"""

from __future__ import annotations

import polars as pl

from expectations.problems import HITS_SCHEMA
from transforms.batch import ID, RECORD
from transforms.columns import ReportKind, roles

UNIT_NAME_KEYS = ("单位名称", "unit_name")  # the optional unit-name column's headers
REG_UNIT = "unit_code"
REG_NAME = "name"
REG_ALIASES = "aliases"


# a name is typed as the clerk types it (CONTRACT §2: free text kept as typed): compared
# with full-width forms as their half-width ones (（） and (), Ａ and A) and without spaces
_WIDE = [chr(c) for c in range(0xFF01, 0xFF5F)]
_NARROW = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]


def _bare(e: pl.Expr) -> pl.Expr:
    return e.cast(pl.String).str.replace_many(_WIDE, _NARROW).str.replace_all(r"\s+", "")


def name_hits(kind: ReportKind, batch: pl.DataFrame, registry: pl.DataFrame) -> pl.DataFrame:
    """``unit_name_mismatch`` where a row's 单位名称 is neither the registry's name for its
    code nor one of its aliases (spaces ignored, full-width forms as half-width; CONTRACT §2
    unit names)."""
    r = roles(kind)
    if batch.height == 0 or REG_NAME not in registry.columns:
        return pl.DataFrame(schema=HITS_SCHEMA)
    given = pl.coalesce([pl.col(RECORD).str.json_path_match(f"$['{k}']") for k in UNIT_NAME_KEYS])
    rows = batch.select(ID, pl.col(r.unit).alias("__unit"), _bare(given).alias("__given")).filter(
        pl.col("__given").is_not_null() & (pl.col("__given") != "") & pl.col("__unit").is_not_null()
    )
    if rows.height == 0:
        return pl.DataFrame(schema=HITS_SCHEMA)
    aliases = (
        pl.col(REG_ALIASES).cast(pl.String).fill_null("").str.split("|")
        if REG_ALIASES in registry.columns
        else pl.lit([], pl.List(pl.String))
    )
    names = (
        registry.select(
            pl.col(REG_UNIT).cast(pl.String).alias("__unit"),
            pl.concat_list(pl.col(REG_NAME).cast(pl.String), aliases).alias("__names"),
        )
        .explode("__names")
        .select("__unit", _bare(pl.col("__names")).alias("__name"))
    )
    ok = rows.join(names, on="__unit").filter(pl.col("__given") == pl.col("__name"))
    known = rows.join(names.select("__unit").unique(), on="__unit", how="semi")
    bad = known.join(ok.select(ID), on=ID, how="anti")
    return bad.select(
        ID,
        pl.lit("unit_name_mismatch").alias("reason"),
        pl.lit(r.unit).alias("column"),
        pl.lit(None, pl.String).alias("level"),
    )
