"""Receipts (回执): one workbook per township and per county-level unit, in Chinese.

A receipt covers the unit itself and each unit directly under it (a township's
villages, a county's townships) and accounts for every file received for them in the
period (CONTRACT §6):

- sheet 回执, per unit and kind of ``marts.filing_status``: 已入库 with when it was filed
  and received and from which file; 被退回 with every problem sentence of its latest
  returned file; 未报送. Where a newer version was returned while an older one still
  counts (``returned_correction``), two lines side by side: 已入库（旧版本） and
  更正被退回 with every problem of the correction. (需核实 lines of review flags, CONTRACT
  §9, go in :func:`review_lines`.)
- sheet 收到的文件: every file whose rows name one of the units (loaded, partly loaded,
  returned, superseded), and every file rejected whole that names none but came from a
  unit's source or inbox folder (:func:`filers.owners.owning_unit`), with its reasons in
  Chinese and the sentences of its problems that belong to no unit.
- sheet 问题明细: one row per problem (file, row, column, value, reason in Chinese).

Files that no unit can be named for (no row names a unit, and neither source, folder nor
file name says whose they are) go on one more workbook, ``回执_<period>_未能归属单位的文件.xlsx``,
for the department: every file is on a receipt.

The facts are the published warehouse (SQL in ``warehouse/sql/receipts_*.sql``), so a
receipt says what analysts see. Values typed by filers are written as text exactly as
typed (:mod:`filers.sheets`): no apostrophe shows and no formula can run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from filers.receipt_book import write_receipt, write_unowned
from filers.receipt_facts import Facts, Filing, ReceivedFile, facts, filings, unfiled
from transforms.periods import last_complete, parse_period
from warehouse.db import connect_reader
from warehouse.store import LoadSummary

__all__ = [
    "Facts",
    "Filing",
    "NoFilingStatus",
    "ReceivedFile",
    "filings",
    "receipt_periods",
    "unfiled",
    "write_period_receipts",
    "write_receipts",
]


class NoFilingStatus(ValueError):
    """The warehouse has no ``marts.filing_status`` for the period (no run built it)."""


def _file_name(code: str, name: str, period: str) -> str:
    clean = re.sub(r"[\\/:*?\"<>|\s]+", "_", name)
    return f"回执_{period}_{code}_{clean}.xlsx"


def write_receipts(published: Path, period: str, out_dir: Path) -> list[Path]:
    """Write the receipts of ``period`` from the published warehouse into ``out_dir``.

    One workbook per township and per county-level unit valid in the period; returns
    their paths (sorted). Raises when the warehouse has no filing status for the period.
    """
    p = parse_period(period)
    con = connect_reader(published)
    try:
        known = facts(con, p)
    finally:
        con.close()
    if not known.filings:
        raise NoFilingStatus(
            f"no filing status for {p} in {published}: run `ronghe run --period {p}`"
        )
    by_unit: dict[str, list[Filing]] = {}
    under: dict[str, list[Filing]] = {}
    for f in known.filings:
        by_unit.setdefault(f.unit_code, []).append(f)
        if f.parent_code is not None:
            under.setdefault(f.parent_code, []).append(f)
    out: list[Path] = []
    for code, own in by_unit.items():
        if own[0].level not in ("county", "township"):
            continue
        members = [*own, *under.get(code, [])]
        path = out_dir / _file_name(code, own[0].name, p)
        write_receipt(path, own[0], members, known)
        out.append(path)
    unowned = [f for f in known.files if not f.units and f.owner not in by_unit]
    if unowned:  # whose they are is for the department to find out: never on no receipt
        path = out_dir / f"回执_{p}_未能归属单位的文件.xlsx"
        write_unowned(path, unowned, known)
        out.append(path)
    return sorted(out)


def write_period_receipts(published: Path, periods: Sequence[str], root: Path) -> list[Path]:
    """The receipts of each of ``periods``, into ``root/<period>/`` (after a run).

    A period whose marts were never built (a file rejected whole by ``ronghe ingest``,
    dated to a quarter no run has built) gets none: its receipts come with its first run.
    """
    out: list[Path] = []
    for period in periods:
        try:
            out.extend(write_receipts(published, period, root / period))
        except NoFilingStatus:
            continue
    return out


def receipt_periods(load: LoadSummary, quarters: Sequence[str] = ()) -> list[str]:
    """The quarters whose receipts a run changed: those it loaded or quarantined reports
    for (a file rejected whole among them, placed in a quarter by
    :mod:`pipeline.placing`), and, where a rejected file could be placed in none (the
    warehouse held nothing), the rule of ``receipts_unnamed_files.sql``: the run's
    quarter (its last, for a backfill), else the one that ended most recently."""
    periods = {*load.periods, *load.periods_quarantined}
    for f in load.files:
        if f.file_reasons:
            periods.add(quarters[-1] if quarters else last_complete(f.received_at))
    return sorted(periods)
