"""The process an analyst's query runs in (``python -m warehouse.query_child``).

:func:`warehouse.query.run_bounded` starts it, writes the query to its stdin (a pickle
of :class:`Request`) and reads the answer from its stdout. Here the sandboxed
connection is opened and warmed up, then the process's address space is capped
(``RLIMIT_AS``) at what it uses then plus the query's memory (``RONGHE_QUERY_MEMORY``)
and a little room for the engine's threads: whatever the query builds (40 strings of
40 MB included), the process cannot grow past that; the parent kills it at the time
limit. Light on purpose: only DuckDB and :mod:`warehouse.db` are imported.
"""

from __future__ import annotations

import pickle
import re
import resource
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import WarehouseError, connect_sandboxed

HEADROOM = 256 * 1024 * 1024
"""Address space allowed past the memory setting: the engine's threads and buffers."""
ANSWER_SHARE = 4
"""The answer sent back is at most the memory setting / this: the parent, which holds
it while it prints it, is not capped itself."""
_CHUNK = 10_000


@dataclass(frozen=True)
class Request:
    path: str
    sql: str
    params: Any
    memory: str
    memory_bytes: int
    timeout_seconds: float
    max_rows: int


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        found = re.search(r"VmSize:\s+(\d+)\s+kB", f.read())
    return int(found.group(1)) * 1024 if found else 0


def _cap(extra: int) -> None:
    """No more address space than now plus ``extra`` (soft and hard: never raised again)."""
    limit = _address_space() + extra
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def size_of(value: Any, limit: int) -> int:
    """About how many bytes ``value`` (a row, a list, a struct) holds; stops past ``limit``."""
    if isinstance(value, (str, bytes, bytearray)):
        return len(value) + 16
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        total = 16
        for v in value:
            total += size_of(v, limit - total)
            if total > limit:
                break
        return total
    return 16


def answer(req: Request) -> tuple[str, Any]:
    """The query's answer: ("ok", (columns, rows, cut)) or (kind, message)."""
    try:
        con = connect_sandboxed(Path(req.path), memory_limit=req.memory)
    except WarehouseError as e:
        return "warehouse", str(e)
    except duckdb.Error as e:
        return "open", str(e)
    con.execute("SELECT 1").fetchall()  # the engine's threads are up before the cap
    _cap(req.memory_bytes + HEADROOM)
    timer = threading.Timer(req.timeout_seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        rel = con.execute(req.sql, req.params or None)
        columns = [d[0] for d in rel.description or []]
        rows = rel.fetchmany(req.max_rows) if columns else []
        cut = 0
        most = req.memory_bytes // ANSWER_SHARE
        if (size := size_of(rows, most)) > most:  # the parent is not capped: never send it this
            return "answer", size
        while columns and (more := rel.fetchmany(_CHUNK)):
            cut += len(more)
        return "ok", (columns, rows, cut)
    except duckdb.InterruptException:
        return "timeout", ""
    except (duckdb.OutOfMemoryException, MemoryError):
        return "memory", ""
    except duckdb.Error as e:
        text = str(e)
        if "allocate" in text or "out of memory" in text.lower():  # the cap, met in the engine
            return "memory", ""
        return "error", text[:2000]  # a message may quote a 40 MB value: the start says it
    finally:
        timer.cancel()


def main() -> None:
    req: Request = pickle.load(sys.stdin.buffer)
    try:
        reply = answer(req)
    except MemoryError:
        reply = ("memory", "")
    try:
        pickle.dump(reply, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        sys.stdout.buffer.flush()
    except MemoryError:
        sys.exit(3)  # the answer itself is past the cap


if __name__ == "__main__":
    main()
