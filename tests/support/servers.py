"""Real servers for the pull tests, started in ``tmp_path`` on loopback, torn down after.

- :func:`sshd`: OpenSSH's ``sshd -D -f CONFIG`` (Debian ``openssh-server``) with a
  throwaway host key, on a free port; the client logs in as the user running the
  tests with a throwaway key (``AuthorizedKeysFile`` in tmp): no user is added, nothing
  in ``/etc`` is touched. Needs root (sshd changes to the user it authenticates).
- :func:`ftpd`: pyftpdlib in a thread, one user with a password, names on the wire in
  GBK (``encoding``), as a county's intranet FTP server sends them.
- :func:`smbd`: Samba's ``smbd`` (Debian ``samba``) with its own ``smb.conf``, state
  folders and passdb in tmp, one share of a tmp folder, the running user added with
  ``smbpasswd -a`` to that private passdb. Needs root.

Without systemd: each server is a child process (or thread) of the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
SMBD = "/usr/sbin/smbd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (a source that is down)."""
    return free_port()


def wait_port(
    port: int, proc: subprocess.Popen[bytes] | None, log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"server exited ({proc.returncode}): {log.read_text(errors='replace')[-2000:]}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(
        f"server on port {port} did not start: {log.read_text(errors='replace')[-2000:]}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def needs_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"{what} runs as root here (CI is root)")


@dataclass(frozen=True)
class Server:
    port: int
    root: Path  # the folder the server shares
    user: str
    password: str | None = None  # the login's password (FTP, SMB)
    key_file: Path | None = None  # the login's private key (SFTP)
    host_key: str | None = None  # the server's public host key line (SFTP), to pin it
    log: Path | None = None  # the server's log (SFTP)


@contextlib.contextmanager
def sshd(
    tmp: Path, port: int | None = None, share: Path | None = None, client_key: Path | None = None
) -> Iterator[Server]:
    """An sshd with a new host key of its own (``port``, ``share``, ``client_key``: those of
    another one, as an impostor answering in a server's place would have them)."""
    needs_root("sshd")
    if not Path(SSHD).exists():
        pytest.skip("no sshd (Debian openssh-server)")
    tmp.mkdir(parents=True, exist_ok=True)
    host_key = tmp / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    if client_key is None:
        client_key = tmp / "client_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(client_key)], check=True
        )
    (tmp / "authorized_keys").write_text(client_key.with_suffix(".pub").read_text())
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    if share is None:
        share = tmp / "share"
        share.mkdir()
    port = port or free_port()
    config = tmp / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {tmp / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {tmp / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nSubsystem sftp internal-sftp\nLogLevel DEBUG1\n"
    )
    log = tmp / "sshd.log"
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=log.open("wb"))
    try:
        wait_port(port, proc, log)
        import pwd

        user = pwd.getpwuid(os.geteuid()).pw_name
        pub = host_key.with_suffix(".pub").read_text().strip()
        yield Server(port, share, user, key_file=client_key, host_key=pub, log=log)
    finally:
        _stop(proc)


@contextlib.contextmanager
def ftpd(
    tmp: Path, user: str = "ronghe", password: str = "s3cret", encoding: str = "gbk"
) -> Iterator[Server]:
    import logging

    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

    logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
    share = tmp / "share"
    share.mkdir(parents=True)
    auth = DummyAuthorizer()
    auth.add_user(user, password, str(share), perm="elradfmw")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = auth
    Handler.encoding = encoding  # the names' bytes on the wire
    Handler.passive_ports = None
    port = free_port()
    server = ThreadedFTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    try:
        wait_port(port, None, tmp / "none")
        yield Server(port, share, user, password)
    finally:
        server.close_all()
        thread.join(10)


@contextlib.contextmanager
def smbd(tmp: Path, password: str = "Sm8-secret") -> Iterator[Server]:
    needs_root("smbd")
    if not Path(SMBD).exists():
        pytest.skip("no smbd (Debian samba)")
    import pwd

    user = pwd.getpwuid(os.geteuid()).pw_name
    share = tmp / "share"
    share.mkdir(parents=True)
    dirs = {d: tmp / d for d in ("private", "lock", "state", "cache", "pid", "ncalrpc", "logs")}
    for d in dirs.values():
        d.mkdir()
    port = free_port()
    conf = tmp / "smb.conf"
    conf.write_text(
        "[global]\n"
        "  server role = standalone server\n"
        f"  smb ports = {port}\n"
        "  interfaces = lo\n  bind interfaces only = yes\n"
        f"  passdb backend = tdbsam:{dirs['private'] / 'passdb.tdb'}\n"
        f"  private dir = {dirs['private']}\n  lock directory = {dirs['lock']}\n"
        f"  state directory = {dirs['state']}\n  cache directory = {dirs['cache']}\n"
        f"  pid directory = {dirs['pid']}\n  ncalrpc dir = {dirs['ncalrpc']}\n"
        f"  log file = {dirs['logs']}/log.%m\n  log level = 1\n"
        "  load printers = no\n  printing = bsd\n  printcap name = /dev/null\n"
        "  disable spoolss = yes\n  map to guest = never\n  server min protocol = SMB2_10\n"
        "  disable netbios = yes\n  server services = -nbt\n"
        "[reports]\n"
        f"  path = {share}\n  read only = no\n  guest ok = no\n  valid users = {user}\n"
    )
    subprocess.run(
        ["smbpasswd", "-c", str(conf), "-a", "-s", user],
        input=f"{password}\n{password}\n".encode(),
        check=True,
        capture_output=True,
    )
    log = tmp / "smbd.log"
    proc = subprocess.Popen(
        [SMBD, "--foreground", "--debug-stdout", "-s", str(conf)],
        stdin=subprocess.DEVNULL,  # smbd makes its own session (and signals it when it stops)
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, proc, log)
        yield Server(port, share, user, password)
    finally:
        _stop(proc)
        shutil.rmtree(dirs["ncalrpc"], ignore_errors=True)
