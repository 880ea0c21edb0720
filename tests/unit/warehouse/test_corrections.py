"""Which later version supersedes (docs/warehouse.md «Corrections»): each case of the rule.

A correction supersedes only when its 填报时间 is not before the first version's; otherwise
it is returned as `inconsistent` with a sentence, and the version that stands keeps
counting. A 填报时间 after the round's correction limit (the level's deadline +
round.correction_window_days, 2017Q1 county: 2017-04-10 24:00 + 365 days) is
`out_of_range` in any version: it never loads, and never stands in the way of a
correction (issue 29: a 7月3日 typed without a year became this year's date)."""

from __future__ import annotations

from dataclasses import replace
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


def test_a_version_dated_after_the_window_is_out_of_range_and_blocks_nothing(
    session: Any, tmp_path: Path
) -> None:
    later = datetime(2018, 8, 1)
    slip = write_csv(  # 7月3日 typed without a year, a year later: 2018-07-03
        tmp_path / "a" / "supervision_1.csv",
        [supervision_row(party_orgs=5, submitted_at="2018-07-03 00:00")],
    )
    fix = write_csv(tmp_path / "b" / "supervision_2.csv", [supervision_row(party_orgs=100)])
    ingest(session, [slip], later)
    assert one(session, "SELECT reasons FROM quarantine.reports") == [(["out_of_range"],)]
    (message,) = one(session, "SELECT message_zh FROM quarantine.problems")[0]
    assert message == (
        "第2行「填报时间」“2018-07-03 00:00”晚于该报告期报送截止后365天，不是可信的填报时间："
        "请核实年份（输入日期时不写年份，表格会当作今年），改正后重新报送"
    )
    ingest(session, [fix], later)  # dated 2017-04-10: the correction loads
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(100,)]


def test_an_implausible_version_loaded_before_the_rule_blocks_no_correction(
    session: Any, tmp_path: Path
) -> None:
    later = datetime(2018, 8, 1)
    slip = write_csv(
        tmp_path / "a" / "supervision_1.csv",
        [supervision_row(party_orgs=5, submitted_at="2018-07-03 00:00")],
    )
    fix = write_csv(tmp_path / "b" / "supervision_2.csv", [supervision_row(party_orgs=100)])
    rules = session.rules
    lax = replace(rules, filing_round=replace(rules.filing_round, correction_window_days=5000))
    ingest(replace(session, rules=lax), [slip], later)  # an older warehouse loaded it
    assert one(session, "SELECT party_orgs FROM core.supervision") == [(5,)]
    ingest(session, [fix], later)  # not "before the first version": that one is implausible
    assert one(session, "SELECT count(*) FROM quarantine.reports") == [(0,)]
    assert one(session, "SELECT party_orgs FROM raw.supervision ORDER BY 1") == [(5,), (100,)]


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
