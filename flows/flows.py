"""The Prefect flows of a run: thin wrappers, no logic of their own.

:func:`_run` holds the writer slot and the workspace
(:class:`warehouse.workspace.Workspace`), runs :func:`pipeline.run.run` with each stage a
Prefect task (:mod:`flows.tasks`), publishes only on success, hands the outputs to
:mod:`flows.outputs` and leaves a markdown artifact (:func:`pipeline.render.run_markdown`).
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment, flow_run

import pipeline.run as pipeline
from config.settings import Settings
from expectations import process as gx_process
from flows import announce, pending
from flows.artifacts import run_artifact, warn_quarantined
from flows.events import OUTPUTS_BY_EVENT, received_paths
from flows.keyword_params import keyword_signature
from flows.outputs import (
    announce_published,
    outputs_flow,
    owed_outputs,
    quarters_text,
    reportable_quarters,
)
from flows.tasks import IO_RETRIES, as_task, fan_out, say
from flows.writer import writer_slot
from pipeline import progress
from pipeline.result import RunResult
from transforms.paths import few_paths, param_path
from transforms.periods import last_complete, parse_period, period_range
from warehouse.ruleset import load_rules
from warehouse.store import LoadSummary
from warehouse.workspace import Workspace

Rules = str | int | None
"""A rules file, or a packaged version: ``--param rules=2017`` arrives as the number 2017
(Prefect reads ``--param`` values as JSON), and is taken as the version ``"2017"``."""


def rules_path(params: dict[str, Any]) -> Path | None:
    return Path(str(params["rules"])) if params.get("rules") else None


def _run(
    flow_name: str,
    params: dict[str, Any],
    settings: Settings,
    paths: Sequence[Path],
    quarters: Sequence[str] = (),
    after_load: Callable[[Workspace, RunResult], None] | None = None,
) -> RunResult:
    """Run the pipeline as the one writer; publish and report only if it succeeds.

    ``after_load`` writes more in the same run before it publishes (a pull's
    ``meta.pulls``). Before it publishes, the run's quarantined reports and rejected
    files are told: the outbox, and events (:mod:`flows.announce`)."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    rules = rules_path(params)
    what = f"{flow_name} run {run_id}"
    fanning = fan_out()
    with (
        writer_slot(settings, say),
        Workspace.open(settings, rules, holder=what, say=say) as ws,
    ):
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
        finally:
            gx_process.shutdown()
        # the receipts and 通报 this run owes, with those an earlier published run owed
        # (killed before writing them), recorded before publishing (flows.pending)
        receipts, due, owed = owed_outputs(settings, result, quarters)
        pending.record(settings, sorted({*due, *owed}), receipts)
        announce.before_publish(ws, settings, result, say)  # the outbox, events
        if as_task("publish", ws.publish):  # False: nothing changed, the version stands
            progress.step(f"published {settings.published_path}")
    # the writer is free again: the 通报 and the receipts read only the published file
    warn_quarantined(settings, result)
    if result.dependents:
        say(f"the 通报 of {quarters_text(result.dependents)} show corrected figures: rewritten")
    quarters = reportable_quarters(settings, sorted({*due, *owed}))
    unchanged = sorted(set(result.marts_rebuilt) - set(due))
    if unchanged:
        say(
            f"the 通报 of {quarters_text(unchanged)} stand: nothing new, same rules"
            " (`ronghe report --period P` writes one again)"
        )
    if not (receipts or quarters):  # nothing to write: no flow run for it, nothing owed
        pending.paid(settings)
    elif os.environ.get(OUTPUTS_BY_EVENT) == "1" and deployment.get_id():
        announce_published(run_id, quarters, receipts, params)
    else:
        reports = outputs_flow(quarters, receipts, params.get("home"), str(rules or "") or None)
        result = dataclasses.replace(result, reports=tuple(reports))
    run_artifact(flow_name, run_id, result)
    return result


def _ingest(flow_name: str, paths: Sequence[str], params: dict[str, Any]) -> RunResult:
    """Ingest files now, or say there is nothing new without taking the writer slot."""
    settings = Settings.load(params.get("home"))
    files = [param_path(p) for p in paths]
    received = pipeline.nothing_new(settings, files)
    if received is None:
        return _run(flow_name, params, settings, files)
    shown = few_paths(files) or "the announced files"  # a short line, whatever the count
    say(f"nothing new in {shown}; the warehouse is unchanged")
    rules = load_rules(rules_path(params) or settings.rules)
    return RunResult(LoadSummary(), received, (), rules.version)


@flow(name="ronghe-ingest", log_prints=False)
def ingest_flow(paths: list[str], home: str | None = None, rules: Rules = None) -> RunResult:
    """Ingest the given files or folders now; rebuild the marts of the quarters they touch."""
    return _ingest("ingest", paths, {"paths": paths, "home": home, "rules": rules})


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


@flow(name="ronghe-ingest", log_prints=False)
def received_flow(
    path: str = "",
    occurred: str | None = None,
    burst_seconds: float = 0.0,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest the files of a burst of ``ronghe.report.received`` events (the event trigger).

    The trigger fires on the first event of a burst and passes its path and time;
    the run also ingests every file named by the events of the next ``burst_seconds``.
    """
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
    return _run(flow_name, params, settings, [box], quarters)


@flow(name="ronghe-quarterly", log_prints=False)
def quarter_flow(
    period: str | None = None,
    inbox: str | None = None,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of the quarter.

    Without a period, the quarter that ended most recently. Quarters touched by
    late reports in the same run are rebuilt too.
    """
    p = parse_period(period) if period else last_complete(datetime.now())
    params = {"period": p, "inbox": inbox, "home": home, "rules": rules}
    return _inbox("quarterly", [p], params, inbox)


def _backfill(start: str, end: str, inbox: str | None, home: str | None, rules: Rules) -> RunResult:
    quarters = period_range(start, end)
    params = {"from": quarters[0], "to": quarters[-1], "inbox": inbox, "home": home, "rules": rules}
    return _inbox("backfill", quarters, params, inbox)


@flow(name="ronghe-backfill", log_prints=False)
def backfill_flow(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    return _backfill(start, end, inbox, home, rules)


@keyword_signature(
    "backfill_deployment_flow",
    [
        ("from", str),
        ("to", str),
        ("rules", Rules),
        ("inbox", str | None),
        ("home", str | None),
    ],
    RunResult,
)
def _backfill_params(**params: Any) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter from … to."""
    return _backfill(
        params["from"], params["to"], params.get("inbox"), params.get("home"), params.get("rules")
    )


# deployments load the flow by module path (flows.flows.backfill_deployment_flow)
backfill_deployment_flow = flow(name="ronghe-backfill", log_prints=False)(_backfill_params)
"""The backfill as operators start it: parameters ``from``, ``to`` and optional ``rules``."""
