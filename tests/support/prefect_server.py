"""A real ``prefect server start`` for the operations tests: start, wait, stop.

On a free loopback port, with its own PREFECT_HOME in a temp folder; every wait is
bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

BIN = Path(sys.executable).parent

T = TypeVar("T")


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 120.0) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


def start_server(
    folder: Path, port: int | None = None, **extra_env: str
) -> tuple[subprocess.Popen[bytes], str]:
    """``prefect server start`` on a free loopback port, with its own home; its API URL.

    Not the embedded server's quiet defaults (flows/prefect_env.py): the triggers and
    the event persister must run here, or event-triggered deployments never fire.
    ``extra_env`` is added to the server's environment (a login, say). ``port``: that
    one (a server restarted where its clients expect it), else a free one.
    """
    from flows.prefect_env import DEFAULTS

    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in DEFAULTS and not k.startswith("PREFECT_API_") and k != "PREFECT_HOME"
    }
    env.update(
        PREFECT_HOME=str(folder / "home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        **extra_env,
    )
    with open(folder / "server.log", "ab") as log:
        proc = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if proc.poll() is not None:
            log_text = (folder / "server.log").read_text(errors="replace")
            pytest.fail(f"the Prefect server did not start:\n{log_text}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return True
        except OSError:
            return False

    wait_for("the Prefect server to answer", healthy, timeout=180)
    return proc, url


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def fresh_workers() -> None:
    """Stop the event and log workers an earlier module may have left bound to its own
    server (process-wide singletons: in a test process that ran another module first, this
    module's events would go to a server that is gone); the next event starts fresh ones,
    bound to the current settings. What the old ones still hold was for that old server.
    Every integration module starts so (``tests/integration/conftest.py``)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    EventsWorker.drain_all(timeout=2, at_exit=False)
    APILogWorker.drain_all(timeout=2, at_exit=False)


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """A real server that this process's flows and events use for the block; its API URL."""
    proc, url = start_server(folder)
    from flows.prefect_env import configure

    configure(None)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=30, at_exit=False)  # bound to this server: stop it
        stop_server(proc)
