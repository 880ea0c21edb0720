"""Prefect settings for a quiet, reliable embedded (ephemeral) server.

Applied with ``os.environ.setdefault`` *before* Prefect is imported, so an
operator's own environment still wins. See docs/operations.md for the reasons.
"""

from __future__ import annotations

import os
from pathlib import Path

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
        (home / "prefect").mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home / "prefect")
    if quiet:
        # One-shot commands speak through their own progress lines and one-line
        # errors: Prefect's console handler only passes CRITICAL, while its API
        # handler still records every log (and any traceback) with the flow run.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
