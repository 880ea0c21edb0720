"""The ``ronghe`` command line's grammar: every command, option and argument type.

A bad argument is a :class:`cli.errors.UsageError` (exit 2), raised while parsing,
before any server starts or any file is touched.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, NoReturn

from cli.errors import UsageError

MIN_YEAR, MAX_YEAR = 1949, 2999
"""Quarters the command line accepts (``--period 0001Q1`` is a usage error)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _period(text: str) -> str:
    from transforms.periods import PeriodError, parse_period

    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not MIN_YEAR <= int(period[:4]) <= MAX_YEAR:
        raise argparse.ArgumentTypeError(
            f"quarter out of range: {text!r} (years {MIN_YEAR}–{MAX_YEAR})"
        )
    return period


def _folder(text: str) -> Path:
    """An existing folder (``--inbox``): a folder that is not there is a usage error."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name")
    path = Path(text)
    if not path.is_dir():
        what = "not a folder" if path.exists() else "no such folder"
        raise argparse.ArgumentTypeError(f"{what}: {text}")
    return path


def _effect(text: str) -> float:
    """A lagged effect for ``ronghe sample --effect``: a number from -2 to 2."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not -2 <= value <= 2:
        raise argparse.ArgumentTypeError(f"out of range: {text!r} (from -2 to 2)")
    return value


def _home(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name")
    return Path(text)


MAX_COUNT = 10_000
LONG_RANGE = 40
"""A backfill or sample over more quarters than this needs ``--yes`` (a typo such as
1949Q1–2999Q4 would start 4,204 quarters)."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"not a whole number from 1 to {MAX_COUNT:,}: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {text!r}")
    return value


def _cron(text: str) -> str:
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=text)
    except ValidationError:
        raise argparse.ArgumentTypeError(f"not a cron expression: {text!r}") from None
    return text


def _timezone(text: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"unknown time zone: {text!r}") from None
    return text


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _add_dask(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="read and validate on this Dask scheduler (default $RONGHE_DASK_ADDRESS)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ronghe", description="融合党建 quarterly reports pipeline")
    p.add_argument(
        "--home",
        type=_home,
        help="folder of the warehouse, archive and inbox (default $RONGHE_HOME or ~/.ronghe)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("sample", help="write sample report files")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--from", dest="start", type=_period, required=True)
    s.add_argument("--to", dest="end", type=_period, required=True)
    s.add_argument("--yes", action="store_true", help=f"a range over {LONG_RANGE} quarters too")
    s.add_argument("--seed", type=int, default=2017)
    s.add_argument("--scale", choices=["city", "province"], default="city")
    s.add_argument(
        "--effect",
        type=_effect,
        help="points of development per point of the previous quarter's party score the"
        " sample is drawn with (default: the documented one, docs/sample.md; 0: none)",
    )

    sub.add_parser("demo", help="sample 2016Q1–2017Q4, run them all, show the results")

    r = sub.add_parser("run", help="ingest what is new, then rebuild the marts of a quarter")
    r.add_argument("--period", type=_period, required=True)
    r.add_argument("--inbox", type=_folder)
    r.add_argument("--rules", type=Path, help="rules file (TOML); default: the shipped rules")

    b = sub.add_parser("backfill", help="the same over a range of quarters")
    b.add_argument("--from", dest="start", type=_period, required=True)
    b.add_argument("--to", dest="end", type=_period, required=True)
    b.add_argument("--yes", action="store_true", help=f"a range over {LONG_RANGE} quarters too")
    b.add_argument("--inbox", type=_folder)
    b.add_argument("--rules", type=Path)
    for cmd in (r, b):
        _add_dask(cmd)

    i = sub.add_parser("ingest", help="ingest the given files now")
    i.add_argument("files", nargs="+", type=Path)
    i.add_argument("--rules", type=Path)
    _add_dask(i)

    v = sub.add_parser(
        "validate",
        help="each report's verdict and problems; loads nothing (exit 1 if any would not load)",
    )
    v.add_argument("files", nargs="+", type=Path)
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.add_argument("--rules", type=Path, help="rules file whose review flags (核实) apply")

    t = sub.add_parser("template", help="write the report template a unit fills in (xlsx)")
    t.add_argument("--kind", required=True, choices=["supervision", "projects", "economy"])
    t.add_argument("--unit", required=True, help="the unit's 12-digit code")
    t.add_argument("--period", required=True, type=_period)
    t.add_argument(
        "--children", action="store_true", help="one row per child unit (a consolidated file)"
    )
    t.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    t.add_argument("--force", action="store_true", help="replace an existing --out file")

    q = sub.add_parser("query", help="read-only SQL on the published warehouse")
    q.add_argument("sql")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")

    rp = sub.add_parser(
        "report", help="the quarterly assessment (季度通报): workbook, brief and document"
    )
    rp.add_argument("--period", type=_period, required=True)
    rp.add_argument("--out", type=Path, help="folder (default $RONGHE_HOME/reports/PERIOD)")
    rp.add_argument("--rules", type=Path, help="rules file whose warning lines are quoted")
    rp.add_argument(
        "--pdf",
        action="store_true",
        help="also print the brief (Chromium) and the document (LibreOffice) to PDF",
    )

    a = sub.add_parser("archive", help="write out a received file, byte for byte, from the archive")
    a.add_argument("sha256", help="the file's SHA-256 (meta.file_manifest), or its first 8+ digits")
    a.add_argument("--out", type=Path, help="file or folder to write (default: ./<sha256>.<ext>)")

    u = sub.add_parser("units", help="print the unit registry")
    u.add_argument("--format", choices=["table", "csv"], default="table")

    # the analysts' workbench (cli/workbench.py)
    sub.add_parser("shell", help="the published warehouse, read-only, in Harlequin (SQL IDE)")
    ex = sub.add_parser("export", help="a quarter's marts and core tables as csv, xlsx or parquet")
    ex.add_argument("--period", required=True, type=_period)
    ex.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    ex.add_argument("--out", required=True, type=Path, help="folder to write the files into")

    _add_operations(sub)
    from cli.portal_parser import add_parsers
    from cli.upkeep_parser import add_parsers as add_upkeep

    add_parsers(sub)
    add_upkeep(sub)  # notify, rebuild
    return p


def _add_operations(sub: Any) -> None:
    """``serve``, ``watch`` and ``status`` (docs/operations.md)."""
    sv = sub.add_parser(
        "serve", help="register and serve the deployments on the Prefect server (PREFECT_API_URL)"
    )
    sv.add_argument("--inbox", type=_folder, help="inbox to poll (default $RONGHE_HOME/inbox)")
    sv.add_argument("--rules", type=Path, help="rules file for every served run")
    sv.add_argument(
        "--cron",
        type=_cron,
        default=_env("RONGHE_QUARTERLY_CRON", "0 2 10 1,4,7,10 *"),
        help="quarterly schedule (default $RONGHE_QUARTERLY_CRON or '0 2 10 1,4,7,10 *')",
    )
    sv.add_argument(
        "--timezone",
        type=_timezone,
        default=_env("RONGHE_TIMEZONE", "Asia/Shanghai"),
        help="time zone of the schedule (default $RONGHE_TIMEZONE or Asia/Shanghai)",
    )
    sv.add_argument(
        "--poll-minutes",
        type=_positive,
        default=_env("RONGHE_POLL_MINUTES", "10"),
        help="how often the inbox-poll deployment runs (default 10)",
    )
    sv.add_argument(
        "--burst-seconds",
        type=_positive,
        default=_env("RONGHE_BURST_SECONDS", "30"),
        help="received events this close together make one ingest run (default 30)",
    )
    sv.add_argument(
        "--settle-seconds",
        type=_seconds,
        help="a file is complete once unchanged this long; also the extra wait after a"
        " burst before its run starts (default $RONGHE_SETTLE_SECONDS or 5)",
    )

    w = sub.add_parser("watch", help="announce new, fully written files in INBOX to Prefect")
    w.add_argument("inbox", nargs="?", type=Path, help="default $RONGHE_HOME/inbox")
    w.add_argument(
        "--settle",
        type=_seconds,
        help="seconds a file's size and mtime must stay unchanged"
        " (default $RONGHE_SETTLE_SECONDS or 5)",
    )
    w.add_argument("--interval", type=_positive, default=2.0, help="seconds between scans")
    w.add_argument("--once", action="store_true", help="announce what is there now, then exit")

    st = sub.add_parser("status", help="recent runs and open quarantines")
    st.add_argument("--runs", type=_count, default=10, help="how many recent runs (default 10)")
    st.add_argument("--format", choices=["table", "json"], default="table")
    st.add_argument(
        "--period", type=_period, help="who has filed for this quarter, per county-level unit"
    )

    _add_sources(sub)

    rc = sub.add_parser("receipts", help="write the receipts (回执) of a quarter, one per unit")
    rc.add_argument("--period", required=True, type=_period)
    rc.add_argument("--out", type=Path, help="folder (default $RONGHE_HOME/receipts/<period>)")

    ch = sub.add_parser("chase", help="the chase lists (催报) of a quarter: who still owes what")
    ch.add_argument("--period", required=True, type=_period)
    ch.add_argument("--out", type=Path, help="folder (default $RONGHE_HOME/chase/<period>)")


def _add_sources(sub: Any) -> None:
    """``pull`` and ``sources`` (CONTRACT §8, docs/operations.md "sources")."""
    help_file = "sources file (default $RONGHE_SOURCES or $RONGHE_HOME/sources.toml)"
    pl = sub.add_parser("pull", help="pull new, complete files from the units' deposits; ingest")
    pl.add_argument("--sources", metavar="FILE", help=help_file)
    pl.add_argument("--source", metavar="NAME", help="pull this source only")
    so = sub.add_parser("sources", help="each source: its unit, last reached, files, last error")
    so.add_argument("--sources", metavar="FILE", help=help_file)
    so.add_argument(
        "--trust",
        metavar="NAME",
        help="SFTP: ask source NAME's server for its host key (no login), print its"
        " fingerprint and pin it in $RONGHE_HOME/known_hosts",
    )
    so.add_argument(
        "--fingerprint",
        metavar="SHA256:…",
        help="with --trust: pin the key only if it has this fingerprint",
    )
