"""Issue 30, class 6: the Prefect server dies mid-run, after the run published. The
command says so in one line naming the server by its URL: no flood of Prefect's own
errors (EventsWorker, "Error logging to API"), no bare "[Errno 111] Connection refused".

The server is the command's own embedded one (a child process it starts): killed once
the warehouse is published, while the run still has to report to it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.factories import project_row, supervision_row, write_csv
from tests.support.hardening import RONGHE, cli_env, one_line_error

pytestmark = pytest.mark.integration


def _embedded_server(parent: int) -> int | None:
    """The pid of the uvicorn server the command ``parent`` started, if it has one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"uvicorn" in cmdline:
            return int(entry.name)
    return None


def test_a_server_dying_after_the_publish_is_one_line_naming_it(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    inbox.mkdir()
    write_csv(inbox / "supervision_a.csv", [supervision_row()])
    write_csv(inbox / "projects_a.csv", [project_row()])
    # no retries: the client gives up at once (by default it retries for minutes)
    env = cli_env(home, PREFECT_CLIENT_MAX_RETRIES="0")
    run = subprocess.Popen(
        [*RONGHE, "run", "--period", "2017Q1", "--inbox", str(inbox)],
        env=env, cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        published = home / "warehouse.duckdb"
        while not published.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        server = _embedded_server(run.pid)
        assert published.exists() and server is not None, run.communicate(timeout=60)[1]
        os.kill(server, signal.SIGKILL)  # the server dies: the run still talks to it
        out, err = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    proc = subprocess.CompletedProcess(run.args, run.returncode, out, err)
    assert proc.returncode == 1, err[-3000:]
    line = one_line_error(proc)
    assert re.match(
        r"ronghe: error: the Prefect server at http://127\.0\.0\.1:\d+/api stopped answering", line
    ), line
    assert "published stays published" in line
    assert err.count("ronghe: error:") == 1
    for noise in ("EventsWorker", "Error logging to API", "Errno 111", "Traceback", "ERROR"):
        assert noise not in err, err[-3000:]
