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
    # ingest's files, named on the command line as --inbox is (the name shown masked)
    err = _usage(capsys, "--home", home, "ingest", "/nonexistent/张三13912345678.csv")
    assert err == "ronghe: error: no such file: /nonexistent/张三139****5678.csv"
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


# --- issue 30: the home is never an inbox; rules with bounds; a wrong --unit ------------


def test_the_home_or_a_folder_holding_it_is_never_an_inbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    for folder in (home, tmp_path, home / "reports"):
        folder.mkdir(parents=True, exist_ok=True)
        err = _usage(
            capsys, "--home", str(home), "run", "--period", "2017Q1", "--inbox", str(folder)
        )
        assert "ronghe's home" in err or "ronghe's own reports/" in err
    assert "ronghe's home" in _usage(capsys, "--home", str(home), "ingest", str(tmp_path))
    (home / "inbox").mkdir()  # the home's own inbox is the default one: fine
    assert not (home / "warehouse.duckdb").exists()


def test_a_file_source_of_the_root_or_the_home_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home, sources = tmp_path / "home", tmp_path / "sources.toml"
    for url in ("file:///", f"file://{home}", f"file://{tmp_path}"):
        sources.write_text(
            f'[[source]]\nname = "s"\nunit = "320623000000"\nurl = "{url}"\n', encoding="utf-8"
        )
        err = _usage(capsys, "--home", str(home), "pull", "--sources", str(sources))
        assert "root folder" in err or "ronghe's home" in err


def test_a_password_in_password_env_is_never_repeated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources.toml"
    secret = "Hunter2-s3cret!"
    sources.write_text(
        '[[source]]\nname = "s"\nunit = "320623000000"\nurl = "ftp://u@127.0.0.1/"\n'
        f'password_env = "{secret}"\n',
        encoding="utf-8",
    )
    err = _usage(capsys, "--home", str(tmp_path / "home"), "pull", "--sources", str(sources))
    assert secret not in err and "not a variable name" in err


HOSTILE_RULES = [
    ("checklist = 40", "checklist = 1e308", "party.weights.checklist must be between 0 and 1000"),
    ("checklist = 40", "checklist = 1" + "0" * 399, "party.weights.checklist must be between"),
    ("checklist = 40", "checklist = nan", "party.weights.checklist must be a finite number"),
    ("growth = 40", "growth = 1001", "development.weights.growth must be between 0 and 1000"),
    ("income_line = 18.0", "income_line = 1e12", "weak_village.income_line must be between"),
    ("party_score_line = 60.0", "party_score_line = 101", "party_score_line must be between"),
    ("threshold = 20", "threshold = 1e308", "review.party_members_change.threshold must be"),
    ("lower = 60, coefficient = 0.8", "lower = 60, coefficient = 1e9", "coefficient must be"),
    ("checklist = 40", "checklist = " + "[" * 5000 + "]" * 5000, "not valid TOML: nested too"),
]


@pytest.mark.parametrize(("old", "new", "words"), HOSTILE_RULES)
def test_a_rules_file_is_checked_with_bounds_naming_the_file_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, words: str
) -> None:
    from warehouse.ruleset import default_rules_path

    rules = tmp_path / "rules.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    assert old in text
    rules.write_text(text.replace(old, new, 1), encoding="utf-8")
    home = str(tmp_path / "home")
    err = _usage(capsys, "--home", home, "run", "--period", "2017Q1", "--rules", str(rules))
    assert f"rules file {rules}" in err and words in err
    assert len(err) < 400  # a 400-digit number is cut in the message


def test_the_real_cli_names_a_hostile_rules_file_in_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("version = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    proc = cli("validate", str(rules), "--rules", str(rules), home=tmp_path / "home")
    assert proc.returncode == 2
    assert one_line_error(proc) == (
        f"ronghe: error: rules file {rules} is not valid TOML: nested too deeply"
    )


def test_a_template_for_a_unit_not_in_the_registry_is_usage(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    proc = cli(
        "template", "--kind", "supervision", "--unit", "999999999999", "--period", "2017Q1",
        "--out", str(out), home=tmp_path / "home",
    )  # fmt: skip
    assert proc.returncode == 2
    assert one_line_error(proc) == (
        "ronghe: error: --unit: unit 999999999999 is not in the registry"
    )
    assert not out.exists()


def test_a_fifo_named_as_rules_or_sources_never_hangs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    home = str(tmp_path / "home")
    err = _usage(capsys, "--home", home, "run", "--period", "2017Q1", "--rules", str(fifo))
    assert "cannot read rules file" in err and "not a regular file" in err
    err = _usage(capsys, "--home", home, "pull", "--sources", str(fifo))
    assert "cannot read the sources file" in err and "not a regular file" in err
