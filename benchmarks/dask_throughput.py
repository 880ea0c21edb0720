"""Read-and-validate throughput on a Dask cluster of 1 and 2 workers (issue 13).

One province quarter (``--scale province``, ≈ 9,300 files) is read and validated:

1. **local**: :func:`pipeline.run.run` in this process, without Prefect, each stage
   timed (wall and this process's CPU seconds): find new, read and validate (one batch
   per kind, 2 reader threads), load (one transaction), marts. This gives the per-file
   cost of reading and validating, and the one writer's load rate in rows/s.
2. **dask, N workers** (N = 1, 2): a ``distributed.LocalCluster`` of N processes with one
   thread each; every kind's files in 2 × N batches (as ``--dask`` splits them), each
   :func:`pipeline.steps.read_and_validate` submitted to the workers, the results gathered
   and merged per kind (:func:`pipeline.steps.merge_batches`). Workers are warmed first
   (imports, GX suites), as a long-lived cluster is. Worker CPU seconds are read from
   the workers before and after.

The merged verdicts are checked against the local run's: the same accepted rows and
quarantined reports per kind. Prefect is left out of both (its per-task overhead is
fixed, ≈ 1–2 s a run, docs/performance.md). Not run in CI.

    PYTHONPATH=. .venv/bin/python -m benchmarks.dask_throughput [--workdir DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

PERIOD = "2017Q2"
NOW = datetime(2017, 8, 1)


def say(msg: str) -> None:
    print(msg, flush=True)


def cpu() -> float:
    return time.process_time()


def local_run(inbox: Path, home: Path) -> dict[str, Any]:
    """The whole pipeline in this process; each stage's wall and CPU seconds."""
    import pipeline.run as pipeline
    from config.settings import Settings
    from warehouse.workspace import Workspace

    stages: dict[str, tuple[float, float]] = {}

    def timed(name: str, fn: Callable[..., Any], *args: Any, label: str | None = None) -> Any:
        w, c = time.perf_counter(), cpu()
        out = fn(*args)
        dw, dc = time.perf_counter() - w, cpu() - c
        pw, pc = stages.get(name, (0.0, 0.0))
        stages[name] = (pw + dw, pc + dc)
        return out

    settings = Settings(home=home, scale="province", settle_seconds=0)
    with Workspace.open(settings) as ws, ws.run("bench", "quarterly", {}):
        result = pipeline.run(ws, [inbox], NOW, quarters=[PERIOD], run_id="bench", step=timed)
    return {
        "stages": stages,
        "files": result.files,
        "rows": result.rows_read,
        "loaded": result.rows_loaded,
        "quarantined": result.rows_quarantined,
    }


def _worker_cpu() -> float:
    return time.process_time()


def _warm(kind: str, paths: list[Path], registry: Any) -> int:
    from pipeline.steps import read_and_validate

    read_and_validate(kind, paths, registry, NOW, 1)
    return os.getpid()


def dask_run(inbox: Path, workers: int, registry: Any) -> dict[str, Any]:
    """Read and validate the inbox on a LocalCluster of ``workers`` one-thread processes."""
    from distributed import Client, LocalCluster

    from pipeline.run import split
    from pipeline.steps import merge_batches, read_and_validate
    from sources.inbox import group_by_kind, scan

    files = scan([inbox], 0)
    groups = sorted(group_by_kind(files).items(), key=lambda kv: str(kv[0]))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        Client(cluster) as client,
    ):
        reg = client.scatter(registry, broadcast=True)
        # warm every worker: imports, the GX context and suites (a long-lived cluster has them)
        warm = [
            client.submit(_warm, k, list(f[:3]), reg, pure=False, workers=[w])
            for w in client.nthreads()
            for k, f in groups
            if k
        ]
        client.gather(warm)
        before = sum(client.run(_worker_cpu).values())
        t0 = time.perf_counter()
        jobs = [(k, part) for k, f in groups for part in split(f, 2 * workers)]
        futures = [
            client.submit(read_and_validate, k, part, reg, NOW, 1, pure=False) for k, part in jobs
        ]
        parts = client.gather(futures)
        gathered = time.perf_counter() - t0
        merged = [
            merge_batches(k, [p for (kk, _), p in zip(jobs, parts, strict=True) if kk == k])
            for k, _ in groups
        ]
        wall = time.perf_counter() - t0
        worker_cpu = sum(client.run(_worker_cpu).values()) - before
    return {
        "wall": wall,
        "gathered": gathered,
        "merge": wall - gathered,
        "worker_cpu": worker_cpu,
        "batches": merged,
        "tasks": len(jobs),
        "files": sum(len(f) for _, f in groups),
    }


def verdict_counts(batches: list[Any]) -> dict[str, tuple[int, int]]:
    return {
        b.kind: (b.verdicts.accepted.height, b.verdicts.quarantined.height)
        for b in batches
        if b.kind is not None
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ronghe-dask-bench-"))
    inbox = work / "province" / PERIOD
    if not inbox.exists():
        from synthetic.sample import write_sample

        say(f"writing the province quarter {PERIOD} into {work}")
        write_sample(work / "province", [PERIOD], scale="province")
    say(f"load average at start: {os.getloadavg()}")

    local = []
    for i in range(args.repeats):
        local.append(local_run(inbox, work / f"home-local-{i}-{time.time_ns()}"))
        s = local[-1]["stages"]
        say(
            f"local run {i + 1}: "
            + ", ".join(f"{k} {w:.2f} s wall / {c:.2f} s CPU" for k, (w, c) in s.items())
        )
    files = local[0]["files"]
    rows = local[0]["rows"]
    from pipeline.steps import read_and_validate  # noqa: F401  (the GX import, outside the timings)
    from warehouse.registry import load_registry

    registry = load_registry("province")
    from pipeline.steps import read_and_validate as rv
    from sources.inbox import group_by_kind, scan

    reference = verdict_counts(
        [rv(k, f, registry, NOW, 2) for k, f in group_by_kind(scan([inbox], 0)).items()]
    )
    dask: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for i in range(args.repeats):
        for n in (1, 2):
            r = dask_run(inbox, n, registry)
            assert verdict_counts(r.pop("batches")) == reference, "verdicts differ from local"
            dask[n].append(r)
            say(
                f"dask {n} worker(s), run {i + 1}: {r['wall']:.2f} s wall ({r['tasks']} tasks,"
                f" merge {r['merge']:.2f} s), worker CPU {r['worker_cpu']:.2f} s"
            )
    say(f"load average at the end: {os.getloadavg()}")

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    rv_wall = med([r["stages"]["read-and-validate"][0] for r in local])
    rv_cpu = med([r["stages"]["read-and-validate"][1] for r in local])
    load_wall = med([r["stages"]["load"][0] for r in local])
    marts_wall = med([r["stages"]["rebuild-marts"][0] for r in local])
    find_wall = med([r["stages"]["find-new-files"][0] for r in local])
    say("")
    say(
        f"province quarter {PERIOD}: {files} files, {rows} rows"
        f" (loaded {local[0]['loaded']}, quarantined {local[0]['quarantined']})"
    )
    say("| variant | read+validate wall (s) | files/s | CPU s per file (ms) | runs (s) |")
    say("|---|---|---|---|---|")
    say(
        f"| local, 1 process, 2 reader threads | {rv_wall:.2f} | {files / rv_wall:.0f} |"
        f" {1000 * rv_cpu / files:.2f} | "
        + ", ".join(f"{r['stages']['read-and-validate'][0]:.2f}" for r in local)
        + " |"
    )
    for n, rs in dask.items():
        w = med([r["wall"] for r in rs])
        c = med([r["worker_cpu"] for r in rs])
        say(
            f"| dask, {n} worker(s) × 1 thread | {w:.2f} | {files / w:.0f} |"
            f" {1000 * c / files:.2f} | " + ", ".join(f"{r['wall']:.2f}" for r in rs) + " |"
        )
    say("")
    say(
        f"local stages (median wall): find new {find_wall:.2f} s, load {load_wall:.2f} s"
        f" ({rows / load_wall:.0f} rows/s, {files / load_wall:.0f} files/s incl. archive),"
        f" marts {marts_wall:.2f} s"
    )


if __name__ == "__main__":
    main()
