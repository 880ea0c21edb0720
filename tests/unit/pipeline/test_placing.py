"""A file rejected whole is placed in a quarter whose receipts are written (issue 29): its
name's, the run's, its round's, never the run's clock while anything else is known."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.run import run as ingest
from tests.support.factories import supervision_row, write_csv
from transforms.periods import period_in

LATER = datetime(2026, 12, 6)  # years after the files' quarter: the clock would say 2026Q3


def placed(session: Any) -> dict[str, str | None]:
    rows = session.con.execute(
        "SELECT f.path, p.period FROM quarantine.problems p"
        " JOIN quarantine.files f ON f.sha256 = p.source_sha256"
    ).fetchall()
    return {Path(path).name: period for path, period in rows}


def test_a_rejected_file_takes_its_names_quarter_else_its_runs(
    session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_ok.csv", [supervision_row(period="2017Q2")])
    (inbox / "掘港镇2017年一季度党建督导季报.xlsx").write_bytes(b"PK\x03\x04 broken 1")
    (inbox / "党建督导季报_损坏.xlsx").write_bytes(b"PK\x03\x04 broken 2")
    result = ingest(session, [inbox], LATER)
    assert placed(session) == {
        "掘港镇2017年一季度党建督导季报.xlsx": "2017Q1",  # its name says so
        "党建督导季报_损坏.xlsx": "2017Q2",  # what the run received
    }
    assert {"2017Q1", "2017Q2"} <= set(result.marts_rebuilt)  # so its receipts are written


def test_a_lone_rejected_file_takes_the_warehouses_latest_quarter(
    session: Any, tmp_path: Path
) -> None:
    write_csv(tmp_path / "a" / "supervision.csv", [supervision_row(period="2017Q1")])
    ingest(session, [tmp_path / "a"], datetime(2017, 4, 20))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "党建督导季报_损坏.xlsx").write_bytes(b"PK\x03\x04 broken")
    ingest(session, [tmp_path / "b"], LATER)  # `ronghe ingest` of it alone, years later
    assert placed(session) == {"党建督导季报_损坏.xlsx": "2017Q1"}  # not 2026Q3


def test_a_quarter_in_a_file_name() -> None:
    assert period_in("掘港镇2017年一季度党建督导季报.xlsx") == "2017Q1"
    assert period_in("supervision_2017Q3.csv") == "2017Q3"
    assert period_in("２０１６年第４季度") == "2016Q4"
    assert period_in("2017年第一季度与2017年第二季度") is None  # two: none
    assert period_in("12017Q1") is None and period_in("x.xlsx") is None
