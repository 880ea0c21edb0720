"""``ronghe status`` and ``ronghe sources`` at 80 columns: wrapped, never cut; a pulled
file rejected and then replaced at its source is no longer open."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cli.layout import width
from cli.views import (
    open_file_lines,
    open_report_lines,
    outbox_counts,
    outbox_lines,
    runs_lines,
    source_lines,
)
from notify.notice import Notice
from notify.outbox import Outbox
from pipeline.run import run as ingest
from sources import state
from sources.config import parse_sources
from sources.pull import PullRow, SourcePull
from tests.support.factories import supervision_row, write_csv
from warehouse.db import sql_file

VILLAGE, TOWN = "320602001001", "320602001000"
T1, T2 = datetime(2017, 4, 11, 10), datetime(2017, 4, 12, 10)


def _source(name: str = "chongchuan-dongcheng") -> Any:
    text = f'[[source]]\nname = "{name}"\nunit = "{TOWN}"\nurl = "file:///srv/x"\n'
    return parse_sources(text, {TOWN})[0]


def test_sources_wrap_the_error_and_keep_the_mark() -> None:
    error = "530 Login incorrect. 用户名或密码错误，请检查 RONGHE_CHONGCHUAN_PASSWORD 后重试"
    status = {"chongchuan-dongcheng": ("x", TOWN, T1, False, None, 0, 0, error)}
    lines = source_lines([_source()], status)
    assert all(width(line) <= 80 for line in lines)
    assert "never!" in lines[1] and lines[1].startswith("chongchuan-don")
    shown = "".join(line[58:] for line in lines[1:]).replace(" ", "")
    assert shown == error.replace(" ", "")  # all of it, under its column


def test_status_never_cuts_a_unit_code_or_a_run_id() -> None:
    run = "5f7d0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"
    path = "/srv/ronghe/home/inbox/崇川区/城东街道/城北社区/2017年第一季度党建督导季报（更正）.xlsx"
    lines = [
        *runs_lines([(run, "quarterly", "completed", T1, T2, "{}")]),
        *open_report_lines(
            [("supervision", VILLAGE, "2017Q1", "out_of_range,unit_name_mismatch", path, T1)]
        ),
        *open_file_lines([(path, "unknown_kind", T1)]),
    ]
    assert all(width(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert run in text and VILLAGE in text and "unit_name_mismatch" in text
    paths = [line[4:] for line in lines if line.startswith("    ") and line[4] != " "]
    assert "".join(paths) == path * 2  # the file under its report, wrapped, whole


def test_a_pulled_file_rejected_then_replaced_at_its_source_is_closed(
    session: Any, tmp_path: Path
) -> None:
    src = _source()
    staged = tmp_path / "pulls" / "run1" / src.name / "党建督导.csv"
    bad = write_csv(staged, [{"unit_code": VILLAGE, "period": "2017Q1"}])  # columns missing
    ingest(session, [bad], T1)
    st = bad.stat()
    sha = session.con.execute("SELECT sha256 FROM quarantine.files").fetchall()[0][0]
    row = PullRow("党建督导.csv", st.st_size, T1, "pulled", sha)
    state.record(session.con, [SourcePull(src, T1, True, None, 1, (row,))], "run1", T1)
    bad.unlink()  # the staging copy goes once archived
    opened = session.con.execute(sql_file("status_open_files.sql")).fetchall()
    assert [r[0] for r in opened] == [f"{src.name}:党建督导.csv"]  # shown by where it came from

    good = write_csv(
        tmp_path / "pulls" / "run2" / src.name / "党建督导.csv", [supervision_row(VILLAGE)]
    )
    ingest(session, [good], T2)
    new_sha = session.con.execute(
        "SELECT sha256 FROM meta.file_manifest WHERE status = 'loaded'"
    ).fetchall()[0][0]
    size = os.stat(good).st_size
    row = PullRow("党建督导.csv", size, T2, "pulled", new_sha)
    state.record(session.con, [SourcePull(src, T2, True, None, 1, (row,))], "run2", T2)
    assert session.con.execute(sql_file("status_open_files.sql")).fetchall() == []


def test_status_says_what_notifications_wait_and_which_failed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert outbox_counts(home) is None and outbox_lines(None) == ["Notifications: none told yet"]
    with Outbox.of(home) as box:
        box.add(
            [Notice("overdue", f"u{i}", "某村：未报送。") for i in range(3)], lambda n: ["a"], T1
        )
        (first, *_) = box.claim("a", T1, timedelta(minutes=1))
        box.tried("a", [first.key], "channel a: the environment variable X is not set", None, True)
    stamp = (home / "notify" / "outbox.sqlite").stat().st_mtime_ns
    counts = outbox_counts(home)  # read-only: nothing written
    assert isinstance(counts, dict) and (counts["pending"], counts["failed"]) == (2, 1)
    assert (home / "notify" / "outbox.sqlite").stat().st_mtime_ns == stamp
    shown = outbox_lines(counts)
    assert shown[0].startswith("Notifications: 2 pending, 1 failed, 0 sent")
    assert shown[1].endswith("ronghe notify --list --state failed")
    assert all(width(line) <= 80 for line in shown)
    assert outbox_lines("/h/notify/outbox.sqlite: unable to open")[0].startswith(
        "Notifications: the outbox cannot be read"
    )
    assert outbox_lines({"pending": 0, "failed": 0, "sent": 9}) == [
        "Notifications: 0 pending, 0 failed, 9 sent"
    ]
