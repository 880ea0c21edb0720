"""Whether a quarter's 通报 would show anything new, and which of its figures changed.

A quarter's 通报 is written again only when what it shows changed: :func:`digest` is a
hash of everything :class:`ReportData` holds for it (every frame, sorted, but not the
time it was read, nor when a pull last tried a source), and of :data:`LAYOUT`. It is
kept beside the 通报 (``.figures-P.json``) with the figures a reader compares
(:func:`shown_figures`: the 概况, the counts, the county and township ranks), so the next
version's 更正说明 can say which of them changed (:func:`changed`); the units' scores
and ranks come from the score history (:mod:`reports.versions`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from .compare import summary_rows
from .data import ReportData
from .labels import LEVEL_UNITS_ZH
from .text import num, quality_counts

LAYOUT = "2026-12-a"
"""Bump when what the outputs show changes: every quarter's 通报 is then written again."""

FRAMES = (
    "units",
    "linkage",
    "weak",
    "weak_years",
    "weak_trend",
    "filing",
    "quarantine",
    "quarantine_files",
    "problems",
    "projects",
    "flags",
)


def _canonical(frame: pl.DataFrame) -> bytes:
    """The frame as CSV text, every column as text and the rows sorted: equal content,
    equal bytes, whatever order the query returned it in."""
    if frame.width == 0:
        return b""
    cols = []
    for name in sorted(frame.columns):
        dtype, col = frame.schema[name], pl.col(name)
        if isinstance(dtype, pl.List):
            col = col.list.eval(pl.element().cast(pl.String)).list.join("|")
        elif isinstance(dtype, pl.Struct):
            col = col.struct.json_encode()
        cols.append(col.cast(pl.String).alias(name))
    return frame.select(cols).sort(pl.all(), nulls_last=True).write_csv().encode("utf-8")


def digest(d: ReportData) -> str:
    """A hash of what the 通报 of ``d`` shows (and of :data:`LAYOUT`)."""
    h = hashlib.sha256(LAYOUT.encode())
    scalars = {
        "period": d.period,
        "rules": d.rules_version,
        "lines": [d.income_line, d.party_line],
        "deadlines": d.deadlines,
        # the city summary as shown (other quarters' rows only through their comparisons)
        "summary": [
            [r[k] for k in ("key", "cur", "prev", "ago", "q_cur", "q_prev")]
            for r in summary_rows(d)
        ],
        "weak_year": d.weak_year,
        "checks": d.checks,
        # a source's last attempt moves with every pull: only which failed, and why
        "unreached": sorted(
            (str(u.get("source")), str(u.get("reached_at")), str(u.get("error")))
            for u in d.unreached
        ),
    }
    h.update(json.dumps(scalars, sort_keys=True, default=str, ensure_ascii=False).encode())
    for name in FRAMES:
        h.update(name.encode())
        h.update(_canonical(getattr(d, name)))
    for name, frame in sorted(d.estimates.items()):
        h.update(name.encode())
        h.update(_canonical(frame))
    return h.hexdigest()


def _score(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"


def shown_figures(d: ReportData) -> dict[str, str]:
    """The figures a reader compares between two versions, by a Chinese label."""
    out: dict[str, str] = {}
    for r in summary_rows(d):
        for key, when in (("cur", "本季度"), ("prev", "上季度"), ("ago", "上年同期")):
            if r[key] is not None:
                out[f"{r['label']}（{when}）"] = num(r[key], r["fmt"])
    for q in quality_counts(d):
        if q["count"] is not None:
            out[f"数据质量：{q['label']}"] = f"{q['count']:,}"
    for row in d.linkage.to_dicts():
        level = LEVEL_UNITS_ZH.get(row["level"], row["level"])
        corr = row.get("corr_party_development")
        out[f"{level}党建与发展相关系数"] = "—" if corr is None else f"{corr:.3f}"
    out["薄弱村预警数"] = f"{d.weak.height:,}"
    for lv in ("county", "township"):
        for r in d.level(lv).to_dicts():
            prev = r["previous_rank_in_level"]
            out[f"{r['full_name']}上季度排名"] = "—" if prev is None else str(prev)
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    """(figure, before, after) of every figure whose shown value differs, in ``after``'s
    order (then the ones no longer shown)."""
    keys = [*after, *(k for k in before if k not in after)]
    return [
        (k, before.get(k, "—"), after.get(k, "—"))
        for k in keys
        if before.get(k, "—") != after.get(k, "—")
    ]


@dataclass(frozen=True)
class Recorded:
    """What the 通报 in a folder showed when it was written."""

    digest: str
    written_at: datetime
    figures: dict[str, str]


def record_path(out_dir: Path, period: str) -> Path:
    return out_dir / f".figures-{period}.json"


def read_record(out_dir: Path, period: str) -> Recorded | None:
    """The record beside the 通报 of ``period``; None where there is none (or unreadable:
    the 通报 is then written again, which is always safe)."""
    path = record_path(out_dir, period)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Recorded(
            str(data["digest"]),
            datetime.fromisoformat(data["written_at"]),
            {str(k): str(v) for k, v in data["figures"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_record(out_dir: Path, period: str, rec: Recorded) -> Path:
    path = record_path(out_dir, period)
    path.write_text(
        json.dumps(
            {
                "digest": rec.digest,
                "written_at": rec.written_at.isoformat(),
                "figures": rec.figures,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return path
