"""The Prefect flows. Thin: they only sequence the steps of ``flows.steps``.

A run is a handful of tasks: find new files, one read-and-validate task per
report kind, one load, one marts rebuild, one publish; never one per file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
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
from warehouse.lock import writer_lock


def _transient(exc: BaseException) -> bool:
    """Retry only I/O hiccups (a file briefly locked, a share dropping), never bad data."""
    return isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError | IsADirectoryError)


def _retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except Exception as exc:
        return _transient(exc)
    return False


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


def _run_id() -> str:
    rid = flow_run.get_id()
    return str(rid) if rid else str(uuid.uuid4())


@contextmanager
def _session(
    flow_name: str, params: dict[str, Any], home: str | None, rules: str | None
) -> Iterator[tuple[Session, str]]:
    settings = Settings(**({"home": Path(home)} if home else {}))
    run_id = _run_id()
    with writer_lock(
        settings.lock_path,
        f"{flow_name} run {run_id}",
        settings.lock_timeout_seconds,
        on_wait=progress.step,
    ):
        session = Session.open(settings, Path(rules) if rules else None)
        try:
            store.start_run(session.con, run_id, flow_name, params)
            try:
                yield session, run_id
            except BaseException:
                store.finish_run(session.con, run_id, "failed")
                raise
            store.finish_run(session.con, run_id, "completed")
            publish_task(session)
        finally:
            session.close()


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
    summary: store.LoadSummary, rebuilt: Sequence[str], rules_version: str
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
        "rules_version": rules_version,
    }


@flow(name="ronghe-ingest", log_prints=False)
def ingest_flow(
    paths: list[str], home: str | None = None, rules: str | None = None
) -> dict[str, Any]:
    """Ingest the given files or folders now; rebuild the marts of the quarters they touch."""
    params = {"paths": paths, "home": home, "rules": rules}
    with _session("ingest", params, home, rules) as (session, run_id):
        summary = _ingest(session, [Path(p) for p in paths], run_id)
        rebuilt = sorted(summary.periods)
        marts_task(session, rebuilt)
        return _result(summary, rebuilt, session.rules.version)


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
    with _session("quarterly", params, home, rules) as (session, run_id):
        box = Path(inbox) if inbox else session.settings.inbox_dir
        summary = _ingest(session, [box], run_id)
        rebuilt = sorted({p, *summary.periods})
        marts_task(session, rebuilt)
        return _result(summary, rebuilt, session.rules.version)


@flow(name="ronghe-backfill", log_prints=False)
def backfill_flow(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: str | None = None,
) -> dict[str, Any]:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    quarters = period_range(start, end)
    params = {"from": quarters[0], "to": quarters[-1], "inbox": inbox, "home": home, "rules": rules}
    with _session("backfill", params, home, rules) as (session, run_id):
        box = Path(inbox) if inbox else session.settings.inbox_dir
        summary = _ingest(session, [box], run_id)
        rebuilt = sorted(set(quarters) | set(summary.periods))
        marts_task(session, rebuilt)
        return _result(summary, rebuilt, session.rules.version)


FLOWS: dict[str, Callable[..., Any]] = {
    "ingest": ingest_flow,
    "quarterly": quarter_flow,
    "backfill": backfill_flow,
}
