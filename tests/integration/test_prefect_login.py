"""A real ``prefect server start`` behind a login (docs/operations.md §1–§2).

The server has ``PREFECT_SERVER_API_AUTH_STRING``; clients send
``PREFECT_API_AUTH_STRING``. Without it every request but the health check is refused,
the events websockets included (Prefect issue 17687); with it ``ronghe serve``,
``ronghe watch``, a triggered run and a one-shot command work.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.factories import COUNTY, COUNTY2, supervision_row, write_csv
from tests.support.prefect_server import start_server, stop_server, wait_for
from tests.support.warehouse import published

pytestmark = pytest.mark.integration

LOGIN = f"ronghe-ops:{uuid.uuid4().hex}"
ROOT = Path(__file__).resolve().parents[2]
RONGHE = [sys.executable, "-m", "cli.main"]  # this tree's code, whatever is installed


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_server(
        tmp_path_factory.mktemp("prefect-login"), PREFECT_SERVER_API_AUTH_STRING=LOGIN
    )
    try:
        yield url
    finally:
        stop_server(proc)


def env_for(api: str, home: Path, login: str | None = LOGIN, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env.update(
        PREFECT_API_URL=api,
        PREFECT_HOME=str(home.parent / f"{home.name}-prefect"),
        RONGHE_HOME=str(home),
        PYTHONPATH=str(ROOT),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        **extra,
    )
    if login is not None:
        env["PREFECT_API_AUTH_STRING"] = login
    return env


def ronghe(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RONGHE, *args],
        env=env,
        cwd=Path(env["RONGHE_HOME"]).parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def client(api: str, login: str | None = LOGIN) -> httpx.Client:
    headers = {}
    if login is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
    return httpx.Client(base_url=api.rstrip("/") + "/", headers=headers, timeout=10)


# --- what is refused without the login ----------------------------------------------


def test_requests_without_the_login_are_refused(api: str) -> None:
    with client(api, login=None) as anonymous:
        assert anonymous.get("health").status_code == 200  # probes stay open
        assert anonymous.get("admin/version").status_code == 401
        assert anonymous.post("flow_runs/filter", json={}).status_code == 401
        assert anonymous.post("events/filter", json={}).status_code == 401
        assert anonymous.post("events", json=[]).status_code == 401
    with client(api, login="ronghe-ops:wrong") as wrong:
        assert wrong.post("flow_runs/filter", json={}).status_code == 401
    with client(api) as good:
        assert good.post("events/filter", json={}).status_code == 200


async def _events_socket(url: str, subprotocol: bool, token: str | None) -> str:
    """What the server does with a websocket on ``url`` (and an event sent on it)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    kwargs: dict[str, Any] = {"subprotocols": ["prefect"]} if subprotocol else {}
    try:
        async with connect(url, open_timeout=10, **kwargs) as ws:
            if subprotocol:
                await ws.send(json.dumps({"type": "auth", "token": token}))
            try:
                answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except ConnectionClosed as exc:
                return f"closed {exc.rcvd.code if exc.rcvd else None}"
            return str(answer.get("type"))
    except InvalidStatus as exc:
        return f"refused {exc.response.status_code}"


def test_the_events_websockets_ask_for_the_login_too(api: str) -> None:
    """Prefect issue 17687 (an events endpoint without a login): closed on 3.9.1."""
    base = api.replace("http://", "ws://").rstrip("/")
    for path in ("events/in", "events/out"):
        url = f"{base}/{path}"
        assert asyncio.run(_events_socket(url, False, None)) == "refused 403"
        assert asyncio.run(_events_socket(url, True, None)) == "closed 1008"
        assert asyncio.run(_events_socket(url, True, "ronghe-ops:wrong")) == "closed 1008"
        assert asyncio.run(_events_socket(url, True, LOGIN)) == "auth_success"


def test_ronghe_without_the_login_stops_with_one_line(api: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    write_csv(home / "inbox" / "supervision_a.csv", [supervision_row()])
    for login in (None, "ronghe-ops:wrong"):
        env = env_for(api, home, login=login)
        for args in (("serve",), ("watch", "--once"), ("ingest", str(home / "inbox"))):
            r = ronghe(env, *args)
            assert r.returncode == 1, (args, r.stderr)
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and "refused the login" in lines[0], (args, r.stderr)
            assert "PREFECT_API_AUTH_STRING" in lines[0]
    assert not (home / "warehouse.duckdb").exists()


# --- with the login: one-shot, serve, watch, a triggered run --------------------------


def test_a_one_shot_ingest_with_the_login_is_recorded_on_the_server(
    api: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    write_csv(home / "inbox" / "supervision_a.csv", [supervision_row()])
    r = ronghe(env_for(api, home), "ingest", str(home / "inbox"))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    (run_id,) = published(home, "SELECT run_id FROM meta.runs WHERE state = 'completed'")[0]
    with client(api) as c:
        run = c.get(f"flow_runs/{run_id}").raise_for_status().json()
    assert run["state_type"] == "COMPLETED"


def _deployment(c: httpx.Client, name: str) -> dict[str, Any] | None:
    answer = c.get(f"deployments/name/{name}")
    return answer.json() if answer.status_code == 200 else None


def _runs(c: httpx.Client, deployment_id: str, since: datetime) -> list[dict[str, Any]]:
    body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}}
    runs = c.post("flow_runs/filter", json=body).raise_for_status().json()
    return [r for r in runs if datetime.fromisoformat(r["created"]) >= since]


def test_serve_watch_and_a_triggered_run_with_the_login(api: str, tmp_path: Path) -> None:
    home = tmp_path / "served"
    (home / "inbox").mkdir(parents=True)
    log_path = tmp_path / "serve.log"
    env = env_for(api, home, PREFECT_RUNNER_POLL_FREQUENCY="1", PREFECT_LOGGING_LEVEL="INFO")
    with open(log_path, "w") as log:
        serve = subprocess.Popen(
            [*RONGHE, "serve", "--burst-seconds", "4", "--settle-seconds", "2"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with client(api) as c:

            def registered() -> dict[str, Any] | None:
                assert serve.poll() is None, log_path.read_text()
                d = _deployment(c, "ronghe-ingest/ingest")
                if d and d["parameters"].get("home") == str(home):
                    return d if "serving" in log_path.read_text() else None
                return None

            ingest = wait_for("ronghe serve to register its deployments", registered)
            time.sleep(2)  # the runner starts polling after registering
            files = [
                write_csv(home / "inbox" / f"supervision_{u}.csv", [supervision_row(u, "2016Q1")])
                for u in (COUNTY, COUNTY2)
            ]
            since = datetime.now(UTC)
            w = ronghe(env, "watch", "--once", "--settle", "1", "--interval", "0.5")
            assert w.returncode == 0, w.stderr
            assert w.stderr.count("announced /") == len(files)

            def finished() -> dict[str, Any] | None:
                runs = _runs(c, ingest["id"], since)
                done = [r for r in runs if r["state_type"] in ("COMPLETED", "FAILED", "CRASHED")]
                return done[0] if done else None

            run = wait_for("the triggered ingest run to finish", finished, timeout=180)
            assert run["state_type"] == "COMPLETED", log_path.read_text()
        count = "SELECT count(*) FROM core.supervision WHERE period = '2016Q1'"
        assert published(home, count) == [(2,)]
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait(timeout=30)


# --- the password rotated under running services --------------------------------------


def test_a_changed_password_is_said_and_tried_again_by_serve_and_watch(tmp_path: Path) -> None:
    """The server restarts with another password: ``ronghe serve`` and ``ronghe watch``
    each say, in one line naming the server, that the login was refused, and keep
    trying; once the server takes their password again they go on (docs/operations.md
    «Rotating the password»)."""
    folder = tmp_path / "server"
    folder.mkdir()
    proc, api = start_server(folder, PREFECT_SERVER_API_AUTH_STRING=LOGIN)
    port = int(api.rsplit(":", 1)[1].split("/")[0])
    home = tmp_path / "home"
    (home / "inbox").mkdir(parents=True)
    env = env_for(api, home, RONGHE_LOGIN_RETRY_SECONDS="2", PREFECT_RUNNER_POLL_FREQUENCY="2")
    logs = {name: tmp_path / f"{name}.log" for name in ("serve", "watch")}
    args = {"serve": ["serve"], "watch": ["watch", "--settle", "1", "--interval", "1"]}
    services = {
        name: subprocess.Popen(
            [*RONGHE, *args[name]],
            env=env,
            cwd=tmp_path,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, log in logs.items()
    }

    def said(name: str, text: str) -> bool:
        assert services[name].poll() is None, logs[name].read_text()
        return text in logs[name].read_text()

    try:
        wait_for("ronghe serve to serve", lambda: said("serve", "serving ronghe"))
        wait_for("ronghe watch to watch", lambda: said("watch", "watching"))
        stop_server(proc)
        proc, _ = start_server(folder, port=port, PREFECT_SERVER_API_AUTH_STRING="ronghe-ops:new")
        refused = f"the Prefect server at {api} refused the login (Prefect 服务器拒绝了密码)"
        for name in services:
            wait_for(f"{name} to say the login is refused", lambda n=name: said(n, refused))
        write_csv(home / "inbox" / "supervision_a.csv", [supervision_row()])
        time.sleep(5)
        assert "announced" not in logs["watch"].read_text().split(refused)[-1]  # waits
        for log in logs.values():
            assert "401 Unauthorized" not in log.read_text()  # said in words, not raw
        # the password put right (here: the server's back to theirs): they go on
        stop_server(proc)
        proc, _ = start_server(folder, port=port, PREFECT_SERVER_API_AUTH_STRING=LOGIN)
        wait_for("watch to announce what waited", lambda: said("watch", "announced /"))
        wait_for("serve to go on", lambda: said("serve", "takes our login again"))
    finally:
        for p in services.values():
            p.send_signal(signal.SIGTERM)
        for p in services.values():
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=30)
        stop_server(proc)
