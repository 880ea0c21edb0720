"""``ronghe notify`` and ``ronghe rebuild`` as an operator meets them: one-line usage
errors before anything starts, the outbox listed at 80 columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cli.layout import width
from cli.main import main
from notify.notice import Notice
from notify.outbox import Outbox


def test_a_wrong_channels_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "channels.toml").write_text(
        '[[channel]]\nname = "x"\nurl = "json://10.0.0.9/hook"\nunits = ["320699999999"]\n',
        encoding="utf-8",
    )
    assert main(["--home", str(home), "notify", "--check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unit '320699999999' is not in the unit registry" in err[0]
    (home / "channels.toml").write_text(
        '[[channel]]\nname = "x"\nurl = "wecombot://KEY:SECRET@x"\n', encoding="utf-8"
    )
    assert main(["--home", str(home), "notify"]) == 2  # before any server
    assert "holds a password" in capsys.readouterr().err


def test_check_says_a_channel_whose_url_variable_is_unset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "channels.toml").write_text(
        '[[channel]]\nname = "rudong"\nurl_env = "RONGHE_T_ROBOT"\nunits = ["320623000000"]\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("RONGHE_T_ROBOT", raising=False)
    assert main(["--home", str(home), "notify", "--check"]) == 0
    assert "RONGHE_T_ROBOT is not set" in capsys.readouterr().err
    monkeypatch.setenv("RONGHE_T_ROBOT", "dingtalk://SEC0123456789@abcdef0123456789/")
    assert main(["--home", str(home), "notify", "--check"]) == 0
    err = capsys.readouterr().err
    assert "not ready" in err and "加签" in err and "SEC0123456789" not in err
    monkeypatch.setenv("RONGHE_T_ROBOT", "wecombot://abc")
    assert main(["--home", str(home), "notify", "--check"]) == 0
    assert "channel rudong: 320623000000; every kind; ready" in capsys.readouterr().err


def test_the_outbox_listed_at_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    text = (
        "如东县掘港镇瑞丰村：2017年第一季度党建督导季报被退回（文件“瑞丰村党建督导季报.xlsx”）："
        "第3行「党员数」应为不小于0的整数，收到“-5”。请按回执改正后于2017年4月5日前重新报送。"
    )
    with Outbox.of(home) as box:
        box.add(
            [Notice("quarantined", "a|supervision|320623100201|2017Q1", text, "320623100201")],
            lambda n: ["rudong-wecom-county-office"],
            datetime(2017, 4, 3, 10),
        )
    assert main(["--home", str(home), "notify", "--list"]) == 0
    shown = capsys.readouterr().out
    lines = shown.splitlines()
    assert all(width(line) <= 80 for line in lines)
    assert "1 pending" in lines[0] and "rudong-wecom-county-office" in shown
    assert "".join(line.strip() for line in lines if line.startswith("  ")) == text


def test_rebuild_refuses_its_own_archive_and_a_home_with_a_warehouse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "archive" / "packs").mkdir(parents=True)
    assert main(["--home", str(home), "rebuild", "--archive", str(home / "archive")]) == 2
    assert "this home's own archive" in capsys.readouterr().err
    other = tmp_path / "backup"
    (other / "packs").mkdir(parents=True)
    (home / "warehouse.duckdb").write_bytes(b"")
    assert main(["--home", str(home), "rebuild", "--archive", str(other)]) == 2
    assert "already has a warehouse" in capsys.readouterr().err
    assert main(["--home", str(home), "rebuild", "--archive", str(tmp_path)]) == 2
    assert "has no packs/ folder" in capsys.readouterr().err
