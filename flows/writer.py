"""One writer at a time across Prefect deployment runs: the global concurrency slot.

Every writer on the machine also takes the file lock (:mod:`warehouse.lock`, held by
:class:`warehouse.workspace.Workspace`); deployment runs first hold the one slot of the
Prefect global concurrency limit ``WRITER_LIMIT``, so a queued run waits in Prefect,
visibly, rather than in a lock file.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from config.settings import Settings
from flows.events import WRITER_LIMIT
from warehouse.lock import holder

SAY_AFTER = 2.0
"""Seconds without the slot after which a run says whom it waits for."""


def is_deployment_run() -> bool:
    """Whether the run is a deployment's, also for a body the warm engine runs for it
    (:mod:`flows.engine`: a task run of the flow run, no flow run context)."""
    from prefect.context import FlowRunContext, TaskRunContext

    ctx = FlowRunContext.get()
    if ctx is not None:
        return bool(ctx.flow_run and ctx.flow_run.deployment_id)
    if TaskRunContext.get() is None:
        return False
    from prefect.runtime import deployment

    return deployment.get_id() is not None


@contextmanager
def writer_slot(settings: Settings, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the slot for a deployment run (nothing for other runs).

    A run that does not get it within :data:`SAY_AFTER` seconds says what it waits for
    (a timer beside the one acquisition, which has no timeout: an acquisition with a
    timeout that expires makes Prefect's slot service log an ERROR, "failed to process
    item", although nothing failed). Without the limit (``ronghe serve`` creates it)
    Prefect warns and the file lock alone keeps writers apart.
    """
    if not is_deployment_run():
        yield
        return
    from prefect.concurrency.sync import concurrency

    lock, acquired, said = threading.Lock(), threading.Event(), threading.Event()

    def waiting() -> None:
        with lock:
            if acquired.is_set():
                return
            said.set()
            say(
                f"waiting for a slot of the Prefect concurrency limit {WRITER_LIMIT!r}:"
                f" {holder(settings.lock_path)} is writing the warehouse"
            )

    # the timer's thread logs to this flow run: it runs in a copy of this context
    timer = threading.Timer(SAY_AFTER, contextvars.copy_context().run, args=(waiting,))
    timer.daemon = True
    timer.start()
    try:
        with concurrency(WRITER_LIMIT, lease_duration=60, strict=False):
            with lock:
                acquired.set()
            timer.cancel()
            if said.is_set():
                say(f"got the {WRITER_LIMIT!r} slot")
            yield
    finally:
        timer.cancel()
