"""回显: every report of an uploaded file as ronghe read it (CONTRACT §11, the portal).

The same reading and validation as ``ronghe validate`` (:func:`filers.check.check`, so
the same read limits of §3, the same verdicts, problem sentences and review flags),
plus each value as it will load beside the cell it came from: ``报表!C2`` in a
workbook (the sheet and the cell as the office program shows them), ``第2行「党员数」``
in a CSV file, ``第1条记录`` in JSON. A report that would be quarantined shows the text
as it was read, since nothing of it loads, personal numbers masked (it is stored with the
upload, and its problem sentences show them masked too).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from filers.check import LOADABLE, REJECTED, check
from transforms.columns import REPORT_KINDS, Column
from transforms.pii import mask, mask_or_none
from transforms.read import RawFile
from transforms.reasons import KIND_ZH
from warehouse.ruleset import Rules

LOAD, QUARANTINE = "load", "quarantine"


@dataclass(frozen=True)
class Value:
    column: str
    label: str
    value: str  # as it will load (shown), or as read for a report that will not load
    at: str  # where it came from: 报表!C2, 第2行「党员数」, 第1条记录
    data: Any = None  # the value as it loads (JSON: a number, true/false, text), or as read


@dataclass(frozen=True)
class EchoReport:
    kind: str
    kind_zh: str
    unit_code: str | None
    unit_name: str | None
    period: str | None
    verdict: str  # load / quarantine (CONTRACT §11)
    rows: list[list[Value]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The report's key in the confirmation's ``explanations``: ``kind:unit:period``."""
        return f"{self.kind}:{self.unit_code or ''}:{self.period or ''}"


@dataclass(frozen=True)
class Echo:
    sha256: str
    rejected: bool
    reports: list[EchoReport] = field(default_factory=list)
    file_problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def loadable(self) -> bool:
        """Every report would load (强制性错误 block the confirmation)."""
        return (
            not self.rejected
            and bool(self.reports)
            and all(r.verdict == LOAD for r in self.reports)
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Echo:
        d = json.loads(text)
        reports = [
            EchoReport(
                **{k: v for k, v in r.items() if k != "rows"},
                rows=[[Value(**v) for v in row] for row in r["rows"]],
            )
            for r in d["reports"]
        ]
        return cls(d["sha256"], d["rejected"], reports, d["file_problems"])


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _at(raw: RawFile, row: int, column: Column) -> str:
    if raw.places is not None and 0 < row <= len(raw.places):
        place = raw.places[row - 1]
        sheet, sheet_row = place[0], place[1]
        shown_sheet = mask(sheet)  # a sheet's name is the filer's text (联系139****0108)
        if len(place) > 2:  # a form, or a unit written above its table: the cell's own row
            sheet_row = place[2].get(column.name, sheet_row)
        col = raw.columns_at.get(sheet, {}).get(column.name)
        if col is not None:
            return f"{shown_sheet}!{column_letter(col)}{sheet_row}"
        return f"{shown_sheet} 第{sheet_row}行「{column.zh}」"
    if raw.format == "json":
        return f"第{row}条记录「{column.zh}」"
    return f"第{row + 1}行「{column.zh}」"


def shown(column: Column, value: Any) -> str:
    """A typed value as the portal shows it (enums and 是/否 in Chinese)."""
    if value is None:
        return "（空）"
    if column.type == "bool":
        return "是" if value else "否"
    if column.type == "enum":
        return dict(column.enum).get(str(value), str(value))
    if column.type == "timestamp" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.type == "decimal" and isinstance(value, float):
        return f"{value:.10g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def _plain(value: Any) -> Any:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def _rows(kind: str, raw: RawFile, frame: pl.DataFrame, typed: bool) -> list[list[Value]]:
    cols = [c for c in REPORT_KINDS[kind].columns if c.name in frame.columns]
    out = []
    for r in frame.sort("_row").iter_rows(named=True):
        out.append(
            [
                Value(
                    c.name,
                    c.zh,
                    shown(c, r[c.name]) if typed else (mask_or_none(r[c.name]) or "（空）"),
                    _at(raw, int(r["_row"]), c),
                    _plain(r[c.name]) if typed else mask_or_none(r[c.name]),
                )
                for c in cols
            ]
        )
    return out


def echo(
    path: Path,
    registry: pl.DataFrame,
    now: datetime,
    rules: Rules,
    published: Path | None,
) -> Echo:
    """What ronghe reads in the file at ``path``: every report, its values, problems, flags."""
    batches: list[Any] = []
    (fc,) = check([path], registry, now, 1, rules=rules, published=published, keep=batches)
    problems = [asdict(p) for p in fc.problems]
    if fc.verdict == REJECTED:
        return Echo(fc.sha256, True, [], problems)
    (batch,) = batches
    raw = next(f for f in batch.files if f.sha256 == fc.sha256)
    v = batch.verdicts
    reports = []
    for r in fc.reports:
        if r.verdict == LOADABLE:
            mine = v.accepted.filter(
                (pl.col("_file") == fc.sha256)
                & pl.col("unit_code").eq_missing(r.unit_code)
                & pl.col("period").eq_missing(r.period)
            )
            rows = _rows(r.kind, raw, mine, typed=True)
        else:
            q = v.quarantined.filter(
                (pl.col("source_sha256") == fc.sha256)
                & pl.col("unit_code").eq_missing(r.unit_code)
                & pl.col("period").eq_missing(r.period)
            )
            numbers = {n for ns in q.get_column("row_numbers").to_list() for n in ns}
            assert raw.frame is not None
            rows = _rows(r.kind, raw, raw.frame.filter(pl.col("_row").is_in(numbers)), False)
        reports.append(
            EchoReport(
                r.kind,
                KIND_ZH.get(r.kind, r.kind),
                r.unit_code,
                r.unit_name,
                r.period,
                LOAD if r.verdict == LOADABLE else QUARANTINE,
                rows,
                [asdict(p) for p in r.problems],
                [asdict(g) for g in r.flags],
            )
        )
    return Echo(fc.sha256, False, reports, problems)
