"""What has been received: SHA-256 of inbox files, the bytes seen before.

Every file ever received is kept byte for byte under its SHA-256 (CONTRACT §3,
:mod:`warehouse.archive`), and the same bytes received again are recognised and not
loaded twice. Hashing is the
cost of a poll over a large inbox, so a file whose path, size and modification time
are what they were when it was last hashed is not read again (``meta.file_hashes``),
unless its path holds a personal number (:mod:`transforms.pii`): such a path is never
stored, and the file is hashed again at each look.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from transforms.paths import path_text
from transforms.pii import has_pii
from transforms.read import unread_id
from warehouse.db import registered, transaction

FileStat = tuple[str, int, int]
"""(path, size in bytes, modification time in ns): what says a file has not changed."""


@dataclass(frozen=True)
class Found:
    """Inbox files split into bytes never received and bytes received before."""

    new: list[Path] = field(default_factory=list)
    already_received: list[Path] = field(default_factory=list)


def known_files(con: duckdb.DuckDBPyConnection, shas: Iterable[str]) -> set[str]:
    """Which of these SHA-256s were received before."""
    wanted = pl.DataFrame({"sha256": list(set(shas))}, schema={"sha256": pl.String})
    if wanted.is_empty():
        return set()
    with registered(con, "wanted_shas", wanted):
        rows = con.execute(
            "SELECT w.sha256 FROM wanted_shas w SEMI JOIN meta.file_manifest m"
            " ON m.sha256 = w.sha256"
        ).fetchall()
    return {r[0] for r in rows}


def cached_hashes(con: duckdb.DuckDBPyConnection, stats: Sequence[FileStat]) -> dict[str, str]:
    """SHA-256s remembered for these paths, where the size and mtime are still the same."""
    if not stats:
        return {}
    wanted = pl.DataFrame(
        stats, schema={"path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64}, orient="row"
    )
    with registered(con, "wanted_stats", wanted):
        rows = con.execute(
            "SELECT h.path, h.sha256 FROM wanted_stats w JOIN meta.file_hashes h"
            " ON h.path = w.path AND h.size = w.size AND h.mtime_ns = w.mtime_ns"
        ).fetchall()
    return dict(rows)


def remember_hashes(
    con: duckdb.DuckDBPyConnection, hashed: Sequence[tuple[str, int, int, str]]
) -> None:
    """Remember (path, size, mtime_ns, sha256) so that an unchanged file is not hashed again."""
    if not hashed:
        return
    frame = pl.DataFrame(
        hashed,
        schema={"path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "sha256": pl.String},
        orient="row",
    ).unique("path", keep="last")
    with registered(con, "hashed_in", frame), transaction(con):
        con.execute("INSERT OR REPLACE INTO meta.file_hashes SELECT * FROM hashed_in")


def hash_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], remember: bool = True
) -> dict[Path, str]:
    """The SHA-256 of each file, reading only files not hashed before as they are now.

    ``remember=False`` leaves the cache as it is (a read-only connection). A file that
    cannot be read (permission denied, vanished) gets the stand-in
    :func:`transforms.read.unread_id`: the reader then records why it is unreadable.
    """
    stats: dict[Path, FileStat] = {}
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        stats[f] = (path_text(f), st.st_size, st.st_mtime_ns)
    cached = cached_hashes(con, list(stats.values()))
    shas: dict[Path, str] = {}
    hashed: list[tuple[str, int, int, str]] = []
    for f in files:
        sha = cached.get(path_text(f)) if f in stats else None
        if sha is None:
            try:
                sha = hashlib.sha256(f.read_bytes()).hexdigest()
            except OSError:
                shas[f] = unread_id(f)
                continue
            if not has_pii(stats[f][0]):  # a name with a personal number is not stored
                hashed.append((*stats[f], sha))
        shas[f] = sha
    if remember:
        remember_hashes(con, hashed)
    return shas


def find_new(con: duckdb.DuckDBPyConnection, files: Sequence[Path], remember: bool = True) -> Found:
    """Split files into those never received and those whose bytes were received before.

    A backfill that passes over quarters already loaded only lists them (``hash_files``).
    """
    shas = hash_files(con, files, remember)
    known = known_files(con, shas.values())
    found = Found()
    seen: set[str] = set()
    for f in files:
        if shas[f] in known or shas[f] in seen:
            found.already_received.append(f)
        else:
            seen.add(shas[f])
            found.new.append(f)
    return found
