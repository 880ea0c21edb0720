"""The targets of issue 13, measured in one run so that their ratios share one machine state.

- **memory**: ``ronghe backfill`` of 1 city quarter and of 8 city quarters (one file per
  unit per kind), peak RSS of the largest process (the pipeline's own): the ratio;
- **production speed**: one long-lived ``prefect server start`` (its own PREFECT_HOME, a
  free port on loopback) and ``ronghe run`` of the city quarter with ``PREFECT_API_URL``
  pointing at it (no embedded server starts), against the floor and the pandas +
  openpyxl script, interleaved and repeated;
- **one-shot fixed cost**: ``ronghe run`` on an empty inbox with the embedded server,
  warm Prefect home (the default).

Writes the ``bench:targets`` section of ``docs/performance.md``. ``--quick``: one run of
each variant and the memory pair on 1 and 4 quarters.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from benchmarks import measure
from benchmarks.run import (
    BIN,
    DOC,
    PERIOD,
    Case,
    Runner,
    check_answers,
    clean_env,
    generate,
    load_average,
    repeat,
    say,
    table,
    verdict,
    warehouse_rows,
    write_section,
)

MEMORY_QUARTERS = ("2016Q1", "2017Q4")  # 8 quarters, 2017Q2 among them


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def prefect_server(work: Path) -> Iterator[str]:
    """A long-lived Prefect server on loopback, as ``ronghe serve`` runs beside; its API URL."""
    home = work / "prefect-server"
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = clean_env(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
    )
    cmd = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with (work / "prefect-server.log").open("w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"prefect server did not start: see {work}/prefect-server.log")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def ronghe_served(runner: Runner, url: str, args: Sequence[str], name: str) -> measure.Sample:
    """``ronghe --home NEW ARGS`` against the long-lived server."""
    d = runner.fresh(name)
    env = clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(runner.warm_prefect))
    cmd = [str(BIN / "ronghe"), "--home", str(d / "home"), *args]
    sample = measure.run(cmd, env=env, cwd=d, log=d / "log", mark="· published ")
    sample.output = "{} {} {}".format(*warehouse_rows(d / "home"))
    return sample


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.targets", description=__doc__.split("\n")[0]
    )
    p.add_argument("--quick", action="store_true", help="1 run each; memory on 1 and 4 quarters")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--workdir", type=Path)
    p.add_argument("--doc", type=Path, default=DOC)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    start, end = ("2017Q1", "2017Q4") if args.quick else MEMORY_QUARTERS
    tmp = None if args.workdir else tempfile.TemporaryDirectory(prefix="ronghe-targets-")
    work = args.workdir or Path(tmp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    calibration = measure.calibrate()
    say(f"calibration: {calibration:.2f} s for 10 million additions")
    try:
        from synthetic.sample import write_sample
        from transforms.periods import period_range

        inputs = generate(work, province=False, backfill=False)
        quarters = period_range(start, end)
        say(f"writing {len(quarters)} city quarters for the memory target")
        write_sample(work / "multi", quarters, per_unit=True)
        runner = Runner(work)
        say("warming up a Prefect home (not timed)")
        runner.warm_up(inputs["empty"])
        city = Case("city quarter", inputs["city"], 0)
        mem = Case("memory", work / "multi", 0)
        with prefect_server(work) as url:
            say(f"long-lived Prefect server at {url}")
            runner.ronghe(inputs["empty"], warm=True)  # not timed: the client's first call
            repeat(
                city,
                {
                    "floor": lambda: runner.floor(city.inbox),
                    "pandas + openpyxl": lambda: runner.pandas(city.inbox),
                    "ronghe, long-lived server": lambda: ronghe_served(
                        runner, url, ["run", "--period", PERIOD, "--inbox", str(city.inbox)], "srv"
                    ),
                    "ronghe one-shot, empty inbox (warm)": lambda: runner.ronghe(
                        inputs["empty"], warm=True
                    ),
                },
                repeats,
            )
            one = ["backfill", "--from", PERIOD, "--to", PERIOD, "--inbox", str(city.inbox)]
            many = ["backfill", "--from", start, "--to", end, "--inbox", str(work / "multi")]
            repeat(
                mem,
                {
                    "backfill, 1 quarter": lambda: ronghe_served(runner, url, one, "mem1"),
                    f"backfill, {len(quarters)} quarters": lambda: ronghe_served(
                        runner, url, many, "memN"
                    ),
                },
                1,
            )
        city.series["ronghe (warm Prefect)"] = city.series["ronghe, long-lived server"]
        check_answers(city)
        del city.series["ronghe (warm Prefect)"]
        body = render(
            city, mem, len(quarters), repeats, args.quick, time.perf_counter() - t0, calibration
        )
        print(body)
        if not args.no_write:
            write_section(args.doc, "targets", body)
            say(f"wrote {args.doc}")
        return 0
    finally:
        if tmp is not None:
            tmp.cleanup()


def render(
    city: Case, mem: Case, n: int, repeats: int, quick: bool, seconds: float, calibration: float
) -> str:
    s = city.series
    floor, pandas = s["floor"].seconds, s["pandas + openpyxl"].seconds
    srv = s["ronghe, long-lived server"]
    served, fixed = srv.seconds, s["ronghe one-shot, empty inbox (warm)"]
    published = srv.marked
    m1, mn = mem.series["backfill, 1 quarter"], mem.series[f"backfill, {n} quarters"]
    ratio = mn.maxrss_mib / m1.maxrss_mib
    rows = [
        [
            x.label,
            f"{x.seconds:.2f}",
            x.runs(),
            "" if x.marked is None else f"{x.marked:.2f}",
            f"{x.maxrss_mib:.0f}",
            f"{x.peak_tree_rss_mib:.0f}",
        ]
        for x in [*s.values(), *mem.series.values()]
    ]
    limit = 1.25 if n == 8 else None
    return "\n".join(
        [
            f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.targets"
            f"{' --quick' if quick else ''}` ({seconds / 60:.1f} min); {repeats} run(s) of each"
            f" timed variant, interleaved, medians compared; memory: one run each; load"
            f" average at the end {load_average()} on {len(os.sched_getaffinity(0))} cores;"
            f" this machine's speed that day: {calibration:.2f} s for 10 million additions in"
            " Python (`benchmarks.measure.calibrate`).",
            "",
            *table(
                rows,
                (
                    "variant",
                    "median wall (s)",
                    "runs (s)",
                    "until published (s)",
                    "peak RSS, largest process (MiB)",
                    "peak RSS, whole tree (MiB)",
                ),
            ),
            "",
            *(f"- check: {c}" for c in city.checks),
            "",
            "| target | measured |  |",
            "|---|---|---|",
            f"| memory: {n}-quarter backfill ≤ 1.25× a 1-quarter one (largest process)"
            f" | {ratio:.2f}× ({mn.maxrss_mib:.0f} / {m1.maxrss_mib:.0f} MiB) | "
            + (verdict(ratio <= 1.25) if limit else "8 quarters only in the full run")
            + " |",
            f"| production: city quarter, long-lived server ≤ 2× the floor"
            f" | {served / floor:.1f}× ({served:.2f} / {floor:.2f} s)"
            f" | {verdict(served <= 2 * floor)} |",
            f"| production: ≥ 5× faster than pandas + openpyxl"
            f" | {pandas / served:.2f}× ({pandas:.2f} / {served:.2f} s)"
            f" | {verdict(pandas >= 5 * served)} |",
            *(
                []
                if published is None
                else [
                    f"| the same, until published (the 通报 and receipts follow; a served"
                    f" deployment run leaves them to their own flow run)"
                    f" | {published / floor:.1f}× the floor, {pandas / published:.2f}× faster"
                    f" than pandas ({published:.2f} s) | {verdict(published <= 2 * floor)},"
                    f" {verdict(pandas >= 5 * published)} |"
                ]
            ),
            f"| one-shot fixed cost (empty inbox, warm) < 5 s"
            f" | {fixed.seconds:.2f} s | {verdict(fixed.seconds < 5)} |",
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
