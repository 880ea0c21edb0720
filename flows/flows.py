"""The Prefect flows. Thin: they only sequence the steps of ``flows.steps``.

A run is a handful of tasks: find new files, one read-and-validate task per
report kind, one load, one marts rebuild, one publish; never one per file.

Every run that writes the warehouse goes through :func:`_run`, which holds the
writer slot (a Prefect global concurrency limit for deployment runs, plus the
file lock for every writer), starts from a clean working copy, publishes the
analysts' file only on success and leaves a markdown artifact describing itself.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.runtime import flow_run

from flows import progress
from flows.settings import Settings
from flows.steps import (
    Found,
    KindBatch,
    Session,
    find_new,
    group_by_kind,
    load,
    marts,
    read_and_validate,
    scan,
)
from transforms.periods import last_complete, parse_period, period_range
from warehouse import store
from warehouse.lock import holder, writer_lock

WRITER_LIMIT = "ronghe-warehouse-writer"
"""The Prefect global concurrency limit (one slot) that deployment runs hold while writing."""
RECEIVED_EVENT = "ronghe.report.received"
"""The event ``ronghe watch`` emits for each new, fully written report file."""
UNFINISHED_MARKER = ".unfinished"
"""Beside the working copy while a run writes it; left behind by a failed or killed run."""

_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError)


def _transient(exc: BaseException) -> bool:
    """Retry only I/O hiccups (a file briefly locked, a share dropping), never bad data.

    An ``OSError`` (or one wrapped as the direct cause) is transient unless the path
    is simply wrong; anything else (bad values, reconciliation, rules) is not.
    """
    for e in (exc, exc.__cause__):
        if isinstance(e, OSError) and not isinstance(e, _PERMANENT_OS_ERRORS):
            return True
    return False


def _retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry the task only for a transient I/O error."""
    try:
        state.result(raise_on_failure=True)
    except Exception as exc:
        return _transient(exc)
    return False


def _say(message: str) -> None:
    """Tell the CLI user (progress line) and the Prefect run log."""
    progress.step(message)
    try:
        logger = get_run_logger()
    except MissingContextError:  # a plain function call outside a run: the CLI line only
        return
    logger.info(message)


@task(
    name="find-new-files",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_on_io,
)
def find_new_task(session: Session, paths: list[Path]) -> Found:
    files = scan(paths)
    progress.step(f"found {len(files)} files")
    found = find_new(session.con, files)
    progress.step(
        f"{len(found.new)} new, {len(found.already_received)} already received (same bytes)"
    )
    return found


@task(
    name="read-and-validate",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_on_io,
    task_run_name="read-and-validate-{kind_name}",
)
def read_validate_task(
    kind_name: str | None, paths: list[Path], registry: pl.DataFrame, now: datetime, workers: int
) -> KindBatch:
    batch = read_and_validate(kind_name, paths, registry, now, workers)
    progress.step(f"read and validated {len(paths)} {kind_name or 'unrecognised'} files")
    return batch


@task(
    name="load",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_on_io,
)
def load_task(
    session: Session, batches: list[KindBatch], run_id: str, now: datetime
) -> store.LoadSummary:
    summary = load(session, batches, run_id, now)
    progress.step(
        f"loaded {sum(summary.reports_loaded.values())} reports,"
        f" quarantined {summary.reports_quarantined}"
    )
    return summary


@task(name="rebuild-marts", cache_policy=NO_CACHE)
def marts_task(session: Session, periods: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, p in enumerate(periods, 1):
        for table, n in marts(session, [p]).items():
            out[table] = out.get(table, 0) + n
        progress.advance("marts", i, len(periods))
    return out


@task(
    name="publish",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_on_io,
)
def publish_task(session: Session) -> None:
    session.publish()
    progress.step(f"published {session.settings.published_path}")


@task(
    name="collect-burst",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_retry_on_io,
)
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


def received_paths(since: datetime, until: datetime) -> list[str]:
    """Paths named by the ``ronghe.report.received`` events that occurred in [since, until]."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

    flt = EventFilter(
        occurred=EventOccurredFilter.model_validate({"since": since, "until": until}),
        event=EventNameFilter(name=[RECEIVED_EVENT]),
    )
    out: list[str] = []
    with get_client(sync_client=True) as client:
        page = client.read_events(filter=flt, limit=50)
        for _ in range(2000):  # bounded: 100 000 events
            out.extend(str(e.payload["path"]) for e in page.events if e.payload.get("path"))
            if not page.next_page:
                break
            page = client.read_events_page(str(page.next_page))
    return out


def _run_id() -> str:
    rid = flow_run.get_id()
    return str(rid) if rid else str(uuid.uuid4())


def _is_deployment_run() -> bool:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return bool(ctx and ctx.flow_run and ctx.flow_run.deployment_id)


@contextmanager
def _writer_slot(settings: Settings) -> Iterator[None]:
    """Hold the one slot of the Prefect global concurrency limit ``WRITER_LIMIT``.

    A first short attempt tells whether another run holds it, so a waiting run can
    say what it waits for. Without the limit (``ronghe serve`` creates it) Prefect
    warns and the file lock alone keeps writers apart.
    """
    from prefect.concurrency.sync import concurrency

    with ExitStack() as stack:
        try:
            stack.enter_context(
                concurrency(WRITER_LIMIT, timeout_seconds=1, lease_duration=60, strict=False)
            )
        except TimeoutError:
            _say(
                f"waiting for a slot of the Prefect concurrency limit {WRITER_LIMIT!r}:"
                f" {holder(settings.lock_path)} is writing the warehouse"
            )
            stack.enter_context(concurrency(WRITER_LIMIT, lease_duration=60, strict=False))
            _say(f"got the {WRITER_LIMIT!r} slot")
        yield


@contextmanager
def _writer(settings: Settings, what: str) -> Iterator[None]:
    """One writer at a time: the Prefect limit (deployment runs), then the file lock (all)."""
    with ExitStack() as stack:
        if _is_deployment_run():
            stack.enter_context(_writer_slot(settings))
        stack.enter_context(
            writer_lock(settings.lock_path, what, settings.lock_timeout_seconds, on_wait=_say)
        )
        yield


def _unfinished_runs(working: Path, published: Path) -> list[tuple[Any, ...]]:
    """meta.runs rows of a working copy left by a failed or killed run, not yet published."""
    try:
        con = duckdb.connect(str(working), read_only=True)
    except duckdb.Error as exc:
        _say(f"the abandoned working copy cannot be opened ({exc}); its run log is lost")
        return []
    try:
        rows = con.execute(
            "SELECT run_id, flow, parameters::VARCHAR, started_at, finished_at, state"
            " FROM meta.runs"
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    known: set[str] = set()
    if published.exists():
        pub = duckdb.connect(str(published), read_only=True)
        try:
            known = {r[0] for r in pub.execute("SELECT run_id FROM meta.runs").fetchall()}
        except duckdb.Error:
            known = set()
        finally:
            pub.close()
    out = []
    for run_id, fl, params, started, finished, _state in rows:
        if run_id in known:
            continue
        # a run still "running" here was killed; either way it did not complete
        out.append((run_id, fl, params, started, finished or datetime.now(), "failed"))
    return out


def _discard_unfinished(settings: Settings) -> list[tuple[Any, ...]]:
    """Start from the published file if the last writer did not finish; keep its run log."""
    working = settings.working_path
    marker = working.parent / UNFINISHED_MARKER
    if not marker.exists():
        return []
    carried = _unfinished_runs(working, settings.published_path) if working.exists() else []
    for f in (working, working.with_name(working.name + ".wal")):
        f.unlink(missing_ok=True)
    _say("discarded the working copy left by an unfinished run; starting from the published file")
    return carried


def _record_carried(con: duckdb.DuckDBPyConnection, carried: Sequence[tuple[Any, ...]]) -> None:
    with store.transaction(con):
        for run_id, fl, params, started, finished, state in carried:
            con.execute(
                "INSERT OR REPLACE INTO meta.runs VALUES (?, ?, ?, ?, ?, ?)",
                [run_id, fl, params, started, finished, state],
            )


Body = Callable[[Session, str], dict[str, Any]]


def _run(
    flow_name: str, params: dict[str, Any], home: str | None, rules: str | None, body: Body
) -> dict[str, Any]:
    """Run ``body`` as the one writer; publish and report only if it succeeds."""
    settings = Settings.load(home)
    run_id = _run_id()
    with _writer(settings, f"{flow_name} run {run_id}"):
        carried = _discard_unfinished(settings)
        settings.working_path.parent.mkdir(parents=True, exist_ok=True)
        marker = settings.working_path.parent / UNFINISHED_MARKER
        marker.write_text(run_id, encoding="utf-8")
        session = Session.open(settings, Path(rules) if rules else None)
        try:
            if carried:
                _record_carried(session.con, carried)
            store.start_run(session.con, run_id, flow_name, params)
            try:
                result = body(session, run_id)
            except BaseException:
                store.finish_run(session.con, run_id, "failed")
                raise
            store.finish_run(session.con, run_id, "completed")
            publish_task(session)
        finally:
            session.close()
        marker.unlink(missing_ok=True)
    _report(flow_name, run_id, result)
    return result


def _report(flow_name: str, run_id: str, result: dict[str, Any]) -> None:
    """A markdown artifact for this run (files, reports, quarantine reasons, marts)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        markdown=run_markdown(flow_name, run_id, result),
        key=f"ronghe-{flow_name}",
        description=f"ronghe {flow_name} run: what was received, loaded and rebuilt",
    )


def run_markdown(flow_name: str, run_id: str, result: dict[str, Any]) -> str:
    """The artifact's text: what a run received, loaded, quarantined and rebuilt."""
    loaded = result["reports_loaded"]
    lines = [
        f"# ronghe {flow_name} run `{run_id}`",
        "",
        "| | |",
        "|---|---|",
        f"| new files | {result['files']} |",
        f"| already received (same bytes) | {result['already_received']} |",
        f"| files rejected | {len(result['files_rejected'])} |",
        f"| rows read = loaded + quarantined | {result['rows_read']} = {result['rows_loaded']}"
        f" + {result['rows_quarantined']} |",
        f"| reports loaded | {sum(loaded.values())} |",
        f"| reports quarantined | {result['reports_quarantined']} |",
        f"| rules version | {result['rules_version']} |",
        "",
        "## Reports loaded by kind",
        "",
        "| kind | reports |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(loaded.items())),
        "",
        "## Reports quarantined by reason",
        "",
    ]
    if result["reasons"]:
        lines += ["| reason | reports |", "|---|---|"]
        lines += [f"| `{k}` | {v} |" for k, v in sorted(result["reasons"].items())]
    else:
        lines.append("none")
    if result["files_rejected"]:
        lines += ["", "## Files rejected", "", *(f"- `{p}`" for p in result["files_rejected"])]
    rebuilt = result["marts_rebuilt"]
    lines += ["", "## Marts rebuilt", "", ", ".join(rebuilt) if rebuilt else "none"]
    rows = result.get("mart_rows") or {}
    if rows:
        lines += ["", "| table | rows written |", "|---|---|"]
        lines += [f"| {t} | {n} |" for t, n in sorted(rows.items())]
    return "\n".join(lines) + "\n"


def _ingest(session: Session, paths: list[Path], run_id: str) -> store.LoadSummary:
    now = datetime.now()
    found = find_new_task(session, paths)
    batches = [
        read_validate_task(k, ps, session.registry, now, session.settings.workers)
        for k, ps in sorted(group_by_kind(found.new).items(), key=lambda kv: str(kv[0]))
    ]
    summary = load_task(session, batches, run_id, now)
    summary.already_received = len(found.already_received)
    return summary


def _result(
    summary: store.LoadSummary,
    rebuilt: Sequence[str],
    rules_version: str,
    mart_rows: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "files": len(summary.files),
        "already_received": summary.already_received,
        "rows_read": summary.rows_read,
        "rows_loaded": summary.rows_loaded,
        "rows_quarantined": summary.rows_quarantined,
        "reports_loaded": summary.reports_loaded,
        "reports_quarantined": summary.reports_quarantined,
        "reasons": summary.reasons,
        "files_rejected": [f.path for f in summary.files if f.status == "rejected"],
        "periods_loaded": summary.periods,
        "marts_rebuilt": list(rebuilt),
        "mart_rows": mart_rows or {},
        "rules_version": rules_version,
    }


def _ingest_body(paths: Sequence[str]) -> Body:
    def body(session: Session, run_id: str) -> dict[str, Any]:
        summary = _ingest(session, [Path(p) for p in paths], run_id)
        rebuilt = sorted(summary.periods)
        rows = marts_task(session, rebuilt)
        return _result(summary, rebuilt, session.rules.version, rows)

    return body


def _inbox_body(inbox: str | None, quarters: Sequence[str]) -> Body:
    def body(session: Session, run_id: str) -> dict[str, Any]:
        box = Path(inbox) if inbox else session.settings.inbox_dir
        summary = _ingest(session, [box], run_id)
        rebuilt = sorted(set(quarters) | set(summary.periods))
        rows = marts_task(session, rebuilt)
        return _result(summary, rebuilt, session.rules.version, rows)

    return body


def _nothing_new(home: str | None, paths: Sequence[str]) -> int | None:
    """How many files ``paths`` hold if every one is already in the published warehouse.

    Read-only and lock-free, so a poll that finds nothing new neither waits for the
    writer nor records a run nor publishes a copy. Files unchanged since they were
    hashed are not read again (the published ``meta.file_hashes``).
    """
    settings = Settings.load(home)
    if not settings.published_path.exists():
        return None
    con = store.connect_reader(settings.published_path)
    try:
        files = scan([Path(p) for p in paths])
        if not files:
            return 0
        found = find_new(con, files, remember=False)
    except (OSError, duckdb.Error):  # let the run itself meet (and retry) the error
        return None
    finally:
        con.close()
    return None if found.new else len(files)


def _no_op(paths: Sequence[str], rules: str | None, received: int) -> dict[str, Any]:
    from warehouse.ruleset import load_rules

    _say(f"nothing new in {', '.join(paths) or 'the announced files'}; the warehouse is unchanged")
    summary = store.LoadSummary(already_received=received)
    return _result(summary, [], load_rules(Path(rules) if rules else None).version)


@flow(name="ronghe-ingest", log_prints=False)
def ingest_flow(
    paths: list[str], home: str | None = None, rules: str | None = None
) -> dict[str, Any]:
    """Ingest the given files or folders now; rebuild the marts of the quarters they touch."""
    if (received := _nothing_new(home, paths)) is not None:
        return _no_op(paths, rules, received)
    params = {"paths": paths, "home": home, "rules": rules}
    return _run("ingest", params, home, rules, _ingest_body(paths))


@flow(name="ronghe-ingest", log_prints=False)
def received_flow(
    path: str = "",
    occurred: str | None = None,
    burst_seconds: float = 0.0,
    home: str | None = None,
    rules: str | None = None,
) -> dict[str, Any]:
    """Ingest the files of a burst of ``ronghe.report.received`` events (the event trigger).

    The trigger fires on the first event of a burst and passes its path and time;
    the run also ingests every file named by the events of the next ``burst_seconds``.
    """
    paths = collect_burst_task(path, occurred, burst_seconds)
    present = [p for p in paths if Path(p).exists()]
    if len(present) < len(paths):
        _say(f"{len(paths) - len(present)} announced files are gone; ingesting the rest")
    if (received := _nothing_new(home, present)) is not None:
        return _no_op(present, rules, received)
    params = {"paths": present, "occurred": occurred, "home": home, "rules": rules}
    return _run("ingest", params, home, rules, _ingest_body(present))


@flow(name="ronghe-quarterly", log_prints=False)
def quarter_flow(
    period: str | None = None,
    inbox: str | None = None,
    home: str | None = None,
    rules: str | None = None,
) -> dict[str, Any]:
    """Ingest what is new in the inbox, then rebuild the marts of the quarter.

    Without a period, the quarter that ended most recently. Quarters touched by
    late reports in the same run are rebuilt too.
    """
    p = parse_period(period) if period else last_complete(datetime.now())
    params = {"period": p, "inbox": inbox, "home": home, "rules": rules}
    return _run("quarterly", params, home, rules, _inbox_body(inbox, [p]))


def _backfill(
    start: str, end: str, inbox: str | None, home: str | None, rules: str | None
) -> dict[str, Any]:
    quarters = period_range(start, end)
    params = {"from": quarters[0], "to": quarters[-1], "inbox": inbox, "home": home, "rules": rules}
    return _run("backfill", params, home, rules, _inbox_body(inbox, quarters))


@flow(name="ronghe-backfill", log_prints=False)
def backfill_flow(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: str | None = None,
) -> dict[str, Any]:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    return _backfill(start, end, inbox, home, rules)


def _named(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    """A keyword-only parameter, allowing a Python keyword (``from``) as its name.

    ``inspect.Parameter`` refuses keywords, but Prefect only needs the signature to
    name the deployment's parameters; the function receives them as ``**params``.
    """
    kw = inspect.Parameter.KEYWORD_ONLY
    p = inspect.Parameter("_", kw, annotation=annotation, default=default)
    setattr(p, "_name", name)  # noqa: B010 - the slot behind Parameter.name
    return p


def _backfill_params(**params: Any) -> dict[str, Any]:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter from … to."""
    return _backfill(
        params["from"], params["to"], params.get("inbox"), params.get("home"), params.get("rules")
    )


_backfill_params.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        _named("from", str),
        _named("to", str),
        _named("rules", str | None, None),
        _named("inbox", str | None, None),
        _named("home", str | None, None),
    ],
    return_annotation=dict[str, Any],
)
_backfill_params.__annotations__ = {
    "from": str,
    "to": str,
    "rules": str | None,
    "inbox": str | None,
    "home": str | None,
    "return": dict[str, Any],
}

# deployments load the flow by module path (flows.flows.backfill_deployment_flow)
_backfill_params.__name__ = _backfill_params.__qualname__ = "backfill_deployment_flow"
backfill_deployment_flow = flow(name="ronghe-backfill", log_prints=False)(_backfill_params)
"""The backfill as operators start it: parameters ``from``, ``to`` and optional ``rules``."""
