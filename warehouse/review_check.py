"""The review flags reports would get before they load (``ronghe validate``, §9).

Kept apart from :mod:`warehouse.review` (the marts' side) because it builds a private
warehouse from the DDL (:mod:`warehouse.schema`), which itself creates the marts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.columns import REPORT_KINDS
from transforms.periods import previous_period
from warehouse.db import insert_frame, registered, run_sql_file
from warehouse.review import ensure_round, labels, round_params
from warehouse.ruleset import Rules
from warehouse.schema import all_ddl


def flags_of(
    accepted: Mapping[str, pl.DataFrame], published: Path | None, rules: Rules
) -> pl.DataFrame:
    """The review flags reports would get, before they load (``ronghe validate``).

    ``accepted``: per kind, the rows that would load (declared columns plus ``_file``, the
    file's SHA-256). They are compared, by the same ``marts_review_flags.sql``, with the
    current reports of the previous quarters in the published warehouse, read only
    (none: no previous quarter, so no flags but the total rows'). Nothing is written
    anywhere: the comparison runs in a private in-memory database.
    """
    con = duckdb.connect(":memory:")
    try:
        for stmt in all_ddl():
            con.execute(stmt)
        ensure_round(con)
        periods: set[str] = set()
        for kind, frame in accepted.items():
            if frame.is_empty():
                continue
            keep = [c for c in REPORT_KINDS[kind].names if c in frame.columns]
            rows = frame.select(*keep, pl.col("_file").alias("source_sha256"))
            insert_frame(con, f"core.{kind}", rows)
            periods.update(rows.get_column("period").drop_nulls().unique().to_list())
        if published is not None and published.exists():
            _previous_from(con, published, sorted(periods))
        with registered(con, "review_labels", labels()):
            for period in sorted(periods):
                run_sql_file(con, "marts_review_flags.sql", round_params(period, rules, _NOW))
        flags = pl.from_arrow(con.sql("FROM marts.review_flags").to_arrow_table())
        assert isinstance(flags, pl.DataFrame)
        return flags
    finally:
        con.close()


_NOW = datetime(2000, 1, 1)  # unused by the review SQL: flags do not depend on "now"


def _previous_from(con: duckdb.DuckDBPyConnection, published: Path, periods: list[str]) -> None:
    """Copy the published current reports of the quarters before ``periods`` (those not
    being validated themselves) into the private database."""
    con.execute("ATTACH ? AS pub (READ_ONLY)", [str(published)])
    try:
        previous = sorted({previous_period(p) for p in periods})
        for kind in REPORT_KINDS:
            have = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'pub'"
                " AND schema_name = 'core' AND table_name = ?",
                [kind],
            ).fetchall()[0][0]
            if not have:
                continue
            # a kind name from the declaration, never input: tables cannot be parameters
            con.execute(
                f"INSERT INTO core.{kind} BY NAME SELECT * FROM pub.core.{kind} AS p"
                f" WHERE list_contains(?, p.period) AND NOT EXISTS ("
                f" SELECT 1 FROM core.{kind} AS c"
                f" WHERE c.unit_code = p.unit_code AND c.period = p.period)",
                [previous],
            )
    finally:
        con.execute("DETACH pub")
