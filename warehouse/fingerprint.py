"""What the warehouse says, as one hash: publish only when it changed (issue 35).

Every idle pull (96 a day) used to replace the analysts' file with a new one though
nothing had changed. :func:`fingerprint` hashes the catalog (every table, view and
column, with types and comments) and every row of every table, leaving out only the
run's own bookkeeping: ``meta.runs`` and ``meta.skipped`` (one row per run), when a
source was last attempted or reached and how many files that attempt listed and pulled
(``meta.source_status``), and the time a pull last looked at a file (``meta.pulls``).
Those are published with the next change; a source that stops (or starts) answering, a
file seen at a deposit, a new version of a report, a timeliness that turns ``overdue``
at its deadline, a file hashed at a new path (``meta.file_hashes``): each changes it.

The row hash is ``sum(hash(columns…))`` per table: independent of the rows' order,
and two equal rows count twice (an XOR would cancel them).
"""

from __future__ import annotations

import hashlib

import duckdb

BOOKKEEPING_TABLES = frozenset({("meta", "runs"), ("meta", "skipped"), ("meta", "notifications")})
"""Tables that only log the runs: they change at every run, whatever it found; and the
copy of the notification outbox (its deliveries change it, not what a run found)."""
BOOKKEEPING_COLUMNS = {
    ("meta", "source_status"): frozenset(
        {"attempted_at", "reached_at", "files_seen", "files_pulled"}
    ),
    ("meta", "pulls"): frozenset({"pulled_at", "run_id"}),
}
"""Columns that say when a run looked, not what it found."""

_CATALOG = """
SELECT 'c', schema_name, table_name, column_name, data_type, coalesce(comment, '')
FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
UNION ALL
SELECT 't', schema_name, table_name, '', '', coalesce(comment, '')
FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
UNION ALL
SELECT 'v', schema_name, view_name, '', coalesce(sql, ''), coalesce(comment, '')
FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
ORDER BY ALL
"""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The SHA-256 of what ``con``'s database says, bookkeeping left out (hex)."""
    digest = hashlib.sha256()
    catalog = con.execute(_CATALOG).fetchall()
    columns: dict[tuple[str, str], list[str]] = {}
    for row in catalog:
        digest.update(repr(row).encode("utf-8"))
        what, schema, table, column = row[0], row[1], row[2], row[3]
        volatile = BOOKKEEPING_COLUMNS.get((schema, table), frozenset())
        if what == "c" and (schema, table) not in BOOKKEEPING_TABLES and column not in volatile:
            columns.setdefault((schema, table), []).append(column)
    base = {(r[1], r[2]) for r in catalog if r[0] == "t"}  # views have columns too
    tables = [t for t in sorted(columns) if t in base]
    if not tables:
        return digest.hexdigest()
    # identifiers from the catalog itself, quoted: one query over every table
    parts = [
        f"SELECT {i} AS n, count(*)::VARCHAR AS rows,"
        f" coalesce(sum(hash({', '.join(map(_quoted, columns[t]))})), 0)::VARCHAR AS h"
        f" FROM {_quoted(t[0])}.{_quoted(t[1])}"
        for i, t in enumerate(tables)
    ]
    for row in con.execute(" UNION ALL ".join(parts) + " ORDER BY n").fetchall():
        digest.update(repr(row).encode("utf-8"))
    return digest.hexdigest()
