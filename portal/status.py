"""Who has filed what, and in which state (CONTRACT §11): ``GET /api/status`` and the grid.

``GET /api/status?period=P`` lists every report of the caller and of every unit under
it (``unit=CODE`` narrows it to a unit in the caller's scope); the page ``/review`` shows
one unit and the units directly under it as a grid (未报, 已报待审, 退回, 通过, 逾期),
with the approve and return buttons where the caller approves.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from portal.access import Unit, approver_of
from portal.context import Portal
from portal.deps import CallerDep, PortalDep, UnitDep, period_of
from portal.pages import page
from portal.states import ReportState, states
from transforms.periods import last_complete

router = APIRouter()


def default_period(p: Portal) -> str:
    return last_complete(p.clock())


def subtree(p: Portal, code: str, period: str) -> list[Unit]:
    """The unit and every unit under it valid in ``period``, parents first."""
    me = p.hierarchy.get(code)
    out = [me] if me is not None else []
    i = 0
    while i < len(out):
        out.extend(p.hierarchy.children(out[i].code, period))
        i += 1
    return out


def _row(s: ReportState) -> dict[str, Any]:
    return {
        "unit_code": s.unit.code,
        "unit_name": s.unit.name,
        "level": s.unit.level,
        "kind": s.kind,
        "state": s.state,
        "state_zh": s.state_zh,
        "due_at": s.due_at.isoformat(timespec="seconds"),
    }


@router.get("/api/status")
def status_api(p: PortalDep, unit: UnitDep, period: str | None = None) -> list[dict[str, Any]]:
    q = period_of(period) if period else default_period(p)
    return [_row(s) for s in states(p, subtree(p, unit, q), q)]


@router.get("/review", response_class=HTMLResponse)
def review(
    request: Request, p: PortalDep, who: CallerDep, unit: UnitDep, period: str | None = None
) -> Response:
    q = period_of(period) if period else default_period(p)
    me = p.hierarchy.get(unit)
    assert me is not None
    kids = p.hierarchy.children(unit, q)
    grid: dict[str, dict[str, ReportState]] = {}
    for s in states(p, [me, *kids], q):
        grid.setdefault(s.unit.code, {})[s.kind] = s
    kinds = sorted(
        {k for row in grid.values() for k in row}, key=["supervision", "economy", "projects"].index
    )
    approves = {u.code for u in [me, *kids] if approver_of(p.hierarchy, u.code) == who.unit_code}
    return page(
        request,
        "review.html",
        who=who,
        unit=me,
        units=[me, *kids],
        grid=grid,
        kinds=kinds,
        period=q,
        approves=approves,
        parent=me.parent if me.code != who.unit_code else None,
    )
