"""Issue 9: a full disk is reported as a full disk, leaves no temporary files, loses nothing.

The home (warehouse, archive, Prefect's database) sits on a small tmpfs that the test
mounts (root is needed; CI runs as root, so there a missing precondition fails).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.support.factories import COUNTY, project_row, supervision_row, write_csv
from tests.support.hardening import IN_CI, cli, one_line_error

FILES, ROWS = 60, 400
NAME = "建设" * 94
"""Long project names (195 characters, within the 200 allowed): the bytes that fill the
disk come in a third of the rows, so the runs read, validate and load a third as much."""


def _mount(path: Path, size: str, remount: bool = False) -> subprocess.CompletedProcess[str]:
    opts = f"size={size}" + (",remount" if remount else "")
    return subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        if IN_CI:
            pytest.fail("CI runs as root: a tmpfs must be mountable for the disk-full test")
        pytest.skip("mounting a small tmpfs needs root")
    proc = _mount(mnt, "24m")
    if proc.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs: {proc.stderr.strip()}")
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _tmp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".tmp" in p.name]


def test_disk_full_is_one_line_leaves_no_temp_files_and_loses_nothing(
    small_disk: Path, tmp_path: Path
) -> None:
    home = small_disk / "home"
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_first.csv", [supervision_row()])
    first = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home)
    assert first.returncode == 0, first.stderr
    published = home / "warehouse.duckdb"
    before = published.read_bytes()

    # more than the disk holds: 60 project files of ~270 KB each
    for i in range(FILES):
        rows = [project_row(pid=f"P{i}-{j}", name=f"项目{i}-{j}" + NAME) for j in range(ROWS)]
        write_csv(inbox / f"projects_{i:02d}.csv", rows)
    full = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home)
    assert full.returncode == 1, full.stderr
    line = one_line_error(full)
    assert line.startswith("ronghe: error: disk full"), full.stderr
    assert "500 Internal Server Error" not in line
    assert _tmp_files(home) == []
    assert published.read_bytes() == before  # the analysts' file is intact
    assert len(list(inbox.iterdir())) == FILES + 1  # nothing taken from the inbox

    # space again: the next run takes everything
    assert _mount(small_disk, "256m", remount=True).returncode == 0
    again = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home)
    assert again.returncode == 0, again.stderr
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM meta.file_manifest").fetchone() == (FILES + 1,)
        n = con.execute("SELECT count(*) FROM core.projects WHERE unit_code = ?", [COUNTY])
        assert n.fetchone() == (ROWS,)  # one file's report is current: the latest received
        assert con.execute("SELECT count(*) FROM raw.projects").fetchone() == (FILES * ROWS,)
    finally:
        con.close()
    assert _tmp_files(home) == []
