"""Workbooks are parsed in a worker process, so that a reader's crash is one file's.

The xlsx reader (calamine, in Rust) can abort the whole process on odd bytes: a
failed allocation is not an exception. So each workbook is parsed in a long-lived
child process (:class:`Worker`, one per reading process, fed file after file: a
process per file would cost more than the reading), under an address-space limit
(``RLIMIT_AS``) and a per-file time limit (:class:`transforms.limits.ReadLimits`).
When the child dies or overruns, that file is ``unreadable_file``
(:class:`transforms.limits.LimitExceeded`) and the next file gets a new child.

The child dies with its parent: a parent-death signal (``PR_SET_PDEATHSIG``; the child
is started from one long-lived thread, since the signal follows the thread that
forked) and, should that miss, a thread watching the parent's pid. CSV and JSON are
read in the run's process (Python's own parsers fail with exceptions, and a file's
size bounds their memory).

``RONGHE_READ_WORKER=0`` parses in the run's process (no limit on memory or time).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import json
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

from transforms.limits import LimitExceeded, ReadLimits, check_size, check_zip
from transforms.workbooks import WORKBOOKS

_HEADER = struct.Struct("!Q")
_spawner = ThreadPoolExecutor(1, thread_name_prefix="ronghe-read-spawn")
_lock = threading.Lock()
_worker: Worker | None = None


def die_with_parent(parent: int, pdeathsig: bool = True) -> None:
    """In a child: be killed when ``parent`` ends (a signal, and a watch on its pid).

    ``pdeathsig``: also ask the kernel (``PR_SET_PDEATHSIG``), which fires when the
    *thread* that started the child ends: only for a child started from a thread that
    lives as long as the process.
    """
    if pdeathsig:
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _send(fh: BinaryIO, obj: Any) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(body)) + body)
    fh.flush()


def _recv(fh: BinaryIO) -> Any:
    head = fh.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    (n,) = _HEADER.unpack(head)
    body = fh.read(n)
    if len(body) < n:
        raise EOFError
    return pickle.loads(body)


def serve(
    readers: Mapping[str, Callable[[bytes], Any]], expected: tuple[type[Exception], ...]
) -> None:
    """The child's loop: (fmt, bytes) in, ("ok", table) or (error class name, text) out.

    ``expected``: the readers' own exceptions, passed back by class name. A zip container
    is checked first (:func:`transforms.limits.check_zip`: unpacked size, ratio, used
    range), here rather than in the run's process: the check runs on this process's
    core, under its memory limit.
    """
    parent, memory = int(sys.argv[1]), int(sys.argv[2])
    limits = ReadLimits(**json.loads(sys.argv[3])) if len(sys.argv) > 3 else ReadLimits()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's: it stops this
    die_with_parent(parent)
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed may corrupt the pipe
    while True:
        try:
            fmt, data = _recv(stdin)
        except EOFError:
            return
        if fmt == PING:
            _send(stdout, ("ok", None))
            continue
        try:
            if fmt in WORKBOOKS:  # xlsx and ods are zips; check_zip passes what is not
                check_zip(data, limits)
            reply: tuple[str, Any] = ("ok", readers[fmt](data))
        except LimitExceeded as e:
            reply = ("Checked", e.what)
        except expected as e:
            reply = (type(e).__name__, str(e))
        except MemoryError:
            reply = ("LimitExceeded", "needs more memory than a report may")
        except Exception as e:
            reply = ("UnreadableError", f"cannot parse {fmt}: {type(e).__name__}: {e}")
        _send(stdout, reply)


class Worker:
    """One child process parsing workbooks, restarted when it dies."""

    def __init__(self, limits: ReadLimits, expected: tuple[type[Exception], ...]) -> None:
        self.limits = limits
        self.expected = {e.__name__: e for e in expected}
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            code = (
                "from transforms.read import READERS, EmptyFileError, UnreadableError;"
                "from transforms.worker import serve;"
                "serve(READERS, (UnreadableError, EmptyFileError))"
            )
            cmd = [sys.executable, "-c", code]
            args = [
                str(os.getpid()),
                str(self.limits.max_memory_bytes),
                json.dumps(dataclasses.asdict(self.limits)),
            ]
            self._proc = _spawner.submit(
                subprocess.Popen,
                [*cmd, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a reader's panic is not the run's output
                env={**os.environ, "RUST_BACKTRACE": "0"},
            ).result()
        return self._proc

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(Exception):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for fh in (proc.stdin, proc.stdout):
                with contextlib.suppress(Exception):
                    if fh is not None:
                        fh.close()

    def parse(self, fmt: str, data: bytes) -> Any:
        """The reader's table of ``data``; the reader's exceptions, or LimitExceeded."""
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            _send(proc.stdin, (fmt, data))  # type: ignore[arg-type]
            ready, _, _ = select.select([proc.stdout], [], [], self.limits.timeout_seconds)
            if not ready:
                self._kill()
                raise LimitExceeded(f"not read within {self.limits.timeout_seconds:.0f} s")
            status, value = _recv(proc.stdout)  # type: ignore[arg-type]
        except (EOFError, BrokenPipeError, OSError) as e:
            self._kill()
            raise LimitExceeded("its reading stopped (out of memory or crashed)") from e
        if status == "ok":
            return value
        if status == "Checked":  # past a zip check: the worker is fine, the file is not
            raise LimitExceeded(value)
        if status == "LimitExceeded":
            self._kill()  # after a MemoryError, a fresh process for the next file
            raise LimitExceeded(value)
        error = self.expected.get(status)
        if error is None:
            raise LimitExceeded(f"its reading failed: {value}")
        raise error(value)


def read_within_limits(
    fmt: str,
    data: bytes,
    readers: Mapping[str, Callable[[bytes], Any]],
    expected: tuple[type[Exception], ...],
    limits: ReadLimits | None = None,
) -> Any:
    """``readers[fmt](data)`` within the read limits: the one call of the reading.

    ``expected``: the readers' own exceptions (raised here as in the worker);
    ``limits``: default, from the environment.
    """
    limits = limits or ReadLimits.from_env()
    check_size(len(data), limits)
    if fmt not in WORKBOOKS:  # text (csv, json): parsed by Python in this process
        return readers[fmt](data)
    if enabled():  # the worker checks a zip container before it parses it
        return parse(fmt, data, limits, expected)
    check_zip(data, limits)  # xlsx and ods are zip containers (xls is not: nothing to check)
    return readers[fmt](data)


def enabled() -> bool:
    return os.environ.get("RONGHE_READ_WORKER", "1") != "0"


PING = "ping"
"""A message the worker answers at once: it is up and has imported its readers."""


def prestart() -> None:
    """Start the worker process now and wait until it answers (a warm engine does it
    before its first run; a one-shot run starts it at its first workbook)."""
    if not enabled():
        return
    from transforms.textfiles import EmptyFileError, UnreadableError

    parse(PING, b"", ReadLimits.from_env(), (UnreadableError, EmptyFileError))


def parse(fmt: str, data: bytes, limits: ReadLimits, expected: tuple[type[Exception], ...]) -> Any:
    """Parse a workbook's bytes in the (shared, long-lived) worker process."""
    global _worker
    with _lock:
        if _worker is None or _worker.limits != limits:
            if _worker is not None:
                _worker.stop()
            _worker = Worker(limits, expected)
        return _worker.parse(fmt, data)


@atexit.register
def shutdown() -> None:
    """Stop the worker process (also at exit)."""
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.stop()
