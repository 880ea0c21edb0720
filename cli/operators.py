"""The operators' commands: run, backfill, ingest, sample, serve, watch, status, pull,
sources."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cli.common import (
    err,
    json_default,
    long_range,
    opt,
    out,
    prefect_api_url,
    prefect_auth,
    private_opt,
    reporting,
    run_flow,
    start_prefect,
    summarise,
    then_outputs,
)
from cli.errors import UsageError
from config.settings import Settings
from notify.channels import channels_path
from sources.config import sources_path
from warehouse.query import run_query


def cmd_sample(args: argparse.Namespace, settings: Settings) -> int:
    from synthetic.sample import write_sample
    from transforms.periods import period_range

    periods = period_range(args.start, args.end)
    long_range(len(periods), args.yes)
    effect = {} if args.effect is None else {"effect": args.effect}
    with err.status(f"writing sample reports for {len(periods)} quarters…"):
        stats = write_sample(args.out, periods, seed=args.seed, scale=args.scale, **effect)
    err.print(f"wrote {stats.files} files to {args.out}")
    if stats.skipped_periods:
        err.print("skipped " + ", ".join(stats.skipped_periods) + ": the quarter has not ended yet")
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    run_flow(
        settings,
        "quarter_flow",
        period=args.period,
        inbox=private_opt(args.inbox),
        rules=opt(args.rules),
    )
    return 0


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    from transforms.periods import period_range

    # a reversed range is a usage error: before any server
    long_range(len(period_range(args.start, args.end)), args.yes)
    run_flow(
        settings,
        "backfill_flow",
        start=args.start,
        end=args.end,
        inbox=private_opt(args.inbox),
        rules=opt(args.rules),
    )
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from transforms.paths import masked_text, private_param

    missing = [f for f in args.files if not f.exists()]
    if missing:  # a path on the command line, like --inbox: usage (exit 2)
        raise UsageError(f"no such file: {masked_text(missing[0])}")

    # the flow run's parameters hold the paths with personal numbers masked
    paths = [private_param(f.resolve()) for f in args.files]
    run_flow(settings, "ingest_flow", paths=paths, rules=opt(args.rules))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.inbox is None:  # the home's inbox: made with the home
        settings.inbox_dir.mkdir(parents=True, exist_ok=True)
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
        sources=sources_path(settings.home).resolve(),
        pull_seconds=pull_minutes() * 60,
        channels=channels_path(settings.home).resolve(),
        notify_seconds=minutes_of("RONGHE_NOTIFY_MINUTES", "5") * 60,
    )
    if cfg.sources is not None and cfg.sources.exists():
        _checked(settings, argparse.Namespace(sources=str(cfg.sources)))  # wrong: exit 2 now
        err.print(f"pulling the sources of {cfg.sources} every {cfg.pull_seconds / 60:g} min")
    if cfg.channels is not None and cfg.channels.exists():
        from cli.upkeep import check_channels

        check_channels(settings)  # wrong: exit 2 now; an unset URL variable is said
        err.print(f"notifying through {cfg.channels} (and every {cfg.notify_seconds / 60:g} min)")
    err.print(
        f"serving ronghe on {url}: quarterly '{cfg.cron}' ({cfg.timezone}), backfill,"
        f" ingest on ronghe.report.received (bursts of {cfg.burst_seconds:g}s),"
        f" inbox-poll every {cfg.poll_seconds / 60:g} min of {cfg.inbox}; home {cfg.home}"
    )
    serve(cfg, url, prefect_auth(), lambda line: _stamped(line, markup=False))
    return 0


def _stamped(message: str, markup: bool = True) -> None:
    """A watcher's or server's line: they run for months, so each line says when."""
    err.print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {message}", highlight=False, markup=markup)


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    if args.inbox is None:  # the home's inbox: made with the home
        settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    inbox = (args.inbox or settings.inbox_dir).resolve()
    settle = settings.settle_seconds if args.settle is None else args.settle
    if not inbox.is_dir():
        raise UsageError(f"no such inbox folder: {inbox}")
    url = prefect_api_url()
    from flows.deployments import check_api
    from flows.watch import Ledger, Watcher, emit_received, run, shown

    watcher = Watcher(
        inbox,
        Ledger(settings.home / "watch" / "announced.json"),
        emit_received(inbox),
        settle_seconds=settle,
    )
    from flows.login import REMIND_SECONDS

    problem: str | None = None  # what the server last said was wrong, and when we said it
    said = 0.0

    def ready() -> bool:
        nonlocal problem, said
        try:
            check_api(url, timeout=5.0, auth=prefect_auth())
        except RuntimeError as exc:
            # a new problem at once (a restarted server that now refuses our password),
            # the same one again every ten minutes: never silent for ever
            now = time.monotonic()
            if str(exc) != problem or now - said >= REMIND_SECONDS:
                _stamped(f"waiting for the Prefect server: {exc}", markup=False)
                problem, said = str(exc), now
            return False
        if problem is not None:
            _stamped("the Prefect server is back; announcing what waited")
        problem = None
        return True

    def announced(f: Path) -> None:
        _stamped(f"announced {shown(f)}")

    _stamped(f"watching {shown(inbox)} (files settle for {settle:g}s); announcing to {url}")
    try:
        n = run(watcher, args.interval, args.once, ready, announced)
    except KeyboardInterrupt:
        _stamped("stopped")
        return 0
    _stamped(f"announced {n} files")
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
    from cli.views import outbox_counts

    told = outbox_counts(settings.home)
    if args.format == "json":
        doc: dict[str, Any] = {
            name: [dict(zip(cols, r, strict=True)) for r in rows]
            for name, (cols, rows) in found.items()
        }
        doc["notifications"] = told
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=json_default, indent=1) + "\n")
        return 0
    from cli.layout import wrap
    from cli.views import open_file_lines, open_report_lines, outbox_lines, runs_lines

    def lines(block: list[str]) -> None:
        for line in block:
            out.print(line, markup=False, crop=False)

    _, rows = found["runs"]
    out.print(f"[bold]Recent runs[/bold] ({settings.published_path})")
    lines(runs_lines(rows))
    _, rows = found["open_reports"]
    reasons: dict[str, int] = {}
    for r in rows:
        for code in str(r[3]).split(","):
            reasons[code] = reasons.get(code, 0) + 1
    by_reason = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    out.print()
    lines(
        wrap(
            f"Open quarantined reports: {len(rows)}"
            + (f" ({by_reason})" if by_reason else "")
            + " — no newer version of the same kind, unit and period has loaded",
            80,
        )
    )
    if rows:
        lines(open_report_lines(rows))
    _, rows = found["open_files"]
    out.print(f"\n[bold]Open rejected files[/bold]: {len(rows)}")
    if rows:
        lines(open_file_lines(rows))
    out.print()
    lines(outbox_lines(told))
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


# --- pull and sources (CONTRACT §8, docs/operations.md "sources") ---------------------


def _checked(settings: Settings, args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The sources file and its sources (a wrong file is a usage error, before any server)."""
    from sources.config import SourcesError, chosen, sources_path
    from warehouse.registry import load_registry

    path = sources_path(settings.home, args.sources)
    units = set(load_registry(settings.scale)["unit_code"].to_list())
    try:
        return path, chosen(path, units, getattr(args, "source", None), settings.home)
    except SourcesError as exc:
        raise UsageError(str(exc)) from None


def pull_minutes() -> float:
    """``RONGHE_PULL_INTERVAL``: minutes between served pulls (default 15)."""
    return minutes_of("RONGHE_PULL_INTERVAL", "15")


def minutes_of(variable: str, default: str) -> float:
    """A positive number of minutes from ``variable`` (a usage error otherwise)."""
    import os

    text = os.environ.get(variable) or default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise UsageError(f"{variable}: not a positive number of minutes: {text!r}")
    return value


def cmd_pull(args: argparse.Namespace, settings: Settings) -> int:
    path, _ = _checked(settings, args)
    start_prefect(settings)
    from flows.pull import pull_flow

    with reporting():
        result = pull_flow(
            sources=str(path), source=args.source, home=str(settings.home), rules=None
        )
        ran = then_outputs(result.run, str(settings.home))
    summarise(ran)
    for p in result.sources:
        if p.reached:
            err.print(
                f"{p.source.name}: {p.files_seen} files seen, {p.files_pulled} pulled",
                markup=False,
            )
    down = result.unreached
    if not down:
        return 0
    named = "; ".join(f"{p.source.name} ({p.source.unit}): {p.error}" for p in down)
    err.print(f"ronghe: error: could not reach {len(down)} source(s): {named}", markup=False)
    return 1


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from warehouse.db import connect_reader, sql_file

    _, sources = _checked(settings, args)
    if args.trust or args.fingerprint:
        return _trust(settings, sources, args.trust, args.fingerprint)
    status: dict[str, tuple[Any, ...]] = {}
    if settings.published_path.exists():
        con = connect_reader(settings.published_path)
        try:
            status = {r[0]: r for r in con.execute(sql_file("sources_status.sql")).fetchall()}
        except duckdb.CatalogException:  # a warehouse from before the sources
            status = {}
        finally:
            con.close()
    from cli.views import source_lines

    for line in source_lines(sources, status):
        out.print(line, markup=False, crop=False)
    if any(not r[3] for r in status.values()):
        out.print("(!: the last pull could not reach it; the error says why)", markup=False)
    return 0


def _trust(
    settings: Settings, sources: Sequence[Any], name: str | None, expected: str | None
) -> int:
    """``ronghe sources --trust NAME``: pin the host key the SFTP server presents now."""
    from sources.hostkeys import FINGERPRINT, home_known_hosts, host_name, trust
    from sources.pull import describe

    found = [s for s in sources if s.name == name]
    if not name or not found:
        raise UsageError(f"--trust needs a source's name: no source named {name!r}")
    source = found[0]
    if source.scheme != "sftp":
        raise UsageError(f"--trust: {name} is not an sftp source (only SSH has host keys)")
    if source.host_key or source.known_hosts:
        raise UsageError(f"--trust: {name} pins its key in the sources file (host_key/known_hosts)")
    if expected is not None and not FINGERPRINT.fullmatch(expected):
        raise UsageError("--fingerprint: give it as ssh-keygen -lf prints it, SHA256:…")
    try:
        fingerprint, replaced = trust(source, settings.home, expected)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # the server cannot be reached: its words, escaped
        raise RuntimeError(f"{name}: {host_name(source)} not reached: {describe(exc)}") from None
    out.print(f"{host_name(source)} {fingerprint}", markup=False, highlight=False)
    was = f" (it replaces {replaced})" if replaced else ""
    err.print(
        f"pinned {name}'s host key in {home_known_hosts(settings.home)}{was}; compare the"
        " fingerprint with the one the server's administrator gives (ssh-keygen -lf"
        " /etc/ssh/ssh_host_ed25519_key.pub)",
        markup=False,
    )
    return 0
