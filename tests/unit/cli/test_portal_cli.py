"""``ronghe accounts`` (CONTRACT §11), in process: add, reset, disable, list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cli.main import main

UNIT = "320623402200"  # 七里村


def _verify(home: Path, password: str) -> bool:
    from approval.store import open_store
    from config.settings import Settings
    from portal import records
    from portal.security import hasher, verify_password

    acc = records.account(open_store(Settings(home=home).portal_store_url), UNIT)
    return (
        acc is not None
        and not acc.disabled
        and verify_password(hasher(), acc.password_hash, password)
    )


def _must_change(home: Path) -> bool:
    from approval.store import open_store
    from config.settings import Settings
    from portal import records

    acc = records.account(open_store(Settings(home=home).portal_store_url), UNIT)
    return bool(acc.must_change)


def test_accounts_add_reset_disable_list(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RONGHE_PORTAL_HASH", "cheapest")
    base = ["--home", str(home), "accounts"]
    assert main([*base, "add", "--unit", UNIT]) == 0
    password = capsys.readouterr().out.strip()
    assert len(password) == 14 and _verify(home, password)
    assert _must_change(home)  # a password ronghe made is used once
    assert main([*base, "add", "--unit", UNIT]) == 2  # one account per unit
    assert "already" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-one\n"))
    assert main([*base, "reset", "--unit", UNIT, "--password-stdin"]) == 0
    assert capsys.readouterr().out == ""  # a password it was given is never printed
    assert _verify(home, "a-long-enough-one") and not _verify(home, password)
    assert not _must_change(home)  # one the operator chose is not
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main([*base, "reset", "--unit", UNIT, "--password-stdin"]) == 2

    assert main([*base, "disable", "--unit", UNIT]) == 0
    assert not _verify(home, "a-long-enough-one")
    capsys.readouterr()
    assert main([*base, "list", "--format", "csv"]) == 0
    assert f"{UNIT},七里村,disabled," in capsys.readouterr().out
    assert main([*base, "add", "--unit", "999999999999"]) == 2  # not in the registry
    assert main([*base, "add", "--unit", "12"]) == 2  # not a unit code
    assert (home / "portal" / "portal.db").stat().st_mode & 0o077 == 0  # the owner's only
