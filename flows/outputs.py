"""What follows a published run: its events, the receipts and the 通报, in a flow run of
their own.

A run ends at publish (:func:`flows.runs.write_run`), so analysts see the new warehouse
first. A served run announces ``ronghe.warehouse.published`` and the
``ronghe-outputs/outputs`` deployment (:func:`published_flow`) writes the outputs; a
command runs :func:`outputs_flow` once the run has returned (:func:`follow`) and says
when they are written. Both read only the published file; the work is
:mod:`flows.output_files`'s. Light on purpose: nothing here imports the writers.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from prefect import flow

from flows import engine
from flows.events import PUBLISHED_EVENT

if TYPE_CHECKING:
    from pipeline.result import Owed, RunResult


def announce_published(run_id: str, owed: Owed, home: str) -> None:
    """Emit ``ronghe.warehouse.published``: the served ``ronghe-outputs/outputs``
    deployment writes the 通报 and receipts in a flow run of its own, so this run ends
    (and frees the writer slot for the next) at publish."""
    from prefect.events import emit_event

    from flows.tasks import say

    emit_event(
        event=PUBLISHED_EVENT,
        resource={"prefect.resource.id": f"ronghe.run.{run_id}"},
        payload={
            "report_periods": ",".join(owed.report_periods),
            "receipt_periods": ",".join(owed.receipt_periods),
            "event_runs": ",".join(owed.event_runs),
            "rules": owed.rules or "",
            "home": home,
        },
    )
    say(
        f"published; the 通报 ({', '.join(owed.report_periods) or 'none'}) and receipts"
        f" ({', '.join(owed.receipt_periods) or 'none'}) follow in a ronghe-outputs flow run"
    )


@flow(name="ronghe-outputs", log_prints=False)
def published_flow(
    report_periods: str = "",
    receipt_periods: str = "",
    rules: str = "",
    home: str | None = None,
    event_runs: str = "",
) -> list[str]:
    """The outputs of a published run, started by its ``ronghe.warehouse.published`` event
    (quarters and runs comma-separated, as the event carries them)."""
    params = {
        "report_periods": report_periods,
        "receipt_periods": receipt_periods,
        "rules": rules,
        "home": home,
        "event_runs": event_runs,
    }
    written: list[str] = engine.delegate("outputs-event", params)
    return written


@flow(name="ronghe-outputs", log_prints=False)
def outputs_flow(
    report_periods: list[str],
    receipt_periods: list[str],
    home: str | None = None,
    rules: str | None = None,
    event_runs: list[str] | None = None,
) -> list[str]:
    """What follows a published run: the events of its quarantined reports and rejected
    files, the 通报 of each quarter rebuilt (workbook, brief and document) where what it
    shows changed, and the receipts (回执) of each quarter that received reports. Reads
    only."""
    params = {
        "report_periods": report_periods,
        "receipt_periods": receipt_periods,
        "home": home,
        "rules": rules,
        "event_runs": event_runs or [],
    }
    written: list[str] = engine.delegate("outputs", params)
    return written


def follow(result: RunResult, home: str | None) -> RunResult:
    """Write what ``result`` owes in a ``ronghe-outputs`` flow run of its own (after the
    run that published it has ended); the result with the 通报 written."""
    owed = result.owed
    if owed is None or owed.nothing:
        return result
    written = outputs_flow(
        list(owed.report_periods),
        list(owed.receipt_periods),
        home,
        owed.rules,
        list(owed.event_runs),
    )
    return dataclasses.replace(result, reports=tuple(written), owed=None)
