"""The analysts' workbench: ``ronghe shell`` (the warehouse in Harlequin) and ``ronghe
export`` (a quarter's marts for BI tools and Excel). docs/warehouse.md §1 and «导出»."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from cli.common import out
from config.settings import Settings

INSTALL_SHELL = "pip install 'ronghe[shell]'  (Harlequin 2.17.0, pinned in requirements.lock)"


def harlequin_installed() -> bool:
    try:
        return importlib.util.find_spec("harlequin") is not None
    except (ImportError, ValueError):  # a broken or blocked install counts as none
        return False


def shell_init(memory: str, own: Path) -> Path:
    """The init script Harlequin runs on connecting: the analyst's own ``~/.duckdbrc``
    (which ``--init-path`` would otherwise replace), then the memory limit. A file of
    its own (0600) in the temporary folder: Harlequin reads it after this process is
    gone, so it is left there, a few bytes."""
    try:
        theirs = own.read_text(encoding="utf-8") if own.is_file() else ""
    except (OSError, UnicodeDecodeError):
        theirs = ""
    fd, name = tempfile.mkstemp(prefix="ronghe-shell-", suffix=".sql")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{theirs.rstrip()}\nSET memory_limit = '{memory}';\n".lstrip())
    return Path(name)


def cmd_shell(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.db import WarehouseError
    from warehouse.query import QueryLimits

    path = settings.published_path
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: run `ronghe run` or `ronghe demo` first")
    if not harlequin_installed():
        raise RuntimeError(f"`ronghe shell` needs Harlequin, not installed here: {INSTALL_SHELL}")
    # Harlequin in this process's place: the terminal, Ctrl-C and the exit status are its;
    # read-only, so it never holds the published version for writing; DuckDB's memory
    # within RONGHE_QUERY_MEMORY, as for `ronghe query`, so a careless query cannot take
    # the machine (the analyst's own ~/.duckdbrc still runs, before the limit)
    init = shell_init(QueryLimits.from_env().memory, Path.home() / ".duckdbrc")
    command = [sys.executable, "-m", "harlequin", "--read-only", "--no-download-tzdata",
               "--init-path", str(init), str(path)]  # fmt: skip
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, command)
    return 0  # not reached


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.export import export_period
    from warehouse.modes import share_outputs

    written = export_period(settings.published_path, args.period, args.out, args.format)
    # who may read the warehouse may read what is made from it (the same modes)
    paths = {e.path for e in written} | {p for p in [args.out / "columns.csv"] if p.exists()}
    share_outputs(args.out, sorted(paths), settings.warehouse_mode)
    for e in written:
        out.print(f"{e.table:<30} {e.rows:>7,} rows  {e.path}", markup=False, crop=False)
    return 0
