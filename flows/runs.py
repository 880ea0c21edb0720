"""What the flows do: the writer's run and the bodies of the ingest, quarter and backfill flows.

:func:`write_run` holds the writer slot and the workspace
(:class:`warehouse.workspace.Workspace`), runs :func:`pipeline.run.run` with each stage a
Prefect task (:mod:`flows.tasks`), publishes only on success and leaves a markdown
artifact (:func:`pipeline.render.run_markdown`). It ends at publish: the events, the
receipts and the 通报 follow in a ``ronghe-outputs`` flow run of their own
(:mod:`flows.outputs`), started by the ``ronghe.warehouse.published`` event where
``ronghe serve`` serves it, else by the command once this run has returned
(:attr:`pipeline.result.RunResult.owed`).

The flows (:mod:`flows.flows`) are thin: each hands its parameters to one body here,
in its own process or in the warm engine (:mod:`flows.engine`).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment, flow_run

import pipeline.run as pipeline
from config.settings import Settings
from expectations import process as gx_process
from flows import engine, pending
from flows.announce import before_publish
from flows.artifacts import run_artifact, warn_quarantined
from flows.events import OUTPUTS_BY_EVENT, received_paths
from flows.flows import rules_path
from flows.output_files import owed_outputs, quarters_text, reportable_quarters
from flows.outputs import announce_published
from flows.tasks import IO_RETRIES, as_task, fan_out, say
from flows.writer import writer_slot
from pipeline import progress
from pipeline.result import Owed, RunResult
from transforms.paths import few_paths, param_path
from transforms.periods import last_complete, parse_period, period_range
from warehouse.ruleset import load_rules
from warehouse.store import LoadSummary
from warehouse.workspace import Workspace


def write_run(
    flow_name: str,
    params: dict[str, Any],
    settings: Settings,
    paths: Sequence[Path],
    quarters: Sequence[str] = (),
    after_load: Callable[[Workspace, RunResult], None] | None = None,
) -> RunResult:
    """Run the pipeline as the one writer; publish only if it succeeds.

    ``after_load`` writes more in the same run before it publishes (a pull's
    ``meta.pulls``). What the run owes once published (its files' events, the receipts
    and 通报) is recorded (:mod:`flows.pending`) and handed on: announced as
    ``ronghe.warehouse.published`` for a served run, else returned as ``owed``.
    """
    run_id = str(flow_run.get_id() or uuid.uuid4())
    rules = rules_path(params)
    what = f"{flow_name} run {run_id}"
    fanning = fan_out()
    with (
        writer_slot(settings, say),
        Workspace.open(settings, rules, holder=what, say=say) as ws,
    ):
        failed, found = True, False
        try:
            with ws.run(run_id, flow_name, params):
                result = pipeline.run(
                    ws,
                    paths,
                    datetime.now(),
                    quarters=quarters,
                    run_id=run_id,
                    step=as_task,
                    fan_out=fanning,
                    # validation in a process of its own, importing GX while the run reads
                    on_new_files=gx_process.prestart if fanning is None else None,
                )
                if after_load is not None:
                    after_load(ws, result)
            failed, found = False, bool(result.load.files)
        finally:
            # the validation process stays warm for this process's next run (the engine's,
            # a session's); it stops when the run failed (it may have died) or found nothing
            # to validate (a GX import still going is not paid for)
            gx_process.release(keep=not failed and (found or engine.resident()))
        # the receipts and 通报 this run owes, with those an earlier published run owed
        # (killed before writing them), recorded before publishing (flows.pending)
        receipts, due, owed = owed_outputs(settings, result, quarters)
        # this run's quarantined reports and rejected files are told before it publishes
        # (the outbox: never lost; their events; meta.notifications, flows.announce); what
        # runs before the outbox left to announce follows with the outputs
        announce = pending.owed_runs(settings)
        pending.record(settings, sorted({*due, *owed}), receipts)
        before_publish(ws, settings, result, say)
        if as_task("publish", ws.publish):  # False: nothing changed, the version stands
            progress.step(f"published {settings.published_path}")
    warn_quarantined(settings, result)
    if result.dependents:
        say(f"the 通报 of {quarters_text(result.dependents)} show corrected figures: rewritten")
    reports = reportable_quarters(settings, sorted({*due, *owed}))
    unchanged = sorted(set(result.marts_rebuilt) - set(due))
    if unchanged:
        say(
            f"the 通报 of {quarters_text(unchanged)} stand: nothing new, same rules"
            " (`ronghe report --period P` writes one again)"
        )
    owed_now = Owed(tuple(reports), tuple(receipts), tuple(announce), str(rules or "") or None)
    if owed_now.nothing:
        pending.paid(settings)  # nothing to write: no flow run for it, nothing owed
    elif os.environ.get(OUTPUTS_BY_EVENT) == "1" and deployment.get_id():
        announce_published(run_id, owed_now, str(settings.home))
    else:
        result = dataclasses.replace(result, owed=owed_now)
    run_artifact(flow_name, run_id, result)
    return result


def ingest(paths: Sequence[str], home: str | None = None, rules: Any = None) -> RunResult:
    """Ingest files now, or say there is nothing new without taking the writer slot."""
    params = {"paths": list(paths), "home": home, "rules": rules}
    return _ingest("ingest", list(paths), params)


def _ingest(flow_name: str, paths: Sequence[str], params: dict[str, Any]) -> RunResult:
    settings = Settings.load(params.get("home"))
    files = [param_path(p) for p in paths]
    received = pipeline.nothing_new(settings, files)
    if received is None:
        return write_run(flow_name, params, settings, files)
    shown = few_paths(files) or "the announced files"  # a short line, whatever the count
    say(f"nothing new in {shown}; the warehouse is unchanged")
    loaded = load_rules(rules_path(params) or settings.rules)
    return RunResult(LoadSummary(), received, (), loaded.version)


@task(name="collect-burst", cache_policy=NO_CACHE, **{**IO_RETRIES, "retry_delay_seconds": 2})
def collect_burst_task(path: str, occurred: str | None, burst_seconds: float) -> list[str]:
    """The files named by every ``ronghe.report.received`` event of a debounced burst."""
    paths = {path} if path else set()
    if occurred and burst_seconds > 0:
        # the trigger fires on the first event it *processes*, which may have occurred a
        # little after others of the burst: look back one window too (files already
        # ingested by an earlier run are recognised by their bytes and skipped)
        at, window = datetime.fromisoformat(occurred), timedelta(seconds=burst_seconds)
        paths.update(received_paths(at - window, at + window))
    return sorted(paths)


def received(
    path: str = "",
    occurred: str | None = None,
    burst_seconds: float = 0.0,
    home: str | None = None,
    rules: Any = None,
) -> RunResult:
    """Ingest the files of a burst of ``ronghe.report.received`` events."""
    paths = collect_burst_task(path, occurred, burst_seconds)
    present = [p for p in paths if param_path(p).exists()]
    if len(present) < len(paths):
        say(f"{len(paths) - len(present)} announced files are gone; ingesting the rest")
    params = {"paths": present, "occurred": occurred, "home": home, "rules": rules}
    return _ingest("ingest", present, params)


def _inbox(
    flow_name: str, quarters: list[str], params: dict[str, Any], inbox: str | None
) -> RunResult:
    settings = Settings.load(params.get("home"))
    box = param_path(inbox) if inbox else settings.inbox_dir
    return write_run(flow_name, params, settings, [box], quarters)


def quarterly(
    period: str | None = None,
    inbox: str | None = None,
    home: str | None = None,
    rules: Any = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of the quarter (without a
    period: the quarter that ended most recently)."""
    p = parse_period(period) if period else last_complete(datetime.now())
    params = {"period": p, "inbox": inbox, "home": home, "rules": rules}
    return _inbox("quarterly", [p], params, inbox)


def backfill(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: Any = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    quarters = period_range(start, end)
    params = {"from": quarters[0], "to": quarters[-1], "inbox": inbox, "home": home, "rules": rules}
    return _inbox("backfill", quarters, params, inbox)
