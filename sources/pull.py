"""Pulling one source: which files are new and complete, and their bytes staged.

A file is taken when its name matches the source's ``include`` patterns, it is not a
temporary name (:data:`IGNORED`: an office lock file, a partial upload), and it is
complete by the source's rule:

- ``stable``: the same size and mtime as the last listing saw (remembered between
  pulls in ``meta.pulls`` as ``incomplete``): a file still growing waits; a file is
  taken by the pull after the one that first saw it;
- ``marker``: a ``NAME.done`` file stands beside it.

A file already pulled (``meta.pulls``: same source, path, size and mtime) is not read
again; a file replaced at the source (new size or mtime) is pulled again: a
correction. Pulled bytes are copied a chunk at a time under the pull's staging folder
(owner-only, ``$RONGHE_HOME/pulls/``) with the file's own name last, so the run ingests
them exactly as it ingests inbox files. A file listed larger than the read limit
(``RONGHE_READ_MAX_MB``) is not read at all, and one that sends more than the limit
stops there: both are ``too_large`` (not pulled again until replaced). Paths are
stored with personal numbers masked; a server's words (an error, a reply) are stored
and shown with their control characters escaped.

A pulled file arrived (CONTRACT §9) when a pull first saw it at its deposit: the first
listing that showed its path (``meta.pulls.first_seen_at``), not its mtime at the source,
which a copy keeps from the clerk's computer. The staged file's modification time is that
arrival, which the run reads as it reads an inbox file's; files first seen together keep
their upload order, a microsecond apart. Plain functions: no Prefect.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sources.config import Source
from sources.deposit import Deposit, Entry, TooLarge, open_deposit
from transforms.limits import MB, ReadLimits
from transforms.pii import mask
from transforms.shown import escaped
from warehouse.modes import PRIVATE_FILE, open_private, private_dir

IGNORED = ("~$*", ".~lock*", "*.part", "*.tmp")
"""Names never taken, whatever ``include`` says: files still being written."""
MARKER = ".done"

Key = tuple[str, int, datetime | None]
"""What identifies a file's version at a source: (path, size, mtime)."""


@dataclass(frozen=True)
class Seen:
    """What ``meta.pulls`` remembers of one source."""

    taken: frozenset[Key] = frozenset()  # pulled, or the same bytes as a file received before
    incomplete: frozenset[Key] = frozenset()  # seen by an earlier listing, not complete then
    first_seen: Mapping[str, datetime] = field(default_factory=dict)  # path: first listing


@dataclass(frozen=True)
class PullRow:
    """One file seen at a source, and what this pull did with it (``meta.pulls``)."""

    remote_path: str
    size: int
    modified_at: datetime | None
    outcome: str  # pulled, same_bytes, incomplete, failed, too_large
    sha256: str | None = None
    error: str | None = None
    staged: Path | None = None  # where its bytes wait for the run
    first_seen: datetime | None = None  # the first listing that showed its path: its arrival


@dataclass(frozen=True)
class SourcePull:
    """One source's pull (``meta.source_status``) and the files it saw."""

    source: Source
    attempted_at: datetime
    reached: bool
    error: str | None = None
    files_seen: int = 0
    rows: tuple[PullRow, ...] = field(default_factory=tuple)

    @property
    def staged(self) -> list[Path]:
        return [r.staged for r in self.rows if r.staged is not None]

    @property
    def files_pulled(self) -> int:
        return sum(r.outcome == "pulled" for r in self.rows)


def stored_path(path: str) -> str:
    """A remote path as ``meta.pulls`` keeps it: personal numbers masked, control
    characters escaped (the key a later pull compares its listing with)."""
    return escaped(mask(path))


def ignored(name: str) -> bool:
    """A temporary name (``~$x.xlsx``, ``.~lock.x#``, ``x.part``, ``x.tmp``)."""
    return any(fnmatch.fnmatchcase(name.lower(), p) for p in IGNORED)


def included(name: str, source: Source) -> bool:
    return not ignored(name) and any(
        fnmatch.fnmatchcase(name.lower(), p.lower()) for p in source.include
    )


def is_complete(entry: Entry, source: Source, paths: set[str], seen: Seen) -> bool:
    """Whether ``entry`` is complete by the source's rule (``paths``: this listing's)."""
    if source.complete == "marker":
        return entry.path + MARKER in paths
    return (stored_path(entry.path), entry.size, entry.modified_at) in seen.incomplete


def describe(exc: BaseException) -> str:
    """One line for what a protocol raised (no password is ever in it: we never pass one in
    a URL): personal numbers masked, a server's control characters escaped."""
    words = str(exc).strip().splitlines()
    text = words[0] if words else ""
    name = exc.__class__.__name__
    plain = type(exc) in (RuntimeError, ValueError) or name in (
        "HostKeyRefused", "TooLarge", "ChangedWhilePulled", "ListingTooLarge"
    )  # fmt: skip
    line = text if text and (plain or name in text) else f"{name}: {text}" if text else name
    return escaped(mask(line[:400]))


def _stage(
    staging: Path, source: Source, entry: Entry, deposit: Deposit, limit: int, arrived: datetime
) -> Path:
    """Copy the file's bytes into the staging folder a chunk at a time (nothing left of
    it when the copy fails); its modification time is its arrival."""
    rel = Path(*[p for p in posixpath.normpath(entry.path).split("/") if p not in ("", ".", "..")])
    target = staging / source.name / rel
    folder = staging
    for part in (source.name, *rel.parent.parts):
        folder = private_dir(folder / part)
    fd = open_private(target, os.O_WRONLY | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as out:
            got = deposit.copy(entry.path, out, limit)
            out.flush()
            os.fsync(out.fileno())
        if got != entry.size:  # not the file listed: it changed, or the server is confused
            raise ChangedWhilePulled(
                f"listed {entry.size:,} bytes, sent {got:,}: changed while it was pulled;"
                " pulled again next time"
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    ns = int(arrived.timestamp()) * 10**9 + arrived.microsecond * 1000  # exact, to the µs
    os.utime(target, ns=(ns, ns))
    return target


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class ChangedWhilePulled(Exception):
    """The bytes read are not as many as the listing said: not taken this time."""


def too_large(size: int, limit: int) -> str:
    return (
        f"too large: {size / MB:,.0f} MB listed, over the {limit / MB:,.0f} MB read limit; not read"
    )


def take(
    deposit: Deposit, source: Source, seen: Seen, staging: Path, listed_at: datetime | None = None
) -> tuple[int, list[PullRow]]:
    """List the source; stage every new complete file; (files seen, their rows).

    ``listed_at``: the time of this listing (default now): the arrival of a path no
    earlier listing showed. ``seen`` holds paths as stored (masked, escaped); a row's
    ``remote_path`` is the real one."""
    now = listed_at or datetime.now()
    limit = ReadLimits.from_env().max_bytes
    entries = deposit.list(skip_folder=source.move_to)
    paths = {e.path for e in entries}
    wanted = [e for e in entries if included(posixpath.basename(e.path), source)]
    # files first seen together are staged a microsecond apart, in their upload order
    upload = sorted(wanted, key=lambda e: (e.modified_at or datetime.min, e.path))
    tick = {e.path: timedelta(microseconds=i) for i, e in enumerate(upload)}
    rows: list[PullRow] = []
    for e in wanted:
        key = (stored_path(e.path), e.size, e.modified_at)
        if key in seen.taken:
            continue
        first = min(seen.first_seen.get(stored_path(e.path), now), now)
        if not is_complete(e, source, paths, seen):
            rows.append(PullRow(e.path, e.size, e.modified_at, "incomplete", first_seen=first))
            continue
        if e.size > limit:  # never read: not into memory, not onto the disk
            error = too_large(e.size, limit)
            rows.append(PullRow(e.path, e.size, e.modified_at, "too_large", error=error))
            continue
        try:
            staged = _stage(staging, source, e, deposit, limit, first + tick[e.path])
        except TooLarge as exc:
            rows.append(PullRow(e.path, e.size, e.modified_at, "too_large", error=describe(exc)))
            continue
        except Exception as exc:  # one file that cannot be read does not stop the others
            rows.append(
                PullRow(
                    e.path, e.size, e.modified_at, "failed", error=describe(exc), first_seen=first
                )
            )
            continue
        sha = _sha256(staged)
        row = PullRow(e.path, e.size, e.modified_at, "pulled", sha, None, staged, first)
        rows.append(row)
    return len(wanted), rows


def pull_source(
    source: Source,
    password: Callable[[Source], str | None],
    seen: Seen,
    staging: Path,
    connect: Callable[[Source, str | None], Deposit] = open_deposit,
) -> SourcePull:
    """Pull one source. A source that is down, refuses the login or times out is a
    :class:`SourcePull` that did not reach it, never an exception."""
    attempted = datetime.now()
    try:
        deposit = connect(source, password(source))
    except Exception as exc:
        return SourcePull(source, attempted, reached=False, error=describe(exc))
    try:
        seen_n, rows = take(deposit, source, seen, staging, attempted)
    except Exception as exc:  # the listing failed: the source was not read
        return SourcePull(source, attempted, reached=False, error=describe(exc))
    finally:
        deposit.close()
    failed = [r for r in rows if r.outcome in ("failed", "too_large")]
    error = f"{len(failed)} files could not be read: {failed[0].error}" if failed else None
    return SourcePull(source, attempted, True, error, seen_n, tuple(rows))


def settle_outcomes(pull: SourcePull, new_sha256: set[str]) -> SourcePull:
    """The pull once the run has ingested it: bytes never received before are
    ``pulled``, the others ``same_bytes``."""
    rows = tuple(
        replace(r, outcome="same_bytes")
        if r.outcome == "pulled" and r.sha256 not in new_sha256
        else r
        for r in pull.rows
    )
    return replace(pull, rows=rows)


def move_taken(
    source: Source,
    rows: list[PullRow],
    password: Callable[[Source], str | None],
    connect: Callable[[Source, str | None], Deposit] = open_deposit,
) -> list[str]:
    """``after = "move:DIR/"``: move each archived file (and its marker) into DIR.

    Run after the run published. Returns one line per file that could not be moved
    (it stays; being known by path, size and mtime, it is not pulled again)."""
    folder = source.move_to
    todo = [r for r in rows if r.outcome in ("pulled", "same_bytes")]
    if folder is None or not todo:
        return []
    problems: list[str] = []
    try:
        deposit = connect(source, password(source))
    except Exception as exc:
        return [f"{source.name}: could not connect to move files: {describe(exc)}"]
    try:
        for r in todo:
            marker = [r.remote_path + MARKER] if source.complete == "marker" else []
            for name in [r.remote_path, *marker]:
                try:
                    deposit.move(name, folder)
                except Exception as exc:
                    problems.append(
                        f"{source.name}: {stored_path(name)} not moved: {describe(exc)}"
                    )
    finally:
        deposit.close()
    return problems
