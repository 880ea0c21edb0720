"""Issue 31: a city quarter one-shot and served, against the floor of the same run.

The input is the issue's: ``ronghe sample --scale city`` for 2017Q1 (3,812 files). In one
run, interleaved and repeated (medians compared, every run listed):

- **floor** (:mod:`benchmarks.floor`): read every file, insert its rows, nothing else;
- **one-shot**: ``ronghe run`` with its embedded Prefect server (warm Prefect home), a
  fresh ``RONGHE_HOME``; *until published* is the time of its ``· published`` line (its
  events, receipts and 通报 follow in a flow run of their own, and it says when written);
- **served**: ``ronghe serve`` (deployments and the warm engine, :mod:`flows.engine`)
  beside a long-lived ``prefect server start``, started once and warmed before the first
  run; each run is a ``ronghe-quarterly/quarterly`` deployment run of the same inbox into
  a fresh home (parameters ``home`` and ``inbox``): *until published* from the moment
  the run is asked for, and from the moment its flow run starts (the serving runner
  polls every second, ``flows.deployments.RUNNER_POLL_SECONDS``, and starts a process per
  flow run: that is the difference);
- **``ronghe run`` beside a server** (``PREFECT_API_URL`` set, no engine): the issue's
  second row;
- **one-shot, empty inbox**: the fixed cost.

Then the stage table (:mod:`benchmarks.stages`). ``python -m benchmarks.speed`` writes the
``bench:speed`` section of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import measure, stages
from benchmarks.run import BIN, DOC, clean_env, load_average, say, table, verdict, write_section
from benchmarks.targets import prefect_server

PERIOD = "2017Q1"
PY = sys.executable
MARK = "· published "


class Work:
    """Fresh folders for each run, under one work folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.n = 0
        self.prefect_home = root / "prefect-warm"
        self.prefect_home.mkdir(parents=True, exist_ok=True)

    def fresh(self, name: str) -> Path:
        self.n += 1
        d = self.root / "runs" / f"{self.n:03d}-{name}"
        d.mkdir(parents=True)
        return d


def floor(work: Work, inbox: Path) -> measure.Sample:
    d = work.fresh("floor")
    cmd = [PY, "-m", "benchmarks.floor", str(inbox), str(d / "floor.duckdb")]
    sample = measure.run(cmd, env=clean_env(), cwd=stages.ROOT, log=d / "log")
    (d / "floor.duckdb").unlink(missing_ok=True)
    return sample


def one_shot(work: Work, inbox: Path, url: str | None = None) -> measure.Sample:
    """``ronghe run`` on a fresh home: embedded server, or the server at ``url``."""
    d = work.fresh("one-shot" if url is None else "beside-server")
    extra = {"PREFECT_HOME": str(work.prefect_home)}
    if url is not None:
        extra["PREFECT_API_URL"] = url
    cmd = [str(BIN / "ronghe"), "--home", str(d / "home"), "run", "--period", PERIOD]
    cmd += ["--inbox", str(inbox)]
    sample = measure.run(cmd, env=clean_env(**extra), cwd=d, log=d / "log", mark=MARK)
    shutil.rmtree(d / "home", ignore_errors=True)
    return sample


@contextlib.contextmanager
def served(work: Work, url: str) -> Iterator[Path]:
    """``ronghe serve`` beside the server at ``url``, its engine warm; its home."""
    home = work.root / "serve-home"
    (home / "inbox").mkdir(parents=True, exist_ok=True)
    env = clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(work.root / "serve-prefect"))
    with (work.root / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "ronghe"), "--home", str(home), "serve", "--poll-minutes", "600"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_engine(url, proc, work.root / "serve.log")
        yield home
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def _wait_engine(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until the engine is subscribed (``ronghe engine: warm`` in the log) and served."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ronghe serve stopped: {log.read_text(errors='replace')[-2000:]}")
        text = log.read_text(errors="replace")
        if "Subscribing to runs" in text and "deployments are being served" in text:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the engine did not start: see {log}")


def served_run(work: Work, url: str, inbox: Path) -> measure.Sample:
    """One ``ronghe-quarterly/quarterly`` run into a fresh home; its times.

    ``seconds``: asked for → the flow run ended; ``marked``: asked for → published (the
    published file appeared); ``output``: "run start → published, run start → end".
    """
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    d = work.fresh("served")
    home = d / "home"
    published = home / "warehouse.duckdb"
    seen: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() and not published.exists():
            time.sleep(0.02)
        if published.exists():
            seen.append(time.perf_counter())

    with temporary_settings(updates={PREFECT_API_URL: url}):
        start = time.perf_counter()
        asked = datetime.now().astimezone()
        threading.Thread(target=watch, daemon=True).start()
        run: Any = run_deployment(
            "ronghe-quarterly/quarterly",
            parameters={"period": PERIOD, "inbox": str(inbox), "home": str(home)},
            timeout=0,
            as_subflow=False,
        )
        with get_client(sync_client=True) as client:
            while True:
                got = client.read_flow_run(run.id)
                if got.state is not None and got.state.is_final():
                    break
                time.sleep(0.1)
        seconds = time.perf_counter() - start
        done.set()
    if got.state is None or not got.state.is_completed():
        raise RuntimeError(f"the served run ended {got.state}: see {work.root / 'serve.log'}")
    _wait_outputs(url, got.id)  # its receipts and 通报, before the next variant runs
    marked = seen[0] - start if seen else None
    began = got.start_time
    lag = (began - asked).total_seconds() if began is not None else 0.0
    sample = measure.Sample(seconds, 0.0, 0.0, 0, "", marked)
    sample.output = f"{lag:.2f}"
    shutil.rmtree(home, ignore_errors=True)
    return sample


def _wait_outputs(url: str, run_id: Any, timeout: float = 600) -> None:
    """Until the ``ronghe-outputs`` flow run that the run's published event started has
    ended (it runs in the engine beside whatever is measured next, otherwise); nothing
    when the run owed no outputs (its log says whether it announced them)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout
    with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as c:
        logs = c.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        if not any("follow in a ronghe-outputs flow run" in log.message for log in logs):
            return
        deployment = c.read_deployment_by_name("ronghe-outputs/outputs")
        started: Any = c.read_flow_run(run_id).start_time
        flt = FlowRunFilter(deployment_id=FlowRunFilterDeploymentId(any_=[deployment.id]))
        while time.monotonic() < deadline:
            runs = [
                r
                for r in c.read_flow_runs(flow_run_filter=flt)
                if r.created is not None and r.created >= started
            ]
            if runs and all(r.state is not None and r.state.is_final() for r in runs):
                return
            time.sleep(0.5)
    raise RuntimeError("the outputs flow run of a served run did not end")


def median(samples: Sequence[measure.Sample], what: Callable[[measure.Sample], float]) -> float:
    return statistics.median(what(s) for s in samples)


def render(
    series: dict[str, list[measure.Sample]],
    stage_table: stages.StageTable | None,
    repeats: int,
    minutes: float,
    calibration: float,
    files: int,
) -> str:
    fl = median(series["floor"], lambda s: s.seconds)
    fl_cpu = median(series["floor"], lambda s: s.cpu)
    rows = []
    for label, samples in series.items():
        wall = median(samples, lambda s: s.seconds)
        marks = [s.marked for s in samples if s.marked is not None]
        pub = statistics.median(marks) if len(marks) == len(samples) else None
        cpu = median(samples, lambda s: s.cpu)
        rows.append(
            [
                label,
                f"{wall:.2f}",
                ", ".join(f"{s.seconds:.2f}" for s in samples),
                "" if pub is None else f"{pub:.2f}",
                f"{wall / fl:.1f}×",
                "" if pub is None else f"{pub / fl:.1f}×",
                "" if not cpu else f"{cpu:.2f} ({cpu / fl_cpu:.1f}×)",
            ]
        )
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.speed`"
        f" ({minutes:.1f} min): {files:,} files (`ronghe sample --scale city`, {PERIOD});"
        f" {repeats} runs of each variant, interleaved, medians compared; load average at the"
        f" end {load_average()} on {len(os.sched_getaffinity(0))} cores; this machine's speed:"
        f" {calibration:.2f} s for 10 million additions in Python.",
        "",
        *table(
            rows,
            (
                "variant",
                "median wall (s)",
                "runs (s)",
                "until published (s)",
                "× floor",
                "published × floor",
                "CPU (s, × the floor's)",
            ),
        ),
        "",
    ]
    lines.append(
        "- CPU: user + system seconds of the command and the processes it waited for (its"
        " embedded server, read worker, validation process); the same work however loaded the"
        " machine is. A served run's CPU is spent in the engine and is not counted here."
    )
    srv = series.get("served (warm engine), a deployment run")
    if srv:
        lag = median(srv, lambda s: float(s.output or 0))
        lines.append(
            f"- served: {lag:.2f} s of each run (median) pass before its flow run starts (the"
            " runner's poll and the flow run's process); from its start to published:"
            f" {median(srv, lambda s: (s.marked or 0) - float(s.output or 0)):.2f} s"
            f" = {median(srv, lambda s: (s.marked or 0) - float(s.output or 0)) / fl:.1f}× the"
            " floor"
        )
    one = series.get("one-shot (embedded server)")
    targets = []
    if one:
        r = median(one, lambda s: s.seconds) / fl
        p = median(one, lambda s: s.marked or 0) / fl
        targets.append(
            ["one-shot ≤ 3× the floor", f"{r:.1f}× ({p:.1f}× until published)", verdict(r <= 3)]
        )
    if srv:
        r = median(srv, lambda s: s.marked or 0) / fl
        targets.append(
            ["served ≤ 2× the floor (asked for → published)", f"{r:.1f}×", verdict(r <= 2)]
        )
    if targets:
        lines += ["", *table(targets, ("target", "measured", ""))]
    if stage_table is not None:
        lines += ["", "#### The stages of a run (`benchmarks.stages`)", "", *stage_table.lines()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.speed", description=__doc__.split("\n")[0]
    )
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workdir", type=Path)
    p.add_argument("--doc", type=Path, default=DOC)
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--no-stages", action="store_true")
    args = p.parse_args(argv)
    # stopped (SIGTERM): the servers it started are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="ronghe-speed-")
    root = args.workdir or Path(tmp.name)  # type: ignore[union-attr]
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    calibration = measure.calibrate()
    try:
        from synthetic.sample import write_sample

        say(f"writing the city quarter {PERIOD}")
        write_sample(root / "sample", [PERIOD])
        inbox = root / "sample" / PERIOD
        empty = root / "empty"
        empty.mkdir(exist_ok=True)
        files = sum(1 for f in inbox.rglob("*") if f.is_file())
        work = Work(root)
        say("warming up a Prefect home (not timed)")
        one_shot(work, empty)
        series: dict[str, list[measure.Sample]] = {}
        with prefect_server(root) as url:
            say(f"long-lived Prefect server at {url}; starting ronghe serve and its engine")
            with served(work, url):
                served_run(work, url, empty)  # not timed: the first run of each kind
                variants: dict[str, Callable[[], measure.Sample]] = {
                    "floor": lambda: floor(work, inbox),
                    "one-shot (embedded server)": lambda: one_shot(work, inbox),
                    "served (warm engine), a deployment run": lambda: served_run(work, url, inbox),
                    "`ronghe run` beside the server (no engine)": lambda: one_shot(
                        work, inbox, url
                    ),
                    "one-shot, empty inbox": lambda: one_shot(work, empty),
                }
                for r in range(args.repeats):
                    for label, fn in variants.items():
                        s = fn()
                        series.setdefault(label, []).append(s)
                        say(
                            f"{label} run {r + 1}: {s.seconds:.2f} s"
                            + ("" if s.marked is None else f", published {s.marked:.2f} s")
                            + f" (load {os.getloadavg()[0]:.1f})"
                        )
        stage_table = None
        if not args.no_stages:
            stage_table = stages.measure_stages(inbox, root, args.repeats, say)
        body = render(
            series,
            stage_table,
            args.repeats,
            (time.perf_counter() - started) / 60,
            calibration,
            files,
        )
        print(body)
        if not args.no_write:
            write_section(args.doc, "speed", body)
            say(f"wrote {args.doc}")
        return 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
