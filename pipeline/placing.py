"""The quarter of a file rejected whole, so it lands on the receipts of that quarter.

A file rejected whole (unreadable, of no known kind, empty, …) reaches a clerk through the
receipts of one quarter (CONTRACT §6: every file is on a receipt). Its whole-file problems
(:func:`expectations.problems.file_problems`) name the units and quarters its rows name,
where any can be read; where none can, :func:`place_rejected` gives them a quarter, once
for the whole run (whatever its chunks), the first of:

1. the quarter written in its file name (``掘港镇2017年一季度党建督导季报.xlsx``);
2. the run's quarter (``ronghe run --period P``; a backfill's last);
3. the latest quarter of the reports the run loaded or returned (a clerk's files of one
   round come together);
4. the latest quarter the warehouse holds reports for, not after the last complete
   quarter (the round the department works on);

never the run's clock alone (a file once landed in "2026Q3", a quarter no run had built,
and so on no receipt). The quarter is then one whose marts the run rebuilds, so its
receipts are written. Only where the warehouse holds nothing at all does the receipts'
own rule (``warehouse/sql/receipts_unnamed_files.sql``) fall back on the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import PurePath

import duckdb

from transforms.periods import last_complete, period_in
from warehouse.db import transaction
from warehouse.store import LoadSummary

_LATEST = """
SELECT max(period) FROM (
    SELECT period FROM core.supervision UNION ALL SELECT period FROM core.economy
    UNION ALL SELECT period FROM core.projects
) WHERE period <= ?
"""
_UNPLACED = """
SELECT DISTINCT source_sha256 FROM quarantine.problems
WHERE period IS NULL AND list_contains(?, source_sha256)
"""
_PLACE = "UPDATE quarantine.problems SET period = ? WHERE source_sha256 = ? AND period IS NULL"


def place_rejected(
    con: duckdb.DuckDBPyConnection, load: LoadSummary, quarters: Sequence[str], now: datetime
) -> LoadSummary:
    """Give the whole-file problems of the files ``load`` rejected whole a quarter where
    their files name none; ``load`` with those quarters among its quarantined ones."""
    rejected = {f.sha256: f.path for f in load.files if f.file_reasons}
    if not rejected:
        return load
    todo = [r[0] for r in con.execute(_UNPLACED, [list(rejected)]).fetchall()]
    if not todo:
        return load
    seen = sorted({*load.periods, *load.periods_quarantined})
    fallback = quarters[-1] if quarters else seen[-1] if seen else None
    if fallback is None:
        row = con.execute(_LATEST, [last_complete(now)]).fetchone()
        fallback = row[0] if row else None
    placed = {sha: period_in(PurePath(rejected[sha]).name) or fallback for sha in todo}
    with transaction(con):
        for sha, period in placed.items():
            if period is not None:
                con.execute(_PLACE, [period, sha])
    found = {p for p in placed.values() if p is not None}
    return replace(load, periods_quarantined=tuple(sorted({*load.periods_quarantined, *found})))
