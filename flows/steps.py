"""Plain, orchestrator-free steps that the Prefect flows sequence.

Each step is a batch: one report kind at a time, never one file. They are
tested without Prefect; the flows only call them in order.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from expectations.suites import import_gx
from expectations.validate import Verdicts, validate
from flows.settings import Settings
from transforms.columns import REPORT_KINDS, kind_of
from transforms.parse import parse, stack
from transforms.read import RawFile, read_files
from warehouse import store
from warehouse.marts import build_marts
from warehouse.registry import load_registry
from warehouse.ruleset import Rules, load_rules

IGNORED_PREFIXES = (".", "~$", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


@dataclass
class Session:
    """What a run works with: settings, the writer's connection, registry and rules."""

    settings: Settings
    con: duckdb.DuckDBPyConnection
    registry: pl.DataFrame
    rules: Rules

    @classmethod
    def open(cls, settings: Settings, rules_path: Path | None = None) -> Session:
        registry = load_registry(settings.scale)
        rules = load_rules(rules_path or settings.rules)
        working, published = settings.working_path, settings.published_path
        if not working.exists() and published.exists():
            working.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(published, working)
        con = store.connect(working, settings.duckdb_threads, settings.duckdb_memory_limit)
        store.ensure_schema(con, registry)
        return cls(settings, con, registry, rules)

    def close(self) -> None:
        self.con.close()

    def publish(self) -> None:
        store.publish(self.con, self.settings.working_path, self.settings.published_path)


def is_candidate(path: Path) -> bool:
    name = path.name
    return not name.startswith(IGNORED_PREFIXES) and not name.lower().endswith(IGNORED_SUFFIXES)


def scan(paths: Iterable[Path]) -> list[Path]:
    """Every candidate file under the given files and folders (any depth), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(f for f in p.rglob("*") if f.is_file() and is_candidate(f))
        elif p.is_file():
            out.append(p)
    # receipt order: older files first, so a tie on submitted_at goes to the later file
    return sorted(set(out), key=lambda f: (f.stat().st_mtime_ns, str(f)))


@dataclass
class Found:
    new: list[Path] = field(default_factory=list)
    already_received: list[Path] = field(default_factory=list)


def hash_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], remember: bool = True
) -> dict[Path, str]:
    """The SHA-256 of each file, reading only files not hashed before as they are now.

    A file whose path, size and modification time are those it had when it was last
    hashed is not read again (``meta.file_hashes``). ``remember=False`` leaves the cache
    as it is (a read-only connection).
    """
    stats: dict[Path, store.FileStat] = {}
    for f in files:
        st = f.stat()
        stats[f] = (str(f), st.st_size, st.st_mtime_ns)
    cached = store.cached_hashes(con, list(stats.values()))
    shas: dict[Path, str] = {}
    hashed: list[tuple[str, int, int, str]] = []
    for f in files:
        sha = cached.get(str(f))
        if sha is None:
            sha = hashlib.sha256(f.read_bytes()).hexdigest()
            hashed.append((*stats[f], sha))
        shas[f] = sha
    if remember:
        store.remember_hashes(con, hashed)
    return shas


def find_new(con: duckdb.DuckDBPyConnection, files: Sequence[Path], remember: bool = True) -> Found:
    """Split files into those never received and those whose bytes were received before.

    A backfill that passes over quarters already loaded only lists them (``hash_files``).
    """
    shas = hash_files(con, files, remember)
    known = store.known_files(con, shas.values())
    found = Found()
    seen: set[str] = set()
    for f in files:
        if shas[f] in known or shas[f] in seen:
            found.already_received.append(f)
        else:
            seen.add(shas[f])
            found.new.append(f)
    return found


def group_by_kind(files: Sequence[Path]) -> dict[str | None, list[Path]]:
    """Files per report kind (from the file name); None for names that select no kind."""
    groups: dict[str | None, list[Path]] = {}
    for f in files:
        k = kind_of(f.name)
        groups.setdefault(None if k is None else k.name, []).append(f)
    return groups


@dataclass
class KindBatch:
    """A kind's files after reading, parsing and validation."""

    kind: str | None
    files: list[RawFile]
    verdicts: Verdicts | None


def read_and_validate(
    kind_name: str | None,
    paths: Sequence[Path],
    registry: pl.DataFrame,
    now: datetime,
    workers: int = 2,
) -> KindBatch:
    """Read one kind's files in parallel, parse them as one batch and run its suite."""
    raw = read_files(list(paths), workers=workers)
    if kind_name is None:
        return KindBatch(None, raw, None)
    kind = REPORT_KINDS[kind_name]
    good = [f for f in raw if not f.reasons and f.frame is not None]
    batch = parse(kind, stack(kind, good))
    return KindBatch(kind_name, raw, validate(kind, batch, registry, now))


def archive(settings: Settings, batches: Sequence[KindBatch]) -> dict[str, Path]:
    """Archive every read file by SHA-256; files changed since reading are left out."""
    files = [f for b in batches for f in b.files]

    def one(f: RawFile) -> Path | None:
        return store.archive_file(settings.archive_dir, Path(f.path), f.sha256)

    # many small files: the time is in system calls, which release the GIL
    with ThreadPoolExecutor(max_workers=max(4, settings.workers * 2)) as pool:
        targets = list(pool.map(one, files))
    return {f.sha256: t for f, t in zip(files, targets, strict=True) if t is not None}


def load(
    session: Session,
    batches: Sequence[KindBatch],
    run_id: str | None,
    now: datetime,
    on_step: Callable[[str], None] | None = None,
) -> store.LoadSummary:
    """Archive, then load every batch in one transaction."""
    archived = archive(session.settings, batches)
    # a file that changed between reading and archiving is not loaded this time
    files = [f for b in batches for f in b.files if f.sha256 in archived]
    keep = {f.sha256 for f in files}
    verdicts = {}
    for b in batches:
        if b.verdicts is not None and b.kind is not None:
            verdicts[b.kind] = _only_files(b.verdicts, keep)
    return store.load_batch(session.con, files, verdicts, now, archived, run_id, on_step)


def _only_files(v: Verdicts, keep: set[str]) -> Verdicts:
    shas = sorted(keep)
    return Verdicts(
        accepted=v.accepted.filter(pl.col("_file").is_in(shas)),
        quarantined=v.quarantined.filter(pl.col("source_sha256").is_in(shas)),
        row_reasons=v.row_reasons,
    )


def marts(session: Session, periods: Sequence[str]) -> dict[str, int]:
    """Rebuild the marts of these periods in one transaction."""
    if not periods:
        return {}
    with store.transaction(session.con):
        return build_marts(session.con, sorted(set(periods)), session.rules)


def ingest(
    session: Session,
    paths: Sequence[Path],
    now: datetime,
    run_id: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[Found, store.LoadSummary]:
    """All of ingestion without an orchestrator (used by tests and by the flows' tasks)."""
    found = find_new(session.con, scan(paths))
    batches = [
        read_and_validate(k, ps, session.registry, now, session.settings.workers)
        for k, ps in group_by_kind(found.new).items()
    ]
    return found, load(session, batches, run_id, now, on_step)


def import_gx_in_background() -> None:
    """Start importing Great Expectations in a daemon thread.

    The import takes 3 s or more, and the first seconds of a run are spent waiting
    for the embedded Prefect server to start: done meanwhile, it costs nothing.
    Validation imports the same modules where it needs them; Python's import lock
    makes it wait for this import rather than repeat it. ``RONGHE_PRELOAD_GX=0``
    turns it off.
    """
    if os.environ.get("RONGHE_PRELOAD_GX", "1") == "0" or "great_expectations" in sys.modules:
        return

    def work() -> None:
        # a failure here is not lost: validation imports the same modules and raises it
        with contextlib.suppress(Exception):
            import_gx()

    threading.Thread(target=work, name="ronghe-import-gx", daemon=True).start()


import_gx_in_background()
