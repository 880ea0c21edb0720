"""Issue 19, group 10: a run killed after publishing still gets its receipts and 通报,
written by the next run (a marker written at publish, removed once they are written)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.support.factories import supervision_row, write_csv
from tests.support.hardening import RONGHE, cli, cli_env


def test_outputs_a_killed_run_owed_are_written_by_the_next(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_csv(inbox / "supervision_a.csv", [supervision_row()])
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [*RONGHE, "run", "--period", "2017Q1", "--inbox", str(inbox)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=cli_env(home),
        cwd=tmp_path,
        start_new_session=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "published" in line:
            os.killpg(proc.pid, signal.SIGKILL)  # killed right after publishing
            break
    proc.wait(60)
    marker = home / "outputs.pending"
    receipts = home / "receipts" / "2017Q1"
    if marker.exists():  # killed before its outputs were written
        again = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "0 new" in again.stderr
    assert not marker.exists()
    assert receipts.is_dir() and any(receipts.glob("*.xlsx"))
    assert any((home / "reports" / "2017Q1").glob("*.xlsx"))
