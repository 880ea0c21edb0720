"""An analyst's query, within limits (CONTRACT §6 ``ronghe query``).

The query runs on a sandboxed, read-only connection (:func:`warehouse.db.connect_sandboxed`:
no file but the warehouse, no spill folder, no extension, no configuration change) and:

- stops after ``RONGHE_QUERY_TIMEOUT`` seconds (default 60): a timer interrupts the
  statement (``interrupt()``), the fetch included;
- within ``RONGHE_QUERY_MEMORY`` (default 2GB): DuckDB's ``memory_limit``; with no
  spill folder, a query that needs more fails instead of writing to disk;
- returns at most ``RONGHE_QUERY_MAX_ROWS`` rows (default 10,000): the rest are
  counted, a chunk at a time, never kept, and the caller says how many were cut.

Each limit hit is a :class:`QueryLimitError` with one line fit for the CLI.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from config.settings import Settings
from warehouse.db import WarehouseError, connect_sandboxed

_CHUNK = 10_000


class QueryLimitError(WarehouseError):
    """The query went past a limit (time or memory)."""


@dataclass(frozen=True)
class QueryLimits:
    timeout_seconds: float = 60.0
    memory: str = "2GB"
    max_rows: int = 10_000

    @classmethod
    def from_env(cls) -> QueryLimits:
        d = cls()
        try:
            timeout = float(os.environ.get("RONGHE_QUERY_TIMEOUT") or d.timeout_seconds)
            rows = int(os.environ.get("RONGHE_QUERY_MAX_ROWS") or d.max_rows)
        except ValueError as e:
            raise WarehouseError(f"RONGHE_QUERY_TIMEOUT / RONGHE_QUERY_MAX_ROWS: {e}") from e
        if timeout <= 0 or rows <= 0:
            raise WarehouseError("RONGHE_QUERY_TIMEOUT and RONGHE_QUERY_MAX_ROWS must be positive")
        memory = (os.environ.get("RONGHE_QUERY_MEMORY") or d.memory).strip()
        return cls(timeout, memory, rows)


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    cut: int = 0  # rows past max_rows, not returned


def is_empty(sql: str) -> bool:
    """No statement in ``sql`` (blank, or only comments and semicolons)."""
    try:
        return not duckdb.extract_statements(sql)
    except duckdb.Error:
        return False  # a syntax error: the query itself says so


def run_limited(
    path: Path,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any] = (),
    limits: QueryLimits | None = None,
) -> Answer:
    """Run ``sql`` on the published warehouse at ``path``, within ``limits``."""
    limits = limits or QueryLimits.from_env()
    try:
        con = connect_sandboxed(path, memory_limit=limits.memory)
    except duckdb.Error as e:
        raise WarehouseError(f"RONGHE_QUERY_MEMORY={limits.memory!r}: {e}") from e
    timer = threading.Timer(limits.timeout_seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        bound = dict(params) if isinstance(params, Mapping) else list(params)
        rel = con.execute(sql, bound or None)
        columns = [d[0] for d in rel.description or []]
        rows = rel.fetchmany(limits.max_rows) if columns else []
        cut = 0
        while columns and (more := rel.fetchmany(_CHUNK)):
            cut += len(more)
        return Answer(columns, rows, cut)
    except duckdb.InterruptException as e:
        raise QueryLimitError(
            f"the query ran longer than {limits.timeout_seconds:g} s and was stopped"
            " (RONGHE_QUERY_TIMEOUT)"
        ) from e
    except duckdb.OutOfMemoryException as e:
        raise QueryLimitError(
            f"the query needs more memory than {limits.memory} and was stopped"
            " (RONGHE_QUERY_MEMORY)"
        ) from e
    finally:
        timer.cancel()
        con.close()


def run_query(
    settings: Settings, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query on the published warehouse, sandboxed and within the query limits."""
    answer = run_limited(settings.published_path, sql, params)
    return answer.columns, answer.rows
