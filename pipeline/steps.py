"""The plain steps a run is made of, between reading and the warehouse.

Each step is a batch: one report kind at a time, never one file. They are tested
without Prefect; :mod:`pipeline.run` is the one place that sequences them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from expectations import process as gx_process
from expectations.problems import file_problems, header_rows
from expectations.suites import import_gx
from expectations.validate import Verdicts, validate
from expectations.window import Window
from pipeline import progress
from pipeline.approvals import portal_notes, with_explanations
from pipeline.totals import totals_frame
from sources.inbox import Skipped
from transforms.batch import ID
from transforms.columns import REPORT_KINDS
from transforms.parse import parse, stack
from transforms.paths import path_text
from transforms.pii import mask
from transforms.read import RawFile, read_files
from warehouse import provenance, store
from warehouse.archive import Pack, Received, stored_path, write_pack
from warehouse.corrections import hold_implausible
from warehouse.db import WarehouseError, transaction
from warehouse.marts import build_marts
from warehouse.workspace import Workspace


@dataclass(frozen=True)
class KindBatch:
    """A kind's files after reading, parsing and validation."""

    kind: str | None
    files: list[RawFile]
    verdicts: Verdicts | None


@dataclass(frozen=True)
class PendingBatch:
    """A kind's files read and parsed, their verdicts still coming from the validation
    process (:mod:`expectations.process`)."""

    kind: str
    files: list[RawFile]
    verdicts: Future[Verdicts]

    def settled(self) -> KindBatch:
        """The batch with its verdicts (waits for them)."""
        try:
            verdicts = self.verdicts.result()
        except BrokenProcessPool as e:
            raise gx_process.ProcessStopped(self.kind, e) from e
        return KindBatch(self.kind, self.files, verdicts)


def settle(batches: Sequence[KindBatch | PendingBatch]) -> list[KindBatch]:
    """Every batch with its verdicts, in order (waiting for those still validating)."""
    return [b.settled() if isinstance(b, PendingBatch) else b for b in batches]


def read_and_validate(
    kind_name: str | None,
    paths: Sequence[Path],
    registry: pl.DataFrame,
    now: datetime,
    workers: int = 1,
    window: Window | None = None,
) -> KindBatch | PendingBatch:
    """Read one kind's files, parse them as one batch and run its suite: here, or in the
    validation process if the run started one (then the verdicts come later: the run
    reads the next kind meanwhile, :func:`settle`). ``window``: when a 填报时间 is
    plausible (the rules' round, ``RoundSettings.window``)."""
    raw = read_files(list(paths), workers=workers)
    if kind_name is None:
        return KindBatch(None, raw, None)
    kind = REPORT_KINDS[kind_name]
    good = [f for f in raw if not f.reasons and f.frame is not None]
    batch = parse(kind, stack(kind, good))
    if gx_process.running():
        pending = gx_process.submit(kind_name, batch, registry, now, header_rows(good), window)
        return PendingBatch(kind_name, raw, pending)
    verdicts = validate(kind, batch, registry, now, header_rows(good), window)
    return KindBatch(kind_name, raw, verdicts)


def merge_batches(kind_name: str | None, parts: Sequence[KindBatch]) -> KindBatch:
    """One kind's batches, read and validated apart, as if read as one (files in order).

    Every verdict is per file (reports group by ``_file``; ``duplicate_in_file`` is
    within a file), so a batch split by file gives the same verdicts. Row ids (``_id``,
    1… in each batch) are shifted by the rows of the batches before, as one batch
    would have numbered them.
    """
    if len(parts) == 1:
        return parts[0]
    files = [f for p in parts for f in p.files]
    verdicts = [p.verdicts for p in parts if p.verdicts is not None]
    if kind_name is None or not verdicts:
        return KindBatch(kind_name, files, None)
    row_reasons, offset = [], 0
    for p, v in zip(parts, verdicts, strict=True):
        row_reasons.append(v.row_reasons.with_columns(pl.col(ID) + offset))
        offset += sum(
            f.frame.height
            for f in p.files
            if f.kind == kind_name and f.frame is not None and not f.reasons
        )
    return KindBatch(
        kind_name,
        files,
        Verdicts(
            accepted=pl.concat([v.accepted for v in verdicts], how="vertical"),
            quarantined=pl.concat([v.quarantined for v in verdicts], how="vertical"),
            row_reasons=pl.concat(row_reasons, how="vertical"),
            problems=pl.concat([v.problems for v in verdicts], how="vertical"),
        ),
    )


def archive(archive_dir: Path, files: Sequence[RawFile], when: datetime) -> Pack | None:
    """Archive the bytes every file was read from, as one pack (:mod:`warehouse.archive`).

    The bytes are those that were parsed and validated, not read from the inbox again.
    Files whose bytes could not be read have nothing to archive and are not in the pack.
    """
    todo: dict[str, Received] = {}
    for f in files:
        if f.content_read and f.data is not None and f.sha256 not in todo:
            suffix = path_text(Path(f.source or f.path).suffix).lower()
            todo[f.sha256] = Received(f.sha256, suffix, f.data)
    return write_pack(archive_dir, list(todo.values()), when)


def _counts_by_file(frame: pl.DataFrame, col: str, rows: pl.Expr) -> dict[str, int]:
    if frame.is_empty():
        return {}
    counted = frame.group_by(col).agg(rows.alias("n"))
    return {k: int(v) for k, v in counted.iter_rows()}


def reconcile(
    files: Sequence[RawFile],
    kinds: Sequence[store.KindLoad],
    received_at: datetime,
    archived: dict[str, Path],
    order: Mapping[str, int] | None = None,
    arrivals: Mapping[str, datetime] | None = None,
) -> list[store.FileOutcome]:
    """Each file's manifest record: rows read = rows loaded + rows quarantined, or an error.

    ``order``: each file's position among the run's new files (by ``source``), so that
    receipt times follow the run's file order across chunks; by default their order here.
    ``arrivals``: when each file (by ``source``) reached the department (:func:`arrival`),
    never after its receipt; by default its receipt.
    """
    loaded: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for v in kinds:
        for sha, n in _counts_by_file(v.accepted, "_file", pl.len()).items():
            loaded[sha] = loaded.get(sha, 0) + n
        rows = pl.col("row_numbers").list.len().sum()
        for sha, n in _counts_by_file(v.quarantined, "source_sha256", rows).items():
            quarantined[sha] = quarantined.get(sha, 0) + n
    out = []
    for i, f in enumerate(files):
        read = f.rows
        n_loaded, n_quar = (
            (0, read) if f.reasons else (loaded.get(f.sha256, 0), quarantined.get(f.sha256, 0))
        )
        if n_loaded + n_quar != read:
            raise WarehouseError(
                f"reconciliation failed for {f.path}: read {read}, loaded {n_loaded},"
                f" quarantined {n_quar}"
            )
        if f.reasons:
            status = "rejected"
        elif n_quar == 0:
            status = "loaded"
        else:
            status = "partial" if n_loaded else "rejected"
        arch = archived.get(f.sha256)
        # distinct, ordered receipt times: on a submitted_at tie the later file wins
        received = received_at + timedelta(microseconds=i if order is None else order[f.source])
        arrived = (arrivals or {}).get(f.source)
        out.append(
            store.FileOutcome(
                sha256=f.sha256,
                path=f.path,
                kind=f.kind,
                format=f.format,
                received_at=received,
                status=status,
                rows_read=read,
                rows_loaded=n_loaded,
                rows_quarantined=n_quar,
                archive_path=None if arch is None else str(arch),
                size_bytes=f.size,
                file_reasons=tuple(f.reasons),
                detail=f.detail,
                # a sheet's name is the filer's text (联系13912340108): masked like a path
                # (each name, then its JSON: a tab between digits is "\t" in JSON text)
                sheets=mask(json.dumps([_masked(s) for s in f.sheets], ensure_ascii=False))
                if f.sheets
                else None,
                total_rows=f.total_rows,
                arrived_at=received if arrived is None else min(arrived, received),
            )
        )
    return out


def arrival(path: Path) -> datetime | None:
    """When the file at ``path`` reached the department: its modification time (CONTRACT
    §9). The pull and the portal give the files they write the time of their arrival
    (first seen at the deposit, upload confirmed); the survey's is used where it has one."""
    ident = getattr(path, "identity", None)
    try:
        ns = ident.mtime_ns if ident is not None else path.stat().st_mtime_ns
    except OSError:
        return None
    return datetime.fromtimestamp(ns // 10**9).replace(microsecond=ns // 1000 % 10**6)


def load(
    ws: Workspace,
    batches: Sequence[KindBatch],
    run_id: str | None,
    now: datetime,
    skipped: Sequence[Skipped] = (),
    order: Mapping[str, int] | None = None,
    arrivals: Mapping[str, datetime] | None = None,
) -> store.LoadSummary:
    """Archive (one pack), reconcile, then load every batch in one transaction (with the
    pack's index and the paths the run skipped, ``meta.skipped``). ``order``: each
    file's position among the run's new files, ``arrivals`` when each arrived
    (:func:`reconcile`)."""
    files = [f for b in batches for f in b.files if not f.waiting]
    skipped = [*skipped, *waiting(b.files for b in batches)]
    pack = archive(ws.settings.archive_dir, files, now)
    # one pack: its stored path is the same for every member (resolved once, not per file)
    stored = None if pack is None else Path(stored_path(pack.path, ws.settings.home))
    archived = {} if pack is None or stored is None else {sha: stored for sha, *_ in pack.members}
    kinds = [
        store.KindLoad(
            b.kind,
            b.verdicts.accepted,
            b.verdicts.quarantined,
            b.verdicts.problems,
            totals_frame(b.kind, b.files, b.verdicts.accepted, ws.registry),
        )
        for b in batches
        if b.kind is not None and b.verdicts is not None
    ]
    # the 说明 a unit typed in the portal when it confirmed the file (CONTRACT §11)
    kinds = with_explanations(kinds, portal_notes(ws.settings, [f.sha256 for f in files]))
    # a later correction with an implausible 填报时间 is returned, never silently won or lost
    ranks = {f.sha256: i if order is None else order[f.source] for i, f in enumerate(files)}
    kinds = hold_implausible(ws.con, kinds, ws.rules, header_rows(files), ranks)
    outcomes = reconcile(files, kinds, now, archived, order, arrivals)
    if pack is not None:  # what a rebuild needs beside the bytes (warehouse/provenance.py)
        provenance.write_for_load(pack, outcomes, now)
    provenance.write_missing(ws.con, ws.settings.home, ws.settings.archive_dir)  # older packs
    rejected = file_problems([f for f in files if f.reasons])
    skips = [store.SkippedPath(s.path, s.reason, s.detail) for s in skipped]
    index = None if pack is None else pack.index(ws.settings.home)
    return store.load_batch(ws.con, outcomes, kinds, now, run_id, rejected, skips, index)


def waiting(files: Iterable[Sequence[RawFile]]) -> list[Skipped]:
    """The files changed since the scan (not read): ``meta.skipped``, for the next run."""
    return [
        Skipped(f.path, "changed_since_scan", f.detail) for fs in files for f in fs if f.waiting
    ]


KindFiles = tuple[str | None, list[Path]]
"""A report kind (None: the name selects none) and its files, in the run's order."""


def chunked(groups: Sequence[KindFiles], size: int) -> Iterator[list[KindFiles]]:
    """The run's files in chunks of at most ``size`` files (as few as the shares allow),
    each holding an equal share of every kind.

    Every chunk of a long backfill then looks like one quarter's files: its memory peak
    does not depend on which kinds it happens to hold (a chunk of supervision files
    alone, the widest kind, peaked 20 % above a mixed one). Within a kind the files keep
    their order across chunks; together the chunks hold every file once.
    """
    total = sum(len(files) for _, files in groups)
    if total == 0:
        return
    least = -(-total // size)
    # the shares are rounded: a chunk may come out a file or two over ``size``, then one
    # chunk more is tried; tiny chunks of many kinds may never fit, then cut in order
    for pieces in range(least, least + len(groups) + 1):
        chunks = [
            [
                (kind, part)
                for kind, files in groups
                if (part := files[len(files) * i // pieces : len(files) * (i + 1) // pieces])
            ]
            for i in range(pieces)
        ]
        if all(sum(len(f) for _, f in c) <= size for c in chunks):
            yield from chunks
            return
    yield from _cut_in_order(groups, size)


def _cut_in_order(groups: Sequence[KindFiles], size: int) -> Iterator[list[KindFiles]]:
    """The kinds' files in order, cut every ``size`` files (a chunk may span kinds)."""
    chunk: list[KindFiles] = []
    room = size
    for kind, files in groups:
        start = 0
        while start < len(files):
            part = files[start : start + room]
            chunk.append((kind, part))
            start += len(part)
            room -= len(part)
            if room == 0:
                yield chunk
                chunk, room = [], size
    if chunk:
        yield chunk


def rebuild_marts(
    ws: Workspace, periods: Sequence[str], now: datetime | None = None
) -> dict[str, int]:
    """Rebuild the marts of these periods, each in one transaction; rows written per table.
    ``now``: the time the round's timeliness is judged at (default: the clock)."""
    out: dict[str, int] = {}
    todo = sorted(set(periods))
    for i, p in enumerate(todo, 1):
        with transaction(ws.con):
            for table, n in build_marts(ws.con, [p], ws.rules, now).items():
                out[table] = out.get(table, 0) + n
        progress.advance("marts", i, len(todo))
    return out


def import_gx_in_background() -> None:
    """Start importing Great Expectations in a daemon thread, if it is not imported yet.

    The import takes 3 s or more of CPU. A one-shot command starts it while it waits
    for the embedded Prefect server, when the inbox holds any file
    (:func:`cli.operators._run_flow`); a run starts it as soon as it has found new
    files (:func:`pipeline.run.run`), to overlap reading them. A run with nothing
    new never imports it. Validation imports the same modules where it needs them;
    Python's import lock makes it wait for this import rather than repeat it.
    ``RONGHE_PRELOAD_GX=0`` turns the background import off.
    """
    if os.environ.get("RONGHE_PRELOAD_GX", "1") == "0" or "great_expectations" in sys.modules:
        return

    def work() -> None:
        # a failure here is not lost: validation imports the same modules and raises it
        with contextlib.suppress(Exception):
            import_gx()

    threading.Thread(target=work, name="ronghe-import-gx", daemon=True).start()


def _masked(sheet: dict[str, str]) -> dict[str, str]:
    """A sheet's entry with personal numbers masked in its texts (before JSON escapes)."""
    return {k: mask(v) if isinstance(v, str) else v for k, v in sheet.items()}
