"""Issue 19, group 10: Ctrl-C during a run prints one line and leaves no process behind.

Pressed at any stage: while the files are validated, while the marts are rebuilt and
published, while the receipts and the 通报 are written. Libraries catch the
KeyboardInterrupt on the way (Prefect once a flow's code has finished, DuckDB as "Query
interrupted"); the command still ends "interrupted", never goes on, never ends 0.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import duckdb
import pytest
from prefect import flow

from cli.errors import ctrl_c_pressed, remembering_ctrl_c, stop_if_ctrl_c
from tests.integration.hardening.test_limits import left_behind
from tests.support.factories import supervision_row, write_csv
from tests.support.hardening import RONGHE, cli_env
from tests.support.prefect_server import serving


def press_ctrl_c_in_a_run(
    tmp_path: Path, files: int, after: str, wait: float = 0.0
) -> tuple[int, list[str]]:
    """``ronghe run`` on ``files`` supervision files, Ctrl-C pressed ``wait`` s after a
    line of its output ending with ``after``: its exit status and what it said, once
    nothing it started is left running."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(files):
        write_csv(inbox / f"supervision_{i}.csv", [supervision_row()])
    tag = uuid.uuid4().hex
    proc = subprocess.Popen(
        [*RONGHE, "run", "--period", "2017Q1", "--inbox", str(inbox)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=cli_env(tmp_path / "home", RONGHE_TEST_TAG=tag),
        cwd=tmp_path,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    lines: list[str] = []
    seen = threading.Event()

    def collect() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if line.rstrip().endswith(after):
                seen.set()

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        assert seen.wait(120), lines
        time.sleep(wait)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
        code = proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(30)
    deadline = time.time() + 10
    while left_behind(tag) and time.time() < deadline:
        time.sleep(0.2)
    assert left_behind(tag) == [], lines
    return code, lines


@pytest.mark.parametrize(
    ("after", "wait"),
    [
        ("found 40 files", 0.3),  # the validation process is starting (importing GX)
        ("quarantined 0", 0.0),  # "· loaded 1 reports, …": the marts are rebuilt, published
        ("warehouse.duckdb", 0.0),  # "· published …": the receipts and the 通报 are written
    ],
    ids=["validating", "rebuilding", "writing-outputs"],
)
def test_ctrl_c_is_one_line_and_stops_every_helper(tmp_path: Path, after: str, wait: float) -> None:
    code, lines = press_ctrl_c_in_a_run(tmp_path, 40, after, wait)
    assert code == 1, lines
    assert lines[-1:] == ["ronghe: error: interrupted"], lines
    assert sum("ronghe: error:" in line for line in lines) == 1, lines
    assert not any("Traceback" in line or "resource_tracker" in line for line in lines), lines


def test_ctrl_c_after_the_last_line_ends_quietly(tmp_path: Path) -> None:
    """Pressed once the run has said its summary (its last line names the 通报), while
    the embedded server stops: the work is done, so the exit is 0, with no traceback from
    an exit callback and nothing left running."""
    code, lines = press_ctrl_c_in_a_run(tmp_path, 1, "通报-2017Q1.docx")
    assert code == 0, lines
    assert not any("Traceback" in line or "Exception ignored" in line for line in lines), lines


def _press_ctrl_c(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(1)  # the handler runs at the next bytecode


def test_ctrl_c_prefect_keeps_to_itself_still_stops_the_command(tmp_path: Path) -> None:
    """Pressed as a flow run ends (its code finished, its state final), Prefect drops the
    KeyboardInterrupt; the command stops at its next step all the same."""

    @flow(on_completion=[_press_ctrl_c])
    def finished() -> int:
        return 7

    before = signal.getsignal(signal.SIGINT)  # a test worker's may be SIG_IGN
    with serving(tmp_path), remembering_ctrl_c():
        with contextlib.suppress(KeyboardInterrupt):  # a Prefect that passes it on is as good
            finished()
        assert ctrl_c_pressed()
        with pytest.raises(KeyboardInterrupt):
            stop_if_ctrl_c()
    assert signal.getsignal(signal.SIGINT) == before  # the previous handler, back


def test_ctrl_c_duckdb_turns_into_query_interrupted_is_remembered() -> None:
    """DuckDB answers Ctrl-C with its own "Query interrupted" (a RuntimeError)."""
    con = duckdb.connect()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    with remembering_ctrl_c():
        timer.start()
        with pytest.raises((RuntimeError, KeyboardInterrupt), match="nterrupt"):
            con.execute("SELECT count(*) FROM range(100000000000) a").fetchall()
        assert ctrl_c_pressed()
    timer.join()
