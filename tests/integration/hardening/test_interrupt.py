"""Issue 19, group 10: Ctrl-C during a run prints one line and leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from tests.integration.hardening.test_limits import left_behind
from tests.support.factories import supervision_row, write_csv
from tests.support.hardening import RONGHE, cli_env


def test_ctrl_c_is_one_line_and_stops_every_helper(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(40):
        write_csv(inbox / f"supervision_{i}.csv", [supervision_row()])
    home = tmp_path / "home"
    tag = uuid.uuid4().hex
    proc = subprocess.Popen(
        [*RONGHE, "run", "--period", "2017Q1", "--inbox", str(inbox)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=cli_env(home, RONGHE_TEST_TAG=tag),
        cwd=tmp_path,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )
    assert proc.stderr is not None
    lines: list[str] = []
    found = threading.Event()

    def collect() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if "found 40 files" in line:
                found.set()

    reader = threading.Thread(target=collect)
    reader.start()
    assert found.wait(120), lines
    time.sleep(0.3)  # the validation process is starting (importing GX)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
    assert proc.wait(120) == 1
    reader.join(30)
    at = lines.index("ronghe: error: interrupted")
    assert lines[at:] == ["ronghe: error: interrupted"], lines
    assert not any("Traceback" in line or "resource_tracker" in line for line in lines), lines
    deadline = time.time() + 10
    while left_behind(tag) and time.time() < deadline:
        time.sleep(0.2)
    assert left_behind(tag) == []
