"""The filing round's marts of a period (CONTRACT §9): timeliness and review flags.

:func:`build_round` runs after ``marts_filing_status.sql`` in :func:`warehouse.marts.build_marts`:
``marts_filing_status_timeliness.sql`` sets ``due_at`` and ``timeliness`` from the
deadlines of the rules file, then ``marts_review_flags.sql`` rebuilds the period's
``marts.review_flags`` against the previous quarter, with the review rules' thresholds
bound as parameters. Nothing here touches a score or the quarantine.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from transforms.columns import REPORT_KINDS
from transforms.periods import parse_period, previous_period
from warehouse.db import registered, run_sql_file
from warehouse.ruleset import Rules


def ensure_round(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``marts.review_flags`` and ``meta.total_mismatches`` (idempotent)."""
    run_sql_file(con, "marts_review_flags_ddl.sql")


def round_params(period: str, rules: Rules, now: datetime) -> dict[str, object]:
    """The SQL parameters of the round of ``period``: deadlines, thresholds, now."""
    settings = rules.filing_round
    canonical = parse_period(period)
    previous = previous_period(canonical)
    params = settings.params()
    params.update(
        {f"due_{lv}": settings.due_at(canonical, lv) for lv in settings.deadline_days},
        period=canonical,
        previous_period=previous,
        same_year=previous[:4] == canonical[:4],
        now=now,
    )
    return params


def labels() -> pl.DataFrame:
    """(kind, column, zh) of every declared column: the labels the sentences name."""
    return pl.DataFrame(
        [(k.name, c.name, c.zh) for k in REPORT_KINDS.values() for c in k.columns],
        schema={"kind": pl.String, "column": pl.String, "zh": pl.String},
        orient="row",
    )


def build_round(con: duckdb.DuckDBPyConnection, period: str, rules: Rules, now: datetime) -> int:
    """Set the period's timeliness and rebuild its review flags; the flags written."""
    ensure_round(con)
    params = round_params(period, rules, now)
    run_sql_file(con, "marts_filing_status_timeliness.sql", params)
    with registered(con, "review_labels", labels()):
        run_sql_file(con, "marts_review_flags.sql", params)
    row = con.execute(
        "SELECT count(*) FROM marts.review_flags WHERE period = ?", [params["period"]]
    ).fetchone()
    return int(row[0]) if row else 0
