"""The Prefect flows and tasks: thin wrappers, no logic of their own.

A run is :func:`flows.pipeline.run` with each stage made a Prefect task
(:func:`as_task`): find new files, one read-and-validate per report kind, one load,
one marts rebuild, one publish; never one task per file. :func:`_run` holds the
writer slot and the workspace (:class:`flows.workspace.Workspace`), publishes only on
success and leaves a markdown artifact (:func:`flows.render.run_markdown`).

On a Dask cluster (:func:`on_dask`: ``prefect-dask``'s ``DaskTaskRunner``), the
read-and-validate tasks fan out to the workers, a few batches per kind and worker
thread (:func:`_fan_out`); every other stage stays in the flow's process, the writer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from prefect import Flow, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.exceptions import MissingContextError
from prefect.runtime import deployment, flow_run

from expectations import process as gx_process
from filers.receipts import write_period_receipts
from flows import pipeline, progress
from flows.events import OUTPUTS_BY_EVENT, PUBLISHED_EVENT, received_paths
from flows.keyword_params import keyword_signature
from flows.render import run_markdown
from flows.result import RunResult
from flows.retry import retry_on_io
from flows.settings import Settings
from flows.workspace import Workspace
from flows.writer import writer_slot
from reports import workbook_path
from reports.data import reportable
from transforms.paths import param_path, path_text
from transforms.periods import last_complete, parse_period, period_range
from warehouse.ruleset import load_rules
from warehouse.store import LoadSummary

T = TypeVar("T")
_IO_RETRIES: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 1,
    "retry_condition_fn": retry_on_io,
}
_TASK_OPTIONS: dict[str, dict[str, Any]] = {
    "find-new-files": _IO_RETRIES,
    "read-and-validate": _IO_RETRIES,
    "load": _IO_RETRIES,
    "rebuild-marts": {},
    "publish": _IO_RETRIES,
}


def as_task(name: str, fn: Callable[..., T], *args: Any, label: str | None = None) -> T:
    """The pipeline's ``step``: run a stage as a Prefect task of that name."""
    options = _TASK_OPTIONS.get(name, _IO_RETRIES)
    make = task(name=name, cache_policy=NO_CACHE, task_run_name=label, **options)
    return make(fn)(*args)


PIECES_PER_THREAD = 2
"""Read-and-validate batches per kind and Dask worker thread: enough to keep every
thread busy while the slowest batch finishes, few enough that a task stays a batch."""


def on_dask(flow_obj: Flow[..., RunResult], address: str) -> Flow[..., RunResult]:
    """The flow, its tasks submitted to the Dask scheduler at ``address``."""
    from prefect_dask import DaskTaskRunner

    runner = DaskTaskRunner(address=address)
    return flow_obj.with_options(task_runner=runner)  # type: ignore[arg-type]  # prefect-dask types its futures apart


def _submit_all(
    name: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], labels: Sequence[str]
) -> list[T]:
    """The pipeline's fan-out map: every call a task of ``name``, submitted at once."""
    options = _TASK_OPTIONS.get(name, _IO_RETRIES)
    futures = [
        task(name=name, cache_policy=NO_CACHE, task_run_name=label, **options)(fn).submit(*args)
        for args, label in zip(calls, labels, strict=True)
    ]
    return [f.result() for f in futures]


def _fan_out() -> pipeline.FanOut | None:
    """Fan out reading and validating when the flow runs on a Dask task runner."""
    if "prefect_dask" not in sys.modules:  # no DaskTaskRunner was ever made
        return None
    from prefect_dask import DaskTaskRunner

    ctx = FlowRunContext.get()
    runner = ctx.task_runner if ctx is not None else None
    if not isinstance(runner, DaskTaskRunner):
        return None
    nthreads = runner.client.nthreads()
    threads = sum(nthreads.values())
    _say(f"reading and validating on Dask: {len(nthreads)} workers, {threads} threads")
    return pipeline.FanOut(max(1, PIECES_PER_THREAD * threads), _submit_all)


def _say(message: str) -> None:
    """Tell the CLI user (progress line) and the Prefect run log."""
    progress.step(message)
    # a plain function call outside a run: the CLI line only
    with contextlib.suppress(MissingContextError):
        get_run_logger().info(message)


def _run(
    flow_name: str,
    params: dict[str, Any],
    settings: Settings,
    paths: Sequence[Path],
    quarters: Sequence[str] = (),
) -> RunResult:
    """Run the pipeline as the one writer; publish and report only if it succeeds."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    rules = Path(params["rules"]) if params.get("rules") else None
    what = f"{flow_name} run {run_id}"
    fan_out = _fan_out()
    with (
        writer_slot(settings, _say),
        Workspace.open(settings, rules, holder=what, say=_say) as ws,
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
                    fan_out=fan_out,
                    # validation in a process of its own, importing GX while the run reads
                    on_new_files=gx_process.prestart if fan_out is None else None,
                )
        finally:
            gx_process.shutdown()
        as_task("publish", ws.publish)
        progress.step(f"published {settings.published_path}")
    # the writer is free again: the 通报 and the receipts read only the published file
    receipts = sorted({*result.load.periods, *result.load.periods_quarantined})
    # a quarter's 通报 is written again when its marts may have changed, or when it has none
    due = [
        p
        for p in result.marts_rebuilt
        if p in result.changed or not workbook_path(settings.reports_dir / p, p).exists()
    ]
    quarters = _reportable(settings, due)
    unchanged = sorted(set(result.marts_rebuilt) - set(due))
    if unchanged:
        _say(
            f"the 通报 of {_quarters_text(unchanged)} stand: nothing new, same rules"
            " (`ronghe report --period P` writes one again)"
        )
    if not (receipts or quarters):  # nothing to write: no flow run for it
        pass
    elif os.environ.get(OUTPUTS_BY_EVENT) == "1" and deployment.get_id():
        _announce_published(run_id, quarters, receipts, params)
    else:
        reports = outputs_flow(quarters, receipts, params.get("home"), params.get("rules"))
        result = dataclasses.replace(result, reports=tuple(reports))
    _artifact(flow_name, run_id, result)
    return result


def _reportable(settings: Settings, wanted: Sequence[str]) -> list[str]:
    """Those of ``wanted`` that hold reports; says which get no 通报."""
    have = reportable(settings.published_path, list(wanted))
    for period in sorted(set(wanted) - set(have)):
        _say(f"no 通报 for {period}: the warehouse holds no report of {period} yet")
    return have


def _quarters_text(quarters: Sequence[str]) -> str:
    return quarters[0] if len(quarters) == 1 else f"{quarters[0]}…{quarters[-1]} ({len(quarters)})"


def _announce_published(
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
    _say(
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
    have = _reportable(settings, quarters(report_periods))
    return outputs_flow(have, quarters(receipt_periods), home, rules or None)


@flow(name="ronghe-outputs", log_prints=False)
def outputs_flow(
    report_periods: list[str],
    receipt_periods: list[str],
    home: str | None = None,
    rules: str | None = None,
) -> list[str]:
    """What follows a published run: the 通报 of each quarter rebuilt (workbook and brief)
    and the receipts (回执) of each quarter that received reports. Reads only."""
    from reports import write_reports

    settings = Settings.load(home)
    published = settings.published_path
    receipts = as_task(
        "write-receipts", write_period_receipts, published, receipt_periods, settings.receipts_dir
    )
    if receipts:
        progress.step(f"wrote {len(receipts)} receipts (回执) under {settings.receipts_dir}")
    rules_path = Path(rules) if rules else settings.rules
    written, problems = as_task(
        "write-reports", write_reports, published, settings.reports_dir, report_periods, rules_path
    )
    for problem in problems:
        _say(f"no 通报 for {problem}")
    if written:
        progress.step(f"wrote the 通报 of {len(written)} quarters under {settings.reports_dir}")
    return [str(p) for r in written for p in (r.workbook, r.brief)]


def _artifact(flow_name: str, run_id: str, result: RunResult) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=run_markdown(flow_name, run_id, result),
        key=f"ronghe-{flow_name}",
        description=f"ronghe {flow_name} run: what was received, loaded and rebuilt",
    )


def _ingest(flow_name: str, paths: Sequence[str], params: dict[str, Any]) -> RunResult:
    """Ingest files now, or say there is nothing new without taking the writer slot."""
    settings = Settings.load(params.get("home"))
    files = [param_path(p) for p in paths]
    received = pipeline.nothing_new(settings, files)
    if received is None:
        return _run(flow_name, params, settings, files)
    shown = ", ".join(path_text(f) for f in files) or "the announced files"
    _say(f"nothing new in {shown}; the warehouse is unchanged")
    rules = load_rules(Path(params["rules"]) if params.get("rules") else settings.rules)
    return RunResult(LoadSummary(), received, (), rules.version)


@flow(name="ronghe-ingest", log_prints=False)
def ingest_flow(paths: list[str], home: str | None = None, rules: str | None = None) -> RunResult:
    """Ingest the given files or folders now; rebuild the marts of the quarters they touch."""
    return _ingest("ingest", paths, {"paths": paths, "home": home, "rules": rules})


@task(name="collect-burst", cache_policy=NO_CACHE, **{**_IO_RETRIES, "retry_delay_seconds": 2})
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
    rules: str | None = None,
) -> RunResult:
    """Ingest the files of a burst of ``ronghe.report.received`` events (the event trigger).

    The trigger fires on the first event of a burst and passes its path and time;
    the run also ingests every file named by the events of the next ``burst_seconds``.
    """
    paths = collect_burst_task(path, occurred, burst_seconds)
    present = [p for p in paths if param_path(p).exists()]
    if len(present) < len(paths):
        _say(f"{len(paths) - len(present)} announced files are gone; ingesting the rest")
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
    rules: str | None = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of the quarter.

    Without a period, the quarter that ended most recently. Quarters touched by
    late reports in the same run are rebuilt too.
    """
    p = parse_period(period) if period else last_complete(datetime.now())
    params = {"period": p, "inbox": inbox, "home": home, "rules": rules}
    return _inbox("quarterly", [p], params, inbox)


def _backfill(
    start: str, end: str, inbox: str | None, home: str | None, rules: str | None
) -> RunResult:
    quarters = period_range(start, end)
    params = {"from": quarters[0], "to": quarters[-1], "inbox": inbox, "home": home, "rules": rules}
    return _inbox("backfill", quarters, params, inbox)


@flow(name="ronghe-backfill", log_prints=False)
def backfill_flow(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: str | None = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    return _backfill(start, end, inbox, home, rules)


@keyword_signature(
    "backfill_deployment_flow",
    [
        ("from", str),
        ("to", str),
        ("rules", str | None),
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
