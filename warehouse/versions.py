"""The published warehouse as versions: each publish a new read-only file, the name a link.

::

    $RONGHE_HOME/warehouse.duckdb -> versions/warehouse.20260105T103012.123456.duckdb
    $RONGHE_HOME/versions/          the published versions (read-only files)
    $RONGHE_HOME/changed/           versions someone changed, moved aside (name: when)
    $RONGHE_HOME/work/published.json  what was published: version, content hash, sizes, mtimes

Why (measured with DuckDB 2.0.1 on Linux): DuckDB locks a database *file* (one writer or
many readers, ``fcntl`` locks on the inode) and keeps its write-ahead log beside the
*resolved* path (``versions/X.duckdb.wal``, never ``warehouse.duckdb.wal``). So whatever an
analyst does through the name touches one version only: the next publish points the name at
a new file nobody holds, whose log nobody wrote. DuckDB's instance cache is keyed by the
resolved path too: a new connection gets the newest version even in a process that still
holds an older one open.

The versions are read-only files (``RONGHE_WAREHOUSE_MODE`` less the write bits): a
read-write open by anyone but root fails at once ("Permission denied") and changes
nothing. Root bypasses modes; what root changes is found at the next publish:

- a version held open read-write is kept until it is closed (readers of it wait for that
  session, as DuckDB makes them; new readers get the new version);
- a version whose size or modification time is not what was published, or with a
  ``.wal`` beside it, is moved with its ``.wal`` to ``changed/warehouse.changed-<when>.duckdb``
  (it opens there with the change in it) and the run says so; never deleted;
- a ``warehouse.duckdb.wal`` beside the name (an older ronghe's, or a tool's) is harmless
  to readers and is moved aside too; the old single-file layout is converted once.

Old versions nobody holds are deleted at the next publish but one (a reader that has just
read the link still finds the version it points to). A publish happens only when the
warehouse changed (:mod:`warehouse.fingerprint`) or the current version is not clean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from config.settings import Settings
from warehouse.fingerprint import fingerprint
from warehouse.held import lock_held
from warehouse.modes import (
    copy_with_mode,
    home_mode,
    private_dir,
    set_mode,
    write_private,
)

VERSIONS, CHANGED, RECORD = "versions", "changed", "published.json"
PREFIX, SUFFIX = "warehouse.", ".duckdb"
Say = Callable[[str], None]


def read_only(mode: int) -> int:
    """The mode of a published version: the operator's, with no write bit."""
    return mode & ~0o222


@dataclass
class Record:
    """What ronghe published (``work/published.json``, the owner's only)."""

    current: str | None = None
    fingerprint: str | None = None
    files: dict[str, list[int]] = field(default_factory=dict)  # name: [size, mtime_ns]

    @classmethod
    def load(cls, settings: Settings) -> Record:
        try:
            data = json.loads(_record_path(settings).read_text(encoding="utf-8"))
            return cls(data.get("current"), data.get("fingerprint"), dict(data.get("files", {})))
        except (OSError, ValueError, AttributeError):
            return cls()

    def save(self, settings: Settings) -> None:
        path = _record_path(settings)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        text = json.dumps(
            {"current": self.current, "fingerprint": self.fingerprint, "files": self.files}
        )
        write_private(tmp, text.encode("utf-8"))
        os.replace(tmp, path)


def _record_path(settings: Settings) -> Path:
    return settings.working_path.parent / RECORD


def versions_dir(settings: Settings) -> Path:
    return settings.home / VERSIONS


def current_version(settings: Settings) -> Path | None:
    """The version the analysts' name points at (None: no link, or not to a version)."""
    link = settings.published_path
    if not link.is_symlink():
        return None
    target = link.parent / os.readlink(link)
    if target.parent.resolve() != versions_dir(settings).resolve():
        return None
    return target


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _stamp(t: datetime) -> str:
    return t.strftime("%Y%m%d-%H%M%S")


def _aside_name(settings: Settings, when: datetime) -> Path:
    folder = settings.home / CHANGED
    base = f"{PREFIX}changed-{_stamp(when)}"
    target, n = folder / f"{base}{SUFFIX}", 1
    while target.exists() or _wal(target).exists():
        n += 1
        target = folder / f"{base}-{n}{SUFFIX}"
    return target


def _changed_when(path: Path) -> datetime:
    times = [p.stat().st_mtime for p in (path, _wal(path)) if p.exists()]
    return datetime.fromtimestamp(max(times)) if times else datetime.now()


def _foreign_tables(path: Path, ours: set[tuple[str, str]]) -> list[str] | None:
    """Tables in the file at ``path`` that the writer's copy does not have (None: unreadable)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return sorted(f"{s}.{t}" for s, t in rows if (s, t) not in ours)


@dataclass(frozen=True)
class State:
    """A published file as the next publish finds it."""

    held: tuple[str, int] | None  # ("write" | "read", pid)
    changed: str | None  # why it counts as changed (None: as published)

    @property
    def writing(self) -> bool:
        return self.held is not None and self.held[0] == "write"


def _state(path: Path, record: Record, ours: set[tuple[str, str]]) -> State:
    held = lock_held(path)
    if held is not None and held[0] == "write":
        return State(held, "open read-write")
    if _wal(path).exists():
        return State(held, "a .wal beside it: changes not yet written into the file")
    st = path.stat()
    expected = record.files.get(path.name)
    if expected is not None:
        if [st.st_size, st.st_mtime_ns] != list(expected):
            return State(held, "written to after it was published")
        return State(held, None)
    foreign = _foreign_tables(path, ours)  # no record of it: what it holds tells
    if foreign is None:
        return State(held, "cannot be opened")
    return State(held, f"tables that are not ronghe's: {', '.join(foreign)}" if foreign else None)


def _move_aside(
    settings: Settings, path: Path, why: str, say: Say, *, link: bool = False, wal: bool = True
) -> Path:
    """Move ``path`` and its ``.wal`` into changed/, named by when it was last changed.

    ``link``: hard-link it instead, its name then replaced (a session of the old layout
    still open writes its last changes there); ``wal=False``: its ``.wal`` is that
    session's, left for it."""
    folder = private_dir(settings.home / CHANGED, home_mode(settings.warehouse_mode))
    target = folder / _aside_name(settings, _changed_when(path)).name
    (os.link if link else os.rename)(path, target)
    if wal and _wal(path).exists():
        os.rename(_wal(path), _wal(target))
    kept = "with its .wal, " if _wal(target).exists() else ""
    say(
        f"the published version {path.name} was changed outside ronghe ({why});"
        f" kept, {kept}as {target.relative_to(settings.home)}"
    )
    return target


def _write_version(settings: Settings, working: Path) -> Path:
    folder = private_dir(versions_dir(settings), home_mode(settings.warehouse_mode))
    now = datetime.now()
    target = folder / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S.%f')}{SUFFIX}"
    while target.exists():
        now = datetime.fromtimestamp(now.timestamp() + 1e-6)
        target = folder / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S.%f')}{SUFFIX}"
    partial = folder / f".{target.name}.partial-{os.getpid()}"
    try:
        copy_with_mode(working, partial, read_only(settings.warehouse_mode))
        os.rename(partial, target)
    except BaseException:  # a full disk: no half copy left behind
        partial.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    return target


def _point(settings: Settings, version: Path) -> None:
    """Point the analysts' name at ``version``, atomically (readers see one or the other)."""
    link = settings.published_path
    for stale in link.parent.glob(f".{link.name}.link-*"):  # a publish killed here
        stale.unlink(missing_ok=True)
    tmp = link.with_name(f".{link.name}.link-{os.getpid()}")
    os.symlink(f"{VERSIONS}/{version.name}", tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(link.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _single_file(settings: Settings, ours: set[tuple[str, str]], say: Say) -> None:
    """The layout before versions: ``warehouse.duckdb`` a file. Keep it aside if someone
    changed or holds it (hard-linked: a session's last writes still land there)."""
    name = settings.published_path
    if name.is_symlink() or not name.is_file():
        return
    state = _state(name, Record(), ours)
    if state.writing:
        assert state.held is not None
        why = f"open read-write by pid {state.held[1]}"
        _move_aside(settings, name, why, say, link=True, wal=False)
    elif state.changed is not None:
        _move_aside(settings, name, state.changed, say, link=True)


def _stray_wal(settings: Settings, say: Say) -> None:
    """A ``.wal`` beside the name: readers ignore it (theirs is beside the version); moved
    aside unless a session of the old layout, still open, is writing it."""
    wal = _wal(settings.published_path)
    if not wal.exists():
        return
    for f in (settings.home / CHANGED).glob(f"*{SUFFIX}"):
        held = lock_held(f)
        if held is not None and held[0] == "write":
            return
    private_dir(settings.home / CHANGED, home_mode(settings.warehouse_mode))
    target = settings.home / CHANGED / f"{wal.name}.left-{_stamp(_changed_when(wal))}"
    os.rename(wal, target)
    moved = target.relative_to(settings.home)
    say(f"a .wal was left beside {settings.published_path.name}: moved to {moved}")


def _tidy(
    settings: Settings, record: Record, keep: set[str], ours: set[tuple[str, str]], say: Say
) -> None:
    """Old versions: delete those nobody holds, move aside those someone changed."""
    folder = versions_dir(settings)
    if not folder.is_dir():
        return
    for partial in folder.glob(f".{PREFIX}*.partial-*"):
        if not partial.name.endswith(f"-{os.getpid()}"):
            partial.unlink(missing_ok=True)  # a publish killed while copying
    for path in sorted(folder.glob(f"{PREFIX}*{SUFFIX}")):
        state = _state(path, record, ours)
        if state.writing:
            assert state.held is not None
            say(
                f"{path.name} is open read-write (pid {state.held[1]}): kept until that session"
                " closes; new readers get the newest version"
            )
        elif state.changed is not None:
            _move_aside(settings, path, state.changed, say)
            record.files.pop(path.name, None)
        elif path.name not in keep and state.held is None:
            path.unlink()
            record.files.pop(path.name, None)
    for wal in folder.glob(f"{PREFIX}*{SUFFIX}.wal"):
        if not wal.with_suffix("").exists():  # its version was moved or deleted
            private_dir(settings.home / CHANGED, home_mode(settings.warehouse_mode))
            os.rename(
                wal, settings.home / CHANGED / f"{wal.name}.left-{_stamp(_changed_when(wal))}"
            )


def publish(settings: Settings, con: duckdb.DuckDBPyConnection, say: Say) -> bool:
    """Publish the writer's checkpointed copy as a new version if anything changed, or if
    the current version is not as published. True when a new version was published."""
    working = settings.working_path
    digest = fingerprint(con)
    ours = {
        (s, t)
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
    }
    record = Record.load(settings)
    mode_of_versions(settings)
    current = current_version(settings)
    state = _state(current, record, ours) if current is not None and current.exists() else None
    clean = (
        state is not None
        and state.changed is None
        and current is not None
        and record.current == current.name
        and not _wal(settings.published_path).exists()
    )
    if clean and record.fingerprint == digest:
        assert current is not None
        say(f"nothing changed: the published warehouse stands ({current.name})")
        _tidy(settings, record, {current.name}, ours, say)
        record.save(settings)
        return False
    _single_file(settings, ours, say)
    new = _write_version(settings, working)
    st = new.stat()
    record.files[new.name] = [st.st_size, st.st_mtime_ns]
    _point(settings, new)
    record.current, record.fingerprint = new.name, digest
    record.save(settings)
    _stray_wal(settings, say)
    _tidy(settings, record, {new.name} | ({current.name} if current else set()), ours, say)
    record.save(settings)
    return True


def mode_of_versions(settings: Settings) -> None:
    """Give the versions folder and its files their modes (after a change of the setting)."""
    folder = versions_dir(settings)
    if not folder.is_dir():
        return
    set_mode(folder, home_mode(settings.warehouse_mode))
    for f in folder.glob(f"{PREFIX}*{SUFFIX}"):
        set_mode(f, read_only(settings.warehouse_mode))
