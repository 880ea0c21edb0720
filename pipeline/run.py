"""The one sequencing of a run, used by the Prefect flows and by the tests alike.

find new files → read and validate, one batch per kind → load (one transaction) →
rebuild the marts of the quarters concerned. Publishing is the workspace's
(:meth:`warehouse.workspace.Workspace.publish`), after the run succeeded.

Each stage goes through ``step(name, fn, *args, label=…)``: :func:`call` runs it as a
plain call (tests, tools); the flows pass a step that runs it as a Prefect task
(:func:`flows.tasks.as_task`), so a run is a handful of tasks whatever its size.

Reading and validating may fan out (:class:`FanOut`, on a Dask cluster): each kind's
files are split into ``pieces`` batches that run at once, and the batches are merged
per kind (:func:`pipeline.steps.merge_batches`) before the one load. Without it, one
read-and-validate per kind, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb

from config.settings import Settings
from expectations import process as gx_process
from pipeline import progress
from pipeline.approvals import approvals_pending, copy_approvals
from pipeline.placing import place_rejected
from pipeline.result import RunResult
from pipeline.steps import (
    KindBatch,
    KindFiles,
    PendingBatch,
    arrival,
    chunked,
    import_gx_in_background,
    load,
    merge_batches,
    read_and_validate,
    rebuild_marts,
    settle,
)
from sources.inbox import SKIP_REASONS, Skipped, group_by_kind, scan, survey
from warehouse.db import connect_reader
from warehouse.received import Found, find_new
from warehouse.ripple import dependents, weak_counts
from warehouse.scale import province_hint
from warehouse.store import merge_summaries
from warehouse.workspace import Workspace

T = TypeVar("T")


class Step(Protocol):
    def __call__(
        self, name: str, fn: Callable[..., T], *args: Any, label: str | None = None
    ) -> T: ...


class MapStep(Protocol):
    def __call__(
        self,
        name: str,
        fn: Callable[..., T],
        calls: Sequence[tuple[Any, ...]],
        labels: Sequence[str],
    ) -> list[T]: ...


@dataclass(frozen=True)
class FanOut:
    """Read and validate as ``pieces`` batches per kind, run at once by ``map`` (in order)."""

    pieces: int
    map: MapStep


def split(files: Sequence[Path], pieces: int) -> list[list[Path]]:
    """``files`` in at most ``pieces`` contiguous, non-empty batches of near-equal size."""
    n = len(files)
    k = max(1, min(pieces, n))
    return [list(files[i * n // k : (i + 1) * n // k]) for i in range(k)]


def release_memory() -> None:
    """Hand what a chunk freed back to the system (glibc keeps freed heap for reuse).

    Measured on an 8-quarter backfill: 579 → 570 MiB at the peak, little; what still
    grows from chunk to chunk (≈ 10 MiB each) is the warehouse DuckDB keeps in memory.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def call(name: str, fn: Callable[..., T], *args: Any, label: str | None = None) -> T:
    """Run a stage as a plain function call."""
    return fn(*args)


def find_new_files(ws: Workspace, paths: Sequence[Path]) -> tuple[Found, tuple[Skipped, ...]]:
    """Every complete candidate file under ``paths``, split into new bytes and bytes seen
    before; and the paths skipped (still being written, links out of the inbox …)."""
    seen = survey(paths, ws.settings.settle_seconds)
    progress.step(f"found {len(seen.files)} files")
    for reason, n in sorted(Counter(s.reason for s in seen.skipped).items()):
        progress.step(f"skipped {n} ({reason}): {SKIP_REASONS[reason]}")
    found = find_new(ws.con, seen.files)
    progress.step(
        f"{len(found.new)} new, {len(found.already_received)} already received (same bytes)"
    )
    return found, tuple(seen.skipped)


def run(
    ws: Workspace,
    paths: Sequence[Path],
    now: datetime,
    *,
    quarters: Sequence[str] = (),
    run_id: str | None = None,
    step: Step = call,
    fan_out: FanOut | None = None,
    on_new_files: Callable[[], None] | None = None,
) -> RunResult:
    """Ingest what is new under ``paths``; rebuild the marts of ``quarters`` and of every
    quarter the new reports touch. ``on_new_files`` is called once new files are found
    (the flows start the validation process, :mod:`expectations.process`)."""
    found, skipped = step("find-new-files", find_new_files, ws, paths)
    if found.new and on_new_files is not None:
        on_new_files()
    if found.new and not gx_process.running():
        import_gx_in_background()  # validation needs it; a run with nothing new never does
    groups = sorted(group_by_kind(found.new).items(), key=lambda kv: str(kv[0]))
    # a chunk of files at a time, each loaded in its own transaction before the next is
    # read: a backfill holds one chunk in memory, never all its files (RONGHE_CHUNK_FILES)
    chunks = list(chunked(groups, ws.settings.chunk_files)) or [[]]
    # each file's position in the run: receipt times follow it whatever the chunks
    order = {str(p): i for i, p in enumerate(p for _, files in groups for p in files)}
    # each file's arrival (its modification time), judged as the survey saw it
    arrived = {str(p): t for _, files in groups for p in files if (t := arrival(p)) is not None}
    parts = []
    for n, chunk in enumerate(chunks, 1):
        if len(chunks) > 1:
            progress.step(f"chunk {n} of {len(chunks)}: {sum(len(f) for _, f in chunk)} files")
        batches = read_stage(ws, chunk, now, step, fan_out)
        # the run's skipped paths are recorded once, with the first chunk
        mine = {str(p): order[str(p)] for _, files in chunk for p in files}
        first = skipped if n == 1 else ()
        parts.append(step("load", load, ws, batches, run_id, now, first, mine, arrived))
        del batches  # this chunk's frames and bytes go before the next chunk is read
        release_memory()
    summary = merge_summaries(parts)
    # a file rejected whole that names no quarter is placed in one, once for the run
    summary = place_rejected(ws.con, summary, quarters, now)
    progress.step(
        f"loaded {sum(summary.reports_loaded.values())} reports,"
        f" quarantined {summary.reports_quarantined}"
    )
    if summary.reasons.get("unknown_unit"):
        hint = province_hint(ws.con, ws.settings.scale, now)
        if hint:
            progress.step(hint)
    touched = set(summary.periods) | set(summary.periods_quarantined)
    # the portal's approvals (CONTRACT §11): their quarters' filing status, and under
    # [approval] required their scores, follow
    approved = set(step("copy-approvals", copy_approvals, ws))
    if ws.rules.approval_required:
        touched |= approved
    rebuilt = tuple(sorted(set(quarters) | touched | approved))
    changed = tuple(sorted(touched | rescored(ws, rebuilt)))
    weak_before = weak_counts(ws.con, changed)
    rows = step("rebuild-marts", rebuild_marts, ws, rebuilt, now)
    # what the changed quarters feed: their 通报 are stale too (warehouse.ripple)
    stale = dependents(ws.con, changed, weak_before)
    return RunResult(
        summary,
        len(found.already_received),
        rebuilt,
        ws.rules.version,
        rows,
        changed=changed,
        dependents=stale,
    )


def rescored(ws: Workspace, periods: Sequence[str]) -> set[str]:
    """Those of ``periods`` not scored yet under this run's rules (other rules, or none)."""
    if not periods:
        return set()
    same = ws.con.execute(
        "SELECT period FROM marts.unit_scores WHERE period IN ? GROUP BY period"
        " HAVING bool_and(rules_version = ?)",
        [list(periods), ws.rules.version],
    ).fetchall()
    return set(periods) - {r[0] for r in same}


def read_stage(
    ws: Workspace,
    groups: Sequence[KindFiles],
    now: datetime,
    step: Step,
    fan_out: FanOut | None,
) -> list[KindBatch]:
    """Read and validate each kind's files: one batch per kind, or fanned out.

    With a validation process (:mod:`expectations.process`), a kind's verdicts are
    computed there while the next kind is read; they are all awaited here.
    """
    if fan_out is not None:
        return read_fanned_out(ws, groups, now, fan_out)
    batches: list[KindBatch | PendingBatch] = []
    for kind, files in groups:
        batch = step(
            "read-and-validate",
            read_and_validate,
            kind,
            files,
            ws.registry,
            now,
            ws.settings.workers,
            ws.rules.filing_round.window(),
            label=f"read-and-validate-{kind}",
        )
        what = f"{len(files)} {kind or 'unrecognised'} files"
        if isinstance(batch, PendingBatch):
            progress.step(f"read {what}; validating them in the GX process")
        else:
            progress.step(f"read and validated {what}")
        batches.append(batch)
    return settle(batches)


def read_fanned_out(
    ws: Workspace,
    groups: Sequence[tuple[str | None, Sequence[Path]]],
    now: datetime,
    fan_out: FanOut,
) -> list[KindBatch]:
    """Every kind's files as ``fan_out.pieces`` batches, run at once; merged per kind."""
    jobs = [
        (kind, i, part)
        for kind, files in groups
        for i, part in enumerate(split(files, fan_out.pieces), 1)
    ]
    window = ws.rules.filing_round.window()
    calls = [(kind, part, ws.registry, now, ws.settings.workers, window) for kind, _, part in jobs]
    labels = [f"read-and-validate-{kind}-{i}" for kind, i, _ in jobs]
    parts = settle(fan_out.map("read-and-validate", read_and_validate, calls, labels))
    batches = []
    for kind, files in groups:
        mine = [b for (k, _, _), b in zip(jobs, parts, strict=True) if k == kind]
        batches.append(merge_batches(kind, mine))
        progress.step(
            f"read and validated {len(files)} {kind or 'unrecognised'} files in {len(mine)} batches"
        )
    return batches


def nothing_new(settings: Settings, paths: Sequence[Path]) -> int | None:
    """How many files ``paths`` hold if every one is already in the published warehouse.

    Read-only and lock-free, so a poll that finds nothing new neither waits for the
    writer nor records a run nor publishes a copy. Files unchanged since they were
    hashed are not read again (the published ``meta.file_hashes``). None: there is
    something to do (or the check could not tell; the run itself will see).
    """
    if not settings.published_path.exists():
        return None
    con = connect_reader(settings.published_path)
    try:
        if approvals_pending(settings, con):
            return None
        files = scan(paths, settings.settle_seconds)
        if not files:
            return 0
        found = find_new(con, files, remember=False)
    except (OSError, duckdb.Error):  # let the run itself meet (and retry) the error
        return None
    finally:
        con.close()
    return None if found.new else len(files)
