"""The ``ronghe`` command (CONTRACT §6): parse, build the settings once, dispatch.

The parser is :mod:`cli.parser`; the commands live by who uses them:
:mod:`cli.operators` (run, backfill, ingest, serve, watch, status, sample),
:mod:`cli.demo`, :mod:`cli.filers` (validate, template, receipts, chase),
:mod:`cli.analysts` (query, report, units, archive) and :mod:`cli.workbench` (shell, export).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence

from cli.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    DiskFullError,
    UsageError,
    ctrl_c_pressed,
    describe,
    disk_full,
    error,
    plain_ctrl_c,
    prefect_unreachable,
    remembering_ctrl_c,
)
from cli.parser import build_parser
from config.settings import Settings
from transforms.periods import PeriodError
from warehouse.scale import ScaleMismatch

Handler = Callable[[argparse.Namespace, Settings], int]

RUN_UNTIL_STOPPED = frozenset({"serve", "watch", "portal", "shell"})
"""Commands that run until Ctrl-C, which stops them as Python and their servers mean it."""


class PrefectDown(RuntimeError):
    """The Prefect server stopped answering during the command; the message is the line."""


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    with remembering_ctrl_c():
        return _main(args_list)


def entry() -> None:
    """The ``ronghe`` program: :func:`main`, and an exit that Ctrl-C cannot break.

    Once the command has said its last line, what is left runs with Ctrl-C ignored: the
    embedded Prefect server stopping (at most 10 s, then killed), Prefect's workers
    sending the last events, the helper processes ending. A key pressed then would only
    print a traceback from an exit callback, or kill a process whose work is done.
    (Ignored from the start too, for the instant before :func:`main` takes Ctrl-C over.)
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise SystemExit(main())


def _main(args_list: list[str]) -> int:
    try:
        args = build_parser().parse_args(args_list)
        if not args.command:
            raise UsageError("a command is needed (see `ronghe --help`)")
        return _dispatch(args)
    except UsageError as exc:
        error(str(exc))
        return EXIT_USAGE
    except PeriodError as exc:  # e.g. --from after --to: the command line is wrong
        error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:  # the one place a failure becomes one line
        if ctrl_c_pressed():  # e.g. DuckDB's "Query interrupted": the operator's Ctrl-C
            return _interrupted()
        error(describe(exc))
        return EXIT_FAILED


def _interrupted() -> int:
    stop_children()
    error("interrupted")
    return EXIT_FAILED


def stop_children() -> None:
    """Stop the run's helper processes (validation, workbook reading), if it started any,
    so that Ctrl-C leaves no process and no warning behind."""
    for name in ("expectations.process", "transforms.worker"):
        module = sys.modules.get(name)
        if module is not None:
            module.shutdown()


def _settings(args: argparse.Namespace) -> Settings:
    from pydantic import ValidationError

    try:
        settings = Settings.load(args.home)  # else RONGHE_HOME, else ~/.ronghe
        if getattr(args, "dask", None):
            settings = settings.model_copy(update={"dask_address": args.dask})
        return settings
    except ValidationError as exc:  # a RONGHE_* variable the operator set is wrong
        first = exc.errors()[0]
        name = "RONGHE_" + "_".join(str(part) for part in first["loc"]).upper()
        raise UsageError(f"{name}: {first['msg'].removeprefix('Value error, ')}") from None
    except ScaleMismatch as exc:  # RONGHE_SCALE is not the home's
        raise UsageError(str(exc)) from None


def handler(command: str) -> Handler:
    """The function of ``command`` (``cmd_<command>`` in the module of its users)."""
    from cli import analysts, demo, filers, operators, portal, upkeep, workbench

    for module in (operators, filers, analysts, demo, workbench, portal, upkeep):
        found: Handler | None = getattr(module, f"cmd_{command}", None)
        if found is not None:
            return found
    raise UsageError(f"unknown command {command!r} (see `ronghe --help`)")


def _precheck(args: argparse.Namespace, settings: Settings) -> None:
    """Before any server starts: an inbox (or a folder named to ingest) that is the home
    or holds it, and a rules file that does not hold valid rules, are usage errors."""
    from pathlib import Path

    from sources.inbox import not_an_inbox

    named = [getattr(args, "inbox", None), *(getattr(args, "files", None) or [])]
    for folder in named:
        if isinstance(folder, Path) and folder.is_dir():
            why = not_an_inbox(folder, settings.home)
            if why is not None:
                raise UsageError(why)
    rules = getattr(args, "rules", None) or (settings.rules if hasattr(args, "rules") else None)
    if rules is not None:
        from warehouse.ruleset import RulesError, load_rules

        try:
            load_rules(rules)
        except RulesError as exc:
            raise UsageError(str(exc)) from None


def _dispatch(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _precheck(args, settings)
    run = handler(args.command)
    try:
        if args.command in RUN_UNTIL_STOPPED:
            with plain_ctrl_c():
                return int(run(args, settings))
        return int(run(args, settings))
    except (UsageError, PeriodError, KeyboardInterrupt):
        raise
    except Exception as exc:
        full = disk_full(exc, settings.home if settings.home.exists() else None)
        if full is not None:
            raise DiskFullError(full) from exc
        if "prefect" in sys.modules:  # a run that lost its Prefect server says so
            down = prefect_unreachable(exc)
            if down is not None:
                raise PrefectDown(down) from exc
        raise


if __name__ == "__main__":
    entry()
