"""Prefect settings for a quiet, reliable embedded (ephemeral) server.

Applied with ``os.environ.setdefault`` *before* Prefect is imported, so an
operator's own environment still wins. See docs/operations.md for the reasons.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from warehouse.modes import open_private, private_dir

DEFAULTS = {
    # the telemetry heartbeat writes to SQLite at server start-up, racing the first
    # API writes ("database is locked"), and it needs a network we do not have
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # a second SQLite writer beside the task-run recorder; events are only used by the
    # UI and automations, which a throwaway embedded server does not serve
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # the task-run recorder otherwise writes each event as it comes; a write cancelled
    # by the server's shutdown printed "task_run_recorder - Error flushing events".
    # Batched, the queue is written once, uninterrupted, as the server stops.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "1000",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "5",
    # the embedded server's first start runs migrations: give it room
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # our own progress output is the user interface; Prefect logs go to the API
    "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.5",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    "GX_ANALYTICS_ENABLED": "false",
}


def configure(home: Path | None = None, quiet: bool = True) -> None:
    """Set the defaults; keep Prefect's own files under RONGHE_HOME unless told otherwise."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if (
        home is not None
        and "PREFECT_HOME" not in os.environ
        and not os.environ.get("PREFECT_API_URL")
    ):
        # its database holds every run's parameters and logs: the owner's only
        private_dir(home / "prefect")
        os.environ["PREFECT_HOME"] = str(home / "prefect")
    if quiet:
        # One-shot commands speak through their own progress lines and one-line
        # errors: Prefect's console handler only passes CRITICAL, while its API
        # handler still records every log (and any traceback) with the flow run.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        # nor do Prefect's internals speak on stderr: a server that dies mid-run would
        # print each failed event batch (EventsWorker) and log batch ("--- Error logging
        # to API ---"); the command says it once, naming the server (cli/errors.py)
        os.environ.setdefault("PREFECT_INTERNAL_LOGGING_LEVEL", "CRITICAL")
        import logging

        logging.raiseExceptions = False


class EmbeddedServer:
    """The temporary Prefect server of a one-shot command, started early.

    Prefect's own ephemeral mode imports the whole server code into the client and
    then starts the same server app as a subprocess, one after the other. We start
    that subprocess (the same uvicorn app, in ephemeral mode) at the very beginning
    of the command, so it comes up while the client imports its own modules, and
    the client never imports the server code. Its output goes to a log file under
    ``PREFECT_HOME``; it is stopped when the command exits.

    It listens on 127.0.0.1, where any local user can reach it, so it asks for a
    login: a random ``user:password`` made for this process
    (``PREFECT_SERVER_API_AUTH_STRING`` for the server, ``PREFECT_API_AUTH_STRING``
    for our client), never written anywhere.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.url: str | None = None
        self.log_path: Path | None = None
        self.auth: str | None = None
        self._previous_auth: str | None = None
        self._ready = threading.Event()

    def start(self) -> bool:
        """Start it unless a server is named by PREFECT_API_URL; True if started."""
        if os.environ.get("PREFECT_API_URL") or self.process is not None:
            return False
        port = _free_port()
        home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log_path = home / "embedded-server.log"
        self.auth = f"ronghe:{secrets.token_urlsafe(24)}"
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            "PREFECT_SERVER_API_AUTH_STRING": self.auth,
        }
        log_fd = open_private(self.log_path, os.O_WRONLY | os.O_APPEND)
        with os.fdopen(log_fd, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "prefect.server.api.server:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "error",
                    "--lifespan",
                    "on",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C reaches us, and we stop it in order
                preexec_fn=_die_with_parent,
            )
        self.url = f"http://127.0.0.1:{port}/api"
        os.environ["PREFECT_API_URL"] = self.url
        self._previous_auth = os.environ.get("PREFECT_API_AUTH_STRING")
        os.environ["PREFECT_API_AUTH_STRING"] = self.auth
        # registered before Prefect is imported: atexit runs it after Prefect's own
        # exit handlers have flushed their logs and events to this server
        atexit.register(self.stop)
        # its first request costs it a second (it opens its database, builds its routes):
        # asked now, from a thread, while the command imports the flows
        self._ready = threading.Event()
        threading.Thread(target=self._warm_up, name="ronghe-prefect-warm", daemon=True).start()
        return True

    def _warm_up(self) -> None:
        """Wait for the server's health, then make its first real request (the version
        check every client makes first)."""
        try:
            self._wait_healthy()
            token = base64.b64encode((self.auth or "").encode("utf-8")).decode("ascii")
            request = urllib.request.Request(
                f"{self.url}/admin/version", headers={"Authorization": f"Basic {token}"}
            )
            with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=30):
                pass
        except Exception:  # wait_ready checks again and says why
            pass
        finally:
            self._ready.set()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the server answers its health check (and its first request)."""
        if self.process is None or self.url is None:
            return
        self._ready.wait(timeout or self._limit())
        self._wait_healthy(timeout)

    def _limit(self) -> float:
        return float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"])

    def _wait_healthy(self, timeout: float | None = None) -> None:
        assert self.process is not None and self.url is not None
        limit = timeout or self._limit()
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the embedded Prefect server stopped at start-up (exit"
                    f" {self.process.returncode}); see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"the embedded Prefect server did not answer within {limit:.0f}s; see {self.log_path}"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if os.environ.get("PREFECT_API_URL") == self.url:
            del os.environ["PREFECT_API_URL"]
        if self.auth is not None and os.environ.get("PREFECT_API_AUTH_STRING") == self.auth:
            if self._previous_auth is None:
                del os.environ["PREFECT_API_AUTH_STRING"]
            else:
                os.environ["PREFECT_API_AUTH_STRING"] = self._previous_auth
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _die_with_parent() -> None:
    """In the server's process: what it creates (``prefect.db``, its WAL, logs) is the
    owner's only (``0600``: it holds every run's parameters and logs); and if the
    command is killed outright, stop too (Linux)."""
    os.umask(0o077)
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


embedded = EmbeddedServer()
