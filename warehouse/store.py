"""The warehouse: connection, archive, transactional loads, supersession, publishing.

Every load of a batch of files is one explicit transaction: the manifest, the
quarantine, the raw versions and the refreshed current reports commit together
or not at all. The writer works on ``work/warehouse.duckdb``; analysts read the
published copy, which is replaced atomically only after a successful run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from transforms.columns import REPORT_KINDS
from warehouse.registry import COLUMNS as REGISTRY_COLUMNS
from warehouse.schema import all_ddl, sql_file

if TYPE_CHECKING:
    from expectations.validate import Verdicts
    from transforms.read import RawFile

StepHook = Callable[[str], None]


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message is fit for one CLI line."""


def connect(path: Path, threads: int = 2, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    """Open the writer's database file (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"threads": threads, "memory_limit": memory_limit}
    return duckdb.connect(str(path), config=config)


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only (never blocks a writer)."""
    if not path.exists():
        raise WarehouseError(f"no warehouse at {path} yet: run `ronghe run` or `ronghe demo` first")
    return duckdb.connect(str(path), read_only=True)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def ensure_schema(con: duckdb.DuckDBPyConnection, registry: pl.DataFrame) -> None:
    """Create every schema and table, and make ``core.units`` equal the registry."""
    from warehouse.marts import ensure_marts

    with transaction(con):
        for stmt in all_ddl():
            con.execute(stmt)
        ensure_marts(con)
        units = registry.select(REGISTRY_COLUMNS)
        con.register("registry_in", units.to_arrow())
        changed = con.execute(
            "SELECT (SELECT count(*) FROM (FROM core.units EXCEPT FROM registry_in))"
            " + (SELECT count(*) FROM (FROM registry_in EXCEPT FROM core.units))"
        ).fetchall()
        if changed[0][0]:
            con.execute("DELETE FROM core.units")
            con.execute("INSERT INTO core.units SELECT * FROM registry_in")
        con.unregister("registry_in")


def known_files(con: duckdb.DuckDBPyConnection, shas: Iterable[str]) -> set[str]:
    """Which of these SHA-256s were received before."""
    wanted = pl.DataFrame({"sha256": list(set(shas))}, schema={"sha256": pl.String})
    if wanted.is_empty():
        return set()
    con.register("wanted_shas", wanted.to_arrow())
    rows = con.execute(
        "SELECT w.sha256 FROM wanted_shas w SEMI JOIN meta.file_manifest m ON m.sha256 = w.sha256"
    ).fetchall()
    con.unregister("wanted_shas")
    return {r[0] for r in rows}


FileStat = tuple[str, int, int]
"""(path, size in bytes, modification time in ns): what says a file has not changed."""


def cached_hashes(con: duckdb.DuckDBPyConnection, stats: Sequence[FileStat]) -> dict[str, str]:
    """SHA-256s remembered for these paths, where the size and mtime are still the same."""
    if not stats:
        return {}
    wanted = pl.DataFrame(
        stats, schema={"path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64}, orient="row"
    )
    con.register("wanted_stats", wanted.to_arrow())
    try:
        rows = con.execute(
            "SELECT h.path, h.sha256 FROM wanted_stats w JOIN meta.file_hashes h"
            " ON h.path = w.path AND h.size = w.size AND h.mtime_ns = w.mtime_ns"
        ).fetchall()
    finally:
        con.unregister("wanted_stats")
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
    con.register("hashed_in", frame.to_arrow())
    try:
        with transaction(con):
            con.execute("INSERT OR REPLACE INTO meta.file_hashes SELECT * FROM hashed_in")
    finally:
        con.unregister("hashed_in")


def archive_file(archive_dir: Path, path: Path, sha256: str) -> Path | None:
    """Keep the file byte for byte under its SHA-256; None if it changed since it was read."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    target = archive_dir / sha256[:2] / (sha256 + "".join(path.suffixes[-1:]).lower())
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.tmp{os.getpid()}-{threading.get_ident()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target


@dataclass
class FileOutcome:
    sha256: str
    path: str
    kind: str | None
    format: str | None
    received_at: datetime
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    archive_path: str | None
    size_bytes: int
    file_reasons: list[str]
    detail: str


@dataclass
class LoadSummary:
    files: list[FileOutcome] = field(default_factory=list)
    reports_loaded: dict[str, int] = field(default_factory=dict)
    reports_quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    periods: list[str] = field(default_factory=list)
    already_received: int = 0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def _counts_by_file(frame: pl.DataFrame, col: str) -> dict[str, int]:
    if frame.is_empty():
        return {}
    return {k: int(v) for k, v in frame.group_by(col).len().iter_rows()}


def outcomes(
    files: Sequence[RawFile],
    verdicts: dict[str, Verdicts],
    received_at: datetime,
    archived: dict[str, Path],
) -> list[FileOutcome]:
    """Reconcile every file: rows read = rows loaded + rows quarantined."""
    loaded: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for v in verdicts.values():
        for sha, n in _counts_by_file(v.accepted, "_file").items():
            loaded[sha] = loaded.get(sha, 0) + n
        if not v.quarantined.is_empty():
            q = v.quarantined.select("source_sha256", pl.col("row_numbers").list.len().alias("n"))
            for sha, n in q.group_by("source_sha256").agg(pl.col("n").sum()).iter_rows():
                quarantined[sha] = quarantined.get(sha, 0) + int(n)
    out = []
    for i, f in enumerate(files):
        read = 0 if f.frame is None else f.frame.height
        if f.reasons:
            n_loaded, n_quar = 0, read
        else:
            n_loaded, n_quar = loaded.get(f.sha256, 0), quarantined.get(f.sha256, 0)
        if n_loaded + n_quar != read:
            raise WarehouseError(
                f"reconciliation failed for {f.path}: read {read}, loaded {n_loaded},"
                f" quarantined {n_quar}"
            )
        if f.reasons:
            status = "rejected"
        elif n_quar == 0:
            status = "loaded"
        else:
            status = "partial" if n_loaded else "rejected"
        arch = archived.get(f.sha256)
        out.append(
            FileOutcome(
                sha256=f.sha256,
                path=f.path,
                kind=f.kind,
                format=f.format,
                # distinct, ordered receipt times: on a submitted_at tie the later file wins
                received_at=received_at + timedelta(microseconds=i),
                status=status,
                rows_read=read,
                rows_loaded=n_loaded,
                rows_quarantined=n_quar,
                archive_path=None if arch is None else str(arch),
                size_bytes=f.size,
                file_reasons=list(f.reasons),
                detail=f.detail,
            )
        )
    return out


def load_batch(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[RawFile],
    verdicts: dict[str, Verdicts],
    received_at: datetime,
    archived: dict[str, Path],
    run_id: str | None = None,
    on_step: StepHook | None = None,
) -> LoadSummary:
    """Load a batch of files in ONE transaction; return what was loaded and quarantined.

    ``on_step`` is called with the name of each step after it ran (inside the
    transaction): a hook for progress and for fault-injection tests.
    """
    step = on_step or (lambda _name: None)
    summary = LoadSummary(files=outcomes(files, verdicts, received_at, archived))
    received = {o.sha256: o.received_at for o in summary.files}
    periods: set[str] = set()
    with transaction(con):
        _insert_manifest(con, summary.files, run_id)
        step("meta.file_manifest")
        _insert_file_quarantine(con, summary.files, received_at)
        step("quarantine.files")
        for kind_name, v in verdicts.items():
            if not v.quarantined.is_empty():
                q = v.quarantined.with_columns(pl.lit(received_at).alias("quarantined_at"))
                _insert(con, "quarantine.reports", q)
                summary.reports_quarantined += v.quarantined.height
                for reasons in v.quarantined.get_column("reasons").to_list():
                    for r in reasons:
                        summary.reasons[r] = summary.reasons.get(r, 0) + 1
            step(f"quarantine.reports:{kind_name}")
            if v.accepted.is_empty():
                summary.reports_loaded[kind_name] = 0
                continue
            kind = REPORT_KINDS[kind_name]
            rec = pl.DataFrame(
                {"_file": list(received), "received_at": list(received.values())},
                schema={"_file": pl.String, "received_at": pl.Datetime("us")},
            )
            rows = (
                v.accepted.join(rec, on="_file", how="left")
                .rename({"_file": "source_sha256", "_row": "row_number"})
                .select(*kind.names, "source_sha256", "received_at", "row_number")
            )
            _insert(con, f"raw.{kind_name}", rows)
            step(f"raw.{kind_name}")
            keys = rows.select("unit_code", "period").unique()
            summary.reports_loaded[kind_name] = rows.select(
                "source_sha256", "unit_code", "period"
            ).n_unique()
            periods.update(keys.get_column("period").to_list())
            con.register("affected_keys", keys.to_arrow())
            for stmt in _statements(sql_file(f"core_{kind_name}.sql")):
                con.execute(stmt)
            con.unregister("affected_keys")
            step(f"core.{kind_name}")
    summary.periods = sorted(periods)
    return summary


def _statements(script: str) -> list[str]:
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("batch_in", frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM batch_in")
    finally:
        con.unregister("batch_in")


def _insert_manifest(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileOutcome], run_id: str | None
) -> None:
    if not files:
        return
    frame = pl.DataFrame(
        [
            {
                "sha256": f.sha256,
                "path": f.path,
                "kind": f.kind,
                "format": f.format,
                "received_at": f.received_at,
                "status": f.status,
                "rows_read": f.rows_read,
                "rows_loaded": f.rows_loaded,
                "rows_quarantined": f.rows_quarantined,
                "archive_path": f.archive_path,
                "size_bytes": f.size_bytes,
                "run_id": run_id,
            }
            for f in files
        ],
        schema={
            "sha256": pl.String,
            "path": pl.String,
            "kind": pl.String,
            "format": pl.String,
            "received_at": pl.Datetime("us"),
            "status": pl.String,
            "rows_read": pl.Int64,
            "rows_loaded": pl.Int64,
            "rows_quarantined": pl.Int64,
            "archive_path": pl.String,
            "size_bytes": pl.Int64,
            "run_id": pl.String,
        },
    )
    _insert(con, "meta.file_manifest", frame)


def _insert_file_quarantine(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileOutcome], when: datetime
) -> None:
    bad = [f for f in files if f.file_reasons]
    if not bad:
        return
    frame = pl.DataFrame(
        {
            "sha256": [f.sha256 for f in bad],
            "path": [f.path for f in bad],
            "reasons": [f.file_reasons for f in bad],
            "detail": [f.detail for f in bad],
            "quarantined_at": [when] * len(bad),
        },
        schema={
            "sha256": pl.String,
            "path": pl.String,
            "reasons": pl.List(pl.String),
            "detail": pl.String,
            "quarantined_at": pl.Datetime("us"),
        },
    )
    _insert(con, "quarantine.files", frame)


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict[str, Any]
) -> None:
    with transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO meta.runs VALUES (?, ?, ?, ?, NULL, 'running')",
            [run_id, flow, json.dumps(parameters, ensure_ascii=False, default=str), datetime.now()],
        )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, state: str) -> None:
    with transaction(con):
        con.execute(
            "UPDATE meta.runs SET finished_at = ?, state = ? WHERE run_id = ?",
            [datetime.now(), state, run_id],
        )


def publish(con: duckdb.DuckDBPyConnection, working: Path, published: Path) -> None:
    """Checkpoint the working copy and atomically replace the analysts' file with it.

    Readers that have the old file open keep reading it; new readers see the new one.
    """
    con.execute("CHECKPOINT")
    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    shutil.copyfile(working, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, published)
    dir_fd = os.open(published.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
