"""An analyst's query, within limits (CONTRACT §6 ``ronghe query``).

The query runs on a sandboxed, read-only connection (:func:`warehouse.db.connect_sandboxed`:
no file but the warehouse, no spill folder, no extension, no configuration change).
``ronghe query`` runs it in a child process of its own (:func:`run_bounded`,
:mod:`warehouse.query_child`), so that no query takes the machine:

- the child's address space is capped (``RLIMIT_AS``) at what it holds once connected
  plus ``RONGHE_QUERY_MEMORY`` (default 2GB, also DuckDB's ``memory_limit``; with no
  spill folder a query that needs more fails instead of writing to disk) and a little
  room for the engine's threads: memory outside DuckDB's buffer manager (40 strings of
  40 MB, their Python copies) counts too;
- it stops after ``RONGHE_QUERY_TIMEOUT`` seconds (default 60): a timer interrupts the
  statement, and the parent kills the child a few seconds later if it has not answered
  (a fetch that does not listen to the interrupt);
- it returns at most ``RONGHE_QUERY_MAX_ROWS`` rows (default 10,000): the rest are
  counted, a chunk at a time, never kept, and the caller says how many were cut;
- what it returns holds at most a quarter of ``RONGHE_QUERY_MEMORY``: the calling
  process, which prints it, has no cap of its own; it reads the answer as it comes and
  prints it a row at a time, so the command as a whole stays near the setting (a larger
  answer is refused, whole).

Each limit hit is a :class:`QueryLimitError` with one line fit for the CLI; a setting
that is not one is a :class:`QuerySettingError` (a usage error); a warehouse file that
cannot be opened says so (a damaged file is called damaged), never in a setting's name.
:func:`run_limited` runs fixed queries of our own (``status``, the demo) in process.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from config.settings import Settings
from warehouse.db import WarehouseError, connect_sandboxed, open_error

_CHUNK = 10_000


class QueryLimitError(WarehouseError):
    """The query went past a limit (time or memory)."""


class QuerySettingError(WarehouseError):
    """A ``RONGHE_QUERY_*`` setting that is not one (a usage error)."""


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)?\s*", re.I)
_UNITS = {
    "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}  # fmt: skip
MIN_MEMORY = 16 * 2**20


def memory_bytes(text: str) -> int:
    """``RONGHE_QUERY_MEMORY`` (``2GB``, ``512MiB``) in bytes, as DuckDB reads it."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise QuerySettingError(
            f"RONGHE_QUERY_MEMORY: not a size such as 2GB or 512MB: {text[:40]!r}"
        )
    value = float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]
    if not MIN_MEMORY <= value <= 2**50:
        raise QuerySettingError(f"RONGHE_QUERY_MEMORY: {text[:40]!r} is not between 16MB and 1PB")
    return int(value)


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
            raise QuerySettingError(f"RONGHE_QUERY_TIMEOUT / RONGHE_QUERY_MAX_ROWS: {e}") from e
        if not 0 < timeout < 10**7 or rows <= 0:
            raise QuerySettingError(
                "RONGHE_QUERY_TIMEOUT and RONGHE_QUERY_MAX_ROWS must be positive"
            )
        memory = (os.environ.get("RONGHE_QUERY_MEMORY") or d.memory).strip()
        memory_bytes(memory)
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
        raise open_error(path, e) from e
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
        raise _too_long(limits) from e
    except duckdb.OutOfMemoryException as e:
        raise _too_big(limits) from e
    finally:
        timer.cancel()
        con.close()


def _too_long(limits: QueryLimits) -> QueryLimitError:
    return QueryLimitError(
        f"the query ran longer than {limits.timeout_seconds:g} s and was stopped"
        " (RONGHE_QUERY_TIMEOUT)"
    )


def _too_big(limits: QueryLimits) -> QueryLimitError:
    return QueryLimitError(
        f"the query needs more memory than {limits.memory} and was stopped (RONGHE_QUERY_MEMORY)"
    )


def _too_large_an_answer(limits: QueryLimits) -> QueryLimitError:
    from warehouse.query_child import ANSWER_SHARE

    most = memory_bytes(limits.memory) // ANSWER_SHARE
    return QueryLimitError(
        f"the query's answer holds more than {most / 10**6:,.0f} MB (a quarter of"
        f" RONGHE_QUERY_MEMORY={limits.memory}) and was not printed: select fewer rows or"
        " shorter values"
    )


GRACE_SECONDS = 5.0
"""How long past the timeout the child may take to say it was interrupted."""


class _Late(Exception):
    """The child did not answer within the timeout and its grace."""


class _Answer(io.RawIOBase):
    """The child's stdout, read until a deadline: each wait is a ``select`` in the calling
    thread, so a signal (Ctrl-C) interrupts it; past the deadline, :class:`_Late`."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd, self.deadline = fd, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Late
            ready, _, _ = select.select([self.fd], [], [], min(left, 1.0))
            if ready:
                data = os.read(self.fd, len(buffer))
                buffer[: len(data)] = data
                return len(data)


def _running(proc: subprocess.Popen[bytes]) -> bool:
    try:  # it sent its answer: it ends by itself, at once
        proc.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        return True
    return False


def run_bounded(
    path: Path,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any] = (),
    limits: QueryLimits | None = None,
) -> Answer:
    """:func:`run_limited` in a child process with an address-space cap and a wall clock:
    whatever the query does, this process waits at most the timeout and a few seconds."""
    from warehouse.query_child import Request

    limits = limits or QueryLimits.from_env()
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: run `ronghe run` or `ronghe demo` first")
    bound = dict(params) if isinstance(params, Mapping) else list(params)
    req = Request(
        str(path), sql, bound, limits.memory, memory_bytes(limits.memory),
        limits.timeout_seconds, limits.max_rows,
    )  # fmt: skip
    root = str(Path(__file__).resolve().parents[1])  # where ``warehouse`` is imported from
    path_env = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    # few malloc arenas: the cap is for the query's data, not for reserved arenas
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "PYTHONPATH": path_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "warehouse.query_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd="/",
    )
    kind: str = "died"
    value: Any = None
    try:
        assert proc.stdin is not None and proc.stdout is not None
        with proc.stdin:
            proc.stdin.write(pickle.dumps(req))
        # read as it comes (the answer's bytes are never held beside the rows), in this
        # thread, against the wall clock: Ctrl-C interrupts the wait
        answer = _Answer(
            proc.stdout.fileno(), time.monotonic() + limits.timeout_seconds + GRACE_SECONDS
        )
        kind, value = pickle.load(io.BufferedReader(answer, 1 << 16))
    except _Late:  # whatever the child does, it stops here
        kind, value = "late", None
    except (pickle.UnpicklingError, EOFError, ValueError, OSError):  # died, or cut off
        kind, value = "died", None
    except BaseException:  # Ctrl-C: the child goes with us
        proc.kill()
        raise
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
        if kind != "ok" or _running(proc):
            proc.kill()
        proc.wait()
    if kind == "late":
        raise _too_long(limits)
    if kind == "ok":
        columns, rows, cut = value
        return Answer(columns, rows, cut)
    if kind == "timeout":
        raise _too_long(limits)
    if kind in ("memory", "died"):  # past the cap, in the engine, in Python or in the answer
        raise _too_big(limits)
    if kind == "answer":
        raise _too_large_an_answer(limits)
    if kind == "open":
        raise open_error(path, RuntimeError(value))
    if kind == "warehouse":
        raise WarehouseError(value)
    raise WarehouseError(" ".join(str(value).split())[:400])


def run_query(
    settings: Settings, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query on the published warehouse, sandboxed and within the query limits."""
    answer = run_limited(settings.published_path, sql, params)
    return answer.columns, answer.rows
