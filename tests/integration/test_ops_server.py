"""Operations against a real Prefect server (``prefect server start``).

The module starts its own server on 127.0.0.1 (a free port, a PREFECT_HOME in a temp
folder) and stops it afterwards; ``RONGHE_TEST_PREFECT_API_URL`` names one already
running instead. Every loop is bounded; nothing asserts wall times.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import COUNTY, COUNTY2, supervision_row, write_csv
from tests.support.prefect_server import BIN, start_server, stop_server, wait_for
from tests.support.warehouse import published
from tests.support.webhook import Webhook, webhook

API = os.environ.get("RONGHE_TEST_PREFECT_API_URL", "")
COUNTY3 = "320621000000"  # 海安县

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    global API
    server = None
    if not API:
        server, API = start_server(tmp_path_factory.mktemp("prefect-server"))
    from flows.prefect_env import configure

    configure(None)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: API}):
            yield API
    finally:
        # the event and log workers are process-wide singletons bound to this server:
        # stop them so later tests (on their own harness server) start fresh ones
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        EventsWorker.drain_all(timeout=30, at_exit=False)
        APILogWorker.drain_all(timeout=30, at_exit=False)
        if server is not None:
            stop_server(server)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env.update(
        PREFECT_API_URL=API,
        PREFECT_HOME=str(home.parent / f"{home.name}-prefect"),
        RONGHE_HOME=str(home),
        RONGHE_SETTLE_SECONDS="0",  # files written just now are complete
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        **extra,
    )
    return env


def ronghe(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ronghe"), *args],
        env=env_for(home),
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def village_files(inbox: Path, period: str, n: int) -> int:
    """One supervision file per village: enough files that a run takes a while."""
    import polars as pl

    from warehouse.registry import load_registry

    reg = load_registry("city").filter(
        (pl.col("level") == "village")
        & (pl.col("valid_from").is_null() | (pl.col("valid_from") <= period))
        & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= period))
    )
    villages = reg.get_column("unit_code").to_list()[:n]
    y, q = int(period[:4]), int(period[-1])
    month = 3 * q + 1
    when = f"{y + (month > 12)}-{(month - 1) % 12 + 1:02d}-08 10:00"
    for code in villages:
        write_csv(
            inbox / period / f"supervision_{code}.csv",
            [supervision_row(code, period, submitted_at=when)],
        )
    return len(villages)


# --- the served deployments ---------------------------------------------------------


@pytest.fixture(scope="module")
def hook() -> Iterator[Webhook]:
    with webhook() as h:
        yield h


@pytest.fixture(scope="module")
def served(api: str, hook: Webhook, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``ronghe serve`` in a subprocess, with short bursts so the tests are quick; its
    channels file sends every notification to a robot's webhook on loopback."""
    from prefect.client.orchestration import get_client

    home = tmp_path_factory.mktemp("served") / "home"
    (home / "inbox").mkdir(parents=True)
    (home / "channels.toml").write_text(
        f'[[channel]]\nname = "ops"\nurl = "{hook.apprise}"\n', encoding="utf-8"
    )
    log = open(home.parent / "serve.log", "w")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [str(BIN / "ronghe"), "serve", "--burst-seconds", "4", "--settle-seconds", "2"],
        env=env_for(home, PREFECT_RUNNER_POLL_FREQUENCY="1", PREFECT_LOGGING_LEVEL="INFO"),
        cwd=home.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def registered() -> bool:
        assert proc.poll() is None, (home.parent / "serve.log").read_text()
        with get_client(sync_client=True) as client:
            try:
                d = client.read_deployment_by_name("ronghe-ingest/ingest")
            except Exception:
                return False
        return bool(d.parameters.get("home") == str(home) and "serving" in _serve_log(home))

    try:
        wait_for("ronghe serve to register its deployments", registered, timeout=120)
        time.sleep(2)  # the runner starts polling after registering
        yield home
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()


def _serve_log(home: Path) -> str:
    return (home.parent / "serve.log").read_text(encoding="utf-8", errors="replace")


def runs_of(deployment: str, since: datetime) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId

    with get_client(sync_client=True) as client:
        d = client.read_deployment_by_name(deployment)
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[d.id]))
        )
    return sorted((r for r in runs if r.created and r.created >= since), key=lambda r: r.created)


def run_logs(run_id: Any) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    return "\n".join(log.message for log in logs)


def finished(runs: list[Any], n: int) -> list[Any] | None:
    done = [r for r in runs if r.state and r.state.is_final()]
    return done if len(done) >= n else None


def test_schedule_limit_and_parameters_are_registered(served: Path) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        quarterly = client.read_deployment_by_name("ronghe-quarterly/quarterly")
        backfill = client.read_deployment_by_name("ronghe-backfill/backfill")
        limit = client.read_global_concurrency_limit_by_name("ronghe-warehouse-writer")
    (sched,) = quarterly.schedules
    assert sched.active
    assert sched.schedule.cron == "0 2 10 1,4,7,10 *"  # type: ignore[union-attr]
    assert sched.schedule.timezone == "Asia/Shanghai"  # type: ignore[union-attr]
    assert quarterly.parameters["home"] == str(served)
    schema = backfill.parameter_openapi_schema or {}
    assert {"from", "to", "rules"} <= set(schema["properties"])
    assert schema["required"] == ["from", "to"]
    assert limit.limit == 1


def test_a_burst_of_received_events_becomes_one_ingest_run(served: Path) -> None:
    inbox = served / "inbox" / "burst"
    # one name holds a mobile number: shown masked, the file still found by the run
    files = [
        write_csv(inbox / f"supervision_{u}_{who}.csv", [supervision_row(u, "2016Q1")])
        for u, who in ((COUNTY, "张三13912345678"), (COUNTY2, "b"), (COUNTY3, "c"))
    ]
    since = datetime.now(UTC)
    r = ronghe(served, "watch", "--once", "--settle", "1", "--interval", "0.5", str(inbox))
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("announced /") == 3
    assert "张三139****5678.csv" in r.stderr and "13912345678" not in r.stdout + r.stderr
    announced_at = datetime.now(UTC)

    runs = wait_for(
        "the triggered ingest run to finish",
        lambda: finished(runs_of("ronghe-ingest/ingest", since), 1),
        timeout=180,
    )
    (run,) = runs
    assert run.state.is_completed(), run_logs(run.id)
    assert {Path(p) for p in run.parameters.get("path", "").split()} <= set(files)
    latency = (run.start_time - announced_at).total_seconds()
    print(f"event → ingest run start: {latency:.1f}s (burst 4s + settle 2s + runner poll)")
    assert published(served, "SELECT count(*) FROM core.supervision WHERE period = '2016Q1'") == [
        (3,)
    ]
    runs_in_manifest = published(
        served,
        "SELECT DISTINCT run_id FROM meta.file_manifest WHERE path LIKE '%/burst/%'",
    )
    assert runs_in_manifest == [(str(run.id),)]
    time.sleep(3)
    assert len(runs_of("ronghe-ingest/ingest", since)) == 1  # one run for the burst
    names = received_names(since)
    assert len(names) == 3 and f"supervision_{COUNTY}_张三139****5678.csv" in names, names


def received_names(since: datetime) -> list[str]:
    """The resource names of the ``ronghe.report.received`` events since ``since``."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

    from flows.events import RECEIVED_EVENT

    flt = EventFilter(
        occurred=EventOccurredFilter.model_validate({"since": since}),
        event=EventNameFilter(name=[RECEIVED_EVENT]),
    )
    with get_client(sync_client=True) as client:
        events = client.read_events(filter=flt, limit=50).events
    return [str(e.resource.get("prefect.resource.name")) for e in events]


def test_backfill_deployment_run_over_three_quarters(served: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    inbox = served / "inbox" / "backfill"
    for q, when in (("2015Q1", "2015-04-08 10:00"), ("2015Q2", "2015-07-08 10:00")):
        write_csv(inbox / f"supervision_{q}.csv", [supervision_row(period=q, submitted_at=when)])
    since = datetime.now(UTC)
    r = subprocess.run(
        [
            str(BIN / "prefect"),
            *("deployment", "run", "ronghe-backfill/backfill"),
            *("--param", "from=2015Q1", "--param", "to=2015Q3"),
            *("--watch", "--watch-timeout", "240"),
        ],
        env=env_for(served),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    (run,) = runs_of("ronghe-backfill/backfill", since)
    assert run.state.is_completed()
    summary = published(
        served,
        "SELECT period, units_reporting FROM marts.city_summary"
        " WHERE period BETWEEN '2015Q1' AND '2015Q3' ORDER BY period",
    )
    assert summary == [("2015Q1", 1), ("2015Q2", 1), ("2015Q3", 0)]
    (row,) = published(served, f"SELECT flow, state FROM meta.runs WHERE run_id = '{run.id}'")
    assert row == ("backfill", "completed")
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
        )
    assert artifact.key == "ronghe-backfill"
    assert "## Marts rebuilt" in str(artifact.data) and "2015Q1, 2015Q2, 2015Q3" in str(
        artifact.data
    )
    # the run ended at publish; its ronghe.warehouse.published event started the outputs
    # (通报 of the quarters with reports, receipts of those that received some) in a run
    # of the ronghe-outputs/outputs deployment, not inside the backfill run
    follow = "follow in a ronghe-outputs flow run"
    wait_for(follow, lambda: follow in run_logs(run.id) or None, timeout=60)
    (outputs,) = wait_for(
        "the outputs run the published event starts",
        lambda: finished(runs_of("ronghe-outputs/outputs", since), 1),
        timeout=180,
    )
    assert outputs.state.is_completed(), run_logs(outputs.id)
    # 2015Q3 holds no report; a quarter an earlier published run still owed (its outputs
    # run not finished yet, flows/pending.py) may come along
    shown = outputs.parameters["report_periods"].split(",")
    assert {"2015Q1", "2015Q2"} <= set(shown) and "2015Q3" not in shown
    assert outputs.parameters["receipt_periods"] == "2015Q1,2015Q2"
    assert outputs.start_time >= run.end_time
    reports = served / "reports"
    assert (reports / "2015Q1" / "assessment-2015Q1.xlsx").exists()
    assert (reports / "2015Q2" / "brief-2015Q2.html").exists()
    assert (served / "receipts" / "2015Q2").is_dir()
    # the outputs run says what it wrote where, and is one run (no subflow of its name)
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        (written,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[outputs.id]))
        )
        same_name = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[outputs.name]))
        )
    assert written.key == "ronghe-outputs"
    assert "assessment-2015Q1.xlsx" in str(written.data) and "receipts" in str(written.data)
    assert "通报-2015Q1.docx" in str(written.data)  # the document to issue, first
    assert [r.id for r in same_name] == [outputs.id]
    # the run's last log lines reach the server after its final state: wait for them
    said = f"wrote the 通报 of {len(shown)} quarters"
    wait_for(said, lambda: said in run_logs(outputs.id) or None, timeout=60)


def test_overlapping_runs_wait_their_turn_and_leave_no_duplicates(served: Path) -> None:
    from prefect.deployments import run_deployment

    from warehouse.lock import writer_lock

    inbox = served / "inbox" / "overlap"
    n = village_files(inbox, "2014Q2", 20)
    since = datetime.now(UTC)
    # a writer outside Prefect (a CLI run) holds the file lock while two deployment runs start
    with writer_lock(served / "writer.lock", "the test's CLI writer"):
        for _ in range(2):
            run_deployment(
                "ronghe-backfill/backfill",
                parameters={"from": "2014Q2", "to": "2014Q2"},
                timeout=0,
            )

        def both_waiting() -> bool:
            logs = [run_logs(r.id) for r in runs_of("ronghe-backfill/backfill", since)]
            return len(logs) == 2 and (
                any("waiting for the test's CLI writer" in t for t in logs)
                and any("waiting for a slot of the Prefect concurrency limit" in t for t in logs)
            )

        wait_for("one run to wait for the file lock and one for the Prefect slot", both_waiting)
        errors_before = _serve_log(served).count("failed to process item")
    runs = wait_for(
        "both runs to finish",
        lambda: finished(runs_of("ronghe-backfill/backfill", since), 2),
        timeout=240,
    )
    assert all(r.state.is_completed() for r in runs)
    # waiting for the slot is no error: Prefect's slot service logged none
    assert _serve_log(served).count("failed to process item") == errors_before == 0
    counts = published(
        served,
        "SELECT count(*), count(DISTINCT unit_code) FROM raw.supervision WHERE period = '2014Q2'",
    )
    assert counts == [(n, n)]
    loaders = published(
        served,
        "SELECT count(DISTINCT run_id), count(*), count(DISTINCT sha256) FROM meta.file_manifest"
        " WHERE path LIKE '%/overlap/%'",
    )
    assert loaders == [(1, n, n)]


# --- CLI runs against the server: reading while writing, a killed run -------------------


READER = """
import json, sys, time, duckdb
path, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
seen, errors = {}, []
deadline = time.monotonic() + 300
import os
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            row = con.execute(
                "SELECT (SELECT count(*) FROM raw.supervision),"
                " (SELECT count(*) FROM meta.runs WHERE state = 'completed'),"
                " (SELECT count(*) FROM marts.city_summary)"
            ).fetchall()[0]
        finally:
            con.close()
        seen[json.dumps(row)] = seen.get(json.dumps(row), 0) + 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
json.dump({"seen": seen, "errors": errors[:20]}, open(out, "w"))
"""


def test_what_the_outbox_gets_is_sent_by_the_served_delivery(served: Path, hook: Webhook) -> None:
    from config.settings import Settings
    from flows.notices import tell
    from notify.notice import Notice
    from notify.outbox import Outbox

    text = "海安县：2014年第三季度党建督导季报未报送，截止2014年10月5日，已逾期1天，请尽快报送。"
    notice = Notice("overdue", f"{COUNTY3}|2014Q3|supervision|served", text, COUNTY3, "2014Q3")
    since = datetime.now(UTC)
    # as a run tells: kept in the outbox, and its event starts ronghe-notify/deliver
    assert tell(Settings.load(served), [notice]) == [notice]

    def told() -> list[str] | None:
        return [m for m in hook.messages() if text in m] or None

    (message,) = wait_for("the served delivery to post it", told, timeout=180)
    # as it is; or one line of a digest, if an earlier test's notices went with it
    assert message == text or f". {text}" in message
    runs = wait_for(
        "the delivery run to finish",
        lambda: finished(runs_of("ronghe-notify/deliver", since), 1),
        timeout=120,
    )
    assert all(run.state.is_completed() for run in runs), run_logs(runs[0].id)
    assert tell(Settings.load(served), [notice]) == []  # told once: nothing queued again
    with Outbox.of(served) as box:  # sent, and marked so: no delivery sends it again
        mine = [(r.kind, r.state, r.attempts) for r in box.rows() if r.text_zh == text]
    assert mine == [("overdue", "sent", 1)] and len(told() or []) == 1


def _snapshot(home: Path) -> list[int]:
    (row,) = published(
        home,
        "SELECT (SELECT count(*) FROM raw.supervision),"
        " (SELECT count(*) FROM meta.runs WHERE state = 'completed'),"
        " (SELECT count(*) FROM marts.city_summary)",
    )
    return list(row)


def test_readers_see_only_whole_runs_while_a_backfill_writes(api: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_csv(home / "inbox" / "first" / "supervision_1.csv", [supervision_row()])
    first = ronghe(home, "backfill", "--from", "2017Q1", "--to", "2017Q1")
    assert first.returncode == 0, first.stderr
    before = _snapshot(home)
    n = village_files(home / "inbox", "2016Q4", 300)

    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(home / "warehouse.duckdb"), str(stop), str(out)]
    )
    try:
        run = ronghe(home, "backfill", "--from", "2013Q1", "--to", "2017Q1")
        assert run.returncode == 0, run.stderr
    finally:
        stop.touch()
        reader.wait(timeout=60)
    after = _snapshot(home)
    assert after[0] == before[0] + n
    result = json.loads(out.read_text())
    assert result["errors"] == []
    seen = [json.loads(k) for k in result["seen"]]
    assert seen, "the reader never read"
    print(f"reader: {sum(result['seen'].values())} reads, states {result['seen']}")
    assert all(s in (before, after) for s in seen), (before, after, seen)


def test_a_killed_run_leaves_the_published_file_and_the_next_run_completes(
    api: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    write_csv(home / "inbox" / "first" / "supervision_1.csv", [supervision_row()])
    first = ronghe(home, "backfill", "--from", "2017Q1", "--to", "2017Q1")
    assert first.returncode == 0, first.stderr
    good = sha(home / "warehouse.duckdb")
    before = _snapshot(home)
    n = village_files(home / "inbox", "2016Q3", 200)

    log = tmp_path / "killed.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [str(BIN / "ronghe"), "backfill", "--from", "2000Q1", "--to", "2017Q1", "--yes"],
            env=env_for(home),
            cwd=tmp_path,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        try:
            # killed after its load committed to the working copy, before it published
            wait_for(
                "the run to load",
                lambda: "loaded" in log.read_text() or proc.poll() is not None,
                timeout=240,
            )
            assert proc.poll() is None, "the run finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    assert sha(home / "warehouse.duckdb") == good
    assert _snapshot(home) == before

    again = ronghe(home, "backfill", "--from", "2016Q3", "--to", "2017Q1")
    assert again.returncode == 0, again.stderr
    assert "discarded the working copy left by an unfinished run" in again.stderr
    assert _snapshot(home)[0] == before[0] + n
    status = ronghe(home, "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    runs = json.loads(status.stdout)["runs"]
    assert [r["state"] for r in runs] == ["completed", "failed", "completed"]


def test_tasks_retry_on_transient_io_only(api: str) -> None:
    from prefect import flow, task

    from flows.retry import retry_on_io as _retry_on_io

    calls = {"io": 0, "bad": 0}

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=_retry_on_io)
    def flaky_share() -> str:
        calls["io"] += 1
        if calls["io"] == 1:
            raise PermissionError("the file is open in Excel on the share")
        return "read"

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=_retry_on_io)
    def bad_data() -> None:
        calls["bad"] += 1
        raise ValueError("party_members: 'many' is not an integer")

    @flow
    def both() -> tuple[Any, Any]:
        return flaky_share(return_state=True), bad_data(return_state=True)

    io_state, bad_state = both()
    assert io_state.is_completed() and bad_state.is_failed()
    assert calls == {"io": 2, "bad": 1}


def test_an_ingest_with_nothing_new_records_and_publishes_nothing(api: str, tmp_path: Path) -> None:
    from flows.flows import ingest_flow

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    write_csv(inbox / "supervision_1.csv", [supervision_row()])
    first = ingest_flow(paths=[str(inbox)], home=str(home))
    assert first.files == 1
    stamp = (home / "warehouse.duckdb").stat().st_mtime_ns
    again = ingest_flow(paths=[str(inbox)], home=str(home))
    assert again.files == 0 and again.already_received == 1
    assert (home / "warehouse.duckdb").stat().st_mtime_ns == stamp
    assert published(home, "SELECT count(*) FROM meta.runs") == [(1,)]
