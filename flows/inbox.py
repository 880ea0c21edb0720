"""The source of reports: which files under the inbox are candidates, and their kind.

Deliberately light (no Polars, DuckDB or Prefect): ``ronghe watch`` imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from transforms.columns import kind_of

IGNORED_PREFIXES = (".", "~$", "~")
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


def is_candidate(path: Path) -> bool:
    """Not a temporary or hidden name (an editor's lock file, a download in progress)."""
    name = path.name
    return not name.startswith(IGNORED_PREFIXES) and not name.lower().endswith(IGNORED_SUFFIXES)


def scan(paths: Iterable[Path]) -> list[Path]:
    """Every candidate file under the given files and folders (any depth), sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(f for f in p.rglob("*") if f.is_file() and is_candidate(f))
        elif p.is_file():
            out.append(p)
    # receipt order: older files first, so a tie on submitted_at goes to the later file
    return sorted(set(out), key=lambda f: (f.stat().st_mtime_ns, str(f)))


def group_by_kind(files: Sequence[Path]) -> dict[str | None, list[Path]]:
    """Files per report kind (from the file name); None for names that select no kind."""
    groups: dict[str | None, list[Path]] = {}
    for f in files:
        k = kind_of(f.name)
        groups.setdefault(None if k is None else k.name, []).append(f)
    return groups
