"""Transactional loads: manifest, quarantine, raw versions and current reports.

Every load of a batch of files is one explicit transaction: the manifest, the
quarantine, the raw versions and the refreshed current reports commit together
or not at all. A load takes frames and plain records (what the files were, what
was accepted, what was quarantined); it knows nothing of readers or validators.
Supersession is SQL: ``sql/core_keyed_report.sql`` (one row per unit and period)
and ``sql/core_projects.sql`` (a project report is replaced whole).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from transforms.columns import REPORT_KINDS
from warehouse.db import insert_frame, registered, run_sql, sql_file, transaction

_KEYED_REPORT_SQL = "core_keyed_report.sql"
"""Refresh of a kind keyed by (unit, period); ``{kind}`` is a declared kind's name."""


@dataclass(frozen=True)
class FileOutcome:
    """One received file as the manifest records it; rows read = loaded + quarantined."""

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
    file_reasons: tuple[str, ...]
    detail: str
    sheets: str | None = None  # workbooks: JSON list of the sheets read and skipped, and why
    total_rows: int = 0  # total rows (合计/总计/小计) recognised and not loaded
    arrived_at: datetime | None = None  # when it reached the department (None: received_at)


@dataclass(frozen=True)
class KindLoad:
    """One kind's verdicts, as frames: the rows that load and the reports quarantined.

    ``accepted`` holds the kind's declared columns plus ``_file`` (SHA-256) and ``_row``;
    ``quarantined`` holds the columns of ``quarantine.reports`` but ``quarantined_at``;
    ``problems`` (optional) those of ``quarantine.problems`` but ``quarantined_at``.
    """

    kind: str
    accepted: pl.DataFrame
    quarantined: pl.DataFrame
    problems: pl.DataFrame | None = None
    # total rows whose figures disagree with their rows: the columns of
    # meta.total_mismatches (docs/design.md «Total rows»); review flags, never quarantine
    totals: pl.DataFrame | None = None


@dataclass(frozen=True)
class SkippedPath:
    """A path a run did not take (``meta.skipped``): its text, a reason code, in words."""

    path: str
    reason: str
    detail: str


@dataclass(frozen=True)
class LoadSummary:
    """What one load wrote."""

    files: tuple[FileOutcome, ...] = ()
    skipped: tuple[SkippedPath, ...] = ()
    reports_loaded: Mapping[str, int] = field(default_factory=dict)
    reports_quarantined: int = 0
    reasons: Mapping[str, int] = field(default_factory=dict)
    periods: tuple[str, ...] = ()
    # quarters of the reports and files quarantined (their filing status changed)
    periods_quarantined: tuple[str, ...] = ()

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def merge_summaries(parts: Sequence[LoadSummary]) -> LoadSummary:
    """One summary of loads made one after the other (the chunks of a run)."""
    loaded: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for p in parts:
        for kind, n in p.reports_loaded.items():
            loaded[kind] = loaded.get(kind, 0) + n
        for code, n in p.reasons.items():
            reasons[code] = reasons.get(code, 0) + n
    return LoadSummary(
        files=tuple(f for p in parts for f in p.files),
        skipped=tuple(s for p in parts for s in p.skipped),
        reports_loaded=loaded,
        reports_quarantined=sum(p.reports_quarantined for p in parts),
        reasons=reasons,
        periods=tuple(sorted({q for p in parts for q in p.periods})),
        periods_quarantined=tuple(sorted({q for p in parts for q in p.periods_quarantined})),
    )


def load_batch(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[FileOutcome],
    kinds: Sequence[KindLoad],
    when: datetime,
    run_id: str | None = None,
    file_problems: pl.DataFrame | None = None,
    skipped: Sequence[SkippedPath] = (),
    archive_index: pl.DataFrame | None = None,
) -> LoadSummary:
    """Load a batch of files in ONE transaction; return what was loaded and quarantined.

    ``archive_index``: the ``meta.archive_index`` rows of the pack the files were
    archived in (:mod:`warehouse.archive`), committed with the manifest.

    ``when`` is the time of the run's receipt (quarantine records); each file's own
    ``received_at`` orders versions on a ``submitted_at`` tie. ``file_problems`` are the
    ``quarantine.problems`` rows of the rejected files (the reports' come with ``kinds``).
    """
    received = {o.sha256: o.received_at for o in files}
    loaded: dict[str, int] = {}
    reasons: dict[str, int] = {}
    quarantined = 0
    periods: set[str] = set()
    with transaction(con):
        _insert_manifest(con, files, run_id)
        if archive_index is not None and not archive_index.is_empty():
            insert_frame(con, "meta.archive_index", archive_index)
        _insert_file_quarantine(con, files, when)
        _insert_problems(con, file_problems, when)
        _insert_skipped(con, skipped, when, run_id)
        for k in kinds:
            _insert_problems(con, k.problems, when)
            if not k.quarantined.is_empty():
                q = k.quarantined.with_columns(pl.lit(when).alias("quarantined_at"))
                insert_frame(con, "quarantine.reports", q)
                quarantined += k.quarantined.height
                for codes in k.quarantined.get_column("reasons").to_list():
                    for r in codes:
                        reasons[r] = reasons.get(r, 0) + 1
            if k.totals is not None and not k.totals.is_empty():
                insert_frame(con, "meta.total_mismatches", k.totals)
            loaded[k.kind] = _load_reports(con, k, received, periods)
    return LoadSummary(
        files=tuple(files),
        skipped=tuple(skipped),
        reports_loaded=loaded,
        reports_quarantined=quarantined,
        reasons=reasons,
        periods=tuple(sorted(periods)),
        periods_quarantined=_quarters(
            [file_problems, *(k.quarantined for k in kinds), *(k.problems for k in kinds)]
        ),
    )


def _quarters(frames: Sequence[pl.DataFrame | None]) -> tuple[str, ...]:
    """The canonical quarters named in the ``period`` column of ``frames`` (others dropped)."""
    found: set[str] = set()
    for f in frames:
        if f is not None and "period" in f.columns:
            found.update(p for p in f.get_column("period").drop_nulls().to_list())
    return tuple(sorted(p for p in found if re.fullmatch(r"\d{4}Q[1-4]", p)))


def _load_reports(
    con: duckdb.DuckDBPyConnection,
    k: KindLoad,
    received: Mapping[str, datetime],
    periods: set[str],
) -> int:
    """Append a kind's accepted rows to ``raw.<kind>``, refresh ``core.<kind>``; reports."""
    if k.accepted.is_empty():
        return 0
    kind = REPORT_KINDS[k.kind]
    rec = pl.DataFrame(
        {"_file": list(received), "received_at": list(received.values())},
        schema={"_file": pl.String, "received_at": pl.Datetime("us")},
    )
    rows = (
        k.accepted.join(rec, on="_file", how="left")
        .rename({"_file": "source_sha256", "_row": "row_number"})
        .select(*kind.names, "source_sha256", "received_at", "row_number")
    )
    insert_frame(con, f"raw.{k.kind}", rows)
    keys = rows.select("unit_code", "period").unique()
    periods.update(keys.get_column("period").to_list())
    with registered(con, "affected_keys", keys):
        run_sql(con, _refresh_sql(k.kind), name=f"core.{k.kind}")
    return rows.select("source_sha256", "unit_code", "period").n_unique()


def _refresh_sql(kind: str) -> str:
    """The SQL that refreshes ``core.<kind>`` for the keys in ``affected_keys``."""
    if kind == "projects":
        return sql_file("core_projects.sql")
    if kind not in REPORT_KINDS:
        raise KeyError(f"not a report kind: {kind}")
    # an identifier from the declaration, never input: tables cannot be bound parameters
    return sql_file(_KEYED_REPORT_SQL).replace("{kind}", kind)


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
                "sheets": f.sheets,
                "total_rows": f.total_rows,
                "arrived_at": f.arrived_at or f.received_at,
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
            "sheets": pl.String,
            "total_rows": pl.Int64,
            "arrived_at": pl.Datetime("us"),
        },
    )
    insert_frame(con, "meta.file_manifest", frame)


def _insert_skipped(
    con: duckdb.DuckDBPyConnection,
    skipped: Sequence[SkippedPath],
    when: datetime,
    run_id: str | None,
) -> None:
    if not skipped:
        return
    frame = pl.DataFrame(
        {
            "run_id": [run_id] * len(skipped),
            "path": [s.path for s in skipped],
            "reason": [s.reason for s in skipped],
            "detail": [s.detail for s in skipped],
            "seen_at": [when] * len(skipped),
        },
        schema={
            "run_id": pl.String,
            "path": pl.String,
            "reason": pl.String,
            "detail": pl.String,
            "seen_at": pl.Datetime("us"),
        },
    )
    insert_frame(con, "meta.skipped", frame)


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
            "reasons": [list(f.file_reasons) for f in bad],
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
    insert_frame(con, "quarantine.files", frame)


def _insert_problems(
    con: duckdb.DuckDBPyConnection, problems: pl.DataFrame | None, when: datetime
) -> None:
    if problems is None or problems.is_empty():
        return
    insert_frame(
        con, "quarantine.problems", problems.with_columns(pl.lit(when).alias("quarantined_at"))
    )
