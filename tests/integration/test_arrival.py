"""Timeliness by arrival (CONTRACT §9, issue 34): a backfill loads today files that were
filed years ago; they are judged by when they reached the department (an inbox file's
modification time), never by the time they were loaded. A real warehouse file, read back
through a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.factories import COUNTY, COUNTY2, economy_row, supervision_row, write_csv
from tests.support.hardening import ingest_and_publish

pytestmark = pytest.mark.integration

ON_TIME = datetime(2017, 4, 8, 16, 30)  # a county's deadline for 2017Q1: 2017-04-10 24:00
LATE = datetime(2017, 4, 12, 9, 15)


def _filed(path: Path, at: datetime) -> None:
    os.utime(path, (at.timestamp(), at.timestamp()))


def test_a_backfill_of_files_filed_on_time_shows_them_on_time(tmp_path: Path) -> None:
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    _filed(write_csv(inbox / "supervision_a.csv", [supervision_row(COUNTY)]), ON_TIME)
    _filed(write_csv(inbox / "economy_a.csv", [economy_row(COUNTY)]), ON_TIME)
    _filed(write_csv(inbox / "supervision_b.csv", [supervision_row(COUNTY2)]), LATE)
    # saved "in the future" (a wrong clock): it arrived no later than it was received
    future = write_csv(inbox / "economy_b.csv", [economy_row(COUNTY2, unit_code=COUNTY2)])
    os.utime(future, (4_000_000_000, 4_000_000_000))
    before = datetime.now()
    ingest_and_publish(home, [inbox])  # loaded today, years after the deadline
    query = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        'rows = con.execute("SELECT f.unit_code, f.kind, f.timeliness, f.arrived_at::VARCHAR,'
        " f.first_arrived_at::VARCHAR, f.received_at >= ?::TIMESTAMP,"
        " m.arrived_at = f.arrived_at, m.arrived_at <= m.received_at"
        " FROM marts.filing_status f JOIN meta.file_manifest m ON m.sha256 = f.source_sha256"
        " WHERE f.period = '2017Q1' ORDER BY 1, 2\", [sys.argv[2]]).fetchall()\n"
        "print(json.dumps(rows))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", query, str(home / "warehouse.duckdb"), before.isoformat()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = {(r[0], r[1]): r[2:] for r in json.loads(done.stdout)}
    on_time, late = str(ON_TIME), str(LATE)
    assert rows[(COUNTY, "supervision")] == ["on_time", on_time, on_time, True, True, True]
    assert rows[(COUNTY, "economy")] == ["on_time", on_time, on_time, True, True, True]
    assert rows[(COUNTY2, "supervision")] == ["late", late, late, True, True, True]
    # the future mtime is capped at its receipt (today): late, never "on time" by a clock
    assert rows[(COUNTY2, "economy")][0] == "late" and rows[(COUNTY2, "economy")][3:] == [
        True,
        True,
        True,
    ]
