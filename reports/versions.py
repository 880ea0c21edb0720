"""The 通报's versions: written again only when what it shows changed; the earlier one
kept beside it; a 更正说明 only when a figure shown changed.

When the 通报 of a quarter is written again (its :func:`reports.fingerprint.digest`
differs from the one recorded beside it), the files there are renamed with the time they
were written (``assessment-2017Q1.xlsx`` → ``assessment-2017Q1.2026-12-02T19-30-00.xlsx``,
the brief, the document and their PDFs likewise) and the new one says what changed
since: which units' scores and ranks moved, from what to what (from
``marts.unit_scores_history``), and which other figures shown changed (from the record
of the version before). Where nothing shown changed, there is no 更正说明. The current
version keeps the plain name, so links and habits hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from xlsxwriter import Workbook

from transforms.workbook import write_text
from warehouse.db import connect_reader

from .data import sql
from .names import village_name

if TYPE_CHECKING:
    from .document import Annex

STAMP = "%Y-%m-%dT%H-%M-%S"
LEVELS = {"county": "县级", "township": "乡级", "village": "村级"}
SHEET = "更正说明"
HEADERS = ("单位", "层级", "党建得分", "发展得分", "综合得分", "全市排名", "上级内排名")
FIGURE_HEADERS = ("项目", "更正前", "更正后")


@dataclass(frozen=True)
class Earlier:
    """The version a new 通报 replaces: when it was written and where it now lies."""

    written_at: datetime
    paths: tuple[Path, ...]


@dataclass(frozen=True)
class Correction:
    """What the new 通报 of a quarter changes against the earlier one."""

    earlier: Earlier
    moved: tuple[dict[str, Any], ...]
    """Per unit whose scores or ranks moved: ``unit_code, name, level`` and
    ``party|development|composite|rank|rank_in_parent _before/_after``."""
    figures: tuple[tuple[str, str, str], ...] = ()
    """(figure, before, after) of the other figures shown that changed."""

    @property
    def any(self) -> bool:
        """Whether a figure shown changed: only then is there a 更正说明."""
        return bool(self.moved or self.figures)


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


def corrections(
    published: Path,
    period: str,
    earlier: Earlier,
    figures: Sequence[tuple[str, str, str]] = (),
) -> Correction:
    """What moved in ``period``'s scores since ``earlier`` was written; ``figures``: the
    other figures shown that changed (:func:`reports.fingerprint.changed`)."""
    con = connect_reader(published)
    try:
        rows: list[dict[str, Any]] = []
        if _recorded_before(con, period, earlier.written_at):
            cur = con.execute(sql("corrections"), {"period": period, "as_of": earlier.written_at})
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
            for r in rows:
                r["full_name"] = (
                    village_name(r["parent_name"], r["name"])
                    if r["level"] == "village"
                    else r["name"]
                )
    finally:
        con.close()
    return Correction(earlier, tuple(rows), tuple(figures))


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


def rows_zh(c: Correction) -> list[list[str]]:
    """One line per moved unit: ``before → after`` for each figure (unchanged: as is)."""

    def pair(r: dict[str, Any], key: str, fmt: Any) -> str:
        a, b = fmt(r[f"{key}_before"]), fmt(r[f"{key}_after"])
        return a if a == b else f"{a} → {b}"

    return [
        [
            r.get("full_name") or r["name"],
            LEVELS.get(r["level"], r["level"]),
            pair(r, "party", _score),
            pair(r, "development", _score),
            pair(r, "composite", _score),
            pair(r, "rank", _rank),
            pair(r, "rank_in_parent", _rank),
        ]
        for r in c.moved
    ]


def when_zh(at: datetime) -> str:
    return f"{at.year}年{at.month}月{at.day}日{at.hour:02d}:{at.minute:02d}"


def summary_zh(c: Correction) -> str:
    """One sentence: which version this one replaces, and what changed."""
    head = f"本通报替代{when_zh(c.earlier.written_at)}生成的版本"
    parts = []
    if c.moved:
        parts.append(f"得分或排名变动的单位{len(c.moved):,}个")
    if c.figures:
        parts.append(f"其他变动的数字{len(c.figures):,}项")
    return head + "，" + "、".join(parts) + "，见更正说明（更正前 → 更正后）。"


def add_sheet(wb: Workbook, c: Correction) -> None:
    """The 更正说明 sheet of a workbook being written."""
    ws = wb.add_worksheet(SHEET)
    bold = wb.add_format({"bold": True, "font_size": 12})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDDDDD"})
    cell = wb.add_format({"border": 1})
    write_text(ws, 0, 0, SHEET, bold)
    write_text(ws, 1, 0, summary_zh(c))
    r = 3
    for headers, rows in ((HEADERS, rows_zh(c)), (FIGURE_HEADERS, [list(f) for f in c.figures])):
        if not rows:
            continue
        for j, h in enumerate(headers):
            write_text(ws, r, j, h, head)
        for i, row in enumerate(rows, r + 1):
            for j, v in enumerate(row):
                write_text(ws, i, j, v, cell)
        r += len(rows) + 2
    ws.set_column(0, 0, 44)
    ws.set_column(1, 6, 16)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows)
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def add_to_brief(path: Path, c: Correction) -> None:
    """Say at the top of a written brief (HTML) what this version replaces; the tables go
    in an annex at its end."""
    text = path.read_text(encoding="utf-8")
    notice = f'<p class="notice" id="correction-notice">{escape(summary_zh(c))}</p>'
    end = text.find("</header>")
    at = end + len("</header>") if end >= 0 else text.find("<main>") + len("<main>")
    text = text[:at] + notice + text[at:]
    tables = ""
    if c.moved:
        tables += "<h3>得分或排名变动的单位</h3>" + _html_table(HEADERS, rows_zh(c))
    if c.figures:
        tables += "<h3>其他变动的数字</h3>" + _html_table(FIGURE_HEADERS, c.figures)
    section = (
        f'<section class="annex" id="corrections" data-section="{SHEET}">'
        f"<h2>{SHEET}</h2><p>{escape(summary_zh(c))}</p>{tables}</section>"
    )
    at = text.rfind("<footer>")
    at = at if at >= 0 else text.rfind("</main>")
    path.write_text(text[:at] + section + text[at:], encoding="utf-8")


def document_annex(c: Correction) -> tuple[str, list[Annex]]:
    """The document's sentence after its body and its 更正说明 annex (one table per kind)."""
    from .document import Annex

    tables = []
    if c.moved:
        tables.append(
            Annex(
                "更正说明：得分或排名变动的单位",
                HEADERS,
                rows_zh(c),
            )
        )
    if c.figures:
        tables.append(
            Annex(
                "更正说明：其他变动的数字",
                FIGURE_HEADERS,
                [list(f) for f in c.figures],
            )
        )
    return summary_zh(c), tables
