"""Read only what was scanned (CONTRACT §3 "Limits").

The inbox is surveyed first (``found N files``), the files are read later. In between
a file can be replaced by a symbolic link to a file outside the inbox, swapped for a
FIFO, or appended to. So the survey gives each file it takes its identity
(:class:`ScannedPath`: device, inode, size and modification time, and for a link
inside the inbox the file it points to), and :func:`read_scanned` opens the file
without following a link (``O_NOFOLLOW``, non-blocking), checks the opened descriptor
(``fstat``) against that identity and reads from the descriptor, never by name again.
A file that is no longer the one scanned raises :class:`ChangedSinceScan`: it is not
read, it waits for the next run (``meta.skipped``, reason ``changed_since_scan``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import PosixPath
from typing import Any

from transforms.limits import ReadLimits, check_size


@dataclass(frozen=True)
class FileId:
    """What the survey saw of a file."""

    dev: int
    ino: int
    size: int
    mtime_ns: int
    target: str | None = None  # the file a link inside the inbox points to


class ScannedPath(PosixPath):
    """A path with the identity the survey saw (derived paths have none)."""

    identity: FileId | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (str(self), self.identity))


def _rebuild(path: str, identity: FileId | None) -> ScannedPath:
    p = ScannedPath(path)
    p.identity = identity
    return p


def scanned(
    path: os.PathLike[str] | str, st: os.stat_result, target: str | None = None
) -> ScannedPath:
    """``path`` carrying the identity ``st`` (of ``target`` when a link was resolved)."""
    p = ScannedPath(path)
    p.identity = FileId(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, target)
    return p


class ChangedSinceScan(Exception):
    """The file is no longer the one the survey found: it waits for the next run."""


def read_scanned(path: os.PathLike[str] | str, limits: ReadLimits) -> bytes:
    """The bytes of the scanned file, read through a descriptor checked against the scan.

    Raises :class:`ChangedSinceScan`, :class:`transforms.limits.LimitExceeded` (before
    reading a byte) or ``OSError`` (cannot be opened or read).
    """
    ident: FileId | None = getattr(path, "identity", None)
    name = ident.target if ident is not None and ident.target else os.fspath(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    if ident is not None:  # a file named by hand (``ronghe validate``) is taken as named
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(name, flags)
    except OSError as e:
        if ident is not None and os.path.islink(name):
            raise ChangedSinceScan("it is now a symbolic link") from e
        if isinstance(e, FileNotFoundError) and ident is not None:
            raise ChangedSinceScan("it was removed or renamed after it was found") from e
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ChangedSinceScan("it is no longer a regular file")
        seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if ident is not None and seen != (ident.dev, ident.ino, ident.size, ident.mtime_ns):
            raise ChangedSinceScan("it was replaced or changed after it was found")
        check_size(st.st_size, limits)
        chunks, left = [], st.st_size + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 24))):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > st.st_size:
            raise ChangedSinceScan("it grew while being read")
        return data
    finally:
        os.close(fd)


def read_small(path: os.PathLike[str] | str, max_bytes: int = 1 << 20) -> bytes:
    """A settings file's bytes (a rules or sources file): a regular file of at most
    ``max_bytes``, opened without blocking (a FIFO named by mistake never hangs the
    command). Raises ``OSError`` (cannot be opened) or ``ValueError`` (why not)."""
    fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file (a folder, a FIFO or a device)")
        if st.st_size > max_bytes:
            raise ValueError(f"{st.st_size:,} bytes, more than a settings file holds")
        chunks, left = [], max_bytes + 1
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise ValueError("it grew past what a settings file holds while being read")
        return data
    finally:
        os.close(fd)
