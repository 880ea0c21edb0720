"""The analysts' commands: query, report, units, archive (docs/warehouse.md)."""

from __future__ import annotations

import argparse
import os

from cli.common import err, out, rows_out
from cli.errors import UsageError
from config.settings import Settings
from warehouse.query import QuerySettingError, is_empty, run_bounded


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    if is_empty(args.sql):
        raise UsageError("the query is empty: give one SQL statement")
    try:  # in a child process of its own, within RONGHE_QUERY_MEMORY and _TIMEOUT
        answer = run_bounded(settings.published_path, args.sql)
    except QuerySettingError as exc:
        raise UsageError(str(exc)) from None
    rows_out(answer.columns, answer.rows, args.format)
    if answer.cut:
        err.print(
            f"showing the first {len(answer.rows):,} rows; {answer.cut:,} more were cut"
            " (RONGHE_QUERY_MAX_ROWS)"
        )
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from reports import write_report
    from warehouse.modes import share_outputs

    out_dir = args.out or settings.home / "reports" / args.period
    paths = write_report(
        settings.published_path, args.period, out_dir, pdf=args.pdf, rules=args.rules
    )
    share_outputs(
        out_dir if args.out else settings.reports_dir, paths.files, settings.warehouse_mode
    )
    if paths.unchanged:
        out.print(f"unchanged since it was last written: {out_dir}")
    out.print(f"workbook: {paths.workbook}\nbrief:    {paths.brief}\ndocument: {paths.document}")
    for label, pdf in (("brief's pdf", paths.pdf), ("document's pdf", paths.document_pdf)):
        if pdf is not None:
            out.print(f"{label}: {pdf}")
    if paths.pdf_problem:
        err.print(paths.pdf_problem)
    return 0


def cmd_archive(args: argparse.Namespace, settings: Settings) -> int:
    """Write out one archived file (``ronghe archive SHA256 [--out PATH]``)."""
    from pathlib import Path

    from warehouse.archive import ArchiveError, read_archived
    from warehouse.db import connect_reader
    from warehouse.modes import open_private

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
        name, data = read_archived(con, found[0], settings.home)
    finally:
        con.close()
    target = args.out or Path(name)
    if target.is_dir():
        target = target / name
    # never overwrite; the owner's only, whatever the umask (it may hold personal numbers)
    fd = open_private(target, os.O_WRONLY | os.O_EXCL)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    out.print(f"{target} ({len(data)} bytes, SHA-256 {found[0]})")
    return 0


def cmd_units(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.registry import load_registry

    reg = load_registry(settings.scale)
    rows_out(reg.columns, list(reg.iter_rows()), "csv" if args.format == "csv" else "table")
    return 0
