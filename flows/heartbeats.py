"""Crashed runs are told as Crashed: flow-run heartbeats and the automation that reads them.

A flow run whose process is killed (``kill -9``, the machine lost) cannot report its
end, and Prefect would show it Running for ever. Every Prefect 3.9 flow run emits a
``prefect.flow-run.heartbeat`` event every ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``
seconds (:data:`HEARTBEAT_SECONDS` for the runs ``ronghe serve`` starts, set by
:func:`configure`); the automation :data:`AUTOMATION` (a proactive event trigger,
Prefect's "detect zombie flows" recipe) expects, after each heartbeat, another one or
the run's end within :data:`WITHIN_SECONDS`, and otherwise sets the run Crashed. A run
killed mid-way shows Crashed within about ``heartbeat + within`` seconds.

``ronghe serve`` creates the automation, or updates it by name, at each start
(:func:`ensure_crash_automation`): idempotent, one automation whatever the restarts.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

AUTOMATION = "ronghe: crashed runs (no heartbeat)"
HEARTBEAT_SECONDS = 60
"""Prefect's default is 180 s; its minimum 30 s. One small event a minute per run."""
WITHIN_SECONDS = 180
"""Three missed heartbeats: a run busy in C code still beats (its own thread)."""
HEARTBEAT_ENV = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
ENDS = ("Completed", "Failed", "Cancelled", "Crashed")


def configure(seconds: int = HEARTBEAT_SECONDS) -> int:
    """The heartbeat of the flow runs this process starts (an operator's setting wins)."""
    os.environ.setdefault(HEARTBEAT_ENV, str(seconds))
    return int(os.environ[HEARTBEAT_ENV])


def crash_automation(within_seconds: float = WITHIN_SECONDS) -> Any:
    """The automation (``AutomationCore``): no heartbeat nor end in time → Crashed."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    heartbeat = "prefect.flow-run.heartbeat"
    return AutomationCore(
        name=AUTOMATION,
        description=(
            "ronghe serve: a flow run that sends no heartbeat and does not end within"
            f" {within_seconds:g} s of its last heartbeat is marked Crashed (its process died)"
        ),
        enabled=True,
        trigger=EventTrigger(
            after={heartbeat},
            expect={heartbeat, *(f"prefect.flow-run.{s}" for s in ENDS)},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=within_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                name="Crashed",
                state=StateType.CRASHED,
                force=False,
                message=(
                    "no heartbeat: the flow run's process stopped without reporting"
                    " (killed or lost); marked Crashed by the ronghe automation"
                ),
            )
        ],
    )


def ensure_crash_automation(within_seconds: float = WITHIN_SECONDS) -> str:
    """Create the automation, or update the one of that name; its id."""
    from prefect.client.orchestration import get_client

    wanted = crash_automation(within_seconds)
    with get_client(sync_client=True) as client:
        found = client.read_automations_by_name(AUTOMATION)
        if not found:
            return str(client.create_automation(wanted))
        first, *extra = found
        client.update_automation(first.id, wanted)
        for other in extra:  # made by hand or by a race: one is enough
            client.delete_automation(other.id)
        return str(first.id)
