"""``meta.notifications`` in the published warehouse: the outbox as of the run.

The outbox itself is SQLite (:mod:`notify.outbox`); analysts query the warehouse. A run
copies the outbox's rows into its working copy before it publishes, whole, and only
when they changed since the last copy (so a run that changed nothing else does not
differ by it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from notify.outbox import COLUMNS, Outbox, outbox_path
from warehouse.db import registered, transaction

SCHEMA: dict[str, pl.DataType] = {c: pl.String() for c in COLUMNS} | {
    "attempts": pl.Int64(),
    "created_at": pl.Datetime("us"),
    "sent_at": pl.Datetime("us"),
}


def _frame(home: Path) -> pl.DataFrame:
    with Outbox.of(home) as box:
        rows = box.rows()
    data = [
        (
            *(getattr(r, c) for c in COLUMNS[:9]),
            datetime.fromisoformat(r.created_at),
            None if r.sent_at is None else datetime.fromisoformat(r.sent_at),
        )
        for r in rows
    ]
    return pl.DataFrame(data, schema=SCHEMA, orient="row")


def mirror(con: duckdb.DuckDBPyConnection, home: Path, say: Callable[[str], None]) -> int:
    """Copy the outbox into ``meta.notifications`` if it changed; rows copied (0: none)."""
    if not outbox_path(home).exists():
        return 0
    try:
        frame = _frame(home)
    except Exception as exc:  # a copy: a locked or damaged outbox never fails the run
        say(f"meta.notifications not refreshed: the outbox could not be read ({exc})")
        return 0
    with registered(con, "outbox_in", frame):
        ((differ,),) = con.execute(
            "SELECT (SELECT count(*) FROM (FROM meta.notifications EXCEPT FROM outbox_in))"
            " + (SELECT count(*) FROM (FROM outbox_in EXCEPT FROM meta.notifications))"
        ).fetchall()
        if differ == 0:
            return 0
        with transaction(con):
            con.execute("DELETE FROM meta.notifications")
            con.execute("INSERT INTO meta.notifications SELECT * FROM outbox_in")
    return frame.height
