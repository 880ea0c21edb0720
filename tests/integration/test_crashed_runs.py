"""A flow run whose process is killed shows Crashed, on a real Prefect server.

``ronghe serve`` sets the heartbeat of the runs it starts and creates the automation
(:mod:`flows.heartbeats`); here the same two, with a short heartbeat (Prefect's minimum,
30 s) and ``within``, on a flow run in a process of its own that is killed with
SIGKILL: nothing in it can report the end. Bounded: Crashed within four minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.heartbeats import AUTOMATION, HEARTBEAT_ENV, ensure_crash_automation
from tests.support.prefect_server import start_server, stop_server, wait_for

SCRIPT = """
import sys, time
from prefect import flow, task
from prefect.runtime import flow_run

@task
def work(out: str) -> None:
    open(out, "w").write(str(flow_run.get_id()))
    time.sleep(900)

@flow(name="ronghe-heartbeat-probe")
def probe(out: str) -> None:
    work(out)

probe(sys.argv[1])
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_server(tmp_path_factory.mktemp("prefect-server"))
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        stop_server(proc)


def _state(run_id: str) -> Any:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id).state


def test_the_automation_is_made_once_and_updated_by_name(api: str) -> None:
    from prefect.client.orchestration import get_client

    first = ensure_crash_automation(within_seconds=120)
    again = ensure_crash_automation(within_seconds=45)
    assert first == again
    with get_client(sync_client=True) as client:
        (made,) = client.read_automations_by_name(AUTOMATION)
    assert made.trigger.within.total_seconds() == 45  # type: ignore[union-attr]
    assert made.trigger.posture == "Proactive"  # type: ignore[union-attr]
    assert made.actions[0].type == "change-flow-run-state"


def test_a_killed_run_shows_crashed(api: str, tmp_path: Path) -> None:
    ensure_crash_automation(within_seconds=45)
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    out = tmp_path / "run-id"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=api, PREFECT_HOME=str(tmp_path / "prefect"), **{HEARTBEAT_ENV: "30"})
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out)], env=env, start_new_session=True
    )
    try:
        run_id = wait_for("the probe's flow run", lambda: out.exists() and out.read_text(), 120)
        wait_for("it to run", lambda: _state(run_id).is_running(), 60)
        # its first heartbeat is sent as the run starts; wait for it to be stored
        wait_for("its first heartbeat", lambda: _heartbeats(run_id), 60)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _state(run_id).is_running()  # nobody told Prefect
    state = wait_for("the run to be marked Crashed", lambda: _crashed(run_id), 240)
    assert "heartbeat" in (state.message or "")
    # its task was left Running; ronghe-crashed/tasks (on the Crashed event) ends it
    assert [t.state.type.value for t in _tasks(run_id)] == ["RUNNING"]
    from flows.crashed import crashed_tasks_flow

    assert crashed_tasks_flow(flow_run=f"prefect.flow-run.{run_id}") == 1
    assert [t.state.type.value for t in _tasks(run_id)] == ["CRASHED"]


def _tasks(run_id: str) -> list[Any]:
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = FlowRunFilter(id=FlowRunFilterId(any_=[UUID(run_id)]))
        return list(client.read_task_runs(flow_run_filter=runs))


def _crashed(run_id: str) -> Any:
    state = _state(run_id)
    return state if state.is_crashed() else None


def _heartbeats(run_id: str) -> int:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    with get_client(sync_client=True) as client:
        page = client.request(
            "POST",
            "/events/filter",
            json={
                "filter": EventFilter(
                    event=EventNameFilter(name=["prefect.flow-run.heartbeat"]),
                    resource=EventResourceFilter(id=[f"prefect.flow-run.{run_id}"]),
                ).model_dump(mode="json")
            },
        ).json()
    return len(page.get("events", []))
