"""What follows a published run: the 通报 and the receipts, in a flow run of their own.

Served runs announce ``ronghe.warehouse.published`` and end at publish; the
``ronghe-outputs/outputs`` deployment (:func:`published_flow`) then writes the outputs.
One-shot commands call :func:`outputs_flow` inline. Both read only the published file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import flow

from config.settings import Settings
from filers.receipts import receipt_periods, write_period_receipts
from flows import pending
from flows.artifacts import outputs_artifact
from flows.events import PUBLISHED_EVENT
from flows.tasks import as_task, say
from pipeline.result import RunResult
from reports import workbook_path
from reports.data import reportable
from transforms.periods import parse_period
from warehouse.modes import share_outputs


def owed_outputs(
    settings: Settings, result: RunResult, quarters: Sequence[str]
) -> tuple[list[str], list[str], list[str]]:
    """What a run about to publish owes: (receipt quarters, 通报 quarters due, 通报 quarters
    an earlier published run still owed).

    Receipts: the quarters that received files (:func:`filers.receipts.receipt_periods`)
    and those owed. A quarter's 通报 is written again when its marts may have changed,
    when it shows figures of one that did (:mod:`warehouse.ripple`), or when it has none.
    """
    owed_reports, owed_receipts = pending.owed(settings)
    receipts = sorted({*receipt_periods(result.load, quarters), *owed_receipts})
    due = [
        p
        for p in result.marts_rebuilt
        if p in result.changed or not workbook_path(settings.reports_dir / p, p).exists()
    ]
    return receipts, sorted({*due, *result.dependents}), owed_reports


def reportable_quarters(settings: Settings, wanted: Sequence[str]) -> list[str]:
    """Those of ``wanted`` that hold reports; says which get no 通报."""
    have = reportable(settings.published_path, list(wanted))
    for period in sorted(set(wanted) - set(have)):
        say(f"no 通报 for {period}: the warehouse holds no report of {period} yet")
    return have


def quarters_text(quarters: Sequence[str]) -> str:
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]}…{quarters[-1]} ({len(quarters)})"


def announce_published(
    run_id: str, quarters: Sequence[str], receipts: Sequence[str], params: dict[str, Any]
) -> None:
    """Emit ``ronghe.warehouse.published``: the served ``ronghe-outputs/outputs``
    deployment writes the 通报 and receipts in a flow run of its own, so this run ends
    (and frees the writer slot's successor) at publish."""
    from prefect.events import emit_event

    emit_event(
        event=PUBLISHED_EVENT,
        resource={"prefect.resource.id": f"ronghe.run.{run_id}"},
        payload={
            "report_periods": ",".join(quarters),
            "receipt_periods": ",".join(receipts),
            "rules": params.get("rules") or "",
        },
    )
    say(
        f"published; the 通报 ({', '.join(quarters) or 'none'}) and receipts"
        f" ({', '.join(receipts) or 'none'}) follow in a ronghe-outputs flow run"
    )


@flow(name="ronghe-outputs", log_prints=False)
def published_flow(
    report_periods: str = "",
    receipt_periods: str = "",
    rules: str = "",
    home: str | None = None,
) -> list[str]:
    """The outputs of a published run, started by its ``ronghe.warehouse.published`` event
    (quarters comma-separated, as the event carries them)."""

    def quarters(text: str) -> list[str]:
        return [parse_period(q) for q in text.split(",") if q.strip()]

    settings = Settings.load(home)
    have = reportable_quarters(settings, quarters(report_periods))
    # the same work as outputs_flow, in this run: not a subflow of the same name
    return write_outputs(have, quarters(receipt_periods), home, rules or None)


@flow(name="ronghe-outputs", log_prints=False)
def outputs_flow(
    report_periods: list[str],
    receipt_periods: list[str],
    home: str | None = None,
    rules: str | None = None,
) -> list[str]:
    """What follows a published run: the 通报 of each quarter rebuilt (workbook, brief and
    document) where what it shows changed, and the receipts (回执) of each quarter that
    received reports. Reads only."""
    return write_outputs(report_periods, receipt_periods, home, rules)


def write_outputs(
    report_periods: list[str],
    receipt_periods: list[str],
    home: str | None = None,
    rules: str | None = None,
) -> list[str]:
    """The body of both outputs flows: write, say what was written, leave the artifact."""
    from reports import write_reports

    settings = Settings.load(home)
    published = settings.published_path
    receipts = as_task(
        "write-receipts", write_period_receipts, published, receipt_periods, settings.receipts_dir
    )
    share_outputs(settings.receipts_dir, receipts, settings.warehouse_mode)
    if receipts:
        say(f"wrote {len(receipts)} receipts (回执) under {settings.receipts_dir}")
    rules_path = Path(rules) if rules else settings.rules
    written, problems = as_task(
        "write-reports", write_reports, published, settings.reports_dir, report_periods, rules_path
    )
    share_outputs(
        settings.reports_dir, [p for r in written for p in r.files], settings.warehouse_mode
    )
    for problem in problems:
        say(f"no 通报 for {problem}")
    fresh = [r for r in written if not r.unchanged]
    if fresh:
        say(f"wrote the 通报 of {len(fresh)} quarters under {settings.reports_dir}")
    if len(fresh) < len(written):
        kept = ", ".join(r.period for r in written if r.unchanged)
        say(f"the 通报 of {kept} shows nothing new: kept as it was")
    outputs_artifact([(r.period, r.workbook, r.brief) for r in written], receipts)
    pending.paid(settings)  # every output the published run owed is written
    return [str(p) for r in written for p in (r.workbook, r.brief, r.document)]
