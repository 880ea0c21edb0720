"""The source of reports: which files under the inbox are candidates, and their kind.

One walk and one rule for "a file is complete", shared by ``ronghe run``,
``backfill``, the inbox poll and ``ronghe watch``:

- A folder is walked without following symbolic links. A link to a regular file
  inside the inbox is taken; a link that leaves the inbox, a broken or looping link,
  a link to a folder, a FIFO, socket or device, and a folder that cannot be listed
  are **skipped and reported** (:class:`Skipped`, with a reason code and the OS's
  words), never followed or opened: a FIFO would block the reader forever.
- Temporary and hidden names (an editor's lock file, a download in progress, a
  folder being copied as ``.tmp``) are ignored without a report: they are not
  reports.
- A file found in a folder is **complete** when its modification time is at least
  ``settle_seconds`` away from now (:func:`settled`, ``RONGHE_SETTLE_SECONDS``,
  default 5): a file still being copied is left for the next run and reported as
  ``not_settled``. ``watch`` also waits for (size, mtime) to stay unchanged that long.
  Files named one by one (``ronghe ingest FILE``) are taken as named.

Deliberately light (no Polars, DuckDB or Prefect): ``ronghe watch`` imports it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from transforms.columns import kind_of
from transforms.paths import masked_text, path_text
from transforms.scanned import scanned

IGNORED_PREFIXES = (".", "~$", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")

SKIP_REASONS = {
    "not_settled": "changed in the last seconds (still being written?); left for the next run",
    "symlink_outside_inbox": "a symbolic link to a file outside the inbox; not followed",
    "symlinked_folder": "a symbolic link to a folder; not followed",
    "broken_symlink": "a symbolic link whose target does not exist",
    "symlink_loop": "a symbolic link that loops",
    "not_a_regular_file": "not a regular file (a FIFO, socket or device)",
    "unreadable_folder": "a folder that cannot be listed",
    "missing": "no such file or folder",
    "changed_since_scan": "not the file found at the start of the run; left for the next run",
}
"""Why a path under the inbox was not taken (``meta.skipped.reason``)."""


OWN_FOLDERS = (
    "archive", "work", "versions", "changed", "reports", "receipts", "chase", "pulls",
    "prefect", "watch", "portal",
)  # fmt: skip
"""ronghe's own folders under ``$RONGHE_HOME``: never an inbox (nor the home itself)."""


def not_an_inbox(folder: Path, home: Path) -> str | None:
    """Why ``folder`` cannot be walked as an inbox (None: it can).

    The home itself, a folder holding it, or one of ronghe's own folders in it: a run
    would read back its own archive, receipts and 通报 (and a walk of ``/`` the machine).
    """
    f, h = folder.resolve(), home.resolve()
    if f == h or f in h.parents:
        return (
            f"{masked_text(folder)} is ronghe's home or holds it ({masked_text(h)}): a run"
            " would read back its own archive, receipts and 通报; give the units' inbox"
        )
    if h in f.parents and f.relative_to(h).parts[0] in OWN_FOLDERS:
        return f"{masked_text(folder)} is inside ronghe's own {f.relative_to(h).parts[0]}/ folder"
    return None


@dataclass(frozen=True)
class Skipped:
    """A path that was not taken, and why."""

    path: str  # readable text (transforms.paths.path_text), personal numbers masked
    reason: str  # a SKIP_REASONS code
    detail: str  # one line: the reason in words, with the OS's message where there is one


@dataclass(frozen=True)
class Survey:
    """What a look at the inbox found: files to take, and paths skipped."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def is_candidate(path: Path) -> bool:
    """Not a temporary or hidden name (an editor's lock file, a download in progress)."""
    name = path_text(path.name)
    return not name.startswith(IGNORED_PREFIXES) and not name.lower().endswith(IGNORED_SUFFIXES)


def settled(mtime_ns: int, now: float, settle_seconds: float) -> bool:
    """The one rule for a complete file: not modified within ``settle_seconds`` of ``now``.

    ``now`` is wall-clock time (``time.time()``); a modification time in the future
    by more than that (a skewed clock) does not hold a file back forever.
    """
    return abs(now - mtime_ns / 1e9) >= settle_seconds


def _skip(path: Path | str, reason: str, error: OSError | None = None) -> Skipped:
    words = SKIP_REASONS[reason]
    if error is not None and error.strerror:
        words = f"{words}: {error.strerror}"
    return Skipped(masked_text(path), reason, words)


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def entries(root: Path) -> Iterator[tuple[Path, os.stat_result] | Skipped]:
    """Every candidate file below ``root`` with its stat, or why a path was skipped.

    Sorted by path within each folder; never follows a symbolic link out of ``root``.
    """
    real_root = os.path.realpath(root)
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            with os.scandir(folder) as it:
                found = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            yield _skip(folder, "unreadable_folder", exc)
            continue
        subfolders = []
        for e in found:
            path = Path(e.path)
            if not is_candidate(path):
                continue
            try:
                if e.is_symlink():
                    yield _link(path, real_root)
                    continue
                st = e.stat(follow_symlinks=False)
            except OSError as exc:  # vanished between listing and stat: gone, not skipped
                if isinstance(exc, FileNotFoundError):
                    continue
                yield _skip(path, "not_a_regular_file", exc)
                continue
            if stat.S_ISDIR(st.st_mode):
                subfolders.append(path)
            elif stat.S_ISREG(st.st_mode):
                yield scanned(path, st), st
            else:
                yield _skip(path, "not_a_regular_file")
        todo.extend(reversed(subfolders))


def _link(path: Path, real_root: str) -> tuple[Path, os.stat_result] | Skipped:
    """A symbolic link below the inbox: its target's stat if it may be taken."""
    try:
        target = os.path.realpath(path, strict=True)
        st = os.stat(target)
    except FileNotFoundError as exc:
        return _skip(path, "broken_symlink", exc)
    except (OSError, RuntimeError) as exc:  # ELOOP
        return _skip(path, "symlink_loop", exc if isinstance(exc, OSError) else None)
    if stat.S_ISDIR(st.st_mode):
        return _skip(path, "symlinked_folder")
    if not _inside(target, real_root):
        return _skip(path, "symlink_outside_inbox")
    if not stat.S_ISREG(st.st_mode):
        return _skip(path, "not_a_regular_file")
    return scanned(path, st, target), st


def survey(paths: Iterable[Path], settle_seconds: float = 0.0, now: float | None = None) -> Survey:
    """Every complete candidate file under the given files and folders, and what was skipped.

    Files come sorted in receipt order: older first, so a tie on submitted_at goes to
    the later file.
    """
    now = time.time() if now is None else now
    files: dict[Path, os.stat_result] = {}
    skipped: list[Skipped] = []
    for p in paths:
        try:
            st = p.stat()
        except FileNotFoundError as exc:
            skipped.append(_skip(p, "broken_symlink" if p.is_symlink() else "missing", exc))
            continue
        except OSError as exc:
            skipped.append(_skip(p, "symlink_loop" if p.is_symlink() else "missing", exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            for item in entries(p):
                if isinstance(item, Skipped):
                    skipped.append(item)
                elif settled(item[1].st_mtime_ns, now, settle_seconds):
                    files[item[0]] = item[1]
                else:
                    skipped.append(_skip(item[0], "not_settled"))
        elif stat.S_ISREG(st.st_mode):
            files[scanned(p, st, os.path.realpath(p))] = st  # named one by one: as named
        else:
            skipped.append(_skip(p, "not_a_regular_file"))
    order = sorted(files, key=lambda f: (files[f].st_mtime_ns, os.fsencode(f)))
    return Survey(order, skipped)


def scan(paths: Iterable[Path], settle_seconds: float = 0.0) -> list[Path]:
    """The files of :func:`survey` (what was skipped is not needed by the caller)."""
    return survey(paths, settle_seconds).files


def group_by_kind(files: Sequence[Path]) -> dict[str | None, list[Path]]:
    """Files per report kind: from the file name, else from the headers (CONTRACT §2);
    None when neither tells. Only a file whose name tells no kind is opened here."""
    groups: dict[str | None, list[Path]] = {}
    for f in files:
        k = kind_of(path_text(f.name))
        if k is None:
            from transforms.read import kind_of_file  # Polars: only for such names

            name = kind_of_file(f)
        else:
            name = k.name
        groups.setdefault(name, []).append(f)
    return groups


def any_file(paths: Sequence[str | os.PathLike[str]]) -> bool:
    """Whether any of ``paths`` is a file or a folder holding one (stops at the first)."""
    for p in paths:
        if os.path.isfile(p):
            return True
        for _, _, files in os.walk(p):
            if files:
                return True
    return False
