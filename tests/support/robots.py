"""The group robots' own HTTPS addresses, answered on loopback; and a local SMTP server.

Apprise sends to 企业微信 and 钉钉 robots at fixed hosts (``qyapi.weixin.qq.com``,
``oapi.dingtalk.com``) over HTTPS. :func:`robots` starts an HTTP proxy on loopback
that takes each ``CONNECT`` to such a host, answers TLS with a certificate of a
test CA (:mod:`trustme`) for that very host, and reads the request as the robot
would. Pointing ``HTTPS_PROXY`` at it and ``REQUESTS_CA_BUNDLE`` at the CA (the test
does, through ``monkeypatch``) sends Apprise's real requests, certificate checked,
here: nothing leaves the machine. While :attr:`Robots.down` is set it answers 503.
A 钉钉 robot with 加签 checks ``sign`` as DingTalk documents it (the query's value,
decoded once, is base64(HMAC-SHA256(secret, "timestamp\\nsecret"))) and otherwise
answers as DingTalk does: HTTP 200 with ``errcode`` 310000 (kept in
:attr:`Robots.refused_sign`, not taken). Past 20 messages in a minute a robot answers
200 with errcode 45009 (企业微信) or 130101 (钉钉) (per robot: its key or token),
kept in :attr:`Robots.too_fast`.

:func:`mailbox` is an SMTP server (aiosmtpd) with STARTTLS and a login, as an
office's mail server has; every message it takes is kept, parsed.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")


@dataclass
class Taken:
    host: str
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]


@dataclass
class Robots:
    proxy: str = ""
    ca_file: str = ""
    taken: list[Taken] = field(default_factory=list)
    tunnels: list[str] = field(default_factory=list)
    down: bool = False
    refused: int = 0
    dingtalk_secret: str = ""
    refused_sign: int = 0
    too_fast: int = 0
    _minute: dict[str, list[float]] = field(default_factory=dict)

    def texts(self, host: str) -> list[str]:
        """The text of each message one robot host took."""
        return [
            str(t.body.get("text", {}).get("content", "")) for t in self.taken if t.host == host
        ]


def _dingtalk_sign(secret: str, timestamp: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


@contextlib.contextmanager
def robots(tmp: Path) -> Iterator[Robots]:
    ca = trustme.CA()
    ca_file = tmp / "robots-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS).configure_cert(tls)
    state = Robots(ca_file=str(ca_file))
    lock = threading.Lock()

    class Robot(BaseHTTPRequestHandler):
        """One robot host's HTTPS side (the tunnel's TLS already accepted)."""

        host = ""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                if state.down:
                    state.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                reply = b'{"errcode":0,"errmsg":"ok"}'
                robot = self.host + str(query.get("key", query.get("access_token")))
                recent = [t for t in state._minute.get(robot, []) if t > time.time() - 60]
                if "sign" in query and query["sign"][0] != _dingtalk_sign(
                    state.dingtalk_secret, query.get("timestamp", [""])[0]
                ):
                    state.refused_sign += 1
                    reply = b'{"errcode":310000,"errmsg":"sign not match"}'
                elif len(recent) >= 20:
                    state.too_fast += 1
                    code = b"45009" if self.host.startswith("qyapi") else b"130101"
                    reply = b'{"errcode":' + code + b',"errmsg":"send too fast"}'
                else:
                    state._minute[robot] = [*recent, time.time()]
                    state.taken.append(Taken(self.host, url.path, query, json.loads(body or b"{}")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    class Proxy(BaseHTTPRequestHandler):
        def do_CONNECT(self) -> None:
            host = self.path.rsplit(":", 1)[0]
            with lock:
                state.tunnels.append(self.path)
            if host not in HOSTS:  # nothing else is answered (nor let out)
                self.send_error(403)
                return
            self.send_response(200, "Connection established")
            self.end_headers()
            self.wfile.flush()
            try:
                conn = tls.wrap_socket(self.connection, server_side=True)
            except (ssl.SSLError, OSError):
                self.close_connection = True
                return
            handler = type("Robot", (Robot,), {"host": host})
            with contextlib.suppress(OSError):
                handler(conn, self.client_address, self.server)
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    state.proxy = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass
class Mailbox:
    port: int = 0
    user: str = "ronghe@example.org"
    password: str = "p@ss word/1%"
    ca_file: str = ""
    taken: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def mailbox(tmp: Path) -> Iterator[Mailbox]:
    """An SMTP server on loopback: STARTTLS (a test CA's certificate for 127.0.0.1) and
    a login required, as an office's submission port (587) has."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    ca_file = tmp / "mail-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(tls)
    box = Mailbox(port=_free_port(), ca_file=str(ca_file))

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            raw = envelope.original_content or envelope.content
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            box.taken.append(msg)  # type: ignore[arg-type]
            return "250 OK"

    def login(
        server: object, session: object, envelope: object, mechanism: str, auth: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth, LoginPassword)
            and auth.login.decode() == box.user
            and auth.password.decode() == box.password
        )
        box.logins.append(f"{mechanism}:{'ok' if ok else 'refused'}")
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=box.port,
        tls_context=tls,
        require_starttls=True,
        authenticator=login,
        auth_required=True,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
