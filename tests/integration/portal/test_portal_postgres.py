"""The portal's store on a real PostgreSQL (Debian's ``postgresql``), as several portal
processes would share it (``RONGHE_PORTAL_STORE=postgresql+psycopg://…``).

A throw-away cluster (``initdb`` as the ``postgres`` user, trust on loopback, its own port
and socket folder), the same application in process, and a run reading the log from it.
Locally the test skips without PostgreSQL; under CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from config.settings import Settings
from tests.support.portal import PASSWORD, TOWN, VILLAGE, free_port

IN_CI = os.environ.get("CI", "").lower() == "true"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if initdb is None or pg_ctl is None or shutil.which("runuser") is None:
        if IN_CI:
            pytest.fail("PostgreSQL is not installed (CI installs it: .ci/run)")
        pytest.skip("PostgreSQL is not installed")
    folder = Path(tempfile.mkdtemp(prefix="ronghe-pg-"))
    os.chmod(folder, 0o755)
    shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_pg, initdb, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = [*as_pg, pg_ctl, "-D", str(data), "-o", opts, "-l", str(folder / "log"), "-w"]
    subprocess.run([*start, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_portal_and_a_run_share_a_postgresql_store(
    postgres: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from approval.store import open_store, read_log
    from portal import records
    from portal.app import build, create_app
    from portal.config import PortalConfig
    from portal.records import Conflict
    from portal.security import hash_password, hasher
    from warehouse.workspace import Workspace

    monkeypatch.setenv("RONGHE_PORTAL_STORE", postgres)
    settings = Settings(home=home)
    assert settings.portal_store_url == postgres
    engine = open_store(postgres)
    for unit in (VILLAGE, TOWN):
        records.add_account(
            engine, unit, hash_password(hasher("cheapest"), PASSWORD), datetime.now()
        )
    two = [
        TestClient(create_app(build(settings, PortalConfig(hash="cheapest", secret="s" * 40))))
        for _ in range(2)
    ]  # two portal processes, one store and one key
    token = two[0].post("/api/login", json={"unit_code": TOWN, "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    assert two[1].get("/api/me", headers=auth).json()["unit_code"] == TOWN  # the other one knows it
    assert two[1].get("/api/status", params={"period": "2017Q1"}, headers=auth).status_code == 200

    row = dict(
        kind="supervision", unit_code=VILLAGE, period="2017Q1", seq=1, source_sha256="a" * 64,
        state="submitted", by_unit=VILLAGE, at=datetime(2017, 4, 10, 9), reason=None,
        receipt_no=None,
    )  # fmt: skip
    records.record(engine, [row])
    with pytest.raises(Conflict):  # a second transition numbered alike: refused
        records.record(engine, [{**row, "state": "approved", "by_unit": TOWN}])
    records.record(engine, [{**row, "seq": 2, "state": "approved", "by_unit": TOWN}])
    log = read_log(postgres)
    assert log is not None and [r["state"] for r in log] == ["submitted", "approved"]
    from pipeline.approvals import copy_approvals

    with Workspace.open(settings) as ws:
        assert copy_approvals(ws) == ("2017Q1",)
        got = ws.con.execute("SELECT state, by_unit FROM meta.approvals ORDER BY seq").fetchall()
    assert got == [("submitted", VILLAGE), ("approved", TOWN)]
    engine.dispose()
