"""Issue 30, class 1: deposits that lie, impersonate or shout, through the real commands.

Real servers on loopback: OpenSSH ``sshd`` (the deposit ``rudong``, pinned with
``ronghe sources --trust``, then restarted with a new host key on the same port, its
folder and the client's key still there: an impostor that would accept the login;
``haimen``, pinned by ``host_key`` in the sources file; ``haimen-new``, the same server
never pinned) and a hostile FTP server (pyftpdlib): a listing that says 900 MB for a
small file, and a login refused with terminal escapes, a bell and a Markdown link in
its reply. One ``ronghe pull`` (its embedded Prefect server) pulls them all.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import COUNTY, COUNTY2, economy_row, supervision_row, write_csv
from tests.support.hardening import cli, cli_env, one_line_error
from tests.support.servers import Server, free_port, sshd, wait_port

pytestmark = pytest.mark.integration

HOSTILE_REPLY = "\x1b[2J\x1b[31m登录失败\x07 [点此更新](http://evil.example/x)"
SECRET = "Sup3rSecretPassw0rd"


@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """pyftpdlib: user ``ronghe`` sees a 900 MB listing of a small file; ``evil`` is
    refused with a hostile reply. Every RETR is recorded."""
    import logging

    from pyftpdlib.authorizers import AuthenticationFailed, DummyAuthorizer
    from pyftpdlib.filesystems import AbstractedFS
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

    logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
    share = tmp_path_factory.mktemp("ftp") / "share"
    share.mkdir()
    retrieved: list[str] = []

    class Liar(AbstractedFS):
        def stat(self, path: str) -> os.stat_result:
            st = super().stat(path)
            if "huge" in os.path.basename(path):
                return os.stat_result((*st[:6], 900 * 2**20, *st[7:]))
            return st

    class Hostile(DummyAuthorizer):
        def validate_authentication(self, username: str, password: str, handler: Any) -> None:
            if username == "evil":
                raise AuthenticationFailed(HOSTILE_REPLY)
            super().validate_authentication(username, password, handler)

    auth = Hostile()
    auth.add_user("ronghe", "s3cret", str(share), perm="elr")

    class Handler(FTPHandler):
        auth_failed_timeout = 0

        def ftp_RETR(self, file: str) -> Any:
            retrieved.append(os.path.basename(file))
            return super().ftp_RETR(file)

    Handler.authorizer = auth
    Handler.abstracted_fs = Liar
    port = free_port()
    server = ThreadedFTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    try:
        wait_port(port, None, share / "none")
        yield {"server": Server(port, share, "ronghe", "s3cret"), "retrieved": retrieved}
    finally:
        server.close_all()
        thread.join(10)


def _entry(name: str, unit: str, url: str, **keys: str) -> str:
    lines = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    return f'[[source]]\nname = "{name}"\nunit = "{unit}"\nurl = "{url}"\n{lines}\n'


def _done(path: Path) -> None:
    path.with_name(path.name + ".done").write_bytes(b"")


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory, ftp: dict[str, Any]) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("deposits")
    home, sources = base / "home", base / "sources.toml"
    f: Server = ftp["server"]
    write_csv(f.root / "经济指标_ok.csv", [economy_row(COUNTY2, unit_code=COUNTY2)])
    write_csv(f.root / "supervision_huge.csv", [supervision_row(COUNTY2)])
    for name in ("经济指标_ok.csv", "supervision_huge.csv"):
        _done(f.root / name)
    with sshd(base / "haimen") as haimen:
        with sshd(base / "rudong") as rudong:
            write_csv(rudong.root / "supervision_r.csv", [supervision_row(COUNTY2)])
            _done(rudong.root / "supervision_r.csv")
            write_csv(haimen.root / "supervision_h.csv", [supervision_row()])
            _done(haimen.root / "supervision_h.csv")
            url = f"sftp://{rudong.user}@127.0.0.1:{rudong.port}{rudong.root}"
            ssh = {"key_file": str(rudong.key_file), "complete": "marker"}
            hurl = f"sftp://{haimen.user}@127.0.0.1:{haimen.port}{haimen.root}"
            hssh = {"key_file": str(haimen.key_file), "complete": "marker"}
            ftp_url = f"ftp://ronghe@127.0.0.1:{f.port}/"
            sources.write_text(
                _entry("rudong", COUNTY2, url, **ssh)
                + _entry("haimen", COUNTY, hurl, host_key=haimen.host_key or "", **hssh)
                + _entry("haimen-new", COUNTY, hurl, **hssh)
                + _entry("ftp-files", COUNTY2, ftp_url, password_env="T_FTP", complete="marker")
                + _entry(
                    "ftp-evil", COUNTY2, f"ftp://evil@127.0.0.1:{f.port}/", password_env="T_FTP"
                )
                + _entry("ftp-unset", COUNTY2, ftp_url, password_env=SECRET),
                encoding="utf-8",
            )
            env = cli_env(home, RONGHE_SOURCES=str(sources), T_FTP="s3cret")
            trusted = cli("sources", "--trust", "rudong", home=home, env=env, timeout=120)
            port, share, key = rudong.port, rudong.root, rudong.key_file
        fingerprint = subprocess.run(
            ["ssh-keygen", "-lf", str(base / "rudong" / "host_key.pub")],
            capture_output=True, text=True, check=True,
        ).stdout.split()[1]  # fmt: skip
        # rudong's sshd restarts with a new key: its folder, and our key still authorised
        with sshd(base / "impostor", port=port, share=share, client_key=key) as impostor:
            proc = cli("pull", home=home, env=env, timeout=300)
        impostor_log, legit_log = impostor.log, haimen.log
    return {
        "proc": proc, "trusted": trusted, "fingerprint": fingerprint, "home": home,
        "impostor_log": impostor_log, "legit_log": legit_log, "retrieved": ftp["retrieved"],
    }  # fmt: skip


def _q(home: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_trust_prints_the_fingerprint_and_pins_it_owner_only(pulled: dict[str, Any]) -> None:
    trusted = pulled["trusted"]
    assert trusted.returncode == 0, trusted.stderr
    assert trusted.stdout.split()[1] == pulled["fingerprint"]  # as ssh-keygen -lf prints it
    known = pulled["home"] / "known_hosts"
    assert stat.S_IMODE(known.stat().st_mode) == 0o600
    assert "compare the fingerprint" in trusted.stderr


def test_an_impostor_with_a_new_host_key_gets_no_login_and_the_source_says_why(
    pulled: dict[str, Any],
) -> None:
    impostor = pulled["impostor_log"].read_text(errors="replace")
    assert "Connection" in impostor  # it was reached …
    assert "userauth" not in impostor and "Accepted" not in impostor  # … and sent nothing
    legit = pulled["legit_log"].read_text(errors="replace")
    assert "userauth" in legit and "Accepted publickey" in legit  # a pinned server: login
    status = dict(_q(pulled["home"], "SELECT source, error FROM meta.source_status"))
    assert status["rudong"].startswith("主机密钥已变更，可能有人冒充服务器，未发送密码")
    assert pulled["fingerprint"] in status["rudong"]  # the pinned key, named
    assert "ronghe sources --trust rudong" in status["rudong"]
    assert status["haimen-new"].startswith("主机密钥未登记，未发送密码 (host key not pinned)")
    assert status["haimen"] is None
    pulls = _q(pulled["home"], "SELECT source, outcome FROM meta.pulls ORDER BY 1, 2")
    assert ("haimen", "pulled") in pulls and not [p for p in pulls if p[0] == "rudong"]


def test_a_file_listed_past_the_limit_is_never_retrieved(pulled: dict[str, Any]) -> None:
    rows = _q(
        pulled["home"],
        "SELECT remote_path, outcome, size, error FROM meta.pulls"
        " WHERE source = 'ftp-files' ORDER BY 1",
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("supervision_huge.csv", "too_large"),
        ("经济指标_ok.csv", "pulled"),
    ]
    assert rows[0][2] == 900 * 2**20 and "over the 100 MB read limit; not read" in rows[0][3]
    assert "supervision_huge.csv" not in pulled["retrieved"]  # no RETR: not a byte read
    assert "经济指标_ok.csv" in pulled["retrieved"]


def test_a_server_s_escapes_are_never_printed_or_stored_raw(pulled: dict[str, Any]) -> None:
    proc = pulled["proc"]
    assert proc.returncode == 1
    line = one_line_error(proc)
    assert "could not reach 4 source(s)" in line
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "\\x1b[2j\\x1b[31m" in line  # (the server capitalises its reply)
    (error,) = _q(pulled["home"], "SELECT error FROM meta.source_status WHERE source='ftp-evil'")[0]
    assert "530 \\x1b[2j" in error and "\\x07" in error
    for (text,) in _q(pulled["home"], "SELECT coalesce(error, '') FROM meta.source_status"):
        assert "\x1b" not in text and "\x07" not in text


def test_a_password_named_as_a_variable_is_never_repeated(pulled: dict[str, Any]) -> None:
    proc = pulled["proc"]
    status = dict(_q(pulled["home"], "SELECT source, error FROM meta.source_status"))
    assert "named by password_env of source ftp-unset is not set" in status["ftp-unset"]
    assert SECRET not in proc.stderr + proc.stdout + str(status)
    for p in (pulled["home"] / "prefect").rglob("*"):
        if p.is_file():
            assert SECRET.encode() not in p.read_bytes(), p


def test_trust_refuses_what_it_cannot_pin(
    pulled: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    home, sources = pulled["home"], pulled["home"].parent / "sources.toml"
    for args, words in (
        (("--trust", "ftp-files"), "not an sftp source"),
        (("--trust", "haimen"), "pins its key in the sources file"),
        (("--trust", "nope"), "no source named 'nope'"),
        (("--trust", "rudong", "--fingerprint", "SHA256:x"), "--fingerprint: give it as"),
    ):
        assert main(["--home", str(home), "sources", "--sources", str(sources), *args]) == 2
        assert words in capsys.readouterr().err
