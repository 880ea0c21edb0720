"""``ronghe pull`` and ``ronghe sources`` (CONTRACT §6, §8)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flows.settings import Settings

WIDTH = 80
COLUMNS = (("source", 14), ("unit", 12), ("last reached", 16), ("seen/pulled", 11))
"""``ronghe sources``: the fixed columns (name, width); the last error takes the rest."""


def _usage(exc: Exception) -> Exception:
    from flows.cli import UsageError

    return UsageError(str(exc))


def _checked(settings: Settings, args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The sources file and its sources (a wrong file is a usage error, before any server)."""
    from flows.pull import chosen_sources, sources_file
    from sources.config import SourcesError

    path = sources_file(settings, args.sources)
    try:
        return path, chosen_sources(settings, path, getattr(args, "source", None))
    except SourcesError as exc:
        raise _usage(exc) from None


def cmd_pull(args: argparse.Namespace, settings: Settings) -> int:
    from flows.commands import _prefect, _reporting, _summarise, err

    path, _ = _checked(settings, args)
    _prefect(settings)
    from flows.pull import pull_flow

    with _reporting():
        result = pull_flow(
            sources=str(path), source=args.source, home=str(settings.home), rules=None
        )
    _summarise(result.run)
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


def _fit(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (CJK characters count 2)."""
    from reports.cells import display_width

    out = ""
    for ch in text.replace("\n", " "):
        if display_width(out + ch) > width:
            break
        out += ch
    return out + " " * (width - display_width(out))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def source_lines(sources: Sequence[Any], status: dict[str, tuple[Any, ...]]) -> list[str]:
    """The ``ronghe sources`` table: one line per source, at most 80 columns."""
    last = WIDTH - sum(w + 1 for _, w in COLUMNS)
    head = " ".join(_fit(n, w) for n, w in COLUMNS) + " " + "last error"
    lines = [head.rstrip()]
    for s in sources:
        row = status.get(s.name)
        if row is None:
            cells = [s.name, s.unit, "never tried", "-", ""]
        else:
            _, _, _attempted, reached, reached_at, seen, pulled, error = row
            when = _when(reached_at) if reached else f"{_when(reached_at)}!"
            cells = [s.name, s.unit, when, f"{seen}/{pulled}", error or ""]
        widths = [w for _, w in COLUMNS] + [last]
        lines.append(" ".join(_fit(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return lines


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from flows.commands import out
    from warehouse.db import connect_reader, sql_file

    _, sources = _checked(settings, args)
    status: dict[str, tuple[Any, ...]] = {}
    if settings.published_path.exists():
        con = connect_reader(settings.published_path)
        try:
            status = {r[0]: r for r in con.execute(sql_file("sources_status.sql")).fetchall()}
        except duckdb.CatalogException:  # a warehouse from before the sources
            status = {}
        finally:
            con.close()
    for line in source_lines(sources, status):
        out.print(line, markup=False, crop=False)
    if any(not r[3] for r in status.values()):
        out.print("(!: the last pull could not reach it; the error says why)", markup=False)
    return 0
