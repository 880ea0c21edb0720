"""The chase (催报, CONTRACT §9): who still owes a report once their deadline has passed.

Per township and county-level unit: its own reports and those of the units directly
under it (a township's villages, a county's townships) that are owed (CONTRACT §9: a
projects report only while a project is unfinished) and missing, or were returned and
not filed again, with the deadline, the days past it and, for a returned report, the
sentences of what was wrong in its latest returned file. A quarter is chased only within
its round: from each level's deadline to the deadline plus the rules' correction window
(default a year); after that the summary says the round is over, and names no one (no
逾期3441天 for a quarter of years ago). The facts are
``marts.filing_status`` (``due_at``, from the rules' deadlines) and ``quarantine.problems``
of the published warehouse, judged at ``now`` (a parameter: the chase of a deadline, a
test, or the clock). One workbook per unit with something to chase, printed on A4, and
a summary of at most 80 columns for the terminal. The ``ronghe.unit.overdue`` events are
the flow's (``flows/chase.py``); :func:`overdue` gives them their facts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from filers.template import period_zh
from transforms.periods import parse_period
from transforms.reasons import KIND_ZH
from transforms.workbook import print_a4, workbook, write_text
from warehouse.db import connect_reader, sql_file
from warehouse.round_rules import DEFAULT_CORRECTION_WINDOW

STATUS_ZH = {"missing": "未报送", "quarantined": "被退回未重报"}
LEVEL_ZH = {"county": "县级", "township": "乡级", "village": "村级"}
WIDTH = 80


@dataclass(frozen=True)
class Overdue:
    """One report still owed after its deadline (a row of ``chase.sql``)."""

    unit_code: str
    name: str
    level: str
    parent_code: str | None
    county_code: str | None
    township_code: str | None
    kind: str
    status: str
    due_at: datetime
    days_overdue: int
    received_at: datetime | None
    problems: int
    wrong: tuple[str, ...] = ()  # what was wrong last time (a returned report)


@dataclass(frozen=True)
class ChaseList:
    """The list one township or county-level unit receives."""

    unit_code: str
    name: str
    level: str
    items: tuple[Overdue, ...]
    path: Path | None = None


@dataclass(frozen=True)
class ChaseResult:
    period: str
    now: datetime
    lists: tuple[ChaseList, ...] = field(default_factory=tuple)
    closed: int = 0  # reports still owed whose round is over (not chased)
    window_days: int = DEFAULT_CORRECTION_WINDOW

    @property
    def items(self) -> tuple[Overdue, ...]:
        """Every report owed, once (a unit's own report and its parent's list share it)."""
        seen: dict[tuple[str, str], Overdue] = {}
        for lst in self.lists:
            for i in lst.items:
                seen.setdefault((i.unit_code, i.kind), i)
        return tuple(seen[k] for k in sorted(seen))


def _rows(con: Any, name: str, params: dict[str, object]) -> list[dict[str, Any]]:
    cur = con.execute(sql_file(name), params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def overdue(con: Any, period: str, now: datetime) -> list[Overdue]:
    """The reports of ``period`` still owed at ``now``, with what was wrong last time."""
    p = parse_period(period)
    wrong: dict[tuple[str, str], list[str]] = {}
    for q in _rows(con, "receipts_problems.sql", {"period": p}):
        wrong.setdefault((q["unit_code"], q["kind"]), []).append(str(q["message_zh"]))
    out = []
    for r in _rows(con, "chase.sql", {"period": p, "now": now}):
        told = wrong.get((r["unit_code"], r["kind"]), []) if r["status"] == "quarantined" else []
        out.append(Overdue(**r, wrong=tuple(told)))
    return out


def in_round(item: Overdue, now: datetime, window_days: int) -> bool:
    """Whether ``item``'s round is still open at ``now``: its deadline + the window."""
    return now <= item.due_at + timedelta(days=window_days)


def chase_lists(
    con: Any, period: str, now: datetime, window_days: int = DEFAULT_CORRECTION_WINDOW
) -> list[ChaseList]:
    """Per township and county-level unit, its own owed reports and its children's, of
    the levels whose round is still open at ``now``."""
    p = parse_period(period)
    items = [i for i in overdue(con, p, now) if in_round(i, now, window_days)]
    lists = []
    for owner in _rows(con, "chase_owners.sql", {"period": p}):
        code = owner["unit_code"]
        mine = tuple(i for i in items if code in (i.unit_code, i.parent_code))
        if mine:
            lists.append(ChaseList(code, owner["name"], owner["level"], mine))
    return lists


def chase(
    published: Path,
    period: str,
    out_dir: Path,
    now: datetime,
    window_days: int = DEFAULT_CORRECTION_WINDOW,
) -> ChaseResult:
    """Write the chase lists of ``period`` at ``now`` into ``out_dir`` (one per unit).

    Lists of an earlier chase of the period in ``out_dir`` are removed first, so a unit
    that has filed since gets no stale list. ``window_days``: the rules' correction
    window, after which a level's round is over and it is chased no more.
    """
    p = parse_period(period)
    con = connect_reader(published)
    try:
        if not con.execute(
            "SELECT count(*) FROM marts.filing_status WHERE period = ?", [p]
        ).fetchall()[0][0]:
            raise ValueError(
                f"no filing status for {p} in {published}: run `ronghe run --period {p}`"
            )
        lists = chase_lists(con, p, now, window_days)
        closed = sum(not in_round(i, now, window_days) for i in overdue(con, p, now))
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob(f"催报_{p}_*.xlsx"):
        old.unlink()
    written = []
    for lst in lists:
        path = out_dir / _file_name(lst.unit_code, lst.name, p)
        _write(path, lst, p, now)
        written.append(ChaseList(lst.unit_code, lst.name, lst.level, lst.items, path))
    return ChaseResult(p, now, tuple(written), closed, window_days)


def chase_dir(home: Path, period: str) -> Path:
    """Where the lists of ``period`` go by default: ``$RONGHE_HOME/chase/<period>``."""
    return home / "chase" / parse_period(period)


def _file_name(code: str, name: str, period: str) -> str:
    clean = re.sub(r"[\\/:*?\"<>|\s]+", "_", name)
    return f"催报_{period}_{code}_{clean}.xlsx"


def _stamp(ts: datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def _write(path: Path, lst: ChaseList, period: str, now: datetime) -> None:
    wb = workbook(path)
    bold = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    top = wb.add_format({"valign": "top"})
    ws = wb.add_worksheet("催报")
    write_text(ws, 0, 0, f"{lst.name}（{lst.unit_code}）{period_zh(period)}催报清单", bold)
    units = len({i.unit_code for i in lst.items})
    write_text(
        ws, 1, 0,
        f"截至{_stamp(now)}，{units}个单位的{len(lst.items)}份报表已过报送截止时间仍未报送"
        "或被退回后未重新报送，请督促尽快报送；被退回的报表请按“上次问题”改正后重新报送。",
    )  # fmt: skip
    headers = ("单位代码", "单位名称", "层级", "报表", "状态", "截止时间", "逾期天数", "上次问题")
    widths = (15, 16, 6, 9, 12, 16, 8, 70)
    for j, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write_string(3, j, h, head)
        ws.set_column(j, j, w)
    for r, i in enumerate(lst.items, start=4):
        ws.write_string(r, 0, i.unit_code, top)
        write_text(ws, r, 1, i.name, top)
        ws.write_string(r, 2, LEVEL_ZH.get(i.level, i.level), top)
        ws.write_string(r, 3, KIND_ZH.get(i.kind, i.kind), top)
        ws.write_string(r, 4, STATUS_ZH.get(i.status, i.status), top)
        ws.write_string(r, 5, _stamp(i.due_at), top)
        ws.write_number(r, 6, i.days_overdue, top)
        text = "\n".join(i.wrong) or (f"共{i.problems}个问题" if i.problems else "")
        write_text(ws, r, 7, text[:32000], wrap)
    ws.freeze_panes(4, 2)
    print_a4(ws, 3)
    wb.close()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, width: int = WIDTH) -> str:
    """``text`` cut to ``width`` terminal columns (CJK characters take two), with …."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def summary(result: ChaseResult) -> list[str]:
    """The chase as lines of at most 80 columns: a headline, then one block per unit."""
    owed = result.items
    lines = [
        fit(
            f"{period_zh(result.period)}催报（截至{_stamp(result.now)}）："
            f"{len({i.unit_code for i in owed})}个单位的{len(owed)}份报表逾期未报或被退回未重报"
        )
    ]
    if result.closed:
        lines.append(
            fit(
                f"{period_zh(result.period)}的报送轮次已结束（截止后{result.window_days}天），不再催报。"
            )
        )
        lines.append(fit(f"仍有{result.closed}份报表未报或被退回：补报或更正请联系上级单位。"))
    elif not owed:
        lines.append("没有需要催报的单位。")
    for lst in result.lists:
        lines.append(fit(f"{lst.name}（{lst.unit_code}）：{len(lst.items)}份"))
        for i in lst.items:
            lines.append(
                fit(
                    f"  {i.unit_code} {i.name} {KIND_ZH.get(i.kind, i.kind)}"
                    f" {STATUS_ZH.get(i.status, i.status)} 逾期{i.days_overdue}天"
                    f" 截止{i.due_at:%m-%d}"
                )
            )
        if lst.path is not None:
            lines.append(fit(f"  清单：{lst.path}"))
    return lines
