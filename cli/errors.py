"""How a failure reaches the user: one line, and the exit status (CONTRACT §6).

Exit status: 0 when the run finished (quarantined reports included), 1 when it
failed, 2 for a usage error. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import errno
import shutil
import sys
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class DiskFullError(RuntimeError):
    """The disk filled up during a command; the message is the one line to show."""


_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_FULL_WORDS = ("No space left on device", "Disk quota exceeded")
_NEARLY_FULL_BYTES = 1 << 20


def disk_full(exc: BaseException, home: Path | None) -> str | None:
    """The one line for a full disk, whatever layer met it (Python, DuckDB, Prefect).

    Found in the exception or its causes; failing that (a Prefect server on the same
    disk answers "500" when it cannot write), by the free space left in ``home``.
    """
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if (isinstance(e, OSError) and e.errno in _FULL_ERRNOS) or any(
            w in str(e) for w in _FULL_WORDS
        ):
            where = getattr(e, "filename", None)
            return _full_line(home, f" writing {where}" if where else "")
        e = e.__cause__ or e.__context__
    if home is not None:
        try:
            free = shutil.disk_usage(home).free
        except OSError:
            return None
        if free < _NEARLY_FULL_BYTES:
            return _full_line(home, f" ({free // 1024} KiB free)")
    return None


def _full_line(home: Path | None, where: str) -> str:
    disk = f"the disk of {home}" if home is not None else "the disk"
    return (
        f"disk full: no space left on {disk}{where}; the run stopped and published nothing,"
        " the inbox and the published warehouse are unchanged: free some space and run again"
    )


def describe(exc: BaseException) -> str:
    """An exception as the one line a user reads."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else exc.__class__.__name__
    return first if len(first) < 400 else first[:397] + "..."


def error(message: str) -> None:
    """The one line: a server's or a file's words in it are shown, never obeyed."""
    from transforms.shown import escaped

    print(f"ronghe: error: {escaped(message)}", file=sys.stderr)
