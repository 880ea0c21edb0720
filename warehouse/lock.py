"""One writer at a time: an exclusive lock file beside the warehouse.

Covers every writer on the machine (scheduled, triggered, CLI). A waiting run
says what it waits for.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from warehouse.modes import open_private


class LockTimeout(RuntimeError):
    """The writer lock could not be taken in time."""


def holder(path: Path) -> str:
    """Who holds (or last held) the writer lock at ``path``, in words."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another run"
    if not info:
        return "another run"
    return f"{info.get('what', 'a run')} (pid {info.get('pid')}, since {info.get('since')})"


@contextmanager
def writer_lock(
    path: Path,
    what: str,
    timeout: float = 3600.0,
    on_wait: Callable[[str], None] | None = None,
    poll: float = 0.2,
) -> Iterator[None]:
    """Hold the exclusive writer lock at ``path`` while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_private(path, os.O_RDWR)  # it names runs and their pids: the owner's only
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(f"waiting for {holder(path)} to finish writing the warehouse")
                    told = True
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"gave up after {timeout:.0f}s waiting for {holder(path)}"
                    ) from None
                time.sleep(poll)
        info = {"what": what, "pid": os.getpid(), "since": datetime.now().isoformat("T", "seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
