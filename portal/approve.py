"""Approving and returning reports (审核, CONTRACT §11): ``POST /api/approvals`` and the grid.

The machine (:mod:`approval.machine`) decides; this file gathers its facts: the report's
versions in the log, whether the caller approves this unit, whether every owed report
under the unit is done (approving a level waits for its children), whether the level
above has approved the approver's own reports (an approved report is locked). Each
transition is kept (who, when, why) and announced (:mod:`portal.events`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from approval.machine import APPROVE, APPROVED, Facts, Refused, step, target
from portal import events, records
from portal.access import approver_of, may_approve
from portal.context import Portal
from portal.deps import ActingDep, Caller, PortalDep, in_scope, period_of
from portal.records import Conflict
from portal.states import below_done, locked_above

router = APIRouter()


class ApprovalIn(BaseModel):
    kind: Literal["supervision", "economy", "projects"]
    unit_code: str = Field(max_length=12)
    period: str = Field(max_length=32)
    action: Literal["approve", "return"]
    reason: str = Field(default="", max_length=500)
    source_sha256: str | None = Field(default=None, max_length=64)


def act(p: Portal, who: Caller, a: ApprovalIn) -> str:
    """Apply the action; the version's new state (or 403/409/422 with a sentence)."""
    unit = in_scope(p, who, a.unit_code)
    period = period_of(a.period)
    log = [x for x in records.log(p.engine, period, [unit]) if x.kind == a.kind]
    v = target(records.versions(log).get((unit, a.kind), []), a.action, a.source_sha256)
    approver = may_approve(p.hierarchy, who.unit_code, unit)
    facts = Facts(
        approver=approver,
        reason=a.reason,
        children_done=not (approver and a.action == APPROVE) or below_done(p, unit, period),
        locked_above=approver and v is not None and v.state == APPROVED
        and locked_above(p, unit, period),
    )  # fmt: skip
    try:
        new = step(None if v is None else v.state, a.action, facts)
    except Refused as e:
        raise HTTPException(e.status, e.message_zh) from None
    assert v is not None
    row = dict(
        kind=a.kind,
        unit_code=unit,
        period=period,
        seq=max((x.seq for x in log), default=0) + 1,
        source_sha256=v.sha256,
        state=new,
        by_unit=who.unit_code,
        at=p.clock(),
        reason=a.reason.strip() or None,
        receipt_no=None,
    )
    try:
        records.record(p.engine, [row])
    except Conflict:
        raise HTTPException(409, "该报表刚被另一处审核，请刷新后再看") from None
    events.transition(row, approver_of(p.hierarchy, unit))
    return new


@router.post("/api/approvals")
def approvals_api(p: PortalDep, who: ActingDep, body: ApprovalIn) -> dict[str, str]:
    return {"state": act(p, who, body)}


@router.post("/approvals")
def approvals_page(p: PortalDep, who: ActingDep, form: Annotated[ApprovalIn, Form()]) -> Response:
    act(p, who, form)
    back = form.unit_code
    u = p.hierarchy.get(back)
    if u is not None and u.parent and u.code != who.unit_code:
        back = u.parent
    return RedirectResponse(f"/review?unit={back}&period={period_of(form.period)}", 303)
