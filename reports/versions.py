"""The 通报's versions: an earlier one is kept beside the current one, with a 更正说明.

When the 通报 of a quarter is written again, the one there is renamed with the time it
was written (``assessment-2017Q1.xlsx`` → ``assessment-2017Q1.2026-12-02T19-30-00.xlsx``,
the brief and its PDF likewise) and the new one says what changed since: which units'
scores and ranks moved, from what to what (:func:`corrections`, from
``marts.unit_scores_history``). The current version keeps the plain name, so links and
habits hold; a department can show every version it sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from xlsxwriter import Workbook

from transforms.workbook import write_text
from warehouse.db import connect_reader

from .data import sql

STAMP = "%Y-%m-%dT%H-%M-%S"
LEVELS = {"county": "县级", "township": "乡级", "village": "村级"}


@dataclass(frozen=True)
class Earlier:
    """The version a new 通报 replaces: when it was written and where it now lies."""

    written_at: datetime
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class Correction:
    """What the new 通报 of a quarter changes against the earlier one."""

    earlier: Earlier
    recorded: bool
    """False when the score history holds nothing from before the earlier version."""
    moved: tuple[dict[str, Any], ...]
    """Per unit whose scores or ranks moved: ``unit_code, name, level`` and
    ``party|development|composite|rank|rank_in_parent _before/_after``."""


def keep_earlier(paths: Sequence[Path]) -> Earlier | None:
    """Rename the existing ``paths`` (one 通报's files) beside them with their time.

    The time is the modification time of the first one present (the workbook). None
    when none exists: a first version.
    """
    present = [p for p in paths if p.exists()]
    if not present:
        return None
    written = datetime.fromtimestamp(present[0].stat().st_mtime)
    stamp = written.strftime(STAMP)
    kept = []
    for p in present:
        target = p.with_name(f"{p.stem}.{stamp}{p.suffix}")
        n = 1
        while target.exists():  # two versions within a second
            n += 1
            target = p.with_name(f"{p.stem}.{stamp}-{n}{p.suffix}")
        p.rename(target)
        kept.append(target)
    return Earlier(written, tuple(kept))


def corrections(published: Path, period: str, earlier: Earlier) -> Correction:
    """What moved in ``period``'s scores since ``earlier`` was written."""
    con = connect_reader(published)
    try:
        recorded = _recorded_before(con, period, earlier.written_at)
        rows: list[dict[str, Any]] = []
        if recorded:
            cur = con.execute(sql("corrections"), {"period": period, "as_of": earlier.written_at})
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return Correction(earlier, recorded, tuple(rows))


def _recorded_before(con: duckdb.DuckDBPyConnection, period: str, at: datetime) -> bool:
    row = con.execute(
        "SELECT count(*) FROM marts.unit_scores_history WHERE period = ? AND recorded_at <= ?",
        [period, at],
    ).fetchone()
    return bool(row and row[0])


def _score(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def _rank(v: int | None) -> str:
    return "—" if v is None else str(v)


HEADERS = ("单位代码", "单位", "层级", "党建得分", "发展得分", "综合得分", "全市排名", "上级内排名")


def rows_zh(c: Correction) -> list[list[str]]:
    """One line per moved unit: ``before → after`` for each figure (unchanged: as is)."""

    def pair(r: dict[str, Any], key: str, fmt: Any) -> str:
        a, b = fmt(r[f"{key}_before"]), fmt(r[f"{key}_after"])
        return a if a == b else f"{a} → {b}"

    return [
        [
            r["unit_code"],
            r["name"],
            LEVELS.get(r["level"], r["level"]),
            pair(r, "party", _score),
            pair(r, "development", _score),
            pair(r, "composite", _score),
            pair(r, "rank", _rank),
            pair(r, "rank_in_parent", _rank),
        ]
        for r in c.moved
    ]


def summary_zh(c: Correction) -> str:
    """One sentence: which version this one replaces, and how much moved."""
    when = c.earlier.written_at.strftime("%Y-%m-%d %H:%M:%S")
    kept = c.earlier.paths[0].name
    head = f"本通报更正并替代 {when} 印发的版本（原件保留为 {kept}）。"
    if not c.recorded:
        return head + "该版本印发前的得分未记入得分历史，无法列出变动。"
    if not c.moved:
        return head + (
            "本季度各单位得分与排名未变；因相关季度（上季度、上年同期或年度认定）更正而重新生成。"
        )
    return head + f"得分或排名变动的单位 {len(c.moved)} 个，见下表（更正前 → 更正后）。"


SHEET = "更正说明"


def add_sheet(wb: Workbook, c: Correction) -> None:
    """The 更正说明 sheet of a workbook being written."""
    ws = wb.add_worksheet(SHEET)
    bold = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDDDDD"})
    cell = wb.add_format({"border": 1})
    write_text(ws, 0, 0, SHEET, bold)
    write_text(ws, 1, 0, summary_zh(c))
    rows = rows_zh(c)
    if rows:
        for j, h in enumerate(HEADERS):
            write_text(ws, 3, j, h, head)
        for i, row in enumerate(rows, 4):
            for j, v in enumerate(row):
                write_text(ws, i, j, v, cell)
    ws.set_column(0, 0, 15)
    ws.set_column(1, 1, 18)
    ws.set_column(2, 7, 16)


def add_to_brief(path: Path, c: Correction) -> None:
    """Put the 更正说明 at the top of a written brief (HTML), after its masthead."""
    from html import escape

    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows_zh(c)
    )
    table = (
        "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in HEADERS)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    section = (
        f'<section class="corrections" id="corrections"><h2>{SHEET}</h2>'
        f"<p>{escape(summary_zh(c))}</p>{table}</section>"
    )
    text = path.read_text(encoding="utf-8")
    end = text.find("</header>")
    at = end + len("</header>") if end >= 0 else text.find("<main>") + len("<main>")
    path.write_text(text[:at] + section + text[at:], encoding="utf-8")
