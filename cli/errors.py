"""How a failure reaches the user: one line, and the exit status (CONTRACT §6).

Exit status: 0 when the run finished (quarantined reports included), 1 when it
failed, 2 for a usage error. Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import errno
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage (exit status 2)."""


class DiskFullError(RuntimeError):
    """The disk filled up during a command; the message is the one line to show."""


_ctrl_c = threading.Event()


@contextmanager
def _on_ctrl_c(handler: Callable[[int, FrameType | None], Any] | int) -> Iterator[None]:
    """``handler`` for SIGINT for the block, then the previous one again. Only in the main
    thread: signals are delivered there, and only there may a handler be set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def remembering_ctrl_c() -> AbstractContextManager[None]:
    """Ctrl-C raises KeyboardInterrupt as always, and is also remembered.

    Libraries swallow the exception: Prefect once a flow's code has finished (its
    teardown drops a BaseException "raised after user code finished executing"), DuckDB
    by turning it into "Query interrupted". Without the memory a command would go on,
    and end 0, after the operator pressed Ctrl-C.
    """

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        _ctrl_c.set()
        raise KeyboardInterrupt

    _ctrl_c.clear()
    return _on_ctrl_c(on_sigint)


def plain_ctrl_c() -> AbstractContextManager[None]:
    """Python's own Ctrl-C for a command that runs until stopped (serve, watch, portal,
    shell): their servers and event loops stop gracefully on it (asyncio takes Ctrl-C
    over only while Python's handler is in place)."""
    return _on_ctrl_c(signal.default_int_handler)


def ctrl_c_pressed() -> bool:
    """Whether Ctrl-C was pressed during this command, whoever caught the exception."""
    return _ctrl_c.is_set()


def stop_if_ctrl_c() -> None:
    """Between a command's steps: a Ctrl-C another library swallowed stops it here."""
    if _ctrl_c.is_set():
        raise KeyboardInterrupt


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


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and all(e is not s for s in seen):
        seen.append(e)
        e = e.__cause__ or e.__context__
    return seen


def _in_prefect(e: BaseException) -> bool:
    """Whether ``e`` was raised under Prefect's client (its traceback passes through it)."""
    import traceback

    return any("/prefect/" in f.filename or "/httpx/" in f.filename
               for f in traceback.extract_tb(e.__traceback__))  # fmt: skip


def prefect_unreachable(exc: BaseException) -> str | None:
    """The one line for a Prefect server that stopped answering mid-command (it was up
    when the command started), naming it by its URL; None for any other failure."""
    import os

    said = str(exc)
    if "Prefect" in said or "PREFECT_API_URL" in said:
        return None  # our own line already names it (the server down when we started)
    for e in _chain(exc):
        module = type(e).__module__
        http = module.startswith(("httpx", "httpcore")) and type(e).__name__ in (
            "ConnectError", "ConnectTimeout", "ReadError", "RemoteProtocolError", "ReadTimeout",
        )  # fmt: skip
        if not http and not (isinstance(e, ConnectionError) and _in_prefect(e)):
            continue
        url = os.environ.get("PREFECT_API_URL") or "(the embedded server)"
        try:  # an httpx error knows the request it failed
            target = str(e.request.url)  # type: ignore[attr-defined]
        except (AttributeError, RuntimeError):
            target = ""
        if target and url.startswith("http") and not target.startswith(url.rstrip("/")):
            continue  # another server (a source, a webhook): its own words say it
        words = " ".join(str(e).split()) or type(e).__name__
        if "Errno 111" in words or "onnection refused" in words:
            words = "connection refused"
        return (
            f"the Prefect server at {url} stopped answering ({words[:120]}): the run's state"
            " could not be recorded there; what ronghe published stays published"
            " (`ronghe status` shows the last run); start the server and run again"
        )
    return None


def describe(exc: BaseException) -> str:
    """An exception as the one line a user reads."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else exc.__class__.__name__
    return first if len(first) < 400 else first[:397] + "..."


def error(message: str) -> None:
    """The one line: a server's or a file's words in it are shown, never obeyed."""
    from transforms.shown import escaped

    print(f"ronghe: error: {escaped(message)}", file=sys.stderr)
