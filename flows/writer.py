"""One writer at a time across Prefect deployment runs: the global concurrency slot.

Every writer on the machine also takes the file lock (:mod:`warehouse.lock`, held by
:class:`warehouse.workspace.Workspace`); deployment runs first hold the one slot of the
Prefect global concurrency limit ``WRITER_LIMIT``, so a queued run waits in Prefect,
visibly, rather than in a lock file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from config.settings import Settings
from flows.events import WRITER_LIMIT
from warehouse.lock import holder


def is_deployment_run() -> bool:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return bool(ctx and ctx.flow_run and ctx.flow_run.deployment_id)


@contextmanager
def writer_slot(settings: Settings, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the slot for a deployment run (nothing for other runs).

    A first short attempt tells whether another run holds it, so a waiting run can
    say what it waits for. Without the limit (``ronghe serve`` creates it) Prefect
    warns and the file lock alone keeps writers apart.
    """
    if not is_deployment_run():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with ExitStack() as stack:
        try:
            stack.enter_context(
                concurrency(WRITER_LIMIT, timeout_seconds=1, lease_duration=60, strict=False)
            )
        except TimeoutError:
            say(
                f"waiting for a slot of the Prefect concurrency limit {WRITER_LIMIT!r}:"
                f" {holder(settings.lock_path)} is writing the warehouse"
            )
            stack.enter_context(concurrency(WRITER_LIMIT, lease_duration=60, strict=False))
            say(f"got the {WRITER_LIMIT!r} slot")
        yield
