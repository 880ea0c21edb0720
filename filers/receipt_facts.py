"""The facts of a period's receipts (回执), read from the published warehouse.

See :mod:`filers.receipts` for what a receipt shows; the SQL is
``warehouse/sql/receipts_*.sql``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from filers.owners import Registry, owning_unit
from warehouse.db import has, sql_file


@dataclass(frozen=True)
class Filing:
    """One row of ``marts.filing_status`` with the unit's name."""

    unit_code: str
    name: str
    level: str
    parent_code: str | None
    kind: str
    status: str
    submitted_at: datetime | None
    received_at: datetime | None
    problems: int
    county_code: str | None
    returned_correction: bool = False
    file_path: str | None = None


@dataclass
class ReceivedFile:
    """One file received for the period: what became of it, per unit its rows name."""

    sha256: str
    path: str
    received_at: datetime | None
    file_status: str
    file_reasons: list[str]
    kinds: set[str] = field(default_factory=set)
    units: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # loaded, counts
    owner: str | None = None  # for a file naming no unit: who owns where it came from
    sheets: str | None = None  # meta.file_manifest.sheets: what was read and left out

    def below(self) -> str:
        """What of the file was left out below its tables (notes, signatures, a second
        table), in Chinese; '' when nothing was."""
        try:
            said = json.loads(self.sheets or "[]")
        except ValueError:
            return ""
        parts = [
            f"工作表“{s.get('sheet', '')}”第{s['below']}行"
            for s in said
            if isinstance(s, dict) and s.get("below")
        ]
        if not parts:
            return ""
        return "、".join(parts) + "在表格下方（注释、签名或另一张表），不是报表数据，未读取"


@dataclass(frozen=True)
class Facts:
    """Everything the receipts of one period are written from."""

    period: str
    filings: list[Filing]
    problems: list[dict[str, Any]]  # of returned reports (latest returned file)
    files: list[ReceivedFile]
    loose: list[dict[str, Any]]  # problems of the files that belong to no unit
    names: dict[str, str]
    reviews: list[dict[str, Any]] = field(default_factory=list)  # 需核实 (review_lines)


def _rows(con: Any, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql_file(name), params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def filings(con: Any, period: str) -> list[Filing]:
    """``marts.filing_status`` of ``period`` with names (``receipts_status.sql``)."""
    return [Filing(**r) for r in _rows(con, "receipts_status.sql", {"period": period})]


def unfiled(con: Any, period: str) -> list[Filing]:
    """Every unit valid in ``period`` as missing: a quarter no run has touched yet."""
    return [Filing(**r) for r in _rows(con, "status_unfiled.sql", {"period": period})]


def source_units(con: Any) -> dict[str, str]:
    """SHA-256 → the unit of the source it was pulled from (empty before sources, §8)."""
    if not has(con, "meta.pulls"):
        return {}
    return {r["sha256"]: r["unit_code"] for r in _rows(con, "receipts_source_units.sql", {})}


def received_files(con: Any, period: str, registry: Registry) -> list[ReceivedFile]:
    """Every file of ``period`` for a unit: named by its rows, or owned by where it came from."""
    files: dict[str, ReceivedFile] = {}
    for r in _rows(con, "receipts_files.sql", {"period": period}):
        f = files.setdefault(
            r["sha256"],
            ReceivedFile(
                r["sha256"], r["path"], r["received_at"], r["file_status"],
                list(r["file_reasons"] or []), sheets=r["sheets"],
            ),
        )  # fmt: skip
        f.kinds.add(r["kind"])
        before = f.units.get(r["unit_code"], (False, False))
        f.units[r["unit_code"]] = (before[0] or r["loaded"], before[1] or r["counts"])
    sources = source_units(con)
    for r in _rows(con, "receipts_unnamed_files.sql", {"period": period}):
        owner = owning_unit(r["path"], registry, sources.get(r["sha256"]))
        f = ReceivedFile(
            r["sha256"], r["path"], r["received_at"], r["file_status"],
            list(r["file_reasons"] or []), owner=owner, sheets=r["sheets"],
        )  # fmt: skip
        if r["kind"]:
            f.kinds.add(r["kind"])
        files[f.sha256] = f
    return sorted(files.values(), key=lambda f: (f.received_at or datetime.min, f.sha256))


def review_lines(con: Any, period: str) -> list[dict[str, Any]]:
    """需核实 lines: the unexplained review flags (CONTRACT §9) of ``period``.

    Dicts of ``unit_code, kind, rule, column, message_zh`` (``receipts_flags.sql``); the
    writer (:func:`filers.receipt_book.lines`) places them right after the unit's report.
    None where the marts predate review flags.
    """
    if not has(con, "marts.review_flags"):
        return []
    return _rows(con, "receipts_flags.sql", {"period": period})


def facts(con: Any, period: str) -> Facts:
    """Read what the receipts of ``period`` say, from an open reader connection."""
    units = con.execute("SELECT unit_code, name, parent_code FROM core.units").fetchall()
    registry = Registry.of(units)
    files = received_files(con, period, registry)
    loose = _rows(con, "receipts_loose_problems.sql", {"files": [f.sha256 for f in files]})
    return Facts(
        period=period,
        filings=filings(con, period),
        problems=_rows(con, "receipts_problems.sql", {"period": period}),
        files=files,
        loose=loose,
        names=dict(registry.names),
        reviews=review_lines(con, period),
    )
