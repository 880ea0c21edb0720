"""The Prefect tasks of a run: each pipeline stage a task, the Dask fan-out, the run's voice.

A run is :func:`pipeline.run.run` with each stage made a Prefect task (:func:`as_task`):
find new files, one read-and-validate per report kind, one load, one marts rebuild, one
publish; never one task per file. On a Dask cluster (:func:`on_dask`: ``prefect-dask``'s
``DaskTaskRunner``), the read-and-validate tasks fan out to the workers, a few batches per
kind and worker thread (:func:`fan_out`); every other stage stays in the flow's process.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect import Flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError

import pipeline.run as pipeline
from flows.retry import retry_on_io
from pipeline import progress
from pipeline.result import RunResult
from transforms.shown import escaped, log_text

T = TypeVar("T")

IO_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 1,
    "retry_condition_fn": retry_on_io,
}

TASK_OPTIONS: dict[str, dict[str, Any]] = {
    "find-new-files": IO_RETRIES,
    "read-and-validate": IO_RETRIES,
    "load": IO_RETRIES,
    "rebuild-marts": {},
    "publish": IO_RETRIES,
}


def as_task(name: str, fn: Callable[..., T], *args: Any, label: str | None = None) -> T:
    """The pipeline's ``step``: run a stage as a Prefect task of that name."""
    options = TASK_OPTIONS.get(name, IO_RETRIES)
    make = task(name=name, cache_policy=NO_CACHE, task_run_name=label, **options)
    return make(fn)(*args)


PIECES_PER_THREAD = 2
"""Read-and-validate batches per kind and Dask worker thread: enough to keep every
thread busy while the slowest batch finishes, few enough that a task stays a batch."""


def on_dask(flow_obj: Flow[..., RunResult], address: str) -> Flow[..., RunResult]:
    """The flow, its tasks submitted to the Dask scheduler at ``address``."""
    from prefect_dask import DaskTaskRunner

    runner = DaskTaskRunner(address=address)
    return flow_obj.with_options(task_runner=runner)  # type: ignore[arg-type]  # prefect-dask types its futures apart


def _submit_all(
    name: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], labels: Sequence[str]
) -> list[T]:
    """The pipeline's fan-out map: every call a task of ``name``, submitted at once."""
    options = TASK_OPTIONS.get(name, IO_RETRIES)
    futures = [
        task(name=name, cache_policy=NO_CACHE, task_run_name=label, **options)(fn).submit(*args)
        for args, label in zip(calls, labels, strict=True)
    ]
    return [f.result() for f in futures]


def fan_out() -> pipeline.FanOut | None:
    """Fan out reading and validating when the flow runs on a Dask task runner."""
    if "prefect_dask" not in sys.modules:  # no DaskTaskRunner was ever made
        return None
    from prefect_dask import DaskTaskRunner

    ctx = FlowRunContext.get()
    runner = ctx.task_runner if ctx is not None else None
    if not isinstance(runner, DaskTaskRunner):
        return None
    nthreads = runner.client.nthreads()
    threads = sum(nthreads.values())
    say(f"reading and validating on Dask: {len(nthreads)} workers, {threads} threads")
    return pipeline.FanOut(max(1, PIECES_PER_THREAD * threads), _submit_all)


def say(message: str) -> None:
    """Tell the CLI user (progress line) and the Prefect run log: a file's or a server's
    words in ``message`` are shown, never obeyed (``transforms.shown``)."""
    progress.step(escaped(message))
    # a plain function call outside a run: the CLI line only
    with contextlib.suppress(MissingContextError):
        get_run_logger().info(log_text(message))
