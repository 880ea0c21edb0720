"""``ronghe validate``: each file's reports, their verdicts and every problem, loading nothing.

The same steps as a run (:func:`pipeline.steps.read_and_validate`), so what this says is
what a run would do. :func:`check` gathers the facts; :func:`render_text` and
:func:`render_json` show them, Chinese first, because the readers are the filers.
Review flags (需核实, CONTRACT §9) of the reports that would load are shown apart from
the problems: they are compared with the previous quarter in the published warehouse
(read only), they do not block, and a file with only flags still exits 0.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from expectations.problems import file_problems
from transforms.pii import mask
from transforms.reasons import KIND_ZH
from warehouse.ruleset import Rules

LOADABLE = "loadable"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VERDICT_ZH = {LOADABLE: "可入库", QUARANTINED: "将被退回", REJECTED: "整个文件被拒收"}


@dataclass(frozen=True)
class Problem:
    sheet_row: int | None
    column: str | None
    column_zh: str | None
    value: str | None
    reason: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Flag:
    """A review flag (需核实): the figure may be right, but the filer must confirm it."""

    rule: str
    column: str
    value: float | None
    previous_value: float | None
    message_zh: str
    explained: bool


@dataclass(frozen=True)
class ReportCheck:
    kind: str
    unit_code: str | None
    unit_name: str | None
    period: str | None
    verdict: str
    problems: list[Problem] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


@dataclass(frozen=True)
class FileCheck:
    path: str
    sha256: str
    verdict: str  # loadable: every report would load; quarantined: some would not; rejected
    reports: list[ReportCheck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # whole-file problems
    left_out: list[str] = field(default_factory=list)  # rows below a table, not read (§2)


def _left_out(sheets: Sequence[dict[str, str]]) -> list[str]:
    """What of a workbook was left out below its tables, in Chinese, sheet by sheet."""
    # a sheet's name is the filer's text (联系139****0108)
    return [
        f"工作表“{mask(s['sheet'])}”第{s['below']}行在表格下方（注释、签名或另一张表），"
        "不是报表数据，未读取"
        for s in sheets
        if s.get("below")
    ]


def _problems(frame: pl.DataFrame) -> list[Problem]:
    names = list(Problem.__dataclass_fields__)
    return [Problem(**{n: r[n] for n in names}) for r in frame.iter_rows(named=True)]


def check(
    paths: Sequence[Path],
    registry: pl.DataFrame,
    now: datetime,
    workers: int = 1,
    rules: Rules | None = None,
    published: Path | None = None,
    keep: list[Any] | None = None,
) -> list[FileCheck]:
    """The verdict of every file under ``paths`` (files or folders), in scan order.

    With ``rules``, the reports that would load carry their review flags against the
    previous quarter of the ``published`` warehouse (when it exists). ``keep``: a list
    that receives each kind's :class:`pipeline.steps.KindBatch` (the portal's 回显 shows
    the values read from it)."""
    from pipeline.steps import read_and_validate, settle
    from sources.inbox import group_by_kind, scan

    names = dict(registry.select("unit_code", "name").iter_rows())
    out: list[FileCheck] = []
    accepted: dict[str, list[pl.DataFrame]] = {}
    for kind, files in group_by_kind(scan(paths)).items():
        window = None if rules is None else rules.filing_round.window()
        (batch,) = settle([read_and_validate(kind, files, registry, now, workers, window)])
        if keep is not None:
            keep.append(batch)
        v = batch.verdicts
        if v is not None and kind is not None:
            accepted.setdefault(kind, []).append(v.accepted)
        for f in batch.files:
            if f.reasons:
                out.append(FileCheck(f.path, f.sha256, REJECTED, [], _problems(file_problems([f]))))
                continue
            assert v is not None and kind is not None
            reports: list[ReportCheck] = []
            ok = (
                v.accepted.filter(pl.col("_file") == f.sha256)
                .select("unit_code", "period")
                .unique(maintain_order=True)
            )
            for unit, period in ok.iter_rows():
                reports.append(ReportCheck(kind, unit, names.get(unit), period, LOADABLE))
            q = v.quarantined.filter(pl.col("source_sha256") == f.sha256)
            for row in q.iter_rows(named=True):
                unit, period = row["unit_code"], row["period"]
                mine = v.problems.filter(
                    (pl.col("source_sha256") == f.sha256)
                    & pl.col("unit_code").eq_missing(unit)
                    & pl.col("period").eq_missing(period)
                )
                reports.append(
                    ReportCheck(
                        kind, unit, names.get(unit or ""), period, QUARANTINED, _problems(mine)
                    )
                )
            verdict = QUARANTINED if any(r.verdict != LOADABLE for r in reports) else LOADABLE
            out.append(FileCheck(f.path, f.sha256, verdict, reports, [], _left_out(f.sheets)))
    if rules is not None and accepted:
        _attach_flags(
            out, {k: pl.concat(v, how="diagonal") for k, v in accepted.items()}, rules, published
        )
    return out


def _attach_flags(
    checks: list[FileCheck],
    accepted: dict[str, pl.DataFrame],
    rules: Rules,
    published: Path | None,
) -> None:
    """Give each loadable report its review flags (:func:`warehouse.review_check.flags_of`)."""
    from warehouse.review_check import flags_of

    found: dict[tuple[str, str, str, str], list[Flag]] = {}
    names = list(Flag.__dataclass_fields__)
    for r in flags_of(accepted, published, rules).iter_rows(named=True):
        key = (r["source_sha256"], r["kind"], r["unit_code"], r["period"])
        found.setdefault(key, []).append(Flag(**{n: r[n] for n in names}))
    for c in checks:
        c.reports[:] = [
            replace(r, flags=found.get((c.sha256, r.kind, r.unit_code or "", r.period or ""), []))
            if r.verdict == LOADABLE
            else r
            for r in c.reports
        ]


def clean(checks: Sequence[FileCheck]) -> bool:
    """True when everything would load (exit 0), else False (exit 1)."""
    return all(c.verdict == LOADABLE for c in checks)


def counts(checks: Sequence[FileCheck]) -> dict[str, int]:
    reports = [r for c in checks for r in c.reports]
    return {
        "files": len(checks),
        "files_rejected": sum(c.verdict == REJECTED for c in checks),
        "reports_loadable": sum(r.verdict == LOADABLE for r in reports),
        "reports_quarantined": sum(r.verdict == QUARANTINED for r in reports),
        "problems": sum(len(c.problems) for c in checks) + sum(len(r.problems) for r in reports),
        "flags": sum(len(r.flags) for r in reports),
        "flags_unexplained": sum(not g.explained for r in reports for g in r.flags),
    }


def render_text(checks: Sequence[FileCheck]) -> list[str]:
    """Lines for a terminal: per file, its reports and each problem's Chinese sentence."""
    lines: list[str] = []
    for c in checks:
        if c.verdict == REJECTED:
            lines.append(f"{c.path}  整个文件被拒收 rejected")
        else:
            ok = sum(r.verdict == LOADABLE for r in c.reports)
            lines.append(
                f"{c.path}  {ok}份可入库，{len(c.reports) - ok}份将被退回"
                f" ({ok} loadable, {len(c.reports) - ok} quarantined)"
            )
        for p in c.problems:
            lines.append(f"    {p.message_zh} [{p.reason}]")
        lines.extend(f"  {said}" for said in c.left_out)
        for r in c.reports:
            who = " ".join(x for x in (r.unit_code or "（无单位代码）", r.unit_name) if x)
            lines.append(
                f"  {VERDICT_ZH[r.verdict]} {KIND_ZH.get(r.kind, r.kind)} {who} {r.period or ''}"
            )
            for p in r.problems:
                lines.append(f"    {p.message_zh} [{p.reason}]")
            for g in r.flags:
                done = "（已说明）" if g.explained else ""
                lines.append(f"    需核实{done}：{g.message_zh} [{g.rule}]")
    n = counts(checks)
    lines.append(
        f"共{n['files']}个文件：{n['reports_loadable']}份报表可入库，"
        f"{n['reports_quarantined']}份将被退回，{n['files_rejected']}个文件被拒收，"
        f"问题{n['problems']}个；需核实{n['flags']}处（其中未说明{n['flags_unexplained']}处，"
        "不影响入库，请在「说明」中注明原因）；未入库任何数据"
    )
    lines.append(
        f"{n['reports_loadable']} reports would load, {n['reports_quarantined']} would be"
        f" quarantined, {n['files_rejected']} file(s) rejected, {n['problems']} problems,"
        f" {n['flags']} review flags (not blocking); nothing was loaded"
    )
    return lines


def render_json(checks: Sequence[FileCheck]) -> str:
    doc: dict[str, Any] = {"files": [asdict(c) for c in checks], "summary": counts(checks)}
    return json.dumps(doc, ensure_ascii=False, indent=1)
