"""Each report's state for the grid, the status call and the parent rule (CONTRACT §11).

From the portal's approval log (:mod:`approval.machine` :func:`~approval.machine.grid_state`),
the published warehouse (read only: a report loaded from a deposit needs no approval;
projects reports a unit filed) and the deadlines of the rules (逾期).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from approval.machine import APPROVED, GRID_ZH, PENDING, children_done, grid_state
from portal import records
from portal.access import Unit, approver_of
from portal.context import Portal
from warehouse.db import connect_reader

OWED = ("supervision", "economy")
"""What every unit owes each quarter; a projects report is shown where one was filed."""


@dataclass(frozen=True)
class ReportState:
    unit: Unit
    kind: str
    state: str
    due_at: datetime

    @property
    def state_zh(self) -> str:
        return GRID_ZH[self.state]


def _loaded(p: Portal, units: Sequence[str], period: str) -> dict[tuple[str, str], bool]:
    """(unit, kind) → loaded without the portal (True) or through it (False)."""
    path = p.settings.published_path
    if not path.exists() or not units:
        return {}
    with contextlib.suppress(duckdb.Error):
        con = connect_reader(path)
        try:
            rows = con.execute(
                "SELECT unit_code, kind, status = 'loaded' AND approval IS NULL"
                " FROM marts.filing_status WHERE period = ? AND list_contains(?, unit_code)",
                [period, list(units)],
            ).fetchall()
        finally:
            con.close()
        return {(u, k): bool(x) for u, k, x in rows}
    return {}


def states(p: Portal, units: Sequence[Unit], period: str) -> list[ReportState]:
    """Every report of ``units`` in ``period``: owed ones, and projects where filed."""
    codes = [u.code for u in units]
    found = records.versions(records.log(p.engine, period, codes))
    loaded = _loaded(p, codes, period)
    now = p.clock()
    out = []
    for u in units:
        due = p.rules.filing_round.due_at(period, u.level)
        kinds = [*OWED]
        if (u.code, "projects") in found or (u.code, "projects") in loaded:
            kinds.append("projects")
        for kind in kinds:
            state = grid_state(
                found.get((u.code, kind), []), loaded.get((u.code, kind), False), now > due
            )
            out.append(ReportState(u, kind, state, due))
    return out


def below_done(p: Portal, unit: str, period: str) -> bool:
    """The parent rule: every owed report of the units directly under ``unit`` is done."""
    kids = p.hierarchy.children(unit, period)
    return children_done(s.state for s in states(p, kids, period))


def locked_above(p: Portal, unit: str, period: str) -> bool:
    """Whether the approver's own level is approved above it (the approved report of
    ``unit`` cannot be returned until that is returned first)."""
    approver = approver_of(p.hierarchy, unit)
    if approver is None or approver == unit:
        return False
    me = p.hierarchy.get(approver)
    assert me is not None
    return any(s.state in (APPROVED, PENDING) for s in states(p, [me], period))
