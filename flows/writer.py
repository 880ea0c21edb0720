"""One writer at a time across Prefect deployment runs: the global concurrency slot.

Every writer on the machine also takes the file lock (:mod:`warehouse.lock`, held by
:class:`warehouse.workspace.Workspace`); deployment runs first hold the one slot of the
Prefect global concurrency limit ``WRITER_LIMIT``, so a queued run waits in Prefect,
visibly, rather than in a lock file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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

    A look at the limit first tells whether another run holds it, so a waiting run can
    say what it waits for; then one acquisition without a timeout. (An acquisition
    with a timeout that expires makes Prefect's slot service log an ERROR, "failed to
    process item", although nothing failed: so none is timed.) Without the limit
    (``ronghe serve`` creates it) Prefect warns and the file lock alone keeps writers
    apart.
    """
    if not is_deployment_run():
        yield
        return
    from prefect.concurrency.sync import concurrency

    busy = slot_taken()
    if busy:
        say(
            f"waiting for a slot of the Prefect concurrency limit {WRITER_LIMIT!r}:"
            f" {holder(settings.lock_path)} is writing the warehouse"
        )
    with concurrency(WRITER_LIMIT, lease_duration=60, strict=False):
        if busy:
            say(f"got the {WRITER_LIMIT!r} slot")
        yield


def slot_taken() -> bool:
    """Whether every slot of the writer limit is held now (False without the limit)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        except ObjectNotFound:
            return False
    return bool(limit.active and limit.active_slots >= limit.limit)
