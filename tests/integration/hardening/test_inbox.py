"""Issue 9: one bad file never stops the others, and odd paths are reported, not followed.

One inbox holds good reports next to every kind of bad input; the real CLI runs it
(``ronghe run``) with file permissions enforced (as root: CAP_DAC_OVERRIDE dropped),
on a real DuckDB file. Each test below checks one item of the issue.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter

from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)
from tests.support.hardening import assert_cannot_read, cli, cli_env, drop_file_permissions

BIG = "长" * (70 * 1024)  # 210 KiB of UTF-8: over the C csv module's default 128 KiB
GBK_NAME = os.fsdecode("项目_南通_gbk.csv".encode("gbk"))
HOUR_AGO = time.time() - 3600


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    wb.close()
    return path


def _build_inbox(base: Path) -> Path:
    inbox = base / "inbox"
    inbox.mkdir()
    outside = base / "outside"
    outside.mkdir()
    write_csv(outside / "supervision_outside.csv", [supervision_row(unit=COUNTY2)])
    secret = outside / "secret.txt"
    secret.write_text("root:x:0:0:secret\n", encoding="utf-8")

    write_csv(inbox / "supervision_good.csv", [supervision_row()])
    locked = write_csv(inbox / "economy_locked.csv", [economy_row()])
    locked.chmod(0)
    write_csv(inbox / GBK_NAME, [project_row(pid="G1"), project_row(pid="G2")])
    # a 210 KiB cell: in an unknown column (loads), and as a project name (out_of_range)
    write_csv(inbox / "economy_bigcell.csv", [economy_row(unit=COUNTY2, 备注=BIG)])
    write_csv(inbox / "projects_bigname.csv", [project_row(unit=COUNTY2, pid="B1", name=BIG)])
    write_json(
        inbox / "projects_bigname.json",
        [project_row(unit=COUNTY2, pid="B2", name=BIG, period="2017Q2")],
    )
    # empty files: header only, [] JSON, an empty sheet, a header-only sheet, 0 bytes
    header = list(supervision_row())
    (inbox / "supervision_header_only.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    (inbox / "projects_empty.json").write_text("[]", encoding="utf-8")
    _xlsx(inbox / "economy_empty_sheet.xlsx", [])
    _xlsx(inbox / "supervision_header_only.xlsx", [header])
    (inbox / "economy_zero.csv").write_bytes(b"")
    # odd paths
    (inbox / "supervision_passwd.csv").symlink_to("/etc/passwd")
    (inbox / "supervision_secret.csv").symlink_to(secret)
    (inbox / "economy_broken.csv").symlink_to(base / "nowhere.csv")
    (inbox / "economy_loop.csv").symlink_to(inbox / "economy_loop.csv")
    (inbox / "linked_folder").symlink_to(outside)
    os.mkfifo(inbox / "supervision_fifo.csv")
    closed = inbox / "closed"
    closed.mkdir()
    write_csv(closed / "supervision_closed.csv", [supervision_row(unit=COUNTY2, period="2017Q3")])
    (inbox / "sub").mkdir()
    (inbox / "sub" / "supervision_inside.csv").write_bytes(
        (inbox / "supervision_good.csv").read_bytes()
    )
    (inbox / "sub" / "supervision_link_inside.csv").symlink_to(inbox / "supervision_good.csv")
    for p in [*inbox.rglob("*"), *closed.iterdir()]:
        os.utime(p, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)
    closed.chmod(0)
    # still being written: 4 of 8 rows, modified just now
    rows = [
        project_row(unit=COUNTY2, pid=f"W{i}", period="2017Q4", submitted_at="2018-01-10 09:00")
        for i in range(8)
    ]
    write_csv(inbox / "projects_writing.csv", rows[:4])
    return inbox


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    prefix = drop_file_permissions()
    base = tmp_path_factory.mktemp("inbox")
    inbox = _build_inbox(base)
    home = base / "home"
    assert_cannot_read(prefix, inbox / "economy_locked.csv")
    env = cli_env(home, RONGHE_SETTLE_SECONDS="600")
    first = cli(
        "run", "--period", "2017Q1", "--inbox", str(inbox), home=home, env=env, prefix=prefix
    )
    # the rest of the file arrives; a later run takes it (and the locked file blocks nothing)
    rows = [
        project_row(unit=COUNTY2, pid=f"W{i}", period="2017Q4", submitted_at="2018-01-10 09:00")
        for i in range(8)
    ]
    write_csv(inbox / "projects_writing.csv", rows)
    os.utime(inbox / "projects_writing.csv", (HOUR_AGO, HOUR_AGO))
    second = cli(
        "run", "--period", "2017Q1", "--inbox", str(inbox), home=home, env=env, prefix=prefix
    )
    yield {
        "home": home,
        "inbox": inbox,
        "base": base,
        "first": first,
        "second": second,
        "prefix": prefix,
    }
    (inbox / "closed").chmod(0o755)


def _q(home: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _manifest(home: Path) -> dict[str, tuple[Any, ...]]:
    rows = _q(
        home,
        "SELECT path, status, rows_read, rows_loaded, rows_quarantined, sha256, archive_path"
        " FROM meta.file_manifest",
    )
    return {Path(r[0]).name: r[1:] for r in rows}


def _file_reasons(home: Path) -> dict[str, tuple[list[str], str]]:
    return {
        Path(p).name: (r, d)
        for p, r, d in _q(home, "SELECT path, reasons, detail FROM quarantine.files")
    }


def test_runs_finish_without_traceback(ran: dict[str, Any]) -> None:
    for proc in (ran["first"], ran["second"]):
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    assert _q(ran["home"], "SELECT count(*) FROM meta.runs WHERE state = 'completed'") == [(2,)]


def test_unreadable_file_is_its_own_unreadable_file(ran: dict[str, Any]) -> None:
    home = ran["home"]
    reasons, detail = _file_reasons(home)["economy_locked.csv"]
    assert reasons == ["unreadable_file"] and "Permission denied" in detail
    status, read, *_ = _manifest(home)["economy_locked.csv"]
    assert status == "rejected" and read == 0
    # everything else loaded
    assert _q(home, "SELECT count(*) FROM core.supervision WHERE unit_code = ?", [COUNTY]) == [(1,)]
    # and it blocks no later run: recognised, not recorded twice
    assert (
        "1 already received" in ran["second"].stderr or "already received" in ran["second"].stderr
    )
    assert _q(
        home, "SELECT count(*) FROM quarantine.files WHERE path LIKE '%economy_locked.csv'"
    ) == [(1,)]


def test_non_utf8_name_is_loaded_and_shown_readably(ran: dict[str, Any], tmp_path: Path) -> None:
    home = ran["home"]
    m = _manifest(home)
    assert "项目_南通_gbk.csv" in m, sorted(m)
    status, read, loaded, *_ = m["项目_南通_gbk.csv"]
    assert (status, read, loaded) == ("loaded", 2, 2)
    assert _q(home, "SELECT count(*) FROM core.projects WHERE project_id IN ('G1', 'G2')") == [(2,)]
    # validate agrees, and names it readably
    proc = cli("validate", str(ran["inbox"] / GBK_NAME), home=tmp_path / "h")
    assert proc.returncode == 0, proc.stderr
    assert "项目_南通_gbk.csv" in proc.stdout and "1 loadable, 0 quarantined" in proc.stdout


def test_a_huge_csv_cell_is_judged_like_json(ran: dict[str, Any]) -> None:
    home = ran["home"]
    m = _manifest(home)
    assert m["economy_bigcell.csv"][:2] == ("loaded", 1)
    reasons = dict(
        _q(
            home,
            "SELECT period, reasons FROM quarantine.reports"
            " WHERE kind = 'projects' AND unit_code = ?",
            [COUNTY2],
        )
    )
    assert reasons["2017Q1"] == ["out_of_range"]  # the CSV
    assert reasons["2017Q2"] == ["out_of_range"]  # the JSON
    assert "projects_bigname.csv" not in _file_reasons(home)


@pytest.mark.parametrize(
    "name",
    [
        "supervision_header_only.csv",
        "projects_empty.json",
        "economy_empty_sheet.xlsx",
        "supervision_header_only.xlsx",
        "economy_zero.csv",
    ],
)
def test_files_without_data_rows_are_empty_file(ran: dict[str, Any], name: str) -> None:
    home = ran["home"]
    reasons, detail = _file_reasons(home)[name]
    assert reasons == ["empty_file"] and detail
    assert _manifest(home)[name][:2] == ("rejected", 0)


def test_symlinks_out_of_the_inbox_are_not_followed(ran: dict[str, Any]) -> None:
    home = ran["home"]
    m = _manifest(home)
    assert not any(
        n in m
        for n in ("supervision_passwd.csv", "supervision_secret.csv", "supervision_outside.csv")
    )
    archived = [p for p in (home / "archive").rglob("*") if p.is_file()]
    assert archived and not any(b"root:" in p.read_bytes() for p in archived)
    skipped = dict(
        _q(
            home,
            "SELECT path, reason FROM meta.skipped WHERE run_id ="
            " (SELECT run_id FROM meta.runs ORDER BY started_at LIMIT 1)",
        )
    )
    inbox = ran["inbox"]
    assert skipped[str(inbox / "supervision_passwd.csv")] == "symlink_outside_inbox"
    assert skipped[str(inbox / "supervision_secret.csv")] == "symlink_outside_inbox"
    # a link to a file inside the inbox is fine (same bytes: already received)
    assert str(inbox / "sub" / "supervision_link_inside.csv") not in skipped


def test_odd_paths_are_reported_with_their_reason(ran: dict[str, Any]) -> None:
    home, inbox = ran["home"], ran["inbox"]
    first_run = "SELECT run_id FROM meta.runs ORDER BY started_at LIMIT 1"
    rows = _q(home, f"SELECT path, reason, detail FROM meta.skipped WHERE run_id = ({first_run})")
    skipped = {p: (r, d) for p, r, d in rows}
    assert skipped[str(inbox / "economy_broken.csv")][0] == "broken_symlink"
    assert skipped[str(inbox / "economy_loop.csv")][0] == "symlink_loop"
    assert skipped[str(inbox / "linked_folder")][0] == "symlinked_folder"
    assert skipped[str(inbox / "supervision_fifo.csv")][0] == "not_a_regular_file"
    reason, detail = skipped[str(inbox / "closed")]
    assert reason == "unreadable_folder" and "Permission denied" in detail
    err = ran["first"].stderr
    for word in (
        "symlink_outside_inbox",
        "broken_symlink",
        "symlink_loop",
        "symlinked_folder",
        "not_a_regular_file",
        "unreadable_folder",
    ):
        assert word in err, err


def test_a_file_still_being_written_waits_for_the_next_run(ran: dict[str, Any]) -> None:
    home, inbox = ran["home"], ran["inbox"]
    runs = [r[0] for r in _q(home, "SELECT run_id FROM meta.runs ORDER BY started_at")]
    first = dict(_q(home, "SELECT path, reason FROM meta.skipped WHERE run_id = ?", [runs[0]]))
    assert first[str(inbox / "projects_writing.csv")] == "not_settled"
    assert "not_settled" in ran["first"].stderr and "next run" in ran["first"].stderr
    # never loaded as the 4-row cut: only the complete 8-row file
    versions = _q(
        home, "SELECT rows_read FROM meta.file_manifest WHERE path LIKE '%projects_writing.csv'"
    )
    assert versions == [(8,)]
    assert _q(home, "SELECT count(*) FROM core.projects WHERE period = '2017Q4'") == [(8,)]


def test_validate_rejects_an_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "supervision_h.csv"
    f.write_text(",".join(supervision_row()) + "\n", encoding="utf-8")
    proc = cli("validate", str(f), home=tmp_path / "h")
    assert proc.returncode == 1
    assert "整个文件被拒收 rejected" in proc.stdout and "[empty_file]" in proc.stdout


def test_ingest_names_a_non_utf8_file(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "in" / GBK_NAME, [project_row(pid="N1")])
    home = tmp_path / "home"
    proc = cli("ingest", str(f), home=home)
    assert proc.returncode == 0, proc.stderr
    got = _q(home, "SELECT path, status FROM meta.file_manifest")
    assert got == [(str(tmp_path / "in" / "项目_南通_gbk.csv"), "loaded")]


def test_watch_announces_a_non_utf8_file(tmp_path: Path) -> None:
    from flows.watch import Ledger, Watcher
    from transforms.paths import param_path

    inbox = tmp_path / "inbox"
    f = write_csv(inbox / GBK_NAME, [project_row()])
    os.utime(f, (HOUR_AGO, HOUR_AGO))
    sent: list[str] = []
    ledger = tmp_path / "announced.json"
    clock = iter([0.0, 10.0])
    w = Watcher(inbox, Ledger(ledger), lambda p, k, s: sent.append(str(p)), 5, lambda: next(clock))
    w.poll()
    assert w.poll() == [f]
    json.loads(ledger.read_text(encoding="utf-8"))  # saved as valid UTF-8 JSON
    assert Ledger(ledger).announced(f, (f.stat().st_size, f.stat().st_mtime_ns))
    from transforms.paths import path_param

    assert param_path(path_param(f)) == f and path_param(f).isascii()


def test_validate_says_what_it_skipped(ran: dict[str, Any], tmp_path: Path) -> None:
    proc = cli("validate", str(ran["inbox"]), home=tmp_path / "h", prefix=ran["prefix"])
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("SKIPPED")]
    assert any("supervision_passwd.csv" in ln and "symlink_outside_inbox" in ln for ln in lines)
    assert any("supervision_fifo.csv" in ln and "not_a_regular_file" in ln for ln in lines)
    assert "root:" not in proc.stdout
