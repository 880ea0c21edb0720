"""What the warehouse remembers of the sources (``meta.pulls``, ``meta.source_status``).

:func:`seen` reads it from the published warehouse before a pull (read-only, no
writer needed); :func:`record` writes one pull's rows in the run's transaction, so a
run that fails records nothing and its files are pulled again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from sources.pull import Key, Seen, SourcePull, stored_path
from warehouse.db import connect_reader, registered, run_sql_file, sql_file, transaction

_PULLS = {
    "source": pl.String(),
    "unit_code": pl.String(),
    "remote_path": pl.String(),
    "size": pl.Int64(),
    "modified_at": pl.Datetime("us"),
    "sha256": pl.String(),
    "pulled_at": pl.Datetime("us"),
    "outcome": pl.String(),
    "error": pl.String(),
    "first_seen_at": pl.Datetime("us"),
}
_STATUS = {
    "source": pl.String(),
    "unit_code": pl.String(),
    "attempted_at": pl.Datetime("us"),
    "reached": pl.Boolean(),
    "error": pl.String(),
    "files_seen": pl.Int64(),
    "files_pulled": pl.Int64(),
}


def seen(published: Path, names: Sequence[str]) -> dict[str, Seen]:
    """Per source name, what earlier pulls took or saw incomplete, and when a listing
    first showed each path still waiting (its arrival)."""
    out = {n: Seen() for n in names}
    if not published.exists() or not names:
        return out
    con = connect_reader(published)
    try:
        rows = con.execute(sql_file("pulls_seen.sql"), {"sources": list(names)}).fetchall()
    except duckdb.CatalogException:  # a warehouse made before meta.pulls existed
        return out
    finally:
        con.close()
    taken: dict[str, set[Key]] = {n: set() for n in names}
    waiting: dict[str, set[Key]] = {n: set() for n in names}
    first: dict[str, dict[str, datetime]] = {n: {} for n in names}
    for source, path, size, modified, outcome, first_seen in rows:
        if outcome in ("incomplete", "failed") and first_seen is not None:
            seen_at = first[source].get(path, first_seen)
            first[source][path] = min(seen_at, first_seen)
        if outcome != "failed":  # a file that could not be read is read again
            (waiting if outcome == "incomplete" else taken)[source].add((path, size, modified))
    return {n: Seen(frozenset(taken[n]), frozenset(waiting[n]), first[n]) for n in names}


def last_reached(published: Path, names: Sequence[str]) -> dict[str, datetime | None]:
    """Per source name, when a pull last reached it (None: never, or not known)."""
    if not published.exists() or not names:
        return {}
    con = connect_reader(published)
    try:
        rows = con.execute(
            "SELECT source, reached_at FROM meta.source_status WHERE source IN ?", [list(names)]
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {r[0]: r[1] for r in rows}


def record(
    con: duckdb.DuckDBPyConnection, pulls: Sequence[SourcePull], run_id: str, now: datetime
) -> None:
    """Record every source's attempt and the files it saw, in one transaction."""
    rows = [
        (
            p.source.name,
            p.source.unit,
            stored_path(r.remote_path),  # masked, escaped: as seen() gives it back
            r.size,
            r.modified_at,
            r.sha256,
            now,
            r.outcome,
            r.error,
            r.first_seen or now,
        )
        for p in pulls
        for r in p.rows
    ]
    status = [
        (
            p.source.name,
            p.source.unit,
            p.attempted_at,
            p.reached,
            p.error,
            p.files_seen,
            p.files_pulled,
        )
        for p in pulls
    ]
    files = pl.DataFrame(rows, schema=_PULLS, orient="row")
    attempts = pl.DataFrame(status, schema=_STATUS, orient="row")
    with transaction(con):
        if not files.is_empty():
            with registered(con, "pulls_in", files):
                run_sql_file(con, "pulls_record.sql", {"run_id": run_id})
        if not attempts.is_empty():
            with registered(con, "status_in", attempts):
                run_sql_file(con, "source_status_record.sql")


def origins(pulls: Sequence[SourcePull], now: datetime) -> dict[str, dict[str, object]]:
    """Per SHA-256 pulled (new to the warehouse), where it came from (the archive's
    members files keep it: :func:`warehouse.provenance.add_sources`)."""
    out: dict[str, dict[str, object]] = {}
    for p in pulls:
        for r in p.rows:
            if r.outcome != "pulled" or r.sha256 is None:
                continue
            out[r.sha256] = {
                "name": p.source.name,
                "unit": p.source.unit,
                "remote_path": r.remote_path,
                "size": r.size,
                "modified_at": None if r.modified_at is None else r.modified_at.isoformat(),
                "pulled_at": now.isoformat(),
                "first_seen_at": None if r.first_seen is None else r.first_seen.isoformat(),
            }
    return out
