"""Which later version supersedes (docs/warehouse.md «Corrections»): each case of the rule.

A correction supersedes only when its 填报时间 is not before the first version's and not
after the round's correction limit (the level's deadline + round.correction_window_days,
2017Q1 county: 2017-04-10 24:00 + 30 days). Otherwise it is returned as `inconsistent`
with a sentence, and the version that stands keeps counting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.run import run as ingest
from tests.support.factories import supervision_row, write_csv

NOW = datetime(2017, 6, 1)


def one(session: Any, sql: str) -> Any:
    return session.con.execute(sql).fetchall()


def test_a_later_correction_within_the_window_supersedes(session: Any, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a" / "supervision_1.csv", [supervision_row(party_orgs=100)])
    fix = write_csv(
        tmp_path / "b" / "supervision_2.csv",
        [supervision_row(party_orgs=111, submitted_at="2017-05-10 18:00")],
    )
    ingest(session, [first], NOW)
    ingest(session, [fix], NOW)
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(111,)]
    assert one(session, "SELECT count(*) FROM quarantine.reports") == [(0,)]


def test_a_correction_dated_before_the_first_version_is_returned(
    session: Any, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a" / "supervision_1.csv",
        [supervision_row(party_orgs=100, submitted_at="2017-04-20 10:00")],
    )
    older = write_csv(tmp_path / "b" / "supervision_2.csv", [supervision_row(party_orgs=90)])
    ingest(session, [first], NOW)
    ingest(session, [older], NOW)  # arrives later, dated 2017-04-10: never silently lost
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(100,)]
    assert one(session, "SELECT count(*) FROM raw.supervision") == [(1,)]
    assert one(session, "SELECT reasons FROM quarantine.reports") == [(["inconsistent"],)]
    ((column, message),) = one(session, 'SELECT "column", message_zh FROM quarantine.problems')
    assert column == "submitted_at"
    assert message == (
        "第2行「填报时间」为2017-04-10 09:30，早于该报表首次报送版本的填报时间2017-04-20 10:00："
        "更正版本的填报时间不能早于原版本，请核实填报时间后重新报送"
    )
    manifest = one(
        session, "SELECT status, rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
        " ORDER BY received_at"
    )  # fmt: skip
    assert manifest == [("loaded", 1, 1, 0), ("rejected", 1, 0, 1)]


def test_a_correction_dated_after_the_window_is_returned(session: Any, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a" / "supervision_1.csv", [supervision_row(party_orgs=100)])
    slip = write_csv(
        tmp_path / "b" / "supervision_2.csv",
        [supervision_row(party_orgs=5, submitted_at="2017-05-11 08:00")],
    )
    ingest(session, [first], NOW)
    ingest(session, [slip], NOW)  # would win by its date: never silently
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(100,)]
    (message,) = one(session, "SELECT message_zh FROM quarantine.problems")[0]
    assert "晚于本轮更正期限2017-05-10 23:59（报送截止后30天）" in message


def test_a_late_first_version_is_no_correction_and_loads(session: Any, tmp_path: Path) -> None:
    late = write_csv(
        tmp_path / "a" / "supervision_1.csv",
        [supervision_row(party_orgs=100, submitted_at="2017-05-25 08:00")],
    )
    ingest(session, [late], NOW)
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(100,)]
    assert one(session, "SELECT count(*) FROM quarantine.reports") == [(0,)]


def test_versions_in_one_run_are_compared_in_receipt_order(session: Any, tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "in" / "a" / "supervision_1.csv",
        [supervision_row(party_orgs=100, submitted_at="2017-04-20 10:00")],
    )
    write_csv(tmp_path / "in" / "b" / "supervision_2.csv", [supervision_row(party_orgs=90)])
    assert first.exists()
    ingest(session, [tmp_path / "in"], NOW)  # a/ is received before b/
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(100,)]
    assert one(session, "SELECT reasons FROM quarantine.reports") == [(["inconsistent"],)]
