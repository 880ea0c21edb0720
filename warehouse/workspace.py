"""The writer's workspace: the one owner of the working copy and its life.

A run never writes the analysts' file. It takes the writer lock, starts from a
clean working copy (``work/warehouse.duckdb``), records itself in ``meta.runs`` and,
only if it succeeds, publishes: a checkpoint, then, if anything changed, a new read-only
version that ``warehouse.duckdb`` points at (:mod:`warehouse.versions`), so readers never
wait, never see half a run, and nothing an analyst does to a published file reaches a run.

Crash recovery: an ``.unfinished`` marker sits beside the working copy while a run
writes it. A run that fails or is killed (kill -9 included) leaves the marker; the
next run finds it, keeps the abandoned copy's ``meta.runs`` rows that the published
file does not know (recorded as ``failed``), discards the copy and starts again from
the published file.

Modes: the working copy, its ``.wal``, the marker and the lock are the owner's only
(``0600`` in ``0700`` folders); the published versions get ``RONGHE_WAREHOUSE_MODE``
less its write bits.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from config.settings import Settings
from transforms.pii import mask
from warehouse import scale
from warehouse.archive import remove_unindexed
from warehouse.db import connect, transaction
from warehouse.lock import writer_lock
from warehouse.modes import (
    PRIVATE_FILE,
    copy_with_mode,
    home_mode,
    private_dir,
    set_mode,
    write_private,
)
from warehouse.registry import load_registry
from warehouse.ruleset import Rules, load_rules
from warehouse.schema import ensure_schema
from warehouse.versions import publish as publish_version

UNFINISHED_MARKER = ".unfinished"
"""Beside the working copy while a run writes it; left behind by a failed or killed run."""

RunRow = tuple[str, str, str, datetime, datetime | None, str]
"""A ``meta.runs`` row: run_id, flow, parameters (JSON), started_at, finished_at, state."""

Say = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class Workspace:
    """What a run works with: settings, the writer's connection, registry and rules."""

    settings: Settings
    con: duckdb.DuckDBPyConnection
    registry: pl.DataFrame
    rules: Rules
    say: Say = _quiet

    @classmethod
    @contextmanager
    def open(
        cls,
        settings: Settings,
        rules_path: Path | None = None,
        *,
        holder: str = "a run",
        say: Say = _quiet,
    ) -> Iterator[Workspace]:
        """Hold the writer lock and a clean working copy for the block.

        Nothing is published unless :meth:`publish` is called; leaving the block
        without it leaves the marker, so the next open starts from the published file.
        """
        rules = load_rules(rules_path or settings.rules)
        home_scale = scale.of_home(settings.home, settings.published_path)
        if home_scale not in (None, settings.scale):  # a province home run at city scale …
            raise scale.mismatch(settings.home, settings.scale, home_scale)
        registry = load_registry(settings.scale)
        close_home(settings)
        with (
            writer_lock(settings.lock_path, holder, settings.lock_timeout_seconds, on_wait=say),
            _owner_only_umask(),
        ):
            carried = _recover(settings, say)
            working = settings.working_path
            marker = working.parent / UNFINISHED_MARKER
            write_private(marker, holder.encode("utf-8"))
            _start_from_published(settings)
            con = connect(working, settings.duckdb_threads, settings.duckdb_memory_limit)
            for f in (working, working.with_name(working.name + ".wal")):
                if f.exists():  # a copy an older ronghe made under a looser umask
                    set_mode(f, PRIVATE_FILE)
            try:
                ensure_schema(con, registry)
                scale.remember(settings.home, settings.scale)
                if carried:
                    _record_runs(con, carried)
                yield cls(settings, con, registry, rules, say)
            finally:
                con.close()

    @contextmanager
    def run(self, run_id: str, flow: str, parameters: dict[str, Any]) -> Iterator[None]:
        """Record the block in ``meta.runs``: running, then completed or failed."""
        # paths among the parameters are shown and stored masked (transforms.pii)
        params = mask(json.dumps(parameters, ensure_ascii=False, default=str))
        _record_runs(self.con, [(run_id, flow, params, datetime.now(), None, "running")])
        try:
            yield
        except BaseException:
            self._finish(run_id, "failed")
            raise
        self._finish(run_id, "completed")

    def _finish(self, run_id: str, state: str) -> None:
        with transaction(self.con):
            self.con.execute(
                "UPDATE meta.runs SET finished_at = ?, state = ? WHERE run_id = ?",
                [datetime.now(), state, run_id],
            )

    def publish(self) -> bool:
        """Checkpoint the working copy; publish it as a new version if anything changed
        (or the current version is not as published). True when a version was published.

        Readers that have the old version open keep reading it; new readers see the new
        one. Either way the run is finished: the next one starts from this working copy.
        """
        self.con.execute("CHECKPOINT")
        published = publish_version(self.settings, self.con, self.say)
        (self.settings.working_path.parent / UNFINISHED_MARKER).unlink(missing_ok=True)
        return published


def close_home(settings: Settings) -> None:
    """Give the home, ``work/`` and ``archive/`` their modes (docs/operations.md §7).

    ``work/`` and ``archive/`` are the owner's only (``0700``). The home gets the
    owner's bits plus search for whoever may read the published warehouse (``0710``
    for the default ``0640``), so the analysts' group opens it by name and lists nothing.
    The default inbox (``inbox/``) is made with the home, with the umask's mode: whoever
    deposits the files (a sync account, say) is given it by the operator.
    """
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    set_mode(home, home_mode(settings.warehouse_mode))
    private_dir(settings.working_path.parent)
    private_dir(settings.archive_dir)
    settings.inbox_dir.mkdir(exist_ok=True)


@contextmanager
def _owner_only_umask() -> Iterator[None]:
    """While the writer works: what DuckDB creates itself (the ``.wal``, spill files) is ``0600``.

    DuckDB opens its files with mode ``0666`` less the umask, and has no option for it;
    the folders are ``0700`` anyway, this closes the files too.
    """
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _record_runs(con: duckdb.DuckDBPyConnection, rows: list[RunRow]) -> None:
    with transaction(con):
        for row in rows:
            con.execute("INSERT OR REPLACE INTO meta.runs VALUES (?, ?, ?, ?, ?, ?)", list(row))


def _recover(settings: Settings, say: Say) -> list[RunRow]:
    """Discard a working copy left by an unfinished run; return its unknown run records."""
    working = settings.working_path
    if not (working.parent / UNFINISHED_MARKER).exists():
        return []
    abandoned = _read_runs(working, say) if working.exists() else []
    for f in (working, working.with_name(working.name + ".wal")):
        f.unlink(missing_ok=True)
    say("discarded the working copy left by an unfinished run; starting from the published file")
    # what was published is read from a fresh copy of it: the published version itself may
    # be held open read-write by someone (then DuckDB lets nobody else open it)
    _start_from_published(settings)
    known = {r[0] for r in _read_runs(working, say)} if working.exists() else set()
    # a run still "running" there was killed; either way it did not complete
    carried: list[RunRow] = [
        (run_id, fl, params, started, finished or datetime.now(), "failed")
        for run_id, fl, params, started, finished, _state in abandoned
        if run_id not in known
    ]
    indexed = _indexed_packs(working, settings.published_path.exists())
    if indexed is not None:
        gone = remove_unindexed(settings.archive_dir, indexed)
        if gone:
            say(f"removed {len(gone)} archive pack(s) the unfinished run left unindexed")
    return carried


def _start_from_published(settings: Settings) -> None:
    """No working copy: start one from the published warehouse (when there is one)."""
    working, published = settings.working_path, settings.published_path
    if not working.exists() and published.exists():
        copy_with_mode(published, working, PRIVATE_FILE)


def _indexed_packs(copy: Path, published: bool) -> set[str] | None:
    """The pack file names the published warehouse (here: its fresh ``copy``) indexes
    (None: it cannot be read)."""
    if not published or not copy.exists():
        return set()
    try:
        con = duckdb.connect(str(copy), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT DISTINCT pack FROM meta.archive_index").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return {Path(r[0]).name for r in rows}


def _read_runs(path: Path, say: Say) -> list[RunRow]:
    """The ``meta.runs`` rows of the file at ``path`` ([] when it cannot be read)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        say(f"the run log of {path.name} cannot be read ({exc}); it is lost")
        return []
    try:
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5])
            for r in con.execute(
                "SELECT run_id, flow, parameters::VARCHAR, started_at, finished_at, state"
                " FROM meta.runs"
            ).fetchall()
        ]
    except duckdb.Error:
        return []
    finally:
        con.close()
