"""Operations without a Prefect server: retries, the watcher, status, deployments, CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.factories import COUNTY, supervision_row, write_csv


def test_transient_errors_are_io_hiccups_only() -> None:
    from flows.retry import transient as _transient
    from warehouse.db import WarehouseError

    assert _transient(PermissionError("file is locked by another process"))
    assert _transient(OSError(5, "Input/output error"))
    assert _transient(TimeoutError("share did not answer"))
    wrapped = ValueError("could not read")
    wrapped.__cause__ = BlockingIOError()
    assert _transient(wrapped)
    assert not _transient(FileNotFoundError("gone"))
    assert not _transient(IsADirectoryError("a folder"))
    assert not _transient(ValueError("bad value 'abc' for party_members"))
    assert not _transient(WarehouseError("reconciliation failed"))
    assert not _transient(KeyError("unit_code"))


def test_retry_condition_reads_the_failed_state() -> None:
    from prefect.states import Completed, Failed

    from flows.retry import retry_on_io as _retry_on_io

    assert _retry_on_io(None, None, Failed(data=PermissionError("locked")))
    assert not _retry_on_io(None, None, Failed(data=ValueError("bad data")))
    assert not _retry_on_io(None, None, Completed(data=1))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Any, list[Path], FakeClock, Path]]:
    from flows.watch import Ledger, Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    emitted: list[Path] = []
    clock = FakeClock()
    ledger = tmp_path / "home" / "watch" / "announced.json"
    start = time.time() - clock.now  # the wall clock moves with the fake one
    w = Watcher(
        inbox,
        Ledger(ledger),
        lambda p, k, s: emitted.append(p),
        settle_seconds=5,
        clock=clock,
        wall_clock=lambda: start + clock.now,
    )
    yield w, emitted, clock, ledger


def test_watcher_waits_until_a_file_is_fully_written(watched: Any) -> None:
    w, emitted, clock, _ = watched
    f = w.inbox / "c1" / "supervision_a.csv"
    f.parent.mkdir()
    f.write_bytes(b"unit_code,period\n")  # the copy has begun
    assert w.poll() == []
    clock.now += 3
    with open(f, "ab") as fh:  # still being copied: the clock starts again
        fh.write(b"320602000000,2017Q1\n")
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    assert w.poll() == []
    clock.now += 4
    assert w.poll() == []  # 4 s since the last change: not yet settled
    clock.now += 2
    assert w.poll() == [f]
    clock.now += 10
    assert w.poll() == []  # announced once
    assert emitted == [f]


def test_watcher_ignores_temporary_and_empty_files(watched: Any) -> None:
    w, emitted, clock, _ = watched
    for name in ("supervision.csv.part", "~$经济指标.xlsx", ".hidden.csv", "x.crdownload"):
        (w.inbox / name).write_text("data", encoding="utf-8")
    (w.inbox / ".sync" / "projects.csv").parent.mkdir()
    (w.inbox / ".sync" / "projects.csv").write_text("data", encoding="utf-8")
    (w.inbox / "economy_empty.csv").touch()
    for _ in range(3):
        w.poll()
        clock.now += 10
    assert emitted == []


def test_watcher_remembers_across_restarts_and_sees_changes(watched: Any) -> None:
    from flows.watch import Ledger, Watcher

    w, emitted, clock, ledger = watched
    a = write_csv(w.inbox / "supervision_a.csv", [supervision_row()])
    w.poll()
    clock.now += 6
    assert w.poll() == [a]
    assert emitted == [a]
    assert ledger.exists()

    again: list[Path] = []
    w2 = Watcher(w.inbox, Ledger(ledger), lambda p, k, s: again.append(p), 5, clock, w.wall_clock)
    b = write_csv(w.inbox / "supervision_b.csv", [supervision_row(COUNTY, "2017Q2")])
    w2.poll()
    clock.now += 6
    assert w2.poll() == [b]  # a was announced before the restart
    write_csv(a, [supervision_row(party_orgs=121)])  # a corrected file at the same path
    w2.poll()
    clock.now += 6
    assert w2.poll() == [a]
    assert again == [b, a]


def test_run_markdown_lists_files_reports_reasons_and_marts() -> None:
    from datetime import datetime

    from pipeline.render import run_markdown
    from pipeline.result import RunResult
    from warehouse.store import FileOutcome, LoadSummary

    def outcome(path: str, status: str, read: int, loaded: int) -> FileOutcome:
        return FileOutcome(
            sha256=path, path=path, kind="supervision", format="csv",
            received_at=datetime(2017, 4, 1), status=status, rows_read=read,
            rows_loaded=loaded, rows_quarantined=read - loaded, archive_path=None,
            size_bytes=1, file_reasons=(), detail="",
        )  # fmt: skip

    load = LoadSummary(
        files=(
            outcome("/inbox/a.csv", "loaded", 4, 4),
            outcome("/inbox/b.csv", "partial", 3, 2),
            outcome("/inbox/bad.xlsx", "rejected", 2, 1),
        ),
        reports_loaded={"supervision": 2, "projects": 1},
        reports_quarantined=2,
        reasons={"out_of_range": 1, "pii": 1},
    )
    result = RunResult(load, 1, ("2017Q1", "2017Q2"), "2017", {"marts.unit_scores": 4})
    md = run_markdown("ingest", "r1", result)
    for text in (
        "| new files | 3 |",
        "| 9 = 7 + 2 |",
        "| supervision | 2 |",
        "| `out_of_range` | 1 |",
        "- \\/inbox\\/bad\\.xlsx",  # a filer's name as literal Markdown text
        "2017Q1, 2017Q2",
        "| marts.unit_scores | 4 |",
    ):
        assert text in md


def test_backfill_deployment_takes_from_and_to() -> None:
    from flows.flows import backfill_deployment_flow

    schema = backfill_deployment_flow.parameters
    assert list(schema.properties)[:3] == ["from", "to", "rules"]
    assert schema.required == ["from", "to"]
    params = backfill_deployment_flow.validate_parameters({"from": "2017Q1", "to": "2017Q3"})
    assert params["from"] == "2017Q1" and params["rules"] is None
    # `--param rules=2017` arrives as the JSON number 2017: taken as the packaged version
    import jsonschema

    jsonschema.validate({"from": "2017Q1", "to": "2017Q3", "rules": 2017}, schema.model_dump())
    params = backfill_deployment_flow.validate_parameters(
        {"from": "2017Q1", "to": "2017Q3", "rules": 2017}
    )
    from flows.flows import rules_path
    from warehouse.ruleset import load_rules

    assert load_rules(rules_path(params)).version.startswith("2017")


def test_deployments_load_with_schedule_trigger_and_poll(tmp_path: Path) -> None:
    from flows.deployments import ServeConfig, build_deployments

    cfg = ServeConfig(home=tmp_path, inbox=tmp_path / "inbox", burst_seconds=20)
    deps = {d.name: d for d in build_deployments(cfg)}
    assert set(deps) == {
        *("quarterly", "backfill", "ingest", "inbox-poll", "outputs", "chase", "tasks")
    }
    (sched,) = deps["quarterly"].schedules
    assert sched.schedule.cron == "0 2 10 1,4,7,10 *"  # type: ignore[union-attr]
    assert sched.schedule.timezone == "Asia/Shanghai"  # type: ignore[union-attr]
    (trigger,) = deps["ingest"].triggers
    assert trigger.expect == {"ronghe.report.received"}
    assert trigger.within.total_seconds() == 20
    assert trigger.schedule_after.total_seconds() == 30
    assert deps["ingest"].entrypoint == "flows.flows.received_flow"
    assert deps["backfill"].entrypoint == "flows.flows.backfill_deployment_flow"
    assert deps["inbox-poll"].parameters["paths"] == [str(tmp_path / "inbox")]
    # a served run's outputs: one flow run per ronghe.warehouse.published, at once
    (published,) = deps["outputs"].triggers
    assert published.expect == {"ronghe.warehouse.published"}
    assert published.within.total_seconds() == 0 and published.threshold == 1
    assert published.parameters["report_periods"] == "{{ event.payload.report_periods }}"
    assert deps["outputs"].entrypoint == "flows.outputs.published_flow"
    # the chase: 09:00 the morning after each level's deadline (rules [round.deadline_days])
    chase = {s.parameters["level"]: s.schedule.cron for s in deps["chase"].schedules}  # type: ignore[union-attr]
    assert chase == {
        "village": "0 9 6 1,4,7,10 *",
        "township": "0 9 9 1,4,7,10 *",
        "county": "0 9 11 1,4,7,10 *",
    }
    assert deps["chase"].entrypoint == "flows.chase.chase_flow"
    # a crashed ronghe run: its unfinished tasks are marked Crashed too
    (crashed,) = deps["tasks"].triggers
    assert crashed.expect == {"prefect.flow-run.Crashed"}
    assert crashed.parameters == {"flow_run": "{{ event.resource.id }}"}
    assert deps["tasks"].entrypoint == "flows.crashed.crashed_tasks_flow"


def test_status_shows_runs_and_only_open_quarantines(session: Any, home: Path) -> None:
    from datetime import datetime

    from cli.operators import status
    from config.settings import Settings
    from pipeline.run import run as ingest

    inbox = home / "inbox"
    bad = write_csv(inbox / "a" / "supervision_1.csv", [supervision_row(new_members=9999)])
    with session.run("run-1", "ingest", {}):
        ingest(session, [bad], datetime(2017, 5, 1), run_id="run-1")
    fixed = write_csv(inbox / "b" / "supervision_2.csv", [supervision_row()])
    still_bad = write_csv(
        inbox / "c" / "supervision_3.csv", [supervision_row(period="2017Q2", new_members=-1)]
    )
    (inbox / "c" / "projects_broken.csv").write_text("no,such,columns\n1,2,3\n")
    ingest(session, [fixed, still_bad, inbox / "c" / "projects_broken.csv"], datetime(2017, 8, 1))
    session.publish()

    found = status(Settings(home=home), runs=5)
    cols, runs = found["runs"]
    assert [r[cols.index("run_id")] for r in runs] == ["run-1"]
    cols, reports = found["open_reports"]
    assert [(r[cols.index("unit_code")], r[cols.index("period")]) for r in reports] == [
        (COUNTY, "2017Q2")
    ]
    cols, files = found["open_files"]
    assert [Path(r[0]).name for r in files] == ["projects_broken.csv"]


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        RONGHE_HOME=str(tmp_path / "home"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PYTHONPATH=str(Path(__file__).resolve().parents[3]),
    )
    return env


def test_serve_and_watch_need_a_reachable_server(tmp_path: Path, cli_env: dict[str, str]) -> None:
    (tmp_path / "inbox").mkdir()
    for args in (["serve"], ["watch", str(tmp_path / "inbox")]):
        r = _cli(args, cli_env, tmp_path)
        assert r.returncode == 1
        assert r.stderr.startswith("ronghe: error: PREFECT_API_URL is not set")
        assert len(r.stderr.strip().splitlines()) == 1
    r = _cli(["serve"], {**cli_env, "PREFECT_API_URL": "http://127.0.0.1:9/api"}, tmp_path)
    assert r.returncode == 1
    assert "not reachable" in r.stderr and "Traceback" not in r.stderr


def test_a_missing_inbox_is_a_usage_error_and_the_homes_is_made(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    for args in (["watch", str(tmp_path / "nowhere")], ["serve", "--inbox", str(tmp_path / "no")]):
        r = _cli(args, cli_env, tmp_path)
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith("ronghe: error: ") and "no such" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
    r = _cli(["watch"], cli_env, tmp_path)  # the home's own inbox: made, then no server
    assert r.returncode == 1 and "PREFECT_API_URL is not set" in r.stderr
    assert (tmp_path / "home" / "inbox").is_dir()


def test_serve_usage_errors(tmp_path: Path, cli_env: dict[str, str]) -> None:
    for args in (["serve", "--cron", "every day"], ["serve", "--timezone", "Mars/Olympus"]):
        r = _cli(args, cli_env, tmp_path)
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_status_without_a_warehouse_is_one_line(tmp_path: Path, cli_env: dict[str, str]) -> None:
    r = _cli(["status"], cli_env, tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("ronghe: error: no warehouse at")
