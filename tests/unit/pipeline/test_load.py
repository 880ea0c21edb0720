"""The load: one transaction, supersession, duplicate receipt, reconciliation, archive.

No Prefect here: these call the steps the flows sequence.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.run import run as ingest
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)
from warehouse.archive import read_archived

NOW = datetime(2017, 6, 1)


def scalar(session: Any, sql: str, params: list[Any] | None = None) -> Any:
    rows = session.con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def test_valid_files_load_and_reconcile(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_a.csv", [supervision_row(), supervision_row(COUNTY2)])
    write_json(inbox / "projects_a.json", [project_row(), project_row(pid="P2")])
    write_csv(inbox / "economy_a.csv", [economy_row()])
    summary = ingest(session, [inbox], NOW)
    assert summary.files == 3
    assert summary.reports_loaded == {"supervision": 2, "projects": 1, "economy": 1}
    assert scalar(session, "SELECT count(*) FROM core.supervision") == 2
    assert scalar(session, "SELECT count(*) FROM core.projects") == 2
    assert (
        scalar(session, "SELECT planned_investment FROM core.projects WHERE project_id='P1'")
        == 1200
    )
    rows = session.con.execute(
        "SELECT status, rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
    ).fetchall()
    assert sorted(rows) == [("loaded", 1, 1, 0), ("loaded", 2, 2, 0), ("loaded", 2, 2, 0)]


def test_partial_file_reconciles_and_quarantines_whole_report(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(
        inbox / "projects_b.csv",
        [
            project_row(pid="P1"),
            project_row(pid="P2", progress_pct=150),  # out of range: whole report goes
            project_row(unit=COUNTY2, pid="P1"),
        ],
    )
    summary = ingest(session, [inbox], NOW)
    assert summary.reports_quarantined == 1
    assert scalar(session, "SELECT count(*) FROM core.projects") == 1
    status, read, loaded, quarantined = session.con.execute(
        "SELECT status, rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
    ).fetchall()[0]
    assert (status, read, loaded, quarantined) == ("partial", 3, 1, 2)
    unit, rows, reasons = session.con.execute(
        "SELECT unit_code, row_numbers, reasons FROM quarantine.reports"
    ).fetchall()[0]
    assert (unit, rows, reasons) == (COUNTY, [1, 2], ["out_of_range"])


def test_same_bytes_twice_are_recognised(session: Any, tmp_path: Path) -> None:
    a = write_csv(tmp_path / "in1" / "supervision_x.csv", [supervision_row()])
    b = tmp_path / "in2" / "党建督导_copy.csv"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    ingest(session, [a], NOW)
    again = ingest(session, [b], NOW)
    assert again.already_received == 1 and again.files == 0
    assert scalar(session, "SELECT count(*) FROM raw.supervision") == 1
    assert scalar(session, "SELECT count(*) FROM meta.file_manifest") == 1


def test_newer_report_supersedes_and_older_stays_queryable(session: Any, tmp_path: Path) -> None:
    old = write_csv(tmp_path / "a" / "supervision_old.csv", [supervision_row(party_orgs=100)])
    new = write_csv(
        tmp_path / "b" / "supervision_new.csv",
        [supervision_row(party_orgs=111, submitted_at="2017-04-20 10:00")],
    )
    ingest(session, [old], NOW)
    ingest(
        session, [new], NOW
    )  # a correction (the other order: tests/unit/warehouse/test_corrections.py)
    assert scalar(session, "SELECT party_orgs FROM core.supervision") == 111
    assert scalar(session, "SELECT count(*) FROM raw.supervision") == 2


def test_tie_on_submitted_at_goes_to_the_later_receipt(session: Any, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a" / "economy_1.csv", [economy_row(gdp=1)])
    second = write_csv(tmp_path / "b" / "economy_2.csv", [economy_row(gdp=2)])
    ingest(session, [first], NOW)
    ingest(session, [second], NOW)
    assert scalar(session, "SELECT gdp FROM core.economy") == 2


def test_projects_supersede_whole_report(session: Any, tmp_path: Path) -> None:
    old = write_csv(
        tmp_path / "a" / "projects_old.csv", [project_row(pid="P1"), project_row(pid="P2")]
    )
    new = write_csv(
        tmp_path / "b" / "projects_new.csv",
        [project_row(pid="P3", submitted_at="2017-04-25 08:00")],
    )
    ingest(session, [old], NOW)
    ingest(session, [new], NOW)
    ids = session.con.execute("SELECT project_id FROM core.projects").fetchall()
    assert ids == [("P3",)]
    assert scalar(session, "SELECT count(*) FROM raw.projects") == 3


def test_unreadable_and_unknown_files_are_kept_and_recorded(
    session: Any, tmp_path: Path, home: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "supervision_broken.xlsx").write_bytes(b"not really a spreadsheet")
    # a name that says no kind and headers of none (CONTRACT §2: the headers decide)
    write_csv(inbox / "minutes.csv", [{"会议": "党委会", "日期": "2017-04-01"}])
    write_csv(inbox / "economy_short.csv", [{"unit_code": COUNTY, "period": "2017Q1"}])
    summary = ingest(session, [inbox], NOW)
    got = dict(
        session.con.execute(
            "SELECT regexp_extract(path, '[^/]+$'), reasons FROM quarantine.files"
        ).fetchall()
    )
    assert got == {
        "supervision_broken.xlsx": ["unreadable_file"],
        "minutes.csv": ["unknown_kind"],
        "economy_short.csv": ["missing_columns"],
    }
    archived = session.con.execute("SELECT archive_path, sha256 FROM meta.file_manifest").fetchall()
    assert len(archived) == 3
    assert len({path for path, _ in archived}) == 1  # one pack for the load
    for path, sha in archived:
        assert not Path(path).is_absolute() and path.endswith(".tar")  # relative to the home
        assert (session.settings.home / path).exists()
        name, data = read_archived(session.con, sha, session.settings.home)
        assert name.startswith(sha) and hashlib.sha256(data).hexdigest() == sha
    assert all(f.status == "rejected" for f in summary.load.files)


def test_a_fault_inside_the_load_leaves_nothing_half_loaded(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_a.csv", [supervision_row()])
    write_csv(inbox / "projects_a.csv", [project_row(), project_row(pid="P2", progress_pct=101)])
    write_csv(inbox / "economy_a.csv", [economy_row()])

    # the last statement of the load (kinds load in name order) cannot succeed: an extra
    # column makes the positional INSERT into core.supervision fail, after everything
    # before it ran inside the same transaction
    session.con.execute("ALTER TABLE core.supervision ADD COLUMN sabotage INTEGER")
    with pytest.raises(duckdb.Error):
        ingest(session, [inbox], NOW)
    session.con.execute("ALTER TABLE core.supervision DROP COLUMN sabotage")
    for table in (
        "meta.file_manifest",
        "quarantine.reports",
        "quarantine.files",
        "raw.supervision",
        "core.supervision",
        "raw.projects",
        "core.projects",
        "raw.economy",
    ):
        assert scalar(session, f"SELECT count(*) FROM {table}") == 0, table
    # the next attempt loads everything once
    summary = ingest(session, [inbox], NOW)
    assert scalar(session, "SELECT count(*) FROM core.supervision") == 1
    assert scalar(session, "SELECT count(*) FROM meta.file_manifest") == 3
    assert summary.reports_quarantined == 1
