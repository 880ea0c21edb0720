"""What the read worker costs: workbooks parsed in a child process under limits
(``transforms/worker.py``), against the same workbooks parsed in the run's process.

Writes the city quarter's sample (one file per unit per kind) and takes its 1,784 xlsx
files (≈ 6 KB, one data row each), and writes a few large workbooks (a supervision
file's header and row repeated, as a county's consolidated file). Then, in this one
process, with the files' bytes already in memory, interleaved and repeated (medians
compared; wall time, and the CPU time of this process and the worker, which a busy
machine disturbs less), each set is parsed three ways:

1. **in process**: the workbook reader called directly (``transforms.read.READERS``),
   no limit: the baseline;
2. **limits, in process**: ``read_within_limits`` with ``RONGHE_READ_WORKER=0``: the
   size and zip checks (unpacked size, ratio), then the reader in this process;
3. **worker** (the default): ``read_within_limits``: the same checks, then the bytes sent
   to the long-lived worker process (address-space and time limits) and its table
   pickled back.

And ``read_file`` of the small files from disk (what a run pays per file: SHA-256,
parsing, the frame) with the worker and without. The worker's start-up (a fresh
worker's first file) is timed apart. Every table the worker returns is checked equal
to the in-process one. Writes the ``bench:worker`` section of ``docs/performance.md``.

Run as ``python -m benchmarks.read_worker [--repeats N] [--no-write]`` (≈ 2 min).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from benchmarks import measure
from benchmarks.run import DOC, PERIOD, load_average, say, table, write_section

BIG_ROWS = 5_000
BIG_FILES = 10
Run = Callable[[], None]


def inputs(work: Path) -> tuple[list[Path], list[Path]]:
    """The city quarter's xlsx files, and ``BIG_FILES`` large workbooks."""
    import fastexcel
    import xlsxwriter

    from synthetic.sample import write_sample

    say("writing the city quarter (one file per unit per kind)")
    write_sample(work / "city", [PERIOD], per_unit=True)
    small = sorted((work / "city").rglob("*.xlsx"))
    model = next(p for p in small if p.name.startswith("supervision"))
    grid = fastexcel.read_excel(model.read_bytes()).load_sheet(0, header_row=None)
    header, row = grid.to_polars().rows()[:2]
    big = []
    for i in range(BIG_FILES):
        path = work / f"supervision_county_{i}.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet()
        ws.write_row(0, 0, header)
        for r in range(1, BIG_ROWS + 1):
            ws.write_row(r, 0, row)
        wb.close()
        big.append(path)
    return small, big


def _parse_all(datas: Sequence[bytes], worker: bool | None) -> Run:
    """Parse every workbook: directly (None), or within limits with or without the worker."""
    from transforms.read import READERS, EmptyFileError, UnreadableError
    from transforms.worker import read_within_limits

    expected = (UnreadableError, EmptyFileError)

    def go() -> None:
        if worker is None:
            for d in datas:
                READERS["xlsx"](d)
            return
        os.environ["RONGHE_READ_WORKER"] = "1" if worker else "0"
        for d in datas:
            read_within_limits("xlsx", d, READERS, expected)

    return go


def _read_files(paths: Sequence[Path], worker: bool) -> Run:
    from transforms.read import read_file

    def go() -> None:
        os.environ["RONGHE_READ_WORKER"] = "1" if worker else "0"
        for p in paths:
            read_file(p)

    return go


Times = dict[str, list[tuple[float, float]]]
"""Per variant, each run's (wall seconds, CPU seconds of this process and the worker)."""


def timed(variants: dict[str, Run], repeats: int, what: str) -> Times:
    """Each variant once to warm up, then all round-robin ``repeats`` times."""
    for fn in variants.values():
        fn()
    runs: Times = {label: [] for label in variants}
    me = os.getpid()
    for r in range(repeats):
        for label, fn in variants.items():
            t, cpu = time.perf_counter(), measure.tree_cpu(me)
            fn()
            runs[label].append((time.perf_counter() - t, measure.tree_cpu(me) - cpu))
            wall, used = runs[label][-1]
            say(f"{what}, {label}, run {r + 1}: {wall:.2f} s, CPU {used:.2f} s")
    return runs


def start_up(data: bytes, repeats: int) -> float:
    """Median seconds of a fresh worker's first file, less the file's in-process parse."""
    from transforms import worker
    from transforms.read import READERS, EmptyFileError, UnreadableError

    os.environ["RONGHE_READ_WORKER"] = "1"
    out = []
    for _ in range(repeats):
        worker.shutdown()
        t = time.perf_counter()
        worker.read_within_limits("xlsx", data, READERS, (UnreadableError, EmptyFileError))
        first = time.perf_counter() - t
        t = time.perf_counter()
        READERS["xlsx"](data)
        out.append(first - (time.perf_counter() - t))
    return statistics.median(out)


def same_tables(datas: Sequence[bytes]) -> bool:
    """Whether the worker returns, for every workbook, what the reader returns here."""
    from transforms.read import READERS, EmptyFileError, UnreadableError
    from transforms.worker import read_within_limits

    os.environ["RONGHE_READ_WORKER"] = "1"
    expected = (UnreadableError, EmptyFileError)
    for d in datas:
        here, there = READERS["xlsx"](d), read_within_limits("xlsx", d, READERS, expected)
        if here != there:
            return False
    return True


def rows(name: str, n: int, runs: Times) -> list[list[str]]:
    first = next(iter(runs.values()))
    wall0, cpu0 = (statistics.median(x[i] for x in first) for i in (0, 1))
    out = []
    for label, times in runs.items():
        wall, cpu = (statistics.median(x[i] for x in times) for i in (0, 1))
        out.append(
            [
                name,
                label,
                f"{wall:.2f}",
                ", ".join(f"{w:.2f}" for w, _ in times),
                f"{cpu:.2f}",
                f"{wall / n * 1000:.2f}",
                f"{wall / wall0:.2f}×",
                f"{cpu / cpu0:.2f}×",
            ]
        )
        name = ""
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print, do not edit the doc")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    speed = measure.calibrate()
    with tempfile.TemporaryDirectory(prefix="ronghe-worker-bench-") as tmp:
        small, big = inputs(Path(tmp))
        sdata = [p.read_bytes() for p in small]
        bdata = [p.read_bytes() for p in big]
        ok = same_tables(sdata[:200] + bdata[:1])
        startup = start_up(sdata[0], args.repeats)
        three = {"in process": None, "limits, in process": False, "worker": True}
        sets = (
            (f"{len(small):,} small xlsx (≈ 6 KB, 1 row)", sdata),
            (f"{len(big)} large xlsx ({BIG_ROWS:,} rows × 30 columns)", bdata),
        )
        lines: list[list[str]] = []
        for name, datas in sets:
            runs = timed({k: _parse_all(datas, w) for k, w in three.items()}, args.repeats, name)
            lines += rows(name, len(datas), runs)
        files = {"in process": _read_files(small, False), "worker": _read_files(small, True)}
        lines += rows(
            f"`read_file` of the {len(small):,} small xlsx",
            len(small),
            timed(files, args.repeats, "read_file"),
        )
        big_mb = sum(len(d) for d in bdata) / len(bdata) / 1e6
    os.environ.pop("RONGHE_READ_WORKER", None)
    body = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.read_worker`"
        f" ({(time.perf_counter() - t0) / 60:.1f} min); {args.repeats} run(s) of each"
        " variant, interleaved, medians compared; load average at the end"
        f" {load_average()} on {len(os.sched_getaffinity(0))} cores; this machine's speed:"
        f" {speed:.2f} s for 10 million additions in Python (`benchmarks.measure.calibrate`).",
        "",
        *table(
            lines,
            (
                "files",
                "variant",
                "median wall (s)",
                "runs (s)",
                "median CPU (s)",
                "wall per file (ms)",
                "wall × in process",
                "CPU × in process",
            ),
        ),
        "",
        f"- a large workbook is {big_mb:.1f} MB",
        f"- worker start-up (a fresh worker's first file, less its parse): {startup * 1000:.0f} ms",
        "- check: the worker's tables equal the in-process ones "
        + ("✓" if ok else "✗ (they differ)"),
    ]
    text = "\n".join(body)
    print(text)
    if not args.no_write:
        write_section(DOC, "worker", text)
        say(f"wrote {DOC}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
