"""The filers' commands: validate, template, receipts, chase (what the units see)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from cli.common import err, out
from cli.errors import UsageError
from config.settings import Settings


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from rich.markup import escape

    from filers.check import check, clean, render_json, render_text
    from sources.inbox import survey
    from transforms.shown import escaped
    from warehouse.registry import load_registry

    missing = [str(f) for f in args.files if not f.exists()]
    if missing:
        raise FileNotFoundError(f"no such file: {missing[0]}")
    seen = survey(args.files)
    for skip in seen.skipped:
        shown = f"SKIPPED 跳过 {escaped(skip.path)}: {skip.reason} — {escaped(skip.detail)}"
        out.print(escape(shown))
    from warehouse.ruleset import load_rules

    rules = load_rules(args.rules or settings.rules)
    checks = check(
        seen.files, load_registry(settings.scale), datetime.now(), settings.workers,
        rules=rules, published=settings.published_path,
    )  # fmt: skip
    if args.format == "json":
        sys.stdout.write(render_json(checks) + "\n")
    else:
        lines = render_text(checks)
        # a name with a line feed or a terminal escape cannot forge or hide a line
        for line in lines[:-2]:
            out.print(escaped(line), markup=False)
        for line in lines[-2:]:
            err.print(escaped(line), markup=False)
    return 0 if clean(checks) else 1


def cmd_template(args: argparse.Namespace, settings: Settings) -> int:
    from filers.template import units_for, write_template
    from warehouse.registry import load_registry

    if args.out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out must name an .xlsx file, not {args.out.name}")
    if args.out.exists() and not args.force:
        raise UsageError(f"{args.out} exists: give --force to replace it")
    registry = load_registry(settings.scale)
    try:  # a unit not in the registry (or not valid then) is a wrong --unit: usage
        units_for(registry, args.unit, args.period, args.children)
    except ValueError as exc:
        raise UsageError(f"--unit: {exc}") from None
    path = write_template(args.kind, args.unit, args.period, args.out, registry, args.children)
    err.print(f"wrote {path}", markup=False)
    return 0


def cmd_receipts(args: argparse.Namespace, settings: Settings) -> int:
    from filers.receipts import write_receipts
    from warehouse.modes import share_outputs

    out_dir = args.out or settings.receipts_dir / args.period
    paths = write_receipts(settings.published_path, args.period, out_dir)
    share_outputs(out_dir if args.out else settings.receipts_dir, paths, settings.warehouse_mode)
    err.print(f"wrote {len(paths)} receipts (回执) to {out_dir}", markup=False)
    return 0


def cmd_chase(args: argparse.Namespace, settings: Settings) -> int:
    from filers.chase import chase, chase_dir, summary
    from warehouse.modes import share_outputs
    from warehouse.ruleset import load_rules

    out_dir = args.out or chase_dir(settings.home, args.period)
    window = load_rules(settings.rules).filing_round.correction_window_days
    result = chase(settings.published_path, args.period, out_dir, datetime.now(), window)
    # the receipts' and the 通报's modes, whatever the umask (warehouse/modes.py)
    written = [lst.path for lst in result.lists if lst.path is not None]
    root = out_dir if args.out else settings.home / "chase"
    share_outputs(root, [out_dir, *written], settings.warehouse_mode)
    for line in summary(result):
        out.print(line, markup=False, crop=False)
    err.print(f"wrote {len(result.lists)} chase lists (催报) to {out_dir}", markup=False)
    return 0
