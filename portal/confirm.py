"""Confirming an upload (报送, CONTRACT §11): it becomes an inbox file of the run.

As 审核报送 in 联网直报: a report with a problem (强制性错误) cannot be confirmed, and a
需核实 flag needs a 说明, typed in its box (or already in the file's 说明 column). On
confirmation the staged file is written into ``<inbox>/portal/<unit>/<receipt_no>-<name>``
(atomically, its modification time the confirmation's: the time of arrival of the report,
§9), each report version is ``submitted`` in the approval log, the 说明 are kept beside
it (a run applies them to the loaded reports' ``explanation``,
:mod:`pipeline.approvals`), and the file is announced as ``ronghe.report.received``.
"""

from __future__ import annotations

import os
import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from approval.machine import SUBMIT, Facts, Refused, step
from filers.echo import Echo
from portal import events, records
from portal.access import may_see
from portal.context import Portal
from portal.deps import ActingDep, Caller, PortalDep, UploadDep
from portal.records import Conflict

router = APIRouter()

MAX_NOTE = 500  # the 说明 column's length (transforms.columns.EXPLANATION)


def confirm(p: Portal, who: Caller, row: Any, notes: dict[str, str]) -> None:
    if row.state == "confirmed":
        raise HTTPException(409, "此回执的文件已经报送")
    found = Echo.from_json(row.echo)
    if not found.loadable:
        raise HTTPException(409, "有问题的报表不能报送：请按提示改正后重新上传")
    keys = {r.key for r in found.reports}
    notes = {k: v.strip() for k, v in notes.items() if k in keys and v and v.strip()}
    if any(len(v) > MAX_NOTE for v in notes.values()):
        raise HTTPException(422, f"说明不能超过{MAX_NOTE}字")
    unexplained = [
        r for r in found.reports if any(not f["explained"] for f in r.flags) and r.key not in notes
    ]
    if unexplained:
        names = "、".join(f"{r.unit_name or r.unit_code}{r.kind_zh}" for r in unexplained)
        raise HTTPException(422, f"需核实的数据须填写说明后才能报送：{names}")
    now = p.clock()
    transitions = []
    for r in found.reports:
        assert r.unit_code is not None and r.period is not None
        log = records.log(p.engine, r.period, [r.unit_code])
        mine = [x for x in log if x.kind == r.kind]
        state = next((x.state for x in reversed(mine) if x.source_sha256 == found.sha256), None)
        try:
            new = step(state, SUBMIT, Facts(filer=may_see(p.hierarchy, who.unit_code, r.unit_code)))
        except Refused as e:
            detail = "此文件已经报送过，请修改后重新上传" if e.code == "bad_state" else e.message_zh
            raise HTTPException(e.status, detail) from None
        transitions.append(
            dict(
                kind=r.kind,
                unit_code=r.unit_code,
                period=r.period,
                seq=max((x.seq for x in mine), default=0) + 1,
                source_sha256=found.sha256,
                state=new,
                by_unit=who.unit_code,
                at=now,
                reason=None,
                receipt_no=row.receipt_no,
            )
        )
    staged = p.settings.portal_dir / row.stored
    folder = p.inbox / row.unit_code
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{row.receipt_no}-{staged.name}"
    part = folder / f".{target.name}.part"  # the inbox skips it while it is written
    shutil.copyfile(staged, part)
    stamp = now.timestamp()
    os.utime(part, (stamp, stamp))
    os.replace(part, target)
    texts = [
        {"sha256": found.sha256, "kind": r.kind, "unit_code": r.unit_code,
         "period": r.period, "text": notes[r.key]}
        for r in found.reports if r.key in notes
    ]  # fmt: skip
    try:
        records.record(
            p.engine, transitions, confirm=(row.receipt_no, now, str(target)), notes=texts
        )
    except Conflict:
        target.unlink(missing_ok=True)
        raise HTTPException(409, "此回执刚被另一处报送或改动，请刷新后再看") from None
    shutil.rmtree(staged.parent, ignore_errors=True)
    events.received(p.settings.inbox_dir, target, found.sha256)


@router.post("/api/uploads/{receipt_no}/confirm")
def confirm_api(
    p: PortalDep,
    who: ActingDep,
    row: UploadDep,
    explanations: Annotated[dict[str, str] | None, Body(embed=True)] = None,
) -> dict[str, str]:
    confirm(p, who, row, explanations or {})
    return {"receipt_no": row.receipt_no, "state": "submitted"}


@router.post("/uploads/{receipt_no}/confirm")
async def confirm_page(request: Request, p: PortalDep, who: ActingDep, row: UploadDep) -> Response:
    form = await request.form()
    notes = {
        str(k).removeprefix("note:"): str(v)
        for k, v in form.multi_items()
        if str(k).startswith("note:") and isinstance(v, str)
    }
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(confirm, p, who, row, notes)
    return RedirectResponse(f"/uploads/{row.receipt_no}", status_code=303)
