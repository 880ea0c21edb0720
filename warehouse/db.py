"""The warehouse's DuckDB helpers: connections, transactions, frames, SQL files.

Everything that touches DuckDB goes through these few functions, so the rules
measured for DuckDB 2.x live in one place:

- it autocommits each statement of a batch: loads wrap their statements in
  :func:`transaction`;
- one writer or many readers per file: the writer opens the working copy,
  readers the published file read-only (:func:`connect_reader`);
- a SQL script is split by the parser (``extract_statements``), never on ``;`` by
  hand, so semicolons in strings and comments are safe;
- a frame is visible to SQL only inside :func:`registered`, which always
  unregisters it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

SQL_DIR = resources.files("warehouse") / "sql"


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message is fit for one CLI line."""


def connect(path: Path, threads: int = 2, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    """Open the writer's database file (creating its folder); a damaged one is named."""
    path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"threads": threads, "memory_limit": memory_limit}
    try:
        return duckdb.connect(str(path), config=config)
    except duckdb.Error as e:
        text = " ".join(str(e).split())[:300]
        if not _damaged(text):
            raise
        raise WarehouseError(
            f"the warehouse file {path} is damaged (a corrupt database file): a run's working"
            " copy starts from the published warehouse; restore that from a backup and run"
            f" again ({text})"
        ) from e


def _damaged(text: str) -> bool:
    return "orrupt" in text or "not a valid DuckDB database" in text


def open_error(path: Path, e: BaseException) -> WarehouseError:
    """The one line for a published warehouse that cannot be opened."""
    text = " ".join(str(e).split())[:300]
    if _damaged(text):
        return WarehouseError(
            f"the published warehouse {path} is damaged (a corrupt database file):"
            " `ronghe run` publishes it again from the writer's working copy, or restore it"
            f" from a backup ({text})"
        )
    return WarehouseError(f"cannot open the published warehouse {path}: {text}")


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (never blocks a writer); a file that cannot
    be opened is named (:func:`open_error`)."""
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: run `ronghe run` or `ronghe demo` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise open_error(path, e) from e


SANDBOX: dict[str, Any] = {
    # no file but the warehouse: no read_csv('/etc/passwd'), COPY … TO, EXPORT, ATTACH
    "enable_external_access": False,
    # no extension is installed or loaded, by name or automatically
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    # no spill folder: with one (``warehouse.duckdb.tmp/``) the query could write there
    "temp_directory": "",
    # and none of the above can be switched back on by the query (SET, RESET, PRAGMA)
    "lock_configuration": True,
}
"""The configuration of an analyst's connection (``ronghe query``, ``status``)."""


def connect_sandboxed(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only for SQL written by a person.

    The query can read the warehouse and nothing else: no other file (read or
    write), no ATTACH, no extension installed or loaded, no configuration change.
    """
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: run `ronghe run` or `ronghe demo` first")
    config = dict(SANDBOX) | ({"memory_limit": memory_limit} if memory_limit else {})
    return duckdb.connect(str(path), read_only=True, config=config)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """Make ``frame`` queryable as ``name`` for the block; unregister it whatever happens."""
    con.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        con.unregister(name)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """``INSERT INTO table BY NAME`` the rows of ``frame`` (``table`` is ours, never input)."""
    with registered(con, "frame_in", frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame_in")


def sql_file(name: str) -> str:
    """The text of ``warehouse/sql/<name>``."""
    return (SQL_DIR / name).read_text(encoding="utf-8")


def has(con: duckdb.DuckDBPyConnection, table: str, column: str = "") -> bool:
    """Whether ``table`` (``schema.name``), or its ``column``, exists: what a warehouse
    built before a feature (or a part of ronghe that has not run yet) lacks."""
    schema, _, name = table.partition(".")
    if column:
        q, params = sql_file("has_column.sql"), {"schema": schema, "name": name, "column": column}
    else:
        q, params = sql_file("has_table.sql"), {"schema": schema, "name": name}
    rows = con.execute(q, params).fetchall()  # all: DuckDB 2 keeps an unfinished result open
    return bool(rows and rows[0][0])


def statements(script: str) -> list[duckdb.Statement]:
    """The statements of a SQL script, split by DuckDB's own parser."""
    return list(duckdb.extract_statements(script))


def run_sql(
    con: duckdb.DuckDBPyConnection,
    script: str,
    params: Mapping[str, object] | None = None,
    *,
    name: str = "<sql>",
) -> int:
    """Run every statement of ``script``, binding the ``$parameters`` each one names.

    Returns the row count reported by the last statement (0 when it reports none).
    A parameter a statement names but ``params`` lacks is an error naming the file.
    """
    values = dict(params or {})
    count = 0
    for stmt in statements(script):
        wanted = sorted(stmt.named_parameters)
        missing = [p for p in wanted if p not in values]
        if missing:
            raise KeyError(f"{name}: no value for parameter(s) {', '.join(missing)}")
        bound = {p: values[p] for p in wanted}
        # fetch the whole (one-row) result: DuckDB 2 keeps an unfinished result open
        rows = con.execute(stmt.query, bound or None).fetchall()
        count = int(rows[0][0]) if rows and rows[0] and isinstance(rows[0][0], int) else 0
    return count


def run_sql_file(
    con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, object] | None = None
) -> int:
    """:func:`run_sql` on ``warehouse/sql/<name>``."""
    return run_sql(con, sql_file(name), params, name=name)
