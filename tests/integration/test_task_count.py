"""Integration: a run creates a bounded number of Prefect task runs, whatever the file count.

A task is a batch (a kind's files, the load, the marts), never one file: running the
quarter flow over 3 and over 30 files must create the same, small number of task
runs, counted through the Prefect API.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from pipeline.result import RunResult
from tests.support.factories import (
    COUNTY,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)

pytestmark = pytest.mark.integration

MAX_TASK_RUNS = 10  # find new, read+validate per kind, load, marts, publish, with room


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from flows.prefect_env import configure

    configure()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def write_inbox(inbox: Path, n: int) -> None:
    """``n`` files, the three kinds in turn, each with different bytes."""
    for i in range(n):
        ts = f"2017-04-10 09:{i % 60:02d}"
        match i % 3:
            case 0:
                write_csv(inbox / f"supervision_{i}.csv", [supervision_row(submitted_at=ts)])
            case 1:
                write_json(inbox / f"projects_{i}.json", [project_row(COUNTY, submitted_at=ts)])
            case _:
                write_csv(inbox / f"经济指标_{i}.csv", [economy_row(submitted_at=ts)])


def task_run_names(flow_run_id: UUID, settle_seconds: float = 45.0) -> list[str]:
    """Names of the flow run's finished task runs, without Prefect's random suffix.

    The server records task runs in batches (every 5 s here), so the list is read
    until it has not changed for longer than that.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    flt = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + settle_seconds
    names: list[str] = []
    stable_since = time.monotonic()
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_task_runs(flow_run_filter=flt, limit=200)
            now = sorted(
                re.sub(r"-[0-9a-f]{3}$", "", r.name)
                for r in runs
                if r.state is not None and r.state.is_final()
            )
            if now != names:
                names, stable_since = now, time.monotonic()
            elif names and time.monotonic() - stable_since > 7:
                break
            time.sleep(1.0)
    return names


def run_quarter(tmp_path: Path, n: int) -> tuple[dict[str, object], list[str]]:
    from flows.flows import quarter_flow

    inbox, home = tmp_path / f"inbox{n}", tmp_path / f"home{n}"
    write_inbox(inbox, n)
    state = quarter_flow(period="2017Q1", inbox=str(inbox), home=str(home), return_state=True)
    result = state.result()
    assert isinstance(result, RunResult)
    flow_run_id = state.state_details.flow_run_id
    assert flow_run_id is not None
    return result, task_run_names(flow_run_id)


def test_task_runs_are_bounded_and_independent_of_file_count(
    prefect_server: None, tmp_path: Path
) -> None:
    small, small_tasks = run_quarter(tmp_path, 3)
    large, large_tasks = run_quarter(tmp_path, 30)

    assert small.files == 3 and large.files == 30
    assert small_tasks, "no task runs were recorded"
    assert len(small_tasks) <= MAX_TASK_RUNS
    # the same tasks (one read-and-validate per kind, never one per file)
    assert large_tasks == small_tasks
    assert sum(name.startswith("read-and-validate") for name in large_tasks) == 3
