"""Great Expectations in a process of its own, started early, while the run reads.

Importing GX costs 3 s or more of CPU (5.5 s on a slow day), more than reading and
validating a city quarter. In a thread of the run's process it competes with the
reading for the GIL; in a process of its own it runs on the other core. So a run
that has files to validate starts one validation process as soon as it knows
(:func:`prestart`: the one-shot command when the inbox holds files, the pipeline when
it has found new ones); the process imports GX and builds the suites while the run
imports Prefect, starts its flow and reads; each kind's parsed batch is then sent to
it (:func:`submit`) and the run goes on reading the next kind while it validates.

The verdicts are those of :func:`expectations.validate.validate`, computed by the
same code in the other process (tests compare both). ``RONGHE_GX_PROCESS=0`` keeps
validation in the run's process. The process is a child of the run: it stops when
the run closes it (:func:`shutdown`), and if the run is killed its pipe closes and it
exits.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

import polars as pl

from expectations.problems import Places
from expectations.validate import Verdicts, validate
from expectations.window import Window
from transforms.columns import REPORT_KINDS
from transforms.worker import die_with_parent

ENV = "RONGHE_GX_PROCESS"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_active = False  # the current run validates there (kept warm between runs)
_futures: list[Future[object]] = []  # its start-up and every batch sent to it


class ProcessStopped(RuntimeError):
    """The validation process died (killed, out of memory): the run stops, loads nothing
    more, and the next run reads those files again."""

    def __init__(self, kind_name: str, cause: BaseException) -> None:
        super().__init__(
            f"the validation process stopped while validating {kind_name} ({cause or 'killed'});"
            " nothing of this chunk was loaded: run again"
        )


def _warm(parent: int) -> None:
    """In the validation process: import GX and build every suite before the first batch.

    The process ends with the run: a thread watches the run's pid (a parent-death signal
    would follow the thread that started it, not the run). Ctrl-C is the run's to
    handle: it stops this process (:func:`shutdown`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent, pdeathsig=False)
    # asked to stop (the pool's shutdown), it ends at once: unloading GX and pandas at
    # the interpreter's exit would cost seconds of CPU for nothing
    atexit.register(os._exit, 0)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from expectations.suites import runner

    for name in REPORT_KINDS:
        runner(name)


def _validate(
    kind_name: str,
    batch: pl.DataFrame,
    registry: pl.DataFrame,
    now: datetime,
    header_rows: Mapping[str, Places],
    window: Window | None = None,
) -> Verdicts:
    return validate(REPORT_KINDS[kind_name], batch, registry, now, header_rows, window)


def enabled() -> bool:
    return os.environ.get(ENV, "1") != "0"


def prestart() -> None:
    """Start the validation process (and its GX import) now, if it is not running; a run
    validates there from now on (:func:`running`)."""
    global _pool, _active
    if not enabled():
        return
    with _lock:
        if _pool is not None and not _alive(_pool):  # died since the last run: a new one
            _stop(_pool)
            _pool = None
            _futures.clear()
        _active = True
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm,
                initargs=(os.getpid(),),
            )
            # make it start its process (and _warm) now, not at first use
            _futures.append(_pool.submit(int))


def running() -> bool:
    """Whether the current run validates in the validation process."""
    return _pool is not None and _active


def release(keep: bool = True) -> None:
    """The run is done with the validation process: it stays up, GX imported, for the
    next run of this process (a warm engine, a test session; a command stops it as it
    exits), or, ``keep=False``, it is stopped now (:func:`shutdown`)."""
    global _active
    if not keep:
        shutdown()
        return
    with _lock:
        _active = False


def _alive(pool: ProcessPoolExecutor) -> bool:
    processes = getattr(pool, "_processes", None) or {}
    return not getattr(pool, "_broken", False) and all(p.is_alive() for p in processes.values())


def wait_ready(timeout: float | None = None) -> None:
    """Block until the validation process has imported GX and built its suites (a warm
    engine starts it before its first run, :mod:`flows.engine`)."""
    prestart()
    with _lock:
        first = _futures[0] if _futures else None
    if first is not None:
        try:
            first.result(timeout)
        except BrokenProcessPool as e:
            raise ProcessStopped("the suites", e) from e


def submit(
    kind_name: str,
    batch: pl.DataFrame,
    registry: pl.DataFrame,
    now: datetime,
    header_rows: Mapping[str, Places],
    window: Window | None = None,
) -> Future[Verdicts]:
    """Validate a parsed batch in the validation process; its verdicts, when done."""
    prestart()
    assert _pool is not None
    try:
        future = _pool.submit(_validate, kind_name, batch, registry, now, dict(header_rows), window)
    except BrokenProcessPool as e:
        raise ProcessStopped(kind_name, e) from e
    _futures.append(future)  # type: ignore[arg-type]
    return future


def shutdown() -> None:
    """Stop the validation process now, even in the middle of its GX import (a run that
    found nothing new does not wait for it); the next run starts another."""
    global _pool, _active
    with _lock:
        pool, _pool, _active = _pool, None, False
        busy = any(not f.done() for f in _futures)
        _futures.clear()
    if pool is not None:
        _stop(pool, busy)


def _stop(pool: ProcessPoolExecutor, busy: bool = True) -> None:
    if not busy:
        # asked to exit, it exits at once (no GX unloading, :func:`_warm`)
        pool.shutdown(wait=False)
        return
    # still importing GX (the run found nothing new) or validating (the run failed):
    # terminated, not waited for. ProcessPoolExecutor has no public way to do it
    # (Python 3.14 adds terminate_workers()): its processes are terminated, then the
    # executor, finding them gone, cleans up after them.
    for p in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            p.terminate()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True, cancel_futures=True)
