"""Two warehouses compared table by table, row for row (volatile columns masked).

Floating-point values are equal within a relative 1e-12: DuckDB sums in parallel, so an
aggregate such as ``corr`` over the same rows may differ in its last bits from one run
to the next. Seen without Dask: two local runs of the same files stored ``core.*`` rows in
different physical orders, and ``marts.linkage`` held 0.36147744063941023 in one and
0.3614774406394098 in the other. Rows are compared sorted, so order does not count.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb

SCHEMAS = ("raw", "core", "quarantine", "marts")
VOLATILE = frozenset(
    {
        "received_at",
        "quarantined_at",
        "loaded_at",
        "run_id",
        "archive_path",
        "seen_at",
        "recorded_at",
        "first_received_at",
        # when a file arrived: a pull's first sighting at the deposit, an inbox file's mtime
        "arrived_at",
        "first_arrived_at",
    }
)
"""Columns that differ between two runs of the same files (the clock, the run, the home,
the way the files came)."""


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables"
        " WHERE table_schema IN ('raw', 'core', 'quarantine', 'marts') ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def contents(path: Path, ignore: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of ``SCHEMAS`` as its sorted rows, volatile columns (and ``ignore``) left out."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in tables(con):
            cols = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema || '.' || table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if r[0] not in VOLATILE | ignore
            ]
            listed = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {listed} FROM {table}").fetchall()
            out[table] = sorted(rows, key=_key)
        return out
    finally:
        con.close()


def _key(row: tuple[Any, ...]) -> str:
    return repr(tuple(round(v, 6) if isinstance(v, float) else v for v in row))


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if len(a) != len(b):
        return False
    return all(
        math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12)
        if isinstance(x, float) and isinstance(y, float)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def differences(a: Path, b: Path, ignore: frozenset[str] = frozenset()) -> list[str]:
    """What differs between the warehouses ``a`` and ``b`` (empty: the same); ``ignore``:
    more columns to leave out (``path``: files pulled and dropped in the inbox differ there)."""
    left, right = contents(a, ignore), contents(b, ignore)
    out = [f"only in one: {t}" for t in sorted(set(left) ^ set(right))]
    for t in sorted(set(left) & set(right)):
        rows_a, rows_b = left[t], right[t]
        differ = sum(not _same(x, y) for x, y in zip(rows_a, rows_b, strict=False))
        if differ or len(rows_a) != len(rows_b):
            out.append(f"{t}: {len(rows_a)} vs {len(rows_b)} rows, {differ} differ")
    return out
