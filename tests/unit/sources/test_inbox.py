"""The intake's one walk (sources/inbox.py): what is taken, what is skipped and why."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sources.inbox import group_by_kind, settled, survey


def test_the_walk_takes_reports_and_says_what_it_skipped(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "如东县").mkdir(parents=True)
    report = inbox / "如东县" / "supervision.csv"
    report.write_text("unit_code\n")
    (inbox / "~$supervision.xlsx").write_bytes(b"lock")  # an editor's lock file: no report
    outside = tmp_path / "secret.csv"
    outside.write_text("x\n")
    (inbox / "link.csv").symlink_to(outside)
    os.mkfifo(inbox / "pipe.csv")

    seen = survey([inbox])

    assert seen.files == [report]
    assert sorted(s.reason for s in seen.skipped) == [
        "not_a_regular_file",
        "symlink_outside_inbox",
    ]


def test_a_file_still_being_written_waits_for_the_next_run(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fresh = inbox / "economy.csv"
    fresh.write_text("unit_code\n")
    now = time.time()

    assert survey([inbox], settle_seconds=60, now=now).files == []
    assert [s.reason for s in survey([inbox], settle_seconds=60, now=now).skipped] == [
        "not_settled"
    ]
    assert survey([inbox], settle_seconds=60, now=now + 120).files == [fresh]
    assert settled(fresh.stat().st_mtime_ns, now + 120, 60)
    assert not settled(fresh.stat().st_mtime_ns, now, 60)


def test_the_kind_of_a_file_comes_from_its_name(tmp_path: Path) -> None:
    files = [tmp_path / n for n in ("supervision.csv", "economy.xlsx", "notes.csv")]
    groups = group_by_kind(files)
    assert groups["supervision"] == [files[0]]
    assert groups["economy"] == [files[1]]
    assert groups[None] == [files[2]]
