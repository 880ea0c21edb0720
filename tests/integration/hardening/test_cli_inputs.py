"""Issue 19, group 11: the command line reads full-width quarters, asks before a huge
range, bounds ``--runs``, shows names escaped and never overwrites a template silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.factories import COUNTY, supervision_row, write_csv
from tests.support.hardening import cli, one_line_error


def test_a_full_width_quarter_is_read_like_any_other(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    proc = cli(
        "template", "--kind", "supervision", "--unit", COUNTY, "--period", "２０１６Q4",
        "--out", str(out), home=tmp_path / "home",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    import fastexcel

    cells = fastexcel.read_excel(out.read_bytes()).load_sheet(0, header_row=None).to_polars()
    assert "2016年第四季度" in str(cells.rows())  # read as 2016Q4


@pytest.mark.parametrize("command", ["backfill", "sample"])
def test_a_range_over_40_quarters_needs_yes(tmp_path: Path, command: str) -> None:
    extra = ["--out", str(tmp_path / "s")] if command == "sample" else []
    proc = cli(command, "--from", "1949Q1", "--to", "2999Q4", *extra, home=tmp_path / "home")
    assert proc.returncode == 2
    assert "--yes" in one_line_error(proc)
    assert not (tmp_path / "s").exists() and not (tmp_path / "home" / "warehouse.duckdb").exists()


@pytest.mark.parametrize("runs", ["999999999999999999999", "10001", "0"])
def test_runs_is_bounded(tmp_path: Path, runs: str) -> None:
    proc = cli("status", "--runs", runs, home=tmp_path / "home")
    assert proc.returncode == 2
    assert "--runs" in one_line_error(proc)


def test_a_name_with_a_line_feed_cannot_forge_a_line(tmp_path: Path) -> None:
    name = "supervision_x\nFORGED 0 reports would load.csv"
    path = write_csv(tmp_path / name, [supervision_row()])
    proc = cli("validate", str(path), home=tmp_path / "home")
    lines = (proc.stdout + proc.stderr).splitlines()
    assert not any(line.startswith("FORGED") for line in lines), lines
    assert any("supervision_x\\nFORGED" in line for line in lines), lines
    assert os.path.exists(path)


def test_template_out_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"a filled-in workbook")
    args = ["template", "--kind", "supervision", "--unit", COUNTY, "--period", "2016Q4"]
    proc = cli(*args, "--out", str(out), home=tmp_path / "home")
    assert proc.returncode == 2
    assert "--force" in one_line_error(proc)
    assert out.read_bytes() == b"a filled-in workbook"
    proc = cli(*args, "--out", str(out), "--force", home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() != b"a filled-in workbook"
