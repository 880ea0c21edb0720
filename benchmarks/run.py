"""``make bench``: ronghe against the floor and a pandas + openpyxl script.

Generates the sample inboxes in a temporary folder, then times, as subprocesses,
interleaved and repeated (medians are compared; every run is reported):

1. the floor (``benchmarks.floor``): read the files, insert all rows, nothing else;
2. the pandas + openpyxl script (``benchmarks.pandas_script``);
3. ``ronghe run --period P --inbox …`` on a fresh home, with a Prefect home that has
   been used before ("warm", the steady state of an operator's machine) and with a
   fresh one ("cold", the very first run: the embedded server creates its database);
   and the same with an empty inbox: the fixed costs.

It checks the answers (rows read and loaded agree between the three), profiles one
``ronghe run`` with pyinstrument, and writes the results and the machine into
``docs/performance.md`` between the ``bench:results`` markers (``--backfill`` runs
the 40-quarter backfill and writes the ``bench:backfill`` section).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from benchmarks import measure
from benchmarks.profile import breakdown

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
PERIOD = "2017Q2"
PROVINCE_PERIODS = ("2017Q1", "2017Q2")
BACKFILL = ("2016Q4", "2026Q3")  # 40 quarters
MEMORY_LIMIT_MIB = 2048
PY = sys.executable
BIN = Path(sys.executable).parent


@dataclass
class Case:
    """One inbox and what was measured on it."""

    name: str
    inbox: Path
    files: int
    series: dict[str, measure.Series] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


def say(msg: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {msg}", flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything pointing ronghe or Prefect elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "RONGHE_")) and k != "GX_ANALYTICS_ENABLED"
    }
    env.update(extra)
    return env


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def count_files(inbox: Path) -> int:
    return sum(1 for p in inbox.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- inputs


def generate(work: Path, province: bool, backfill: bool) -> dict[str, Path]:
    from synthetic.sample import write_sample
    from warehouse.registry import load_registry

    out: dict[str, Path] = {}
    say("writing the city quarter (one file per unit per kind)")
    write_sample(work / "city", [PERIOD], per_unit=True)
    out["city"] = work / "city" / PERIOD
    registry_columns = ("unit_code", "name", "level", "kind", "parent_code", "valid_from")
    load_registry("city").select(*registry_columns, "valid_to").write_csv(work / "units-city.csv")
    if province:
        say("writing two province quarters")
        write_sample(work / "province", list(PROVINCE_PERIODS), scale="province")
        out["province-1q"] = work / "province" / PERIOD
        out["province-2q"] = work / "province"
    if backfill:
        say(f"writing 40 city quarters {BACKFILL[0]}–{BACKFILL[1]} (takes a few minutes)")
        from transforms.periods import period_range

        write_sample(work / "backfill", period_range(*BACKFILL), per_unit=True)
        out["backfill"] = work / "backfill"
    (work / "empty").mkdir(exist_ok=True)
    out["empty"] = work / "empty"
    return out


# --------------------------------------------------------------------------- variants


def ronghe_cmd(home: Path, inbox: Path) -> list[str]:
    return [
        str(BIN / "ronghe"),
        "--home",
        str(home),
        "run",
        "--period",
        PERIOD,
        "--inbox",
        str(inbox),
    ]


def warehouse_rows(home: Path) -> tuple[int, int, int]:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        row = con.execute(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined) FROM meta.file_manifest"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


class Runner:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.n = 0
        self.warm_prefect = work / "prefect-warm"

    def fresh(self, name: str) -> Path:
        self.n += 1
        path = self.work / "runs" / f"{self.n:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def floor(self, inbox: Path) -> measure.Sample:
        d = self.fresh("floor")
        return measure.run(
            [PY, "-m", "benchmarks.floor", str(inbox), str(d / "floor.duckdb")],
            env=clean_env(),
            cwd=ROOT,
            log=d / "log",
        )

    def pandas(self, inbox: Path) -> measure.Sample:
        d = self.fresh("pandas")
        reg = self.work / "units-city.csv"
        cmd = [PY, "-m", "benchmarks.pandas_script", str(inbox), str(d / "p.duckdb"), str(reg)]
        return measure.run(cmd, env=clean_env(), cwd=ROOT, log=d / "log")

    def ronghe(self, inbox: Path, warm: bool, scale: str = "city") -> measure.Sample:
        d = self.fresh("ronghe-warm" if warm else "ronghe-cold")
        extra = {"RONGHE_SCALE": scale}
        if warm:
            extra["PREFECT_HOME"] = str(self.warm_prefect)
        sample = measure.run(
            ronghe_cmd(d / "home", inbox), env=clean_env(**extra), cwd=d, log=d / "log"
        )
        sample.output = "{} {} {}".format(*warehouse_rows(d / "home"))
        shutil.rmtree(d / "home" / "archive", ignore_errors=True)  # disk, not needed
        return sample

    def warm_up(self, empty: Path) -> None:
        """One run on the warm Prefect home so that its database exists (not timed)."""
        self.warm_prefect.mkdir(parents=True, exist_ok=True)
        self.ronghe(empty, warm=True)


def repeat(case: Case, variants: dict[str, Callable[[], measure.Sample]], repeats: int) -> None:
    """Run the variants round-robin, ``repeats`` times each, so load spikes spread out."""
    for r in range(repeats):
        for label, fn in variants.items():
            s = fn()
            case.series.setdefault(label, measure.Series(label)).samples.append(s)
            say(
                f"{case.name} {label} run {r + 1}: {s.seconds:.2f} s, "
                f"maxrss {s.maxrss_mib:.0f} MiB, tree {s.tree_rss_mib:.0f} MiB"
            )


def check_answers(case: Case) -> None:
    floor = case.series.get("floor")
    ronghe = case.series.get("ronghe (warm Prefect)") or case.series.get("ronghe (cold Prefect)")
    pandas = case.series.get("pandas + openpyxl")
    if ronghe is None:
        return
    read, loaded, quarantined = map(int, ronghe.samples[-1].output.split())
    case.checks.append(f"ronghe: rows read {read} = loaded {loaded} + quarantined {quarantined}")
    if floor is not None:
        rows = int(floor.samples[-1].output.split()[0])
        ok = "✓" if rows == read else "✗ MISMATCH"
        case.checks.append(f"floor inserted {rows} rows; ronghe read {read} {ok}")
    if pandas is not None:
        p_loaded, p_quar = map(int, pandas.samples[-1].output.split()[:2])
        ok = "✓" if p_loaded == loaded else "✗ MISMATCH"
        case.checks.append(
            f"pandas script loaded {p_loaded} rows (quarantine entries {p_quar});"
            f" ronghe loaded {loaded} {ok}"
        )


def read_output(sample: measure.Sample) -> str:
    return sample.output.strip().splitlines()[-1] if sample.output.strip() else ""


# --------------------------------------------------------------------------- machine


def machine() -> list[tuple[str, str]]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in (
            "prefect",
            "great-expectations",
            "polars",
            "duckdb",
            "pyarrow",
            "fastexcel",
            "pandas",
            "openpyxl",
        )
    )
    return [
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", model),
        ("memory", mem),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("packages", versions),
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
    ]


# --------------------------------------------------------------------------- report


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def series_rows(case: Case) -> list[list[str]]:
    return [
        [s.label, f"{s.seconds:.2f}", s.runs(), f"{s.maxrss_mib:.0f}", f"{s.peak_tree_rss_mib:.0f}"]
        for s in case.series.values()
    ]


SERIES_HEADER = (
    "variant",
    "median wall (s)",
    "runs (s)",
    "peak RSS, largest process (MiB)",
    "peak RSS, whole process tree (MiB)",
)


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def render(
    cases: list[Case],
    info: list[tuple[str, str]],
    profile: tuple[str, list[tuple[str, float]], float, float] | None,
    repeats: int,
    quick: bool,
) -> str:
    lines = [
        f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.run"
        f"{' --quick' if quick else ''}`; {repeats} run(s) of each variant, interleaved;"
        " medians compared.",
        "",
        *table([[k, v] for k, v in info], ("machine", "")),
        "",
    ]
    targets: list[list[str]] = []
    for case in cases:
        lines += [f"### {case.name}: {case.files} files", ""]
        lines += table(series_rows(case), SERIES_HEADER)
        lines.append("")
        s = case.series
        floor, pandas = s.get("floor"), s.get("pandas + openpyxl")
        warm, cold = s.get("ronghe (warm Prefect)"), s.get("ronghe (cold Prefect)")
        fixed_w, fixed_c = s.get("ronghe, empty inbox (warm)"), s.get("ronghe, empty inbox (cold)")
        if floor and warm:
            r = warm.seconds / floor.seconds
            lines.append(f"- ratio 3/1, ronghe (warm) / floor: **{r:.1f}×**")
            if case.name.startswith("city"):
                targets.append(["city quarter ≤ 2× the floor", f"{r:.1f}×", verdict(r <= 2)])
        if floor and cold:
            lines.append(f"- ratio 3/1, ronghe (cold) / floor: {cold.seconds / floor.seconds:.1f}×")
        if pandas and warm:
            r = pandas.seconds / warm.seconds
            lines.append(f"- ratio 2/3, pandas script / ronghe (warm): **{r:.2f}×**")
            if case.name.startswith("city"):
                targets.append(["ronghe ≥ 5× faster than pandas", f"{r:.2f}×", verdict(r >= 5)])
        if fixed_w and warm and floor:
            var = warm.seconds - fixed_w.seconds
            lines.append(
                f"- fixed cost (empty inbox, warm): {fixed_w.seconds:.2f} s; ronghe minus it:"
                f" {var:.2f} s = {var / floor.seconds:.1f}× the floor"
            )
        if fixed_c:
            lines.append(f"- fixed cost (empty inbox, cold Prefect home): {fixed_c.seconds:.2f} s")
        lines += [f"- check: {c}" for c in case.checks]
        lines.append("")
    prov = [c for c in cases if c.name.startswith("province")]
    if len(prov) == 2:
        a, b = prov
        wa, wb = a.series["ronghe (warm Prefect)"], b.series["ronghe (warm Prefect)"]
        fa, fb = a.series["floor"], b.series["floor"]
        fixed = next(
            (
                c.series["ronghe, empty inbox (warm)"]
                for c in cases
                if "ronghe, empty inbox (warm)" in c.series
            ),
            None,
        )
        per_a = wa.seconds / a.files * 1000
        per_b = wb.seconds / b.files * 1000
        lines += ["### Province: growth with the number of files", ""]
        rows = [
            [a.name, str(a.files), f"{wa.seconds:.2f}", f"{per_a:.2f}", f"{fa.seconds:.2f}"],
            [b.name, str(b.files), f"{wb.seconds:.2f}", f"{per_b:.2f}", f"{fb.seconds:.2f}"],
        ]
        lines += table(rows, ("inbox", "files", "ronghe (s)", "ms per file", "floor (s)"))
        slope = (wb.seconds - wa.seconds) / (b.files - a.files) * 1000
        lines.append("")
        lines.append(
            f"- marginal cost {slope:.2f} ms per file; file ratio {b.files / a.files:.2f},"
            f" time ratio {wb.seconds / wa.seconds:.2f}"
            + (
                f", time ratio without the fixed cost"
                f" {(wb.seconds - fixed.seconds) / (wa.seconds - fixed.seconds):.2f}"
                if fixed
                else ""
            )
        )
        peak = max(wa.peak_tree_rss_mib, wb.peak_tree_rss_mib)
        targets.append(
            [
                "province peak memory < 2 GiB",
                f"{peak:.0f} MiB (whole tree, 2 quarters)",
                verdict(peak < MEMORY_LIMIT_MIB),
            ]
        )
        ratio = ((wb.seconds - fixed.seconds) / (wa.seconds - fixed.seconds)) if fixed else 0
        # linear or better: the variable cost grows no faster than the number of files
        linear = fixed is not None and ratio <= 1.25 * (b.files / a.files)
        targets.append(
            [
                "province cost at most linear in files",
                f"{ratio:.2f}× time (less the fixed cost) for {b.files / a.files:.2f}× files",
                verdict(linear),
            ]
        )
        lines.append("")
    if profile is not None:
        name, phases, total, cpu = profile
        lines += [f"### Where the time goes: one `ronghe run`, {name}", ""]
        lines.append(f"pyinstrument, main thread; wall {total:.2f} s, CPU {cpu:.2f} s.")
        lines.append("")
        lines += table([[p, f"{t:.2f}"] for p, t in phases], ("phase", "seconds"))
        lines.append("")
    if targets:
        lines += ["### Targets", ""]
        lines += table(targets, ("target", "measured", ""))
        lines.append("")
    return "\n".join(lines)


def write_section(doc: Path, marker: str, body: str) -> None:
    start, end = f"<!-- bench:{marker}:start -->", f"<!-- bench:{marker}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- main


def profile_run(
    runner: Runner, inbox: Path, name: str
) -> tuple[str, list[tuple[str, float]], float, float]:
    d = runner.fresh("profile")
    out = d / "profile.json"
    cmd = [
        PY,
        "-m",
        "pyinstrument",
        "-p",
        "processor_options.filter_threshold=0",
        "-r",
        "json",
        "-o",
        str(out),
        "-m",
        "cli.main",
        *ronghe_cmd(d / "home", inbox)[1:],
    ]
    env = clean_env(PREFECT_HOME=str(runner.warm_prefect))
    measure.run(cmd, env=env, cwd=d, log=d / "log")
    b = breakdown(out)
    return name, b.phases, b.total, b.cpu


def backfill(runner: Runner, inbox: Path) -> str:
    calibration = measure.calibrate()
    d = runner.fresh("backfill")
    home = d / "home"
    cmd = [
        str(BIN / "ronghe"),
        "--home",
        str(home),
        "backfill",
        "--from",
        BACKFILL[0],
        "--to",
        BACKFILL[1],
        "--inbox",
        str(inbox),
    ]
    env = clean_env(PREFECT_HOME=str(runner.warm_prefect))
    files = count_files(inbox)
    say(f"backfill of {files} files")
    first = measure.run(cmd, env=env, cwd=d, log=d / "log1", mark="· published ")
    read, loaded, quarantined = warehouse_rows(home)
    say(f"backfill: {first.seconds:.1f} s, tree {first.tree_rss_mib:.0f} MiB; again…")
    again = measure.run(cmd, env=env, cwd=d, log=d / "log2", mark="· published ")
    say(f"backfill again: {again.seconds:.1f} s")
    rows = [
        [
            "first run (all new)",
            f"{first.seconds:.1f}",
            "" if first.marked is None else f"{first.marked:.1f}",
            f"{first.maxrss_mib:.0f}",
            f"{first.tree_rss_mib:.0f}",
        ],
        [
            "same inbox again (all already received)",
            f"{again.seconds:.1f}",
            "" if again.marked is None else f"{again.marked:.1f}",
            f"{again.maxrss_mib:.0f}",
            f"{again.tree_rss_mib:.0f}",
        ],
    ]
    ok = first.seconds < 600
    return "\n".join(
        [
            f"Measured {datetime.now():%Y-%m-%d %H:%M} by `python -m benchmarks.run --backfill`:"
            f" `ronghe backfill --from {BACKFILL[0]} --to {BACKFILL[1]}` over {files} files"
            " (40 city quarters, one file per unit per kind), warm Prefect home, one run each"
            f" (it is long); load average at the end {load_average()}.",
            "",
            *table(
                rows,
                (
                    "run",
                    "wall (s)",
                    "until published (s)",
                    "peak RSS, largest process (MiB)",
                    "peak RSS, whole tree (MiB)",
                ),
            ),
            "",
            f"- rows read {read} = loaded {loaded} + quarantined {quarantined}",
            f"- target: 40-quarter backfill under 10 minutes: {first.seconds / 60:.1f} min,"
            f" {verdict(ok)}"
            + (
                ""
                if first.marked is None
                else f" (published after {first.marked / 60:.1f} min; then the 通报 and receipts"
                " of 40 quarters)"
            ),
            f"- target (issue 13): its largest process under 1.5 GiB:"
            f" {first.maxrss_mib / 1024:.2f} GiB, {verdict(first.maxrss_mib < 1536)}"
            f" (whole tree, the Prefect server included: {first.tree_rss_mib / 1024:.2f} GiB)",
            f"- this machine's speed that day: {calibration:.2f} s for 10 million additions in"
            " Python (`benchmarks.measure.calibrate`)",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="city quarter only, no profile: a few minutes"
    )
    p.add_argument("--repeats", type=int, default=3, help="runs of each variant (default 3)")
    p.add_argument(
        "--backfill",
        action="store_true",
        help="only the 40-quarter city backfill (long: ~10+ minutes)",
    )
    p.add_argument("--no-province", action="store_true", help="skip the province quarters")
    p.add_argument("--workdir", type=Path, help="keep inputs and runs here (default: a temp dir)")
    p.add_argument("--doc", type=Path, default=DOC, help="the file to write the results into")
    p.add_argument("--no-write", action="store_true", help="print the results only")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    tmp = None
    if args.workdir:
        work = args.workdir
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ronghe-bench-")
        work = Path(tmp.name)
    t0 = time.perf_counter()
    try:
        info = machine()
        runner = Runner(work)
        inputs = generate(
            work,
            province=not (args.quick or args.no_province or args.backfill),
            backfill=args.backfill,
        )
        say("warming up a Prefect home (not timed)")
        runner.warm_up(inputs["empty"])
        if args.backfill:
            body = backfill(runner, inputs["backfill"])
            print(body)
            if not args.no_write:
                write_section(args.doc, "backfill", body)
            return 0
        cases: list[Case] = []
        city = Case("city quarter", inputs["city"], count_files(inputs["city"]))
        empty = inputs["empty"]
        repeat(
            city,
            {
                "floor": lambda: runner.floor(city.inbox),
                "pandas + openpyxl": lambda: runner.pandas(city.inbox),
                "ronghe (warm Prefect)": lambda: runner.ronghe(city.inbox, warm=True),
                "ronghe (cold Prefect)": lambda: runner.ronghe(city.inbox, warm=False),
                "ronghe, empty inbox (warm)": lambda: runner.ronghe(empty, warm=True),
                "ronghe, empty inbox (cold)": lambda: runner.ronghe(empty, warm=False),
            },
            args.repeats,
        )
        check_answers(city)
        cases.append(city)
        profile = None
        if not args.quick:
            say("profiling one ronghe run")
            profile = profile_run(runner, city.inbox, "city quarter, warm Prefect home")
        for key in ("province-1q", "province-2q"):
            if key not in inputs:
                continue
            n = len(PROVINCE_PERIODS) if key.endswith("2q") else 1
            case = Case(
                f"province, {n} quarter{'s' if n > 1 else ''}",
                inputs[key],
                count_files(inputs[key]),
            )
            repeat(
                case,
                {
                    "floor": lambda c=case: runner.floor(c.inbox),  # type: ignore[misc]
                    "ronghe (warm Prefect)": lambda c=case: runner.ronghe(  # type: ignore[misc]
                        c.inbox, warm=True, scale="province"
                    ),
                },
                args.repeats,
            )
            check_answers(case)
            cases.append(case)
        info.append(("load average at the end", load_average()))
        info.append(("benchmark wall time", f"{(time.perf_counter() - t0) / 60:.1f} min"))
        body = render(cases, info, profile, args.repeats, args.quick)
        print(body)
        if not args.no_write:
            write_section(args.doc, "results", body)
            say(f"wrote {args.doc}")
        return 0
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
