"""DDL of the report tables, derived from the column declaration.

``raw.<kind>`` keeps every loaded version of every report; ``core.<kind>`` keeps
the current version of each (kind, unit, period). Both carry the contract's
columns plus ``source_sha256``; ``raw`` adds when the version was received.
"""

from __future__ import annotations

import duckdb
import polars as pl

from transforms.columns import REPORT_KINDS, ReportKind
from warehouse.db import registered, sql_file, statements, transaction
from warehouse.registry import COLUMNS as REGISTRY_COLUMNS

DDL_FILES = ("schemas.sql", "sources_ddl.sql", "approvals_ddl.sql", "notifications_ddl.sql")
"""The warehouse's DDL scripts, in order (the report tables follow, from the declaration)."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def report_columns(kind: ReportKind) -> list[tuple[str, str]]:
    """(name, SQL type) of a kind's core columns, in declaration order."""
    return [(c.name, c.sql_type) for c in kind.columns] + [("source_sha256", "VARCHAR")]


def raw_columns(kind: ReportKind) -> list[tuple[str, str]]:
    return [*report_columns(kind), ("received_at", "TIMESTAMP"), ("row_number", "BIGINT")]


def report_ddl(kind: ReportKind) -> list[str]:
    """CREATE TABLE and COMMENT statements for raw.<kind> and core.<kind>."""
    out: list[str] = []
    for schema, cols, what in (
        ("raw", raw_columns(kind), "全部版本"),
        ("core", report_columns(kind), "当前版本"),
    ):
        table = f"{schema}.{kind.name}"
        body = ",\n    ".join(f"{n} {t}" for n, t in cols)
        out.append(f"CREATE TABLE IF NOT EXISTS {table} (\n    {body}\n)")
        # a warehouse made before a column was declared gains it (blank in older rows)
        out.extend(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {n} {t}" for n, t in cols)
        out.append(f"COMMENT ON TABLE {table} IS {_quote(f'{kind.zh}（{what}）')}")
        comments = {c.name: c.comment for c in kind.columns}
        comments["source_sha256"] = "来源文件 SHA-256"
        comments["received_at"] = "该版本收到时间"
        comments["row_number"] = "文件中的数据行号（从1起）"
        for n, _ in cols:
            out.append(f"COMMENT ON COLUMN {table}.{n} IS {_quote(comments[n])}")
    return out


def all_ddl() -> list[str]:
    """Every statement that creates the warehouse, in order."""
    stmts = [s.query for f in DDL_FILES for s in statements(sql_file(f))]
    for kind in REPORT_KINDS.values():
        stmts.extend(report_ddl(kind))
    return stmts


def ensure_schema(con: duckdb.DuckDBPyConnection, registry: pl.DataFrame) -> None:
    """Create every schema and table, and make ``core.units`` equal the registry."""
    from warehouse.marts import ensure_marts

    with transaction(con):
        for stmt in all_ddl():
            con.execute(stmt)
        ensure_marts(con)
        with registered(con, "registry_in", registry.select(REGISTRY_COLUMNS)):
            changed = con.execute(
                "SELECT (SELECT count(*) FROM (FROM core.units EXCEPT FROM registry_in))"
                " + (SELECT count(*) FROM (FROM registry_in EXCEPT FROM core.units))"
            ).fetchall()
            if changed[0][0]:
                con.execute("DELETE FROM core.units")
                con.execute("INSERT INTO core.units SELECT * FROM registry_in")
