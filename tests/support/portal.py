"""The portal as people reach it: ``ronghe portal`` in a subprocess on a free port.

One server per test module (its own home); accounts made through the store as
``ronghe accounts`` makes them (argon2's cheapest parameters, for speed: the server
verifies any parameters); report files written as a clerk's office program saves a CSV.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.realistic import chinese, economy_row, supervision_row
from transforms.columns import ECONOMY, SUPERVISION

BIN = Path(sys.executable).parent
COUNTY = "320623000000"  # 如东县
TOWN = "320623402000"  # 如东沿海经济开发区: one village
VILLAGE = "320623402200"  # 七里村
OTHER_TOWN = "320623100000"  # 掘港镇 (another subtree)
OTHER_VILLAGE = "320623100200"  # 瑞丰村, under 掘港镇
PASSWORD = "correct-horse-1"
LEVEL = {COUNTY: "county", TOWN: "township", OTHER_TOWN: "township"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def add_account(home: Path, unit: str, password: str = PASSWORD, once: bool = False) -> None:
    from approval.store import open_store
    from config.settings import Settings
    from portal import records
    from portal.security import hash_password, hasher

    engine = open_store(Settings(home=home).portal_store_url)
    hashed = hash_password(hasher("cheapest"), password)
    records.add_account(engine, unit, hashed, datetime.now(), once=once)
    engine.dispose()


@contextlib.contextmanager
def portal_server(home: Path, **env: str) -> Iterator[str]:
    """``ronghe portal`` on a free loopback port; its base URL while the block runs."""
    port = free_port()
    log = (home / "portal-server.log").open("wb")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("RONGHE_", "PREFECT_API"))}
    environ.update(
        RONGHE_HOME=str(home), RONGHE_PORTAL_HASH="cheapest", RONGHE_SETTLE_SECONDS="0", **env
    )
    proc = subprocess.Popen(
        [str(BIN / "ronghe"), "portal", "--port", str(port)],
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(
                    "the portal did not start:\n" + (home / "portal-server.log").read_text()
                )
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class Visitor(httpx.Client):
    """A browser-like client: the session cookie, and the CSRF token of its login."""

    def __init__(self, url: str, address: str = "127.0.0.9") -> None:
        # the server believes X-Forwarded-For from 127.0.0.1 (a proxy): each visitor
        # is a client address of its own for the login limits
        super().__init__(base_url=url, timeout=120, headers={"X-Forwarded-For": address})
        self.csrf = ""

    def login(self, unit: str, password: str = PASSWORD) -> httpx.Response:
        r = self.post("/api/login", json={"unit_code": unit, "password": password})
        if r.status_code == 200:
            self.csrf = r.json()["csrf_token"]
        return r

    def send_file(self, path: Path, name: str | None = None) -> httpx.Response:
        files = {"file": (name or path.name, path.read_bytes())}
        return self.post("/api/uploads", files=files, headers={"X-CSRF-Token": self.csrf})

    def confirm(self, receipt: str, notes: dict[str, str] | None = None) -> httpx.Response:
        body: dict[str, Any] = {"explanations": notes} if notes else {}
        return self.post(
            f"/api/uploads/{receipt}/confirm", json=body, headers={"X-CSRF-Token": self.csrf}
        )

    def act(
        self, kind: str, unit: str, action: str, reason: str = "", period: str = "2017Q1"
    ) -> httpx.Response:
        body = {
            "kind": kind,
            "unit_code": unit,
            "period": period,
            "action": action,
            "reason": reason,
        }
        return self.post("/api/approvals", json=body, headers={"X-CSRF-Token": self.csrf})


def report_csv(folder: Path, kind: str, unit: str, name: str = "", **over: Any) -> Path:
    """A one-row report of ``unit`` (2017Q1) as a UTF-8 CSV under Chinese headers."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    if kind == "supervision":
        decl, row = SUPERVISION, supervision_row(unit, explanation=None)
    else:
        decl, row = ECONOMY, economy_row(LEVEL.get(unit, "village"), unit)
    row.update(over)
    zh = chinese(decl, row)
    path = folder / (name or f"{decl.zh}_{unit}.csv")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(zh))
        w.writeheader()
        w.writerow(zh)
    return path
