"""Where a run's time goes, stage by stage, against the floor of the same run.

A child process (``python -m benchmarks.stages --child INBOX HOME``) runs the pipeline
the way a warm engine runs it (:mod:`flows.engine`): the validation process and the read
worker started and warmed first (their start-up is reported as its own lines: a
one-shot command pays it, a warm engine once), then the run's stages as plain calls
(``pipeline.run.run`` with a timing ``step``), publish, the receipts and the 通报. Each
stage reports its wall time and the CPU time of the run's process; the helper
processes' CPU (the read worker, the validation process) is reported apart.

:func:`measure` runs the floor (``benchmarks.floor``) and that child in turn,
``repeats`` times each (interleaved, so that the machine's load is shared), and
:func:`table` gives the medians with each stage's share of the floor's wall time.
``python -m benchmarks.stages INBOX`` prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from benchmarks import measure

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2017Q1"

# (key, label) in the order of a run; sub-stages are indented in the table
STAGES: tuple[tuple[str, str], ...] = (
    ("imports", "Python start-up and the run's imports (ronghe, Polars, DuckDB)"),
    ("gx-start", "validation process: GX import and suites (a one-shot pays it)"),
    ("worker-start", "read worker start (a one-shot pays it)"),
    ("open", "open the workspace (lock, working copy, registry)"),
    ("find-new-files", "find new files (survey, SHA-256, seen before?)"),
    ("read", "read the files (text here, workbooks in the read worker)"),
    ("parse", "parse (stack + cast to the declared types)"),
    ("submit", "hand each kind's batch to the validation process"),
    ("settle", "wait for the last verdicts"),
    ("archive", "archive (one tar pack)"),
    ("load-batch", "load (one transaction)"),
    ("load", "  load stage in all (archive, reconcile, load)"),
    ("rebuild-marts", "rebuild the marts"),
    ("publish", "publish (checkpoint + atomic copy)"),
    ("receipts", "receipts (回执), after publishing"),
    ("reports", "the 通报, after publishing"),
)
UNTIL_PUBLISHED = (
    "open",
    "find-new-files",
    "read",
    "parse",
    "submit",
    "settle",
    "load",
    "rebuild-marts",
    "publish",
)
"""The stages of a warm run until it has published (sub-stages excluded)."""


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0


@dataclass
class Stages:
    """One child run: per stage, wall and the run process's CPU; helpers' CPU; rows."""

    stages: dict[str, Timing] = field(default_factory=dict)
    helper_cpu: float = 0.0
    rows_read: int = 0

    def add(self, key: str, wall: float, cpu: float) -> None:
        t = self.stages.setdefault(key, Timing())
        t.wall += wall
        t.cpu += cpu


@contextmanager
def timed(into: Stages, key: str) -> Iterator[None]:
    w, c = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        into.add(key, time.perf_counter() - w, time.process_time() - c)


def _wrap(into: Stages, key: str, fn: Callable[..., T]) -> Callable[..., T]:
    def wrapped(*args: Any, **kwargs: Any) -> T:
        with timed(into, key):
            return fn(*args, **kwargs)

    return wrapped


def child(inbox: Path, home: Path, started: float) -> Stages:
    """The run's stages, timed, in this process (see the module doc)."""
    out = Stages()
    out.add("imports", time.perf_counter() - started, time.process_time())
    with timed(out, "imports"):
        import pipeline.run as pipeline
        import pipeline.steps as steps
        from config.settings import Settings
        from expectations import process as gx_process
        from transforms import read, worker
        from warehouse import store
        from warehouse.workspace import Workspace
    with timed(out, "gx-start"):
        gx_process.prestart()
        gx_process.wait_ready()
    with timed(out, "worker-start"):
        worker.prestart()
    # the stages' parts, timed where the pipeline calls them
    steps.read_files = _wrap(out, "read", read.read_files)
    steps.parse = _wrap(out, "parse", steps.parse)
    steps.stack = _wrap(out, "parse", steps.stack)
    steps.archive = _wrap(out, "archive", steps.archive)
    store.load_batch = _wrap(out, "load-batch", store.load_batch)
    gx_process.submit = _wrap(out, "submit", gx_process.submit)
    pipeline.settle = _wrap(out, "settle", pipeline.settle)

    def step(name: str, fn: Callable[..., T], *args: Any, label: str | None = None) -> T:
        if name == "read-and-validate":
            return fn(*args)  # its parts are timed apart
        with timed(out, name):
            return fn(*args)

    settings = Settings(home=home, settle_seconds=0)
    with timed(out, "open"), Workspace.open(settings) as ws:
        with ws.run("bench", "quarterly", {}):
            result = pipeline.run(
                ws, [inbox], datetime.now(), quarters=[PERIOD], run_id="bench", step=step
            )
        with timed(out, "publish"):
            ws.publish()
    # the workspace's open and close, less what ran inside it
    inner = sum(
        out.stages[k].wall for k in UNTIL_PUBLISHED if k not in ("open",) and k in out.stages
    )
    inner_cpu = sum(out.stages[k].cpu for k in UNTIL_PUBLISHED if k != "open" and k in out.stages)
    o = out.stages["open"]
    o.wall, o.cpu = max(0.0, o.wall - inner), max(0.0, o.cpu - inner_cpu)
    out.rows_read = result.load.rows_read
    from filers.receipts import write_period_receipts

    with timed(out, "receipts"):
        write_period_receipts(settings.published_path, [PERIOD], settings.receipts_dir)
    from reports import write_reports

    with timed(out, "reports"):
        write_reports(settings.published_path, settings.reports_dir, [PERIOD], None)
    out.helper_cpu = sum(measure.tree_cpu(p) for p in measure.children_of(os.getpid()))
    gx_process.shutdown()
    worker.shutdown()
    return out


def run_child(inbox: Path, work: Path, n: int) -> Stages:
    home = work / f"stages-{n:03d}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    out = work / f"stages-{n:03d}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))} | {
        "PYTHONPATH": str(ROOT),
        "RONGHE_SETTLE_SECONDS": "0",
    }
    cmd = [sys.executable, "-m", "benchmarks.stages", "--child", str(inbox), str(home), str(out)]
    measure.run(cmd, env=env, cwd=ROOT, log=work / f"stages-{n:03d}.log")
    doc = json.loads(out.read_text(encoding="utf-8"))
    shutil.rmtree(home, ignore_errors=True)
    return Stages(
        {k: Timing(*v) for k, v in doc["stages"].items()}, doc["helper_cpu"], doc["rows_read"]
    )


@dataclass
class StageTable:
    floor: list[float]
    runs: list[Stages]

    def median(self, key: str, what: str = "wall") -> float:
        return statistics.median(getattr(r.stages.get(key, Timing()), what) for r in self.runs)

    def until_published(self) -> float:
        return statistics.median(
            sum(r.stages.get(k, Timing()).wall for k in UNTIL_PUBLISHED) for r in self.runs
        )

    def lines(self) -> list[str]:
        floor = statistics.median(self.floor)
        rows = [
            "| stage | wall (s) | CPU of the run's process (s) | × the floor's wall |",
            "|---|---|---|---|",
        ]
        for key, label in STAGES:
            if not any(key in r.stages for r in self.runs):
                continue
            wall = self.median(key)
            rows.append(
                f"| {label} | {wall:.2f} | {self.median(key, 'cpu'):.2f} | {wall / floor:.2f} |"
            )
        warm = self.until_published()
        helper = statistics.median(r.helper_cpu for r in self.runs)
        rows += [
            f"| **a warm run until published** (open … publish) | **{warm:.2f}** | |"
            f" **{warm / floor:.2f}** |",
            f"| the floor (`benchmarks.floor`, a process of its own) | {floor:.2f} | | 1.00 |",
            "",
            f"The helper processes (read worker, validation process) used {helper:.2f} s of CPU"
            " per run beside it (GX's import and the suites included).",
        ]
        return rows


def measure_stages(inbox: Path, work: Path, repeats: int, say: Callable[[str], None]) -> StageTable:
    """The floor and the staged run, interleaved, ``repeats`` times each."""
    floor: list[float] = []
    runs: list[Stages] = []
    for r in range(repeats):
        db = work / f"floor-{r}.duckdb"
        s = measure.run([sys.executable, "-m", "benchmarks.floor", str(inbox), str(db)], cwd=ROOT)
        db.unlink(missing_ok=True)
        floor.append(s.seconds)
        runs.append(run_child(inbox, work, r))
        say(
            f"stages run {r + 1}: floor {s.seconds:.2f} s, warm run until published"
            f" {sum(runs[-1].stages.get(k, Timing()).wall for k in UNTIL_PUBLISHED):.2f} s"
        )
    return StageTable(floor, runs)


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.stages", description=__doc__.split("\n")[0]
    )
    p.add_argument("--child", nargs=3, metavar=("INBOX", "HOME", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("inbox", nargs="?", type=Path, help="a sample inbox (default: 2017Q1, city)")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    if args.child:
        inbox, home, out = map(Path, args.child)
        got = child(inbox, home, started)
        doc = {
            "stages": {k: (t.wall, t.cpu) for k, t in got.stages.items()},
            "helper_cpu": got.helper_cpu,
            "rows_read": got.rows_read,
        }
        out.write_text(json.dumps(doc), encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="ronghe-stages-") as tmp:
        work = Path(tmp)
        inbox = args.inbox
        if inbox is None:
            from synthetic.sample import write_sample

            write_sample(work / "sample", [PERIOD])
            inbox = work / "sample" / PERIOD
        table = measure_stages(inbox, work, args.repeats, lambda m: print(m, flush=True))
        print("\n".join(table.lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
