"""Issue 19, group 3: a run reads only what it scanned (CONTRACT §3 "Limits").

The real sequencing of a run (:func:`pipeline.run.run`: the inbox survey, the hashing,
then the read), on a real DuckDB file. Between "found N files" and the read, the run's
own hook (``on_new_files``, where the flows start the validation process) swaps one
file for a symbolic link to a file outside the inbox and appends a row to another.
Neither is read, loaded or quarantined: each is ``meta.skipped`` ``changed_since_scan``
and waits. The next run, with the files as they now are in the inbox, loads them, so
nothing is lost; the file outside the inbox is never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from pipeline.run import run
from tests.support.factories import COUNTY, COUNTY2, economy_row, supervision_row, write_csv
from warehouse.workspace import Workspace

NOW = datetime(2017, 6, 1)
OUTSIDER = "320621000000"  # 海安县: only the file outside the inbox names it
APPENDED = "320612000000"  # the row appended after the scan


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    home = tmp_path / "home"
    home.mkdir()
    with Workspace.open(Settings(home=home, settle_seconds=0)) as w:
        yield w


def _q(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    return ws.con.execute(sql).fetchall()


def test_a_file_swapped_or_grown_after_the_scan_waits_for_the_next_run(
    ws: Workspace, tmp_path: Path
) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    target = write_csv(outside / "supervision_outside.csv", [supervision_row(unit=OUTSIDER)])
    swapped = write_csv(inbox / "supervision_a.csv", [supervision_row(unit=COUNTY)])
    original = swapped.read_bytes()
    grown = write_csv(inbox / "economy_b.csv", [economy_row(unit=COUNTY)])
    write_csv(inbox / "economy_good.csv", [economy_row(unit=COUNTY2)])
    calls: list[None] = []

    def between_scan_and_read() -> None:
        calls.append(None)
        swapped.unlink()
        swapped.symlink_to(target)
        with open(grown, "a", encoding="utf-8") as fh:
            fh.write(grown.read_text(encoding="utf-8").splitlines()[1].replace(COUNTY, APPENDED))
            fh.write("\n")

    first = run(ws, [inbox], NOW, run_id="r1", on_new_files=between_scan_and_read)
    assert len(calls) == 1  # the hook ran, between the scan and the read
    # the good file loads; the two changed files are neither loaded nor quarantined
    assert _q(ws, "SELECT unit_code FROM core.economy") == [(COUNTY2,)]
    assert _q(ws, "SELECT count(*) FROM core.supervision") == [(0,)]
    assert _q(ws, "SELECT count(*) FROM quarantine.files") == [(0,)]
    assert _q(ws, "SELECT count(*) FROM quarantine.reports") == [(0,)]
    assert first.reports_quarantined == 0
    manifest = {Path(p).name for (p,) in _q(ws, "SELECT path FROM meta.file_manifest")}
    assert manifest == {"economy_good.csv"}
    skipped = _q(ws, "SELECT path, reason, detail, run_id FROM meta.skipped ORDER BY path")
    assert [(Path(p).name, r, run_id) for p, r, _, run_id in skipped] == [
        ("economy_b.csv", "changed_since_scan", "r1"),
        ("supervision_a.csv", "changed_since_scan", "r1"),
    ]
    assert "symbolic link" in skipped[1][2] and "next run" in skipped[1][2]

    # the filer saves the report again: the next run loads both files as they now are,
    # and never the one outside the inbox
    swapped.unlink()
    swapped.write_bytes(original)
    run(ws, [inbox], NOW, run_id="r2")
    assert _q(ws, "SELECT unit_code FROM core.supervision") == [(COUNTY,)]
    units = _q(ws, "SELECT unit_code FROM core.economy ORDER BY unit_code")
    assert units == [(COUNTY,), (APPENDED,), (COUNTY2,)]  # the grown file: both its rows
    assert _q(ws, f"SELECT count(*) FROM core.supervision WHERE unit_code = '{OUTSIDER}'") == [(0,)]
    manifest = {Path(p).name for (p,) in _q(ws, "SELECT path FROM meta.file_manifest")}
    assert manifest == {"economy_good.csv", "economy_b.csv", "supervision_a.csv"}
    assert _q(ws, "SELECT count(*) FROM meta.skipped WHERE run_id = 'r2'") == [(0,)]
    for read, loaded, quarantined in _q(
        ws, "SELECT rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
    ):
        assert read == loaded + quarantined
