"""What each ``ronghe`` command does (the parser lives in ``flows.cli``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import progress
from flows.settings import Settings
from synthetic.published import PUBLISHED_2016Q4

if TYPE_CHECKING:
    from flows.result import RunResult

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class CliReporter:
    """Progress lines and bars on stderr."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: Any = None

    def step(self, message: str) -> None:
        err.print(f"[dim]·[/dim] {message}")

    def advance(self, label: str, done: int, total: int) -> None:
        if self._progress is None:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(f"rebuilding {label}", total=total)
        self._progress.update(self._task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


@contextmanager
def _reporting() -> Iterator[CliReporter]:
    """Around a flow call: progress on stderr, and the embedded server ready."""
    from flows.prefect_env import embedded

    embedded.wait_ready()
    reporter = CliReporter()
    restore = progress.install(reporter)
    try:
        yield reporter
    finally:
        reporter.close()
        restore()


def _prefect(settings: Settings) -> None:
    """Before Prefect is imported: quiet defaults, and the embedded server starting."""
    from flows.prefect_env import configure, embedded

    configure(settings.home)
    # the embedded server comes up while the flows and their libraries are imported
    if not embedded.start() and embedded.process is None:
        _prefect_api_url()  # the operator's server (PREFECT_API_URL): up, and takes our login


def _summarise(result: RunResult) -> None:
    from flows.render import summary_lines

    for line in summary_lines(result):
        err.print(line)


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from synthetic.sample import write_sample
    from transforms.periods import period_range

    periods = period_range(args.start, args.end)
    with err.status(f"writing sample reports for {len(periods)} quarters…"):
        stats = write_sample(args.out, periods, seed=args.seed, scale=args.scale)
    err.print(f"wrote {stats.files} files to {args.out}")
    if stats.skipped_periods:
        err.print("skipped " + ", ".join(stats.skipped_periods) + ": the quarter has not ended yet")
    return 0


def _run_flow(settings: Settings, name: str, **params: Any) -> RunResult:
    """Start the embedded server if needed, run flow ``name`` with progress, summarise it."""
    _prefect(settings)
    from flows.inbox import any_file

    if not settings.dask_address and any_file(
        params.get("paths") or [params.get("inbox") or settings.inbox_dir]
    ):
        from expectations import process

        process.prestart()  # GX's import on the other core, while Prefect starts
    import flows.flows

    run = getattr(flows.flows, name)
    if settings.dask_address:
        run = flows.flows.on_dask(run, settings.dask_address)
    with _reporting():
        result: RunResult = run(home=str(settings.home), **params)
    _summarise(result)
    return result


def _opt(path: Any) -> str | None:
    return str(path) if path else None


def _inbox_param(path: Any) -> str | None:
    """The ``--inbox`` as the flow run's parameter: personal numbers masked."""
    from transforms.paths import private_param

    return private_param(path) if path else None


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    _run_flow(
        settings,
        "quarter_flow",
        period=args.period,
        inbox=_inbox_param(args.inbox),
        rules=_opt(args.rules),
    )
    return 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from transforms.periods import period_range

    period_range(args.start, args.end)  # a reversed range is a usage error: before any server
    _run_flow(
        settings,
        "backfill_flow",
        start=args.start,
        end=args.end,
        inbox=_inbox_param(args.inbox),
        rules=_opt(args.rules),
    )
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]}")
    from transforms.paths import private_param

    paths = [private_param(f.resolve()) for f in args.files]
    _run_flow(settings, "ingest_flow", paths=paths, rules=_opt(args.rules))
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape

    from filers.check import check, clean, render_json, render_text
    from flows.inbox import survey
    from warehouse.registry import load_registry

    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]}")
    seen = survey(args.files)
    for skip in seen.skipped:
        out.print(f"SKIPPED 跳过 {escape(skip.path)}: {skip.reason} — {escape(skip.detail)}")
    checks = check(seen.files, load_registry(settings.scale), datetime.now(), settings.workers)
    if args.format == "json":
        sys.stdout.write(render_json(checks) + "\n")
    else:
        lines = render_text(checks)
        for line in lines[:-2]:
            out.print(line, markup=False)
        for line in lines[-2:]:
            err.print(line, markup=False)
    return 0 if clean(checks) else 1


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from filers.template import write_template
    from warehouse.registry import load_registry

    if args.out.suffix.lower() != ".xlsx":
        raise ValueError(f"--out must name an .xlsx file, not {args.out.name}")
    path = write_template(
        args.kind, args.unit, args.period, args.out, load_registry(settings.scale), args.children
    )
    err.print(f"wrote {path}", markup=False)
    return 0


def cmd_receipts(args: argparse.Namespace, settings: Settings) -> int:
    from filers.receipts import write_receipts

    out_dir = args.out or settings.receipts_dir / args.period
    paths = write_receipts(settings.published_path, args.period, out_dir)
    err.print(f"wrote {len(paths)} receipts (回执) to {out_dir}", markup=False)
    return 0


def _filing_status(args: argparse.Namespace, settings: Settings) -> int:
    from filers.status import filing_counts, render

    table = filing_counts(settings.published_path, args.period)
    if args.format == "json":
        sys.stdout.write(json.dumps(table, ensure_ascii=False, indent=1) + "\n")
        return 0
    for line in render(args.period, table):
        out.print(line, markup=False, crop=False)
    return 0


def _rows_out(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    if fmt == "csv":
        from transforms.cells import safe_row

        # a spreadsheet may open it: no cell may start a formula (OWASP)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(safe_row(columns))
        w.writerows(safe_row(r) for r in rows)
        sys.stdout.write(buf.getvalue())
    elif fmt == "json":
        from transforms.shown import json_safe

        sys.stdout.write(
            json.dumps(
                [dict(zip(columns, json_safe(r), strict=True)) for r in rows],
                ensure_ascii=False,
                default=_json_default,
                allow_nan=False,
                indent=1,
            )
            + "\n"
        )
    else:
        from rich.text import Text

        from transforms.shown import escaped

        # control characters escaped, and no rich markup read from the data
        t = Table(show_lines=False)
        for c in columns:
            t.add_column(Text(escaped(c)))
        for r in rows:
            t.add_row(*(Text("" if v is None else escaped(str(v))) for v in r))
        out.print(t)


def _json_default(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def run_query(
    settings: Settings, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one query on the published warehouse, sandboxed and within the query limits."""
    from warehouse.query import run_limited

    answer = run_limited(settings.published_path, sql, params)
    return answer.columns, answer.rows


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from flows.cli import UsageError
    from warehouse.query import is_empty, run_limited

    if is_empty(args.sql):
        raise UsageError("the query is empty: give one SQL statement")
    answer = run_limited(settings.published_path, args.sql)
    _rows_out(answer.columns, answer.rows, args.format)
    if answer.cut:
        err.print(
            f"showing the first {len(answer.rows):,} rows; {answer.cut:,} more were cut"
            " (RONGHE_QUERY_MAX_ROWS)"
        )
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from reports import write_report

    out_dir = args.out or settings.home / "reports" / args.period
    paths = write_report(
        settings.published_path, args.period, out_dir, pdf=args.pdf, rules=args.rules
    )
    out.print(f"workbook: {paths.workbook}\nbrief:    {paths.brief}")
    if paths.pdf is not None:
        out.print(f"pdf:      {paths.pdf}")
    if paths.pdf_problem:
        err.print(paths.pdf_problem)
    return 0


def cmd_archive(args: argparse.Namespace, settings: Settings) -> int:
    """Write out one archived file (``ronghe archive SHA256 [--out PATH]``)."""
    from pathlib import Path

    from flows.cli import UsageError
    from warehouse.archive import ArchiveError, read_archived
    from warehouse.db import connect_reader

    prefix = args.sha256.strip().lower()
    if not (8 <= len(prefix) <= 64 and all(c in "0123456789abcdef" for c in prefix)):
        raise UsageError("give the file's SHA-256, or at least its first 8 hex digits")
    con = connect_reader(settings.published_path)
    try:
        found = [
            r[0]
            for r in con.execute(
                "SELECT sha256 FROM meta.file_manifest WHERE starts_with(sha256, ?)"
                " ORDER BY sha256 LIMIT 2",
                [prefix],
            ).fetchall()
        ]
        if not found:
            raise ArchiveError(f"no received file has a SHA-256 starting {prefix}")
        if len(found) > 1:
            raise UsageError(f"{prefix} is the start of more than one SHA-256: give more digits")
        name, data = read_archived(con, found[0])
    finally:
        con.close()
    target = args.out or Path(name)
    if target.is_dir():
        target = target / name
    with open(target, "xb") as f:  # never overwrite
        f.write(data)
    out.print(f"{target} ({len(data)} bytes, SHA-256 {found[0]})")
    return 0


def cmd_units(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.registry import load_registry

    reg = load_registry(settings.scale)
    _rows_out(reg.columns, list(reg.iter_rows()), "csv" if args.format == "csv" else "table")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from synthetic.sample import write_sample
    from transforms.periods import period_range

    inbox = settings.inbox_dir
    periods = period_range("2016Q1", "2017Q4")
    with err.status("writing sample reports 2016Q1–2017Q4 into the inbox…"):
        stats = write_sample(inbox, periods, seed=2017, scale="city")
    err.print(f"sample: {stats.files} files in {inbox}")
    # the demo wrote every file itself and closed it: none is still being written, so
    # the settle rule (RONGHE_SETTLE_SECONDS) would only leave the newest for a later run
    os.environ["RONGHE_SETTLE_SECONDS"] = "0"
    _run_flow(settings, "backfill_flow", start="2016Q1", end="2017Q4")
    _show_demo(settings)
    return 0


def _show_demo(settings: Settings) -> None:
    cols, rows = run_query(settings, "SELECT * FROM marts.city_summary WHERE period = '2016Q4'")
    if not rows:
        raise RuntimeError("the demo produced no city summary for 2016Q4")
    got = dict(zip(cols, rows[0], strict=True))
    t = Table(title="南通 city summary 2016Q4: warehouse vs published")
    for c in ("figure", "warehouse", "published", "ok"):
        t.add_column(c)
    for col, label, figure, cmp in PUBLISHED_2016Q4:
        value = got[col]
        ok = {
            "=": value is not None and abs(float(value) - figure) < 1e-6,
            "≥": value is not None and float(value) >= figure,
            ">": value is not None and float(value) > figure,
        }[cmp]
        shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        t.add_row(label, shown, f"{cmp} {figure:,}", "✓" if ok else "✗")
    t.add_row("reporting units 报告单位", f"{got['units_reporting']:,}", "≈ 1,950", "")
    out.print(t)
    cols, rows = run_query(
        settings,
        "SELECT s.rank_in_level AS rank, u.name, s.party_score, s.development_score, "
        "s.composite_score, s.quadrant FROM marts.unit_scores s JOIN core.units u USING (unit_code)"
        " WHERE s.period = '2017Q4' AND s.level = 'county' ORDER BY s.rank_in_level NULLS LAST",
    )
    out.print("\n[bold]Leading county-level units, 2017Q4 (composite = D × P/100)[/bold]")
    _rows_out(cols, [tuple(_round(v) for v in r) for r in rows], "table")
    from warehouse.db import sql_file

    cols, rows = run_query(
        settings, sql_file("weak_village_determination_counts.sql"), {"year": 2017}
    )
    n = dict(zip(cols, rows[0], strict=True))
    out.print(
        "\n[bold]2017年薄弱村认定 weak-village determination 2017[/bold]:"
        f" 认定 {n['determined']:,} 村, 薄弱 {n['weak']}"
        f" (新认定 new {n['new']}, 持续 continuing {n['continuing']},"
        f" 脱薄 rectified {n['rectified']})"
    )
    path = settings.published_path
    out.print(
        "\n[bold]Query the warehouse[/bold] (read-only, safe while runs write):\n"
        f'  ronghe --home {settings.home} query "SELECT * FROM marts.unit_scores LIMIT 5"\n'
        f"  python -c \"import duckdb; print(duckdb.connect('{path}', read_only=True)"
        ".sql('FROM marts.city_summary'))\"\n"
        "  the analysts' guide: docs/warehouse.md"
    )
    quarter = settings.reports_dir / "2017Q4"
    if not (quarter / "brief-2017Q4.html").exists():
        raise RuntimeError(f"the demo wrote no 2017Q4 通报 under {quarter}")
    out.print(
        "\n[bold]2017Q4 通报 (quarterly assessment)[/bold]\n"
        f"  workbook: {quarter / 'assessment-2017Q4.xlsx'}\n"
        f"  brief:    {quarter / 'brief-2017Q4.html'}  (open it in a browser)"
    )


def _round(v: Any) -> Any:
    return round(v, 1) if isinstance(v, float) else v


# --- operations: serve, watch, status (docs/operations.md) ---------------------------


def _prefect_api_url() -> str:
    from flows.deployments import check_api
    from flows.prefect_env import configure

    # client side only: the operator's Prefect profile and PREFECT_API_URL are used as set
    configure(None, quiet=False)
    from prefect.settings import PREFECT_API_URL

    return check_api(PREFECT_API_URL.value(), auth=_prefect_auth())


def _prefect_auth() -> str | None:
    """``PREFECT_API_AUTH_STRING`` from the environment or the Prefect profile."""
    from prefect.settings import PREFECT_API_AUTH_STRING

    return PREFECT_API_AUTH_STRING.value() or None


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    url = _prefect_api_url()
    from flows.deployments import ServeConfig, serve

    cfg = ServeConfig(
        home=settings.home.resolve(),
        inbox=(args.inbox or settings.inbox_dir).resolve(),
        rules=args.rules.resolve() if args.rules else None,
        cron=args.cron,
        timezone=args.timezone,
        poll_seconds=args.poll_minutes * 60,
        burst_seconds=args.burst_seconds,
        settle_seconds=(
            settings.settle_seconds if args.settle_seconds is None else args.settle_seconds
        ),
    )
    err.print(
        f"serving ronghe on {url}: quarterly '{cfg.cron}' ({cfg.timezone}), backfill,"
        f" ingest on ronghe.report.received (bursts of {cfg.burst_seconds:g}s),"
        f" inbox-poll every {cfg.poll_seconds / 60:g} min of {cfg.inbox}; home {cfg.home}"
    )
    serve(cfg)
    return 0


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    inbox = (args.inbox or settings.inbox_dir).resolve()
    settle = settings.settle_seconds if args.settle is None else args.settle
    if not inbox.is_dir():
        raise FileNotFoundError(f"no such folder: {inbox}")
    url = _prefect_api_url()
    from flows.deployments import check_api
    from flows.watch import Ledger, Watcher, emit_received, run

    watcher = Watcher(
        inbox,
        Ledger(settings.home / "watch" / "announced.json"),
        emit_received(inbox),
        settle_seconds=settle,
    )
    down = False

    def ready() -> bool:
        nonlocal down
        try:
            check_api(url, timeout=5.0, auth=_prefect_auth())
        except RuntimeError as exc:
            if not down:
                err.print(f"[yellow]waiting for the Prefect server:[/yellow] {exc}")
            down = True
            return False
        if down:
            err.print("the Prefect server is back")
        down = False
        return True

    err.print(f"watching {inbox} (files settle for {settle:g}s); announcing to {url}")
    try:
        n = run(watcher, args.interval, args.once, ready, lambda f: err.print(f"announced {f}"))
    except KeyboardInterrupt:
        err.print("stopped")
        return 0
    err.print(f"announced {n} files")
    return 0


STATUS_QUERIES = (
    ("runs", "status_recent_runs.sql"),
    ("open_reports", "status_open_reports.sql"),
    ("open_files", "status_open_files.sql"),
)


def status(
    settings: Settings, runs: int = 10
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Recent runs and open quarantines, from the published warehouse."""
    from warehouse.db import sql_file

    return {
        name: run_query(settings, sql_file(file), [runs] if name == "runs" else [])
        for name, file in STATUS_QUERIES
    }


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    if args.period:
        return _filing_status(args, settings)
    found = status(settings, args.runs)
    if args.format == "json":
        doc = {
            name: [dict(zip(cols, r, strict=True)) for r in rows]
            for name, (cols, rows) in found.items()
        }
        sys.stdout.write(
            json.dumps(doc, ensure_ascii=False, default=_json_default, indent=1) + "\n"
        )
        return 0
    cols, rows = found["runs"]
    out.print(f"[bold]Recent runs[/bold] ({settings.published_path})")
    _rows_out(cols[:-1], [r[:-1] for r in rows], "table")
    cols, rows = found["open_reports"]
    reasons: dict[str, int] = {}
    for r in rows:
        for code in str(r[3]).split(","):
            reasons[code] = reasons.get(code, 0) + 1
    by_reason = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    out.print(
        f"\n[bold]Open quarantined reports[/bold]: {len(rows)}"
        + (f" ({by_reason})" if by_reason else "")
        + " — no newer version of the same kind, unit and period has loaded"
    )
    if rows:
        _rows_out(cols, rows, "table")
    cols, rows = found["open_files"]
    out.print(f"\n[bold]Open rejected files[/bold]: {len(rows)}")
    if rows:
        _rows_out(cols, rows, "table")
    return 0
