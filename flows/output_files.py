"""What a published run owes, and the body that writes it: events, receipts, the 通报.

The ``ronghe-outputs`` flows (:mod:`flows.outputs`) hand their parameters to
:func:`write_outputs` (or :func:`from_event`), in their own process or in the warm engine
(:mod:`flows.engine`). Everything here reads only the published file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from config.settings import Settings
from filers.receipts import receipt_periods, write_period_receipts
from flows import announce, pending
from flows.artifacts import outputs_artifact
from flows.tasks import as_task, say
from pipeline.result import RunResult
from reports import workbook_path
from reports.data import reportable
from transforms.periods import parse_period
from warehouse.db import connect_reader
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


def split_quarters(text: str) -> list[str]:
    """Quarters as an event carries them (comma-separated)."""
    return [parse_period(q) for q in text.split(",") if q.strip()]


def from_event(
    report_periods: str = "",
    receipt_periods: str = "",
    rules: str = "",
    home: str | None = None,
    event_runs: str = "",
) -> list[str]:
    """The outputs of a published run, as its ``ronghe.warehouse.published`` event names
    them (comma-separated), with whatever an earlier run still owes."""
    settings = Settings.load(home)
    owed_reports, owed_receipts = pending.owed(settings)
    have = reportable_quarters(settings, sorted({*split_quarters(report_periods), *owed_reports}))
    receipts = sorted({*split_quarters(receipt_periods), *owed_receipts})
    runs = sorted({*(r for r in event_runs.split(",") if r.strip()), *pending.owed_runs(settings)})
    return write_outputs(have, receipts, home, rules or None, runs)


def announce_runs(settings: Settings, runs: Sequence[str]) -> None:
    """The events of these runs' quarantined reports and rejected files (:mod:`flows.announce`)."""
    if not runs or not settings.published_path.exists():
        return
    con = connect_reader(settings.published_path)
    try:
        rows = con.execute(
            "SELECT sha256 FROM meta.file_manifest WHERE run_id IN ? AND status <> 'loaded'",
            [list(runs)],
        ).fetchall()
    finally:
        con.close()
    shas = [r[0] for r in rows]
    if shas:
        n = announce.emit(announce.outcome_events(settings.published_path, shas))
        say(f"announced {n} quarantined reports and rejected files as events")


def write_outputs(
    report_periods: Sequence[str],
    receipt_periods: Sequence[str],
    home: str | None = None,
    rules: str | None = None,
    event_runs: Sequence[str] = (),
) -> list[str]:
    """The body of the outputs flows: announce, write, say what was written, leave the
    artifact; the written 通报 (workbook and brief paths)."""
    from reports import write_reports

    settings = Settings.load(home)
    published = settings.published_path
    announce_runs(settings, event_runs)
    receipts = as_task(
        "write-receipts",
        write_period_receipts,
        published,
        list(receipt_periods),
        settings.receipts_dir,
    )
    share_outputs(settings.receipts_dir, receipts, settings.warehouse_mode)
    if receipts:
        say(f"wrote {len(receipts)} receipts (回执) under {settings.receipts_dir}")
    rules_path = Path(rules) if rules else settings.rules
    written, problems = as_task(
        "write-reports",
        write_reports,
        published,
        settings.reports_dir,
        list(report_periods),
        rules_path,
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
    outputs_artifact([(r.period, r.workbook, r.brief, r.document) for r in written], receipts)
    pending.paid(settings)  # every output the published run owed is written
    return [str(p) for r in written for p in (r.workbook, r.brief, r.document)]
