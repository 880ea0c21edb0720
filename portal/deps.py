"""The routes' dependencies: the portal, the caller, CSRF, and the one access decision.

No route checks access by hand. A route names what it acts on through one of these:

- :func:`caller`: the logged-in unit, from the session cookie or ``Authorization:
  Bearer TOKEN`` (401 otherwise; a page sends the browser to the login form);
- :func:`checked`: the caller, and for a cookie session on a POST the CSRF token (the
  ``X-CSRF-Token`` header or the form's ``csrf_token``), else 403;
- :func:`unit_in_scope`: a unit code the caller may see (the caller's own or one under
  it), else 403; :func:`upload_in_scope`: a receipt number of an upload by such a unit
  (404 unknown, 403 another subtree). :func:`portal.access.may_see` decides both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from portal import records
from portal.access import may_see
from portal.context import Portal
from portal.security import same, token_hash
from transforms.periods import PeriodError, parse_period

OUTSIDE = "该单位不在本账号的管辖范围内"
"""What a caller reaching outside its subtree reads (403; nothing is changed)."""


class LoginNeeded(HTTPException):
    def __init__(self) -> None:
        super().__init__(401, "请先登录", headers={"WWW-Authenticate": "Bearer"})


def portal(request: Request) -> Portal:
    found: Portal = request.app.state.portal
    return found


PortalDep = Annotated[Portal, Depends(portal)]


@dataclass(frozen=True)
class Caller:
    unit_code: str
    name: str
    level: str
    csrf: str
    token_hash: str
    by_cookie: bool
    must_change: bool = False


def _token(request: Request) -> tuple[str, bool]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    sid = request.session.get("sid")
    return (sid, True) if isinstance(sid, str) else ("", True)


def caller(request: Request, p: PortalDep) -> Caller:
    token, by_cookie = _token(request)
    if not token:
        raise LoginNeeded()
    row = records.session(p.engine, token_hash(token), p.clock())
    unit = None if row is None else p.hierarchy.get(row.unit_code)
    if row is None or unit is None:
        if by_cookie:
            request.session.clear()
        raise LoginNeeded()
    return Caller(
        unit.code, unit.name, unit.level, row.csrf, row.token_hash, by_cookie, row.must_change
    )


class PasswordFirst(HTTPException):
    def __init__(self) -> None:
        super().__init__(403, "请先修改一次性密码（/password）")


def settled(request: Request, p: PortalDep) -> Caller:
    """The caller, once its one-time password is changed: until then only the password
    form, logging out and ``/api/me`` answer (a page sends the browser to the form)."""
    who = caller(request, p)
    if who.must_change:
        raise PasswordFirst()
    return who


CallerDep = Annotated[Caller, Depends(settled)]
AnyCallerDep = Annotated[Caller, Depends(caller)]


async def checked(request: Request, who: AnyCallerDep) -> Caller:
    """The caller, with the CSRF token checked on every cookie-authenticated POST."""
    if who.by_cookie and request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token", "")
        if not sent and request.headers.get("content-type", "").startswith(
            ("multipart/form-data", "application/x-www-form-urlencoded")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else ""
        if not sent or not same(sent, who.csrf):
            raise HTTPException(403, "表单已过期或来源不明（CSRF），请刷新页面后重试")
    return who


CheckedDep = Annotated[Caller, Depends(checked)]


def checked_settled(who: CheckedDep) -> Caller:
    if who.must_change:
        raise PasswordFirst()
    return who


ActingDep = Annotated[Caller, Depends(checked_settled)]
"""A POST's caller: CSRF checked, its own password set."""


def in_scope(p: Portal, who: Caller, unit: str | None) -> str:
    """``unit`` if the caller may see it, else 403 (the one place this is decided)."""
    if unit is None or not may_see(p.hierarchy, who.unit_code, unit):
        raise HTTPException(403, OUTSIDE)
    return unit


def period_of(text: str | None) -> str:
    try:
        return parse_period(text or "")
    except PeriodError:
        raise HTTPException(422, f"报告期写法不对：{text!r}（如 2017Q1）") from None


def unit_in_scope(p: PortalDep, who: CallerDep, unit: str | None = None) -> str:
    """The ``unit`` query parameter (default: the caller's own unit), within scope."""
    return in_scope(p, who, unit or who.unit_code)


def upload_in_scope(p: PortalDep, who: CallerDep, receipt_no: str) -> Any:
    """The upload with this receipt number, made by a unit within the caller's scope."""
    row = records.upload(p.engine, receipt_no)
    if row is None:
        raise HTTPException(404, "没有这个回执号")
    in_scope(p, who, row.unit_code)
    return row


UnitDep = Annotated[str, Depends(unit_in_scope)]
UploadDep = Annotated[Any, Depends(upload_in_scope)]
