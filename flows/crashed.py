"""A crashed run's tasks end Crashed too, not Running for ever.

The crash automation (:mod:`flows.heartbeats`) marks a flow run whose process died
Crashed, but Prefect leaves the task that was running in it Running (and a pending
one Pending): the UI shows a run Crashed with a task still spinning. The
``ronghe-crashed/tasks`` deployment (``ronghe serve``) runs :func:`crashed_tasks_flow`
on each ``prefect.flow-run.Crashed`` event of a ronghe run, and marks its unfinished
task runs Crashed with the same reason.
"""

from __future__ import annotations

from uuid import UUID

from prefect import flow

from flows.tasks import say

CRASHED_EVENT = "prefect.flow-run.Crashed"
UNFINISHED = ("RUNNING", "PENDING", "SCHEDULED")


def end_tasks(flow_run_id: str) -> int:
    """Mark the unfinished task runs of ``flow_run_id`` Crashed; how many."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    runs = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)]))
    unfinished = TaskRunFilter(
        state=TaskRunFilterState(
            type=TaskRunFilterStateType(any_=[StateType(s) for s in UNFINISHED])
        )
    )
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=runs, task_run_filter=unfinished)
        for t in tasks:
            client.set_task_run_state(
                t.id,
                Crashed(message="its flow run crashed (its process stopped without reporting)"),
                force=True,
            )
    return len(tasks)


@flow(name="ronghe-crashed", log_prints=False)
def crashed_tasks_flow(flow_run: str) -> int:
    """``flow_run``: the crashed run's resource id (``prefect.flow-run.<id>``) or its id."""
    n = end_tasks(flow_run.rsplit(".", 1)[-1])
    say(f"flow run {flow_run}: {n} unfinished task runs marked Crashed")
    return n
