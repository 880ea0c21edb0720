"""Setting one's own password (``/password``, ``POST /api/password``).

A password ronghe made (``ronghe accounts add`` or ``reset`` without ``--password-stdin``)
is a one-time password: until the unit sets its own, every other page and call answers
with this form (403 by API). The old password is asked again; the new one has at least 10
characters. The unit's other sessions end; this one goes on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from portal import records
from portal.context import Portal
from portal.deps import AnyCallerDep, Caller, CheckedDep, PortalDep
from portal.pages import page
from portal.security import hash_password, verify_password

router = APIRouter()
MIN_PASSWORD = 10


class PasswordIn(BaseModel):
    password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


def change(p: Portal, who: Caller, old: str, new: str) -> None:
    acc = records.account(p.engine, who.unit_code)
    if acc is None or not verify_password(p.ph, acc.password_hash, old):
        raise HTTPException(401, "原密码不对")
    if len(new) < MIN_PASSWORD or new == old:
        raise HTTPException(422, f"新密码至少{MIN_PASSWORD}个字符，且不能与原密码相同")
    hashed = hash_password(p.ph, new)
    records.set_password(p.engine, who.unit_code, hashed, p.clock(), keep=who.token_hash)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: AnyCallerDep) -> Response:
    return page(request, "password.html", who=who)


@router.post("/password", response_class=HTMLResponse)
def password_page(
    request: Request,
    p: PortalDep,
    who: CheckedDep,
    password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    again: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        if new_password != again:
            raise HTTPException(422, "两次输入的新密码不一样")
        change(p, who, password, new_password)
    except HTTPException as e:
        return page(request, "password.html", status=e.status_code, who=who, error=e.detail)
    return RedirectResponse("/", status_code=303)


@router.post("/api/password")
def password_api(p: PortalDep, who: CheckedDep, body: PasswordIn) -> dict[str, bool]:
    change(p, who, body.password, body.new_password)
    return {"ok": True}
