"""A province quarter end to end, by the documented procedure, against the city's.

docs/operations.md «Province scale»: a new home, ``RONGHE_SCALE=province`` for its first
run, the province's quarter (``ronghe sample --scale province``, ≈ 9,300 files, ≈ 47,300
reports), then ``ronghe run --period P --inbox …`` to the end: published, then the 通报
and the receipts. The city's quarter (the same sample, ``--scale city``) is run the same
way in the same session, on the same warm Prefect home, and is the baseline: the
province is reported as ratios to it (time until published, time to the end, time per
file). A run that fails after publishing is reported with its last line, not hidden.

    .venv/bin/python -m benchmarks.province [--repeats N] [--no-write]

writes the ``bench:province`` section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.run import BIN, DOC, clean_env, count_files, load_average, say, write_section

PERIOD = "2017Q1"


@dataclass(frozen=True)
class Timed:
    seconds: float
    published: float | None  # seconds until the run said it had published
    returncode: int
    last_line: str


def timed_run(home: Path, inbox: Path, scale: str, prefect_home: Path, log: Path) -> Timed:
    """``ronghe run`` of the quarter, as an operator types it; timed to the end and to
    its "published" line."""
    env = clean_env(RONGHE_SCALE=scale, PREFECT_HOME=str(prefect_home))
    cmd = [str(BIN / "ronghe"), "--home", str(home), "run", "--period", PERIOD]
    start = time.perf_counter()
    published: float | None = None
    lines: list[str] = []
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [*cmd, "--inbox", str(inbox)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if published is None and "published" in line:
                published = time.perf_counter() - start
            lines.append(line.rstrip())
            out.write(line)
        code = proc.wait()
    return Timed(time.perf_counter() - start, published, code, lines[-1] if lines else "")


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--workdir", type=Path, help="keep the inboxes and homes here")
    p.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    args = p.parse_args(argv)
    from synthetic.sample import write_sample

    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="ronghe-province-")
    work = args.workdir or Path(tmp.name)  # type: ignore[union-attr]
    try:
        inboxes = {}
        for scale in ("city", "province"):
            say(f"writing the {scale}'s quarter {PERIOD}")
            write_sample(work / scale, [PERIOD], scale=scale)
            inboxes[scale] = work / scale / PERIOD
        prefect = work / "prefect-warm"
        prefect.mkdir(parents=True, exist_ok=True)
        (work / "empty").mkdir(exist_ok=True)
        say("warming the Prefect home (not timed)")
        timed_run(work / "warm-home", work / "empty", "city", prefect, work / "warm.log")
        results: dict[str, list[Timed]] = {"city": [], "province": []}
        for i in range(args.repeats):
            for scale in ("city", "province"):  # interleaved: the same load for both
                home = work / "homes" / f"{scale}-{i}"
                say(f"run {i + 1}: {scale}")
                results[scale].append(
                    timed_run(home, inboxes[scale], scale, prefect, work / f"{scale}-{i}.log")
                )
        body = render(results, {s: count_files(inboxes[s]) for s in inboxes}, args.repeats)
        print(body)
        if not args.no_write:
            write_section(DOC, "province", body)
            say(f"wrote {DOC}")
        return 0 if all(t.returncode == 0 for ts in results.values() for t in ts) else 1
    finally:
        if tmp is not None:
            tmp.cleanup()


def render(results: dict[str, list[Timed]], files: dict[str, int], repeats: int) -> str:
    lines = [
        f"### A province quarter end to end ({PERIOD}; `python -m benchmarks.province`)",
        "",
        f"Median of {repeats} run(s) each, interleaved, warm Prefect home;"
        f" load average at the end {load_average()}.",
        "",
        "| quarter | files | until published (s) | to the end (s) | ms per file | exit |",
        "|---|---|---|---|---|---|",
    ]
    med: dict[str, tuple[float, float]] = {}
    for scale in ("city", "province"):
        ts = results[scale]
        pub = median([t.published for t in ts if t.published is not None])
        end = median([t.seconds for t in ts])
        med[scale] = (pub, end)
        codes = ", ".join(str(t.returncode) for t in ts)
        lines.append(
            f"| {scale} | {files[scale]:,} | {pub:.1f} | {end:.1f}"
            f" | {end / files[scale] * 1000:.2f} | {codes} |"
        )
    (cp, ce), (pp, pe) = med["city"], med["province"]
    ratio_files = files["province"] / files["city"]
    lines += [
        "",
        f"- province ÷ city: {ratio_files:.2f}× the files, {pp / cp:.2f}× the time until"
        f" published, {pe / ce:.2f}× the time to the end",
    ]
    for scale in ("city", "province"):
        failed = [t for t in results[scale] if t.returncode != 0]
        if failed:
            lines.append(
                f"- **{scale}: exit {failed[0].returncode}** after"
                f" {'publishing' if failed[0].published else 'starting'}:"
                f" `{failed[0].last_line[:200]}`"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
