"""Integration: a backfill read and validated on a real Dask cluster (issue 13).

The test starts a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1
(one thread each, this tree on their PYTHONPATH), runs ``ronghe backfill --dask`` on
a sample quarter with its injected faults, and the same backfill without Dask
into another home; the two warehouses must hold the same rows. The scheduler's task
stream shows where the read-and-validate batches ran: on both workers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.compare import contents, differences
from tests.support.hardening import TREE, cli, cli_env

pytestmark = pytest.mark.integration

DASK = str(Path(sys.executable).with_name("dask"))
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Cluster:
    address: str
    workers: tuple[str, ...]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a process this test started, and its children (its own process group)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def _wait_for(path: Path, procs: list[subprocess.Popen[bytes]]) -> dict[str, object]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a Dask process ended while starting")
        if path.exists() and path.stat().st_size:
            info: dict[str, object] = json.loads(path.read_text())
            return info
        time.sleep(0.2)
    raise TimeoutError("the Dask scheduler did not start")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from distributed import Client

    where = tmp_path_factory.mktemp("dask")
    file = where / "scheduler.json"
    env = cli_env(None, PYTHONPATH=str(TREE), DASK_DISTRIBUTED__WORKER__DAEMON="False")
    logs = [open(where / f"{n}.log", "wb") for n in ("scheduler", "w1", "w2")]  # noqa: SIM115
    procs: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], log: object) -> None:
        procs.append(
            subprocess.Popen(
                [DASK, *args],
                env=env,
                cwd=where,
                stdout=log,  # type: ignore[arg-type]
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )

    try:
        start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(file),
            ],
            logs[0],
        )
        address = str(_wait_for(file, procs)["address"])
        for i, log in enumerate(logs[1:], 1):
            start(
                [
                    "worker",
                    address,
                    "--name",
                    f"w{i}",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--memory-limit",
                    "0",
                ],
                log,
            )
        with Client(address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT)
            workers = tuple(sorted(client.nthreads()))
        yield Cluster(address, workers)
    finally:
        for p in reversed(procs):
            _stop(p)
        for log in logs:
            log.close()


def task_stream(address: str, since: int | None = None) -> tuple[int, list[dict[str, object]]]:
    """The scheduler's record of finished tasks (the plugin is added on first use)."""
    from distributed import Client

    with Client(address, timeout=START_TIMEOUT) as client:
        index = int(client.sync(client.scheduler.get_task_stream_index))
        records = [] if since is None else client.get_task_stream()
    return index, list(records)


def test_backfill_on_dask_loads_the_warehouse_of_a_local_run(
    cluster: Cluster, tmp_path: Path
) -> None:
    from synthetic.sample import write_sample

    inbox = tmp_path / "inbox"
    stats = write_sample(inbox, ["2017Q1"], seed=2017)
    assert stats.injected, "the sample should carry faults"
    # the counties whose files carry the faults, not the whole city: every fault, a
    # third of the files (the same comparison at a third of the cost)
    faulty = {Path(i.file).parts[1] for i in stats.injected}
    for county in (inbox / "2017Q1").iterdir():
        if county.name not in faulty:
            shutil.rmtree(county)
    files = sum(1 for f in inbox.rglob("*") if f.is_file())
    task_stream(cluster.address)  # start recording

    local_home, dask_home = tmp_path / "local", tmp_path / "dask"
    args = ("backfill", "--from", "2017Q1", "--to", "2017Q1", "--inbox", str(inbox))
    # in chunks (RONGHE_CHUNK_FILES): each chunk's read stage fans out on its own
    chunk = 500
    n_chunks = -(-files // chunk)
    local_env = cli_env(local_home, RONGHE_CHUNK_FILES=str(chunk))
    local = cli(*args, home=local_home, env=local_env, timeout=900)
    assert local.returncode == 0, local.stderr
    dask_env = cli_env(dask_home, RONGHE_CHUNK_FILES=str(chunk))
    on_dask = cli(*args, "--dask", cluster.address, home=dask_home, env=dask_env, timeout=900)
    assert on_dask.returncode == 0, on_dask.stderr
    assert n_chunks > 1 and f"chunk 1 of {n_chunks}" in on_dask.stderr
    assert "on Dask: 2 workers, 2 threads" in on_dask.stderr
    assert "Traceback" not in on_dask.stderr

    _, records = task_stream(cluster.address, since=0)
    ran = [r for r in records if "read_and_validate" in str(r.get("key"))]
    workers = {str(r["worker"]) for r in ran}
    # per chunk, each kind in it (at most 3 and the unnamed) in 2 batches per worker
    # thread (2 threads): every batch a task on a worker, both workers used
    assert 3 < len(ran) <= n_chunks * 4 * 4, [r.get("key") for r in records]
    assert workers == set(cluster.workers)

    a, b = local_home / "warehouse.duckdb", dask_home / "warehouse.duckdb"
    assert differences(a, b) == []
    tables = contents(b)
    assert len(tables["quarantine.reports"]) >= len(
        [i for i in stats.injected if i.problem != "superseded"]
    )
    assert all(tables[f"core.{k}"] for k in ("supervision", "projects", "economy"))
    assert {t for t in tables if t.startswith("marts.")} >= {"marts.unit_scores"}
