"""Who holds a published version open, and reading one that someone holds for writing.

DuckDB locks a database file with ``fcntl`` locks: a shared lock per reader, one exclusive
lock for a writer. :func:`lock_held` asks the kernel who holds one without taking it;
:func:`readable` gives ronghe's own reads before a run a copy of a version that someone
(root: the versions are read-only files) holds open read-write, which DuckDB would refuse.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from warehouse.modes import PRIVATE_FILE, copy_with_mode, private_dir


def lock_held(path: Path) -> tuple[str, int] | None:
    """Who holds a DuckDB lock on ``path``: ("write" or "read", pid), or None.

    Asks the kernel (``F_OFD_GETLK``) without taking a lock. The descriptor opened to ask
    is closed again, which drops this process's own POSIX locks on the file: the writer
    never holds a published version open, and its readers only read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        kind, _whence, _start, _len, pid = struct.unpack(
            "hhqqi", fcntl.fcntl(fd, fcntl.F_OFD_GETLK, query)
        )
    except OSError:
        return None
    finally:
        os.close(fd)
    if kind == fcntl.F_UNLCK:
        return None
    return ("write" if kind == fcntl.F_WRLCK else "read", pid)


@contextlib.contextmanager
def readable(published: Path) -> Iterator[Path]:
    """The published warehouse for ronghe's own reads before a run (a pull's memory).

    Itself, or while someone (root) holds it open read-write, a private copy of its bytes
    (what was last written into it: the published data, unless that session checkpointed)
    in ``work/``: the run that follows then publishes a version nobody holds.
    """
    held = lock_held(published) if published.exists() else None
    if held is None or held[0] != "write":
        yield published
        return
    copy = published.parent / "work" / f".snapshot-{os.getpid()}.duckdb"
    private_dir(copy.parent)
    try:
        copy_with_mode(published, copy, PRIVATE_FILE)
        yield copy
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
