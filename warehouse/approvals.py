"""``meta.approvals``: the portal's approval log as the warehouse keeps it (CONTRACT §11).

Each run copies the whole log from the portal's store (:mod:`approval.store`) and
replaces the table when it differs; the periods whose transitions changed are rebuilt,
so ``marts.filing_status.approval`` and, under ``[approval] required``, the scores
follow. A log is small (a few transitions per report), so a copy is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import duckdb
import polars as pl

from warehouse.db import registered, sql_file, transaction

SCHEMA: dict[str, Any] = {
    "kind": pl.String,
    "unit_code": pl.String,
    "period": pl.String,
    "seq": pl.Int64,
    "source_sha256": pl.String,
    "state": pl.String,
    "by_unit": pl.String,
    "at": pl.Datetime("us"),
    "reason": pl.String,
}


def replace_approvals(
    con: duckdb.DuckDBPyConnection, rows: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Make ``meta.approvals`` equal ``rows`` (one transaction); the periods that changed."""
    frame = pl.DataFrame([{k: r[k] for k in SCHEMA} for r in rows], schema=SCHEMA, orient="row")
    with registered(con, "approvals_in", frame):
        periods = [r[0] for r in con.execute(sql_file("approvals_changed.sql")).fetchall()]
        if periods:
            with transaction(con):
                con.execute("DELETE FROM meta.approvals")
                con.execute("INSERT INTO meta.approvals BY NAME SELECT * FROM approvals_in")
    return periods


def newest_transition(con: duckdb.DuckDBPyConnection) -> tuple[int, datetime | None]:
    """How many transitions the warehouse holds, and the latest one's time."""
    n, at = con.execute('SELECT count(*), max("at") FROM meta.approvals').fetchall()[0]
    return int(n), at
