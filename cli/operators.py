"""The operators' commands: run, backfill, ingest, sample, serve, watch, status."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cli.common import (
    err,
    json_default,
    opt,
    out,
    prefect_api_url,
    prefect_auth,
    rows_out,
    run_flow,
)
from config.settings import Settings
from warehouse.query import run_query


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


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    run_flow(
        settings, "quarter_flow", period=args.period, inbox=opt(args.inbox), rules=opt(args.rules)
    )
    return 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from transforms.periods import period_range

    period_range(args.start, args.end)  # a reversed range is a usage error: before any server
    run_flow(
        settings,
        "backfill_flow",
        start=args.start,
        end=args.end,
        inbox=opt(args.inbox),
        rules=opt(args.rules),
    )
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]}")
    from transforms.paths import path_param

    paths = [path_param(f.resolve()) for f in args.files]
    run_flow(settings, "ingest_flow", paths=paths, rules=opt(args.rules))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    url = prefect_api_url()
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
    url = prefect_api_url()
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
            check_api(url, timeout=5.0, auth=prefect_auth())
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
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=json_default, indent=1) + "\n")
        return 0
    cols, rows = found["runs"]
    out.print(f"[bold]Recent runs[/bold] ({settings.published_path})")
    rows_out(cols[:-1], [r[:-1] for r in rows], "table")
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
        rows_out(cols, rows, "table")
    cols, rows = found["open_files"]
    out.print(f"\n[bold]Open rejected files[/bold]: {len(rows)}")
    if rows:
        rows_out(cols, rows, "table")
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
