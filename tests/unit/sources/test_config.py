"""The sources file: what it accepts, and one clear line for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from sources.config import SourcesError, parse_sources

UNITS = {"320623000000", "320602000000"}
GOOD = """
[[source]]
name = "rudong"
unit = "320623000000"
url = "ftp://ronghe@127.0.0.1:2121/upload"
password_env = "RONGHE_RUDONG_PASSWORD"
encoding = "gbk"
include = ["*.xlsx", "*.csv"]
complete = "marker"
after = "move:processed/"

[[source]]
name = "chongchuan"
unit = "320602000000"
url = "smb://clerk@10.1.2.3/reports/2017"
secret_block = "chongchuan-smb"
"""


def test_a_good_file_gives_every_source_with_its_settings() -> None:
    ftp, smb = parse_sources(GOOD, UNITS)
    assert (ftp.name, ftp.scheme, ftp.host, ftp.port, ftp.username) == (
        "rudong",
        "ftp",
        "127.0.0.1",
        2121,
        "ronghe",
    )
    assert (ftp.root, ftp.encoding, ftp.include, ftp.complete) == (
        "/upload",
        "gbk",
        ("*.xlsx", "*.csv"),
        "marker",
    )
    assert ftp.move_to == "processed" and ftp.timeout == 10.0
    assert (smb.root, smb.secret_block, smb.password_env) == (
        "/reports/2017",
        "chongchuan-smb",
        None,
    )
    assert smb.complete == "stable" and smb.after == "keep" and smb.move_to is None
    assert "*.json" in smb.include  # the default patterns


def _one(**keys: object) -> str:
    base: dict[str, object] = {"name": "a", "unit": "320623000000", "url": "sftp://u@h/x"}
    base.update(keys)
    body = "\n".join(
        f"{k} = {v!r}".replace("'", '"') if not isinstance(v, list) else f"{k} = {v!r}"
        for k, v in base.items()
        if v is not None
    )
    return "[[source]]\n" + body + "\n"


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"name": "Rudong"}, "name 'Rudong' must be"),
        ({"unit": "999999999999"}, "not in the unit registry"),
        ({"url": "http://h/x"}, "url scheme 'http'"),
        ({"url": "ftp://u:hunter2@h/x"}, "the url holds a password"),
        ({"password_env": "A", "secret_block": "b"}, "not both"),
        ({"password_env": "1BAD"}, "is not a variable name"),
        ({"encoding": "klingon"}, "unknown encoding"),
        ({"complete": "soon"}, "complete must be 'stable' or 'marker'"),
        ({"after": "delete"}, "after must be 'keep' or 'move:FOLDER/'"),
        ({"after": "move:a/../../etc"}, "must stay inside"),
        ({"include": []}, "'include' must be"),
        ({"url": None}, "'url' is missing"),
        ({"colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_each_mistake_is_one_line_naming_the_source_and_key(
    keys: dict[str, object], words: str
) -> None:
    with pytest.raises(SourcesError) as err:
        parse_sources(_one(**keys), UNITS, "s.toml")
    message = str(err.value)
    assert words in message
    assert message.startswith("s.toml: source 1") and "\n" not in message
    assert "hunter2" not in message


def test_a_name_used_twice_and_bad_toml_are_refused() -> None:
    with pytest.raises(SourcesError, match="used twice"):
        parse_sources(_one() + _one(), UNITS)
    with pytest.raises(SourcesError, match="not valid TOML"):
        parse_sources("[[source]\nname=", UNITS)


# --- issue 30: deposits -----------------------------------------------------------------


def test_password_env_holding_the_password_is_refused_without_repeating_it() -> None:
    for given in ("hunter2!pw", "p@ss word", "Zx9#-long-password"):
        with pytest.raises(SourcesError) as err:
            parse_sources(_one(password_env=given), UNITS, "s.toml")
        assert given not in str(err.value) and "not a variable name" in str(err.value)


def test_a_file_source_never_reads_the_root_or_the_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    for url in ("file:///", "file:///./", f"file://{home}", f"file://{home}/reports",
                f"file://{tmp_path}", f"file://{home}/inbox/../.."):  # fmt: skip
        with pytest.raises(SourcesError, match=r"root folder|ronghe's home"):
            parse_sources(_one(url=url), UNITS, "s.toml", home)
    elsewhere = tmp_path / "deposits" / "rudong"
    [src] = parse_sources(_one(url=f"file://{elsewhere}"), UNITS, "s.toml", home)
    assert src.root == str(elsewhere)
    # a server's root is the server's business (a chrooted SFTP deposit is "/")
    assert parse_sources(_one(url="sftp://u@h/"), UNITS, "s.toml", home)[0].root == "/"


FP = "SHA256:" + "A" * 43


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"host_key": "AA:BB:CC"}, "host_key must be the server's key fingerprint"),
        ({"host_key": "ssh-ed25519"}, "host_key must be"),
        ({"host_key": FP, "known_hosts": "/k"}, "not both"),
        ({"url": "ftp://u@h/x", "host_key": FP}, "for sftp sources only"),
    ],
)
def test_host_keys_are_checked(keys: dict[str, object], words: str) -> None:
    with pytest.raises(SourcesError, match=words):
        parse_sources(_one(**keys), UNITS, "s.toml")


def test_a_host_key_is_a_fingerprint_a_key_line_or_a_list() -> None:
    line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE9x root@deposit"
    assert parse_sources(_one(host_key=FP), UNITS)[0].host_key == (FP,)
    assert parse_sources(_one(host_key=line), UNITS)[0].host_key == (line,)
    assert parse_sources(_one(host_key=[FP, line]), UNITS)[0].host_key == (FP, line)


@pytest.mark.parametrize(
    ("text", "words"),
    [("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"), ("a = 1" + "0" * 5000, "too long")],
)
def test_a_hostile_toml_is_one_named_line(text: str, words: str) -> None:
    with pytest.raises(SourcesError, match=words) as err:
        parse_sources(text, UNITS, "s.toml")
    assert str(err.value).startswith("s.toml: not valid TOML")
