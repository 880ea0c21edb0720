"""Issue 9, faults and usage: one line, the right exit status, nothing written elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main
from config.settings import Settings
from tests.support.hardening import cli, cli_env, one_line_error


def _usage(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ronghe: error:"), err
    return err[0]


def test_missing_inbox_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(tmp_path / "home")
    err = _usage(capsys, "--home", home, "run", "--period", "2017Q1", "--inbox", "/nonexistent")
    assert "no such folder: /nonexistent" in err
    _usage(
        capsys,
        "--home",
        home,
        "backfill",
        "--from",
        "2017Q1",
        "--to",
        "2017Q2",
        "--inbox",
        "/nonexistent",
    )
    (tmp_path / "f.csv").write_text("x", encoding="utf-8")
    assert "not a folder" in _usage(
        capsys, "--home", home, "run", "--period", "2017Q1", "--inbox", str(tmp_path / "f.csv")
    )
    assert not (tmp_path / "home").exists()  # nothing started, nothing written


def test_the_real_cli_exits_2_for_a_missing_inbox(tmp_path: Path) -> None:
    proc = cli("run", "--period", "2017Q1", "--inbox", "/nonexistent", home=tmp_path / "home")
    assert proc.returncode == 2
    assert "no such folder" in one_line_error(proc)


def test_absurd_periods_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert "out of range" in _usage(capsys, "run", "--period", "0001Q1")
    assert "out of range" in _usage(capsys, "backfill", "--from", "0001Q1", "--to", "2017Q1")
    assert "out of range" in _usage(capsys, "run", "--period", "9999Q4")


def test_status_runs_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("-5", "0", "x"):
        err = _usage(capsys, "--home", str(tmp_path), "status", "--runs", bad)
        assert "--runs" in err


def test_empty_ronghe_home_is_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RONGHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert Settings.load().home == tmp_path / "user" / ".ronghe"
    assert Settings.load("").home == tmp_path / "user" / ".ronghe"
    monkeypatch.setenv("RONGHE_SETTLE_SECONDS", "")
    assert Settings.load().settle_seconds == 5.0


def test_empty_ronghe_home_does_not_write_the_current_folder(tmp_path: Path) -> None:
    cwd, user = tmp_path / "cwd", tmp_path / "user"
    cwd.mkdir()
    user.mkdir()
    env = cli_env(None, RONGHE_HOME="", HOME=str(user))
    proc = cli(
        "sample",
        "--out",
        str(tmp_path / "s"),
        "--from",
        "2017Q1",
        "--to",
        "2017Q1",
        home=None,
        env=env,
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stderr
    proc = cli("query", "SELECT 1", home=None, env=env, cwd=cwd)
    assert proc.returncode == 1
    assert str(user / ".ronghe") in one_line_error(proc)
    assert list(cwd.iterdir()) == []
    err = cli("--home", "", "query", "SELECT 1", home=None, env=env, cwd=cwd)
    assert err.returncode == 2 and list(cwd.iterdir()) == []
