"""A warehouse from the archive alone (``ronghe rebuild``): the loads replayed in order.

Each pack of the archive is one load of a run (a chunk of its new files), and its
members file (:mod:`warehouse.provenance`) says what the bytes alone cannot: each
file's name (hence its kind), path, source, order and the load's time. The rebuild
replays the packs in the order they were loaded, each as that load did — the same
steps as a run (:func:`pipeline.run.read_stage`, :func:`pipeline.steps.load`), its
files read from the archive under their own names, with the load's time (so receipt
times, supersession and corrections come out as they did) — then rebuilds the marts
of every quarter it loaded. The result equals the warehouse the archive came from,
table by table, but for what the archive cannot hold (docs/operations.md «Rebuilding
the warehouse from the archive»): the runs' log (``meta.runs``, ``run_id``), the paths a
run skipped, the inbox's hash cache, the sources' last attempts, files whose bytes
could never be read, the quarter a run's ``--period`` gave a file rejected whole (placed
as a run without it places them, once per run), and the score history, which starts
again with the rebuild.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import progress
from pipeline.placing import place_rejected
from pipeline.run import Step, call, read_stage
from pipeline.steps import load, rebuild_marts
from sources.inbox import group_by_kind
from warehouse import provenance
from warehouse.db import registered, transaction
from warehouse.modes import private_dir, write_private
from warehouse.store import LoadSummary, merge_summaries
from warehouse.workspace import Workspace


class RebuildError(RuntimeError):
    """The archive cannot give the warehouse back (a pack without its members file, a
    member whose bytes are not what was received)."""


@dataclass(frozen=True)
class Rebuilt:
    packs: int
    files: int
    reports_loaded: int
    reports_quarantined: int
    periods: tuple[str, ...]


def plan(archive_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The packs of ``archive_dir`` with their members files, in the order loaded."""
    found = provenance.packs(archive_dir)
    if not found:
        raise RebuildError(f"no archive packs in {archive_dir / provenance.PACKS}")
    docs = [(p, provenance.read_members(p)) for p in found]
    bare = [p.name for p, d in docs if d is None]
    if bare:
        raise RebuildError(
            f"{len(bare)} of {len(found)} packs have no members file ({bare[0]} …): they were"
            " archived by an older ronghe; run `ronghe run` once on the home they come from"
            " (it writes them from its warehouse), then copy its archive again"
        )

    def first(item: tuple[Path, dict[str, Any]]) -> tuple[str, int]:
        _, doc = item
        return str(doc["loaded_at"]), min((int(m["order"]) for m in doc["members"]), default=0)

    return sorted(((p, d) for p, d in docs if d is not None), key=first)


def _stage(pack: Path, doc: dict[str, Any], folder: Path) -> dict[str, dict[str, Any]]:
    """Write each member under its own name (one folder each); staged path → member."""
    staged: dict[str, dict[str, Any]] = {}
    with tarfile.open(pack) as tar:
        for i, m in enumerate(sorted(doc["members"], key=lambda m: int(m["order"]))):
            got = tar.extractfile(m["member"])
            data = got.read() if got is not None else b""
            if hashlib.sha256(data).hexdigest() != m["sha256"]:
                raise RebuildError(f"{pack.name}: {m['member']} is not the file received")
            target = private_dir(folder / str(i)) / (m["name"] or m["member"])
            write_private(target, data)
            staged[str(target)] = m
    return staged


_PULLS = {
    "source": pl.String(),
    "unit_code": pl.String(),
    "remote_path": pl.String(),
    "size": pl.Int64(),
    "modified_at": pl.Datetime("us"),
    "sha256": pl.String(),
    "pulled_at": pl.Datetime("us"),
    "run_id": pl.String(),
    "first_seen_at": pl.Datetime("us"),
}


def _record_pulls(ws: Workspace, members: Sequence[dict[str, Any]], run_id: str | None) -> None:
    """``meta.pulls`` of the pulled files (``pulled``), as their pulls recorded them."""

    def ts(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    rows = [
        (
            s["name"],
            s["unit"],
            s["remote_path"],
            s["size"],
            ts(s.get("modified_at")),
            m["sha256"],
            ts(s.get("pulled_at")),
            run_id,
            ts(s.get("first_seen_at")),
        )
        for m in members
        if (s := m.get("source"))
    ]
    if not rows:
        return
    frame = pl.DataFrame(rows, schema=_PULLS, orient="row")
    with registered(ws.con, "pulls_back", frame), transaction(ws.con):
        ws.con.execute(
            "INSERT INTO meta.pulls (source, unit_code, remote_path, size, modified_at,"
            " sha256, pulled_at, run_id, first_seen_at, outcome)"
            " SELECT *, 'pulled' FROM pulls_back"
        )
    origins = {m["sha256"]: m["source"] for m in members if m.get("source")}
    provenance.add_sources(ws.con, ws.settings.home, origins)


def rebuild(
    ws: Workspace,
    archive_dir: Path,
    now: datetime,
    run_id: str | None = None,
    step: Step = call,
    say: Callable[[str], None] = progress.step,
) -> Rebuilt:
    """Replay every pack of ``archive_dir`` into ``ws`` (a fresh warehouse); the marts of
    every quarter loaded are rebuilt, judged at ``now``."""
    loads = plan(archive_dir)
    staging = private_dir(ws.settings.home / "work" / "rebuild")
    periods: set[str] = set()
    files = loaded = quarantined = 0
    run: list[LoadSummary] = []  # the loads of one run so far (its packs share its time)
    try:
        for n, (pack, doc) in enumerate(loads, 1):
            at = datetime.fromisoformat(doc["loaded_at"])
            folder = staging / str(n)
            staged = _stage(pack, doc, folder)
            paths = [Path(p) for p in staged]
            groups = sorted(group_by_kind(paths).items(), key=lambda kv: str(kv[0]))
            batches = read_stage(ws, groups, at, step, None)
            for b in batches:
                for f in b.files:  # the name the file was received under, not the copy's
                    f.path = staged[f.source]["path"]
            order = {p: int(m["order"]) for p, m in staged.items()}
            arrived = {
                p: datetime.fromisoformat(m["arrived_at"])
                for p, m in staged.items()
                if m.get("arrived_at")
            }
            summary = step("load", load, ws, batches, run_id, at, (), order, arrived)
            run.append(summary)
            if n == len(loads) or loads[n][1]["loaded_at"] != doc["loaded_at"]:
                # the run's last pack: its files rejected whole placed as the run placed
                # them, once for the run (its --period, not kept, counts as none)
                placed = place_rejected(ws.con, merge_summaries(run), (), at)
                periods.update(placed.periods_quarantined)
                run = []
            _record_pulls(ws, list(staged.values()), run_id)
            shutil.rmtree(folder, ignore_errors=True)
            files += len(summary.files)
            loaded += sum(summary.reports_loaded.values())
            quarantined += summary.reports_quarantined
            periods.update(summary.periods, summary.periods_quarantined)
            say(f"pack {n} of {len(loads)} ({at:%Y-%m-%d %H:%M}): {len(summary.files)} files")
        quarters = tuple(sorted(p for p in periods if len(p) == 6 and p[4] == "Q"))
        step("rebuild-marts", rebuild_marts, ws, quarters, now)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Rebuilt(len(loads), files, loaded, quarantined, quarters)
