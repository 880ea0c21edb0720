"""Rebuild the marts (CONTRACT §4, §5) of given periods from ``core.*`` and the rules.

The SQL lives in ``warehouse/sql/marts_*.sql``; this module only runs it, binding the
period and the rule settings as parameters. Per period it deletes the partition of
every marts table and inserts it afresh, so a rebuild is safe to repeat. It runs inside
the caller's transaction and never begins or commits one itself.

Which units are scored: every unit valid in the period (``core.units``) that has any
current report (supervision, economy or projects) in it; under rules with
``complete_units_only`` only the complete ones are ranked. ``marts.linkage`` of period t
correlates P in t with D in t+1, so rebuilding t also refreshes that column for t-1
when t-1 is in the marts. Each rebuild appends what changed in a period's scores to
``marts.unit_scores_history`` (the score history). A fourth quarter also rebuilds its
year's weak-village determination (``marts.weak_village_years``) and refreshes the next
year's status. Last, ``marts.linkage_effect`` (the lagged effect of party building on
development, :mod:`warehouse.linkage_effect`) is re-estimated for every quarter whose
two-year window holds a rebuilt one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from transforms.periods import next_period, parse_period, previous_period
from warehouse.db import run_sql_file
from warehouse.linkage_effect import build_linkage_effect, periods_to_refresh
from warehouse.review import build_round
from warehouse.ruleset import Rules

MARTS_TABLES: tuple[str, ...] = (
    "unit_scores",
    "unit_score_components",
    "linkage",
    "weak_villages",
    "city_summary",
    "weak_village_years",
    "linkage_effect",
)
_SCORE_BASE = "temp.main.marts_score_base"
COUNTED_SQL = {False: "marts_counted_all.sql", True: "marts_counted_approved.sql"}
"""The views ``counted_<kind>`` the scoring marts read, by ``[approval] required``."""


def ensure_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Create the marts schema, tables and views if they do not exist (idempotent)."""
    run_sql_file(con, "marts_ddl.sql")
    run_sql_file(con, "marts_filing_status_ddl.sql")
    run_sql_file(con, "marts_review_flags_ddl.sql")
    run_sql_file(con, "marts_unit_scores_history_ddl.sql")


def rule_params(rules: Rules) -> dict[str, object]:
    """The SQL parameters that carry the rules (weights, thresholds, coefficient)."""
    params: dict[str, object] = {
        f"w_{name}": float(w)
        for name, w in (*rules.party_weights.items(), *rules.development_weights.items())
    }
    params.update(
        supervisions_expected=float(rules.supervisions_expected),
        income_line=float(rules.weak_income_line),
        party_line=float(rules.weak_party_line),
        coefficient_method=rules.coefficient_method,
        band_lower=[float(b.lower) for b in rules.bands],
        band_coefficient=[float(b.coefficient) for b in rules.bands],
        complete_units_only=rules.complete_units_only,
        round_scores=rules.rounding is not None,
        rounding=rules.rounding if rules.rounding is not None else 0,
        investment_basis=rules.investment_basis,
        rules_version=rules.version,
    )
    return params


def build_marts(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[str],
    rules: Rules,
    now: datetime | None = None,
) -> dict[str, int]:
    """Rebuild every marts table for ``periods``; return the rows written per table.

    Runs in the caller's transaction. ``linkage`` counts include the refreshed
    next-period correlation of the quarter before each rebuilt one. ``now`` (default:
    the clock) decides which missing reports are ``overdue`` (CONTRACT §9).
    """
    targets = sorted({parse_period(p) for p in periods})
    written = dict.fromkeys(MARTS_TABLES, 0)
    if not targets:
        return written
    ensure_marts(con)
    params = rule_params(rules)
    # the reports the scores count: every current one, or under [approval] required only
    # approved versions and deposits' files (temp views counted_<kind>, CONTRACT §11)
    run_sql_file(con, COUNTED_SQL[rules.approval_required])

    run_sql_file(con, "marts_score_base_ddl.sql")
    con.execute(f"DELETE FROM {_SCORE_BASE}")
    for period in sorted({*targets, *(next_period(p) for p in targets)}):
        _run(con, "marts_score_base.sql", params, period=period)

    for period in targets:
        _run(con, "marts_delete_period.sql", params, period=period)
        for table in ("unit_scores", "unit_score_components", "linkage", "weak_villages"):
            written[table] += _run(con, f"marts_{table}.sql", params, period=period)
        # what moved since the last rebuild (not counted: a repeat writes nothing there)
        run_sql_file(con, "marts_unit_scores_history.sql", {"period": period})
        written["city_summary"] += _run(con, "marts_city_summary.sql", params, period=period)
        # Fourth quarters only (the SQL checks): the year's weak-village determination,
        # then the status of the following year, which is relative to it.
        written["weak_village_years"] += _run(
            con, "marts_weak_village_years.sql", params, period=period
        )
        _run(con, "marts_weak_village_years_next.sql", params, period=period)
        _run(con, "marts_linkage_next.sql", params, period=period, next_period=next_period(period))
        written["filing_status"] = written.get("filing_status", 0) + run_sql_file(
            con, "marts_filing_status.sql", {"period": period}
        )
        written["review_flags"] = written.get("review_flags", 0) + build_round(
            con, period, rules, now or datetime.now()
        )

    # The quarter before each rebuilt one: its P against the fresh D of the rebuilt one.
    for period in sorted({previous_period(p) for p in targets} - set(targets)):
        written["linkage"] += _run(
            con, "marts_linkage_next.sql", params, period=period, next_period=next_period(period)
        )

    con.execute(f"DROP TABLE IF EXISTS {_SCORE_BASE}")
    written["linkage_effect"] = build_linkage_effect(
        con, periods_to_refresh(con, targets), rules.complete_units_only, rules.version
    )
    return written


def _run(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object], **extra: object
) -> int:
    """Run one marts SQL file with the rule parameters and ``extra``; rows changed."""
    return run_sql_file(con, name, {**params, **extra})
