"""The filers' commands: validate, template, receipts (what the units see)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from cli.common import err, out
from config.settings import Settings


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape

    from filers.check import check, clean, render_json, render_text
    from sources.inbox import survey
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
