"""Issue 19, group 8: modes. A warehouse mode that lets others write is refused; under
``umask 000`` the receipts, the 通报 and ``archive --out`` still get their own modes."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import project_row, supervision_row, write_csv
from tests.support.hardening import cli, cli_env, one_line_error
from transforms.periods import last_complete, next_period, start_of

# the quarter just ended: its round (deadline + correction window) is open today, so the
# chase has units to name (a quarter of 2017 is long over: nobody is chased for it)
RECENT = last_complete(datetime.now())
FILED = start_of(next_period(RECENT)).strftime("%Y-%m-%d 09:30")

UMASK_000 = ("sh", "-c", 'umask 000 && exec "$@"', "sh")


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("mode", ["0777", "0660", "0646", "0750"])
def test_a_mode_letting_others_write_or_run_is_refused(tmp_path: Path, mode: str) -> None:
    home = tmp_path / "home"
    proc = cli("status", home=home, env=cli_env(home, RONGHE_WAREHOUSE_MODE=mode))
    assert proc.returncode == 2, proc.stderr
    assert "RONGHE_WAREHOUSE_MODE" in one_line_error(proc) or "warehouse_mode" in proc.stderr


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("modes")
    inbox = base / "inbox"
    inbox.mkdir()
    write_csv(inbox / "supervision_a.csv", [supervision_row(period=RECENT, submitted_at=FILED)])
    write_csv(inbox / "projects_a.csv", [project_row(period=RECENT, submitted_at=FILED)])
    home = base / "home"
    proc = cli("run", "--period", RECENT, "--inbox", str(inbox), home=home, prefix=UMASK_000)
    return {"proc": proc, "home": home, "base": base}


def test_receipts_and_reports_get_their_modes_whatever_the_umask(ran: dict[str, Any]) -> None:
    assert ran["proc"].returncode == 0, ran["proc"].stderr[-2000:]
    home = ran["home"]
    for root in (home / "receipts", home / "reports"):
        files = [p for p in root.rglob("*") if p.is_file()]
        assert files, root
        for f in files:
            assert _mode(f) == 0o640, f
        for d in [root, *(p for p in root.rglob("*") if p.is_dir())]:
            assert _mode(d) == 0o750, d


def test_archive_out_is_the_owners_only(ran: dict[str, Any]) -> None:
    home = ran["home"]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        (sha,) = con.execute("SELECT sha256 FROM meta.file_manifest LIMIT 1").fetchone() or ()
    finally:
        con.close()
    target = ran["base"] / "copy.csv"
    proc = cli("archive", sha, "--out", str(target), home=home, prefix=UMASK_000)
    assert proc.returncode == 0, proc.stderr
    assert _mode(target) == 0o600


def test_chase_lists_get_the_receipts_modes_whatever_the_umask(ran: dict[str, Any]) -> None:
    home = ran["home"]
    proc = cli("chase", "--period", RECENT, home=home, prefix=UMASK_000)
    assert proc.returncode == 0, proc.stderr
    root = home / "chase"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files
    assert {_mode(f) for f in files} == {0o640}
    assert {_mode(d) for d in [root, *(p for p in root.rglob("*") if p.is_dir())]} == {0o750}


def test_an_export_gets_the_warehouse_s_modes_whatever_the_umask(ran: dict[str, Any]) -> None:
    out = ran["base"] / "export"
    proc = cli(
        "export", "--period", RECENT, "--format", "csv", "--out", str(out),
        home=ran["home"], prefix=UMASK_000,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert "columns.csv" in {f.name for f in files}  # the legend too (it was 0666)
    assert {_mode(f) for f in files} == {0o640}
    assert _mode(out) == 0o750
