"""Pulling a real folder through the deposit interface (fsspec's ``file``): the
completeness rules, temporary names, files pulled once, corrections, moves."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from sources.config import parse_sources
from sources.pull import Seen, SourcePull, ignored, move_taken, pull_source, settle_outcomes
from sources.state import record, seen
from warehouse.schema import all_ddl


def _source(folder: Path, **extra: str) -> object:
    lines = "".join(f'{k} = "{v}"\n' for k, v in extra.items())
    text = f'[[source]]\nname = "local"\nunit = "1"\nurl = "file://{folder}"\n{lines}'
    return parse_sources(text, {"1"})[0]


def _remember(pull: SourcePull, taken: Seen | None = None) -> Seen:
    """What meta.pulls would remember after ``pull`` (as :func:`sources.state.seen` reads it)."""
    taken = taken or Seen()
    done = {(r.remote_path, r.size, r.modified_at) for r in pull.rows if r.outcome == "pulled"}
    waiting = {
        (r.remote_path, r.size, r.modified_at) for r in pull.rows if r.outcome == "incomplete"
    }
    first = {
        r.remote_path: r.first_seen
        for r in pull.rows
        if r.outcome in ("incomplete", "failed") and r.first_seen is not None
    }
    return Seen(taken.taken | done, frozenset(waiting), {**taken.first_seen, **first})


def _write(path: Path, data: bytes, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_stable_files_are_pulled_once_the_second_listing_agrees(tmp_path: Path) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "c1" / "supervision_q.csv", b"a,b\n1,2\n", 1_600_000_000)
    _write(box / "c1" / "~$supervision_q.xlsx", b"lock", 1_600_000_000)
    _write(box / "economy.part", b"half", 1_600_000_000)
    _write(box / "notes.txt", b"not a report", 1_600_000_000)
    src = _source(box)

    first = pull_source(src, lambda s: None, Seen(), staging)
    assert first.reached and first.files_seen == 1
    assert [(r.remote_path, r.outcome) for r in first.rows] == [
        ("c1/supervision_q.csv", "incomplete")
    ]
    assert first.staged == []

    second = pull_source(src, lambda s: None, _remember(first), staging)
    [row] = second.rows
    assert (row.remote_path, row.outcome, row.size) == ("c1/supervision_q.csv", "pulled", 8)
    assert row.staged is not None and row.staged.name == "supervision_q.csv"
    assert row.staged.read_bytes() == b"a,b\n1,2\n"
    assert row.staged.stat().st_mode & 0o777 == 0o600
    # its arrival: when the first listing saw it (not its mtime at the source, 2020-09-13,
    # which a copy keeps from the clerk's computer): the run reads it as an inbox file's
    arrived = first.rows[0].first_seen
    assert arrived is not None and arrived <= first.attempted_at + timedelta(seconds=1)
    assert row.first_seen == arrived
    assert row.staged.stat().st_mtime_ns == int(arrived.timestamp()) * 10**9 + (
        arrived.microsecond * 1000
    )

    third = pull_source(src, lambda s: None, _remember(second, _remember(first)), staging)
    assert third.rows == () and third.files_seen == 1  # pulled once


def test_a_growing_file_waits_and_a_replaced_file_is_pulled_again(tmp_path: Path) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    target = box / "economy_q.csv"
    _write(target, b"a\n", 1_600_000_000)
    src = _source(box)
    seen1 = _remember(pull_source(src, lambda s: None, Seen(), staging))
    _write(target, b"a\n1\n", 1_600_000_010)  # still being uploaded: grew since
    grew = pull_source(src, lambda s: None, seen1, staging)
    assert [r.outcome for r in grew.rows] == ["incomplete"]
    done = pull_source(src, lambda s: None, _remember(grew, seen1), staging)
    assert [r.outcome for r in done.rows] == ["pulled"]
    known = _remember(done, _remember(grew, seen1))
    _write(target, b"a\n2\n", 1_600_000_500)  # replaced: a correction
    again = pull_source(
        src,
        lambda s: None,
        _remember(pull_source(src, lambda s: None, known, staging), known),
        staging,
    )
    assert [(r.outcome, r.size) for r in again.rows] == [("pulled", 4)]


def test_marker_rule_takes_only_files_with_a_done_file(tmp_path: Path) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "a_supervision.csv", b"x", 1_600_000_000)
    _write(box / "b_supervision.csv", b"y", 1_600_000_000)
    _write(box / "b_supervision.csv.done", b"", 1_600_000_000)
    pulled = pull_source(_source(box, complete="marker"), lambda s: None, Seen(), staging)
    assert {r.remote_path: r.outcome for r in pulled.rows} == {
        "a_supervision.csv": "incomplete",
        "b_supervision.csv": "pulled",
    }


def test_after_move_moves_the_file_and_its_marker_and_they_are_not_listed_again(
    tmp_path: Path,
) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "sub" / "b_supervision.csv", b"y", 1_600_000_000)
    _write(box / "sub" / "b_supervision.csv.done", b"", 1_600_000_000)
    src = _source(box, complete="marker", after="move:processed/")
    pulled = pull_source(src, lambda s: None, Seen(), staging)
    assert move_taken(src, list(pulled.rows), lambda s: None) == []
    assert (box / "processed" / "sub" / "b_supervision.csv").read_bytes() == b"y"
    assert (box / "processed" / "sub" / "b_supervision.csv.done").exists()
    assert not (box / "sub" / "b_supervision.csv").exists()
    later = pull_source(src, lambda s: None, Seen(), staging)
    assert later.files_seen == 0  # processed/ is not a deposit


def test_a_source_that_cannot_be_reached_is_recorded_not_raised(tmp_path: Path) -> None:
    src = _source(tmp_path / "no-such-folder")
    pulled = pull_source(src, lambda s: None, Seen(), tmp_path / "staging")
    assert not pulled.reached and "no-such-folder" in (pulled.error or "")

    def no_password(_: object) -> str:
        raise RuntimeError("the environment variable RONGHE_X is not set")

    missing = pull_source(_source(tmp_path), no_password, Seen(), tmp_path / "staging")
    assert not missing.reached and missing.error == "the environment variable RONGHE_X is not set"


def test_temporary_names_are_never_taken() -> None:
    for name in ("~$a.xlsx", ".~lock.a.xlsx#", "a.xlsx.part", "A.TMP"):
        assert ignored(name), name
    assert not ignored("supervision_q.xlsx")


def test_the_warehouse_remembers_pulls_and_attempts(tmp_path: Path) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "supervision_q.csv", b"x", 1_600_000_000)
    _write(box / "economy_q.csv", b"y", 1_600_000_000)
    src = _source(box)
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    for stmt in all_ddl():
        con.execute(stmt)
    first = pull_source(src, lambda s: None, Seen(), staging)
    record(con, [first], "run-1", datetime(2026, 1, 1))
    con.close()
    remembered = seen(db, ["local"])["local"]
    assert len(remembered.incomplete) == 2 and not remembered.taken
    second = settle_outcomes(pull_source(src, lambda s: None, remembered, staging), set())
    assert {r.outcome for r in second.rows} == {"same_bytes"}  # none new to the run
    con = duckdb.connect(str(db))
    record(con, [second], "run-2", datetime(2026, 1, 2))
    rows = con.execute("SELECT remote_path, outcome, run_id FROM meta.pulls ORDER BY 1").fetchall()
    assert rows == [
        ("economy_q.csv", "same_bytes", "run-2"),
        ("supervision_q.csv", "same_bytes", "run-2"),
    ]
    status = con.execute(
        "SELECT reached, files_seen, files_pulled FROM meta.source_status"
    ).fetchall()
    assert status == [(True, 2, 0)]
    con.close()
    assert seen(db, ["local"])["local"].taken == {
        (r.remote_path, r.size, r.modified_at) for r in second.rows
    }


# --- issue 30: sizes before bytes, names as stored, words as shown ----------------------


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    for stmt in all_ddl():
        con.execute(stmt)
    return con


def test_a_file_over_the_read_limit_is_never_read_and_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RONGHE_READ_MAX_MB", "0.001")  # 1,048 bytes
    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "supervision_big.csv", b"x" * 5000, 1_600_000_000)
    _write(box / "supervision_big.csv.done", b"", 1_600_000_000)
    src = _source(box, complete="marker")
    pulled = pull_source(src, lambda s: None, Seen(), staging)
    [row] = pulled.rows
    assert (row.outcome, row.staged, row.sha256) == ("too_large", None, None)
    assert "over the 0 MB read limit" in (row.error or "") and pulled.reached
    assert not staging.exists() or not any(staging.rglob("*.csv"))
    db = tmp_path / "w.duckdb"
    con = _warehouse(db)
    record(con, [pulled], "run-1", datetime(2026, 1, 1))
    con.close()
    again = pull_source(src, lambda s: None, seen(db, ["local"])["local"], staging)
    assert again.rows == ()  # remembered: not listed as new until it is replaced
    _write(box / "supervision_big.csv", b"a,b\n1,2\n", 1_600_000_100)  # a smaller file
    fixed = pull_source(src, lambda s: None, seen(db, ["local"])["local"], staging)
    assert [r.outcome for r in fixed.rows] == ["pulled"]


def test_a_name_with_a_personal_number_is_stored_masked_and_still_pulled_once(
    tmp_path: Path,
) -> None:
    box, staging = tmp_path / "box", tmp_path / "staging"
    name = "supervision_联系139.1234.0007\x1b[2J.csv"
    _write(box / name, b"x", 1_600_000_000)
    src = _source(box)
    db = tmp_path / "w.duckdb"
    first = pull_source(src, lambda s: None, Seen(), staging)
    con = _warehouse(db)
    record(con, [first], "run-1", datetime(2026, 1, 1))
    con.close()
    second = pull_source(src, lambda s: None, seen(db, ["local"])["local"], staging)
    [row] = second.rows
    assert row.outcome == "pulled" and row.remote_path == name  # the real name, to read it by
    con = duckdb.connect(str(db))
    record(con, [second], "run-2", datetime(2026, 1, 2))
    stored = con.execute("SELECT DISTINCT remote_path FROM meta.pulls").fetchall()
    con.close()
    assert stored == [("supervision_联系139.****.0007\\x1b[2J.csv",)]
    third = pull_source(src, lambda s: None, seen(db, ["local"])["local"], staging)
    assert third.rows == ()  # known by its stored name


def test_a_source_s_words_are_stored_escaped(tmp_path: Path) -> None:
    def hostile(_: object) -> str:
        raise RuntimeError("530 \x1b[2J\x1b[31m登录失败\x07 see http://evil.example\n230 forged")

    pulled = pull_source(_source(tmp_path), hostile, Seen(), tmp_path / "staging")
    assert not pulled.reached
    assert pulled.error == "530 \\x1b[2J\\x1b[31m登录失败\\x07 see http://evil.example"


def test_a_file_sending_more_than_the_limit_is_cut_off_and_nothing_is_left(
    tmp_path: Path,
) -> None:
    from sources.deposit import Entry, TooLarge, open_deposit
    from sources.pull import _stage

    box, staging = tmp_path / "box", tmp_path / "staging"
    _write(box / "supervision_q.csv", b"x" * 5000, 1_600_000_000)
    src = _source(box)
    deposit = open_deposit(src, None)
    liar = Entry("supervision_q.csv", 10, None)  # a listing that says less than it sends
    now = datetime(2026, 1, 1)
    with pytest.raises(TooLarge):
        _stage(staging, src, liar, deposit, 1000, now)
    assert not any(p.is_file() for p in staging.rglob("*"))
    with pytest.raises(Exception, match="changed while it was pulled"):
        _stage(staging, src, liar, deposit, 10_000, now)  # within the limit, not as listed
    assert not any(p.is_file() for p in staging.rglob("*"))
