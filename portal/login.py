"""Logging in and out (CONTRACT §11): the form, ``POST /api/login``, ``POST /logout``.

Login attempts are limited per account and per client address (``RONGHE_PORTAL_
FAILURES_PER_*`` failures within ``RONGHE_PORTAL_FAILURE_WINDOW_MINUTES``: 429 until the
window passes). A successful login starts a new session whatever the browser held
before (its old session ends: no session fixation). An unknown unit takes as long to
refuse as a wrong password (a dummy hash is verified).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from portal import records
from portal.context import Portal
from portal.deps import AnyCallerDep, CheckedDep, PortalDep
from portal.pages import page
from portal.security import new_token, token_hash, verify_password

router = APIRouter()

WRONG = "单位代码或密码不对"
TOO_MANY = "登录失败次数过多，请{m:g}分钟后再试"


class LoginIn(BaseModel):
    unit_code: str = Field(max_length=64)
    password: str = Field(max_length=256)


def log_in(p: Portal, request: Request, unit_code: str, password: str) -> tuple[str, str]:
    """A new session for the unit (token, CSRF token), or 401 / 429."""
    now = p.clock()
    window = timedelta(minutes=p.config.failure_window_minutes)
    address = request.client.host if request.client else "unknown"
    unit = unit_code.strip()[:12]
    if (
        records.failures(p.engine, "account", unit, now - window) >= p.config.failures_per_account
        or records.failures(p.engine, "address", address, now - window)
        >= p.config.failures_per_address
    ):
        raise HTTPException(
            429,
            TOO_MANY.format(m=p.config.failure_window_minutes),
            headers={"Retry-After": str(int(window.total_seconds()))},
        )
    acc = records.account(p.engine, unit)
    ok = verify_password(p.ph, acc.password_hash if acc is not None else p.dummy, password)
    if acc is None or acc.disabled or not ok or p.hierarchy.get(unit) is None:
        records.fail(p.engine, [("account", unit), ("address", address)], now, window)
        raise HTTPException(401, WRONG)
    records.forget_failures(p.engine, "account", unit)
    token, csrf = new_token(), new_token()
    old = request.session.get("sid")
    records.open_session(
        p.engine,
        unit,
        token_hash(token),
        csrf,
        now,
        p.config.session_hours,
        token_hash(old) if isinstance(old, str) and old else "",
    )
    request.session.clear()
    request.session["sid"] = token
    return token, csrf


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return page(request, "login.html")


@router.post("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    p: PortalDep,
    unit_code: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        log_in(p, request, unit_code, password)
    except HTTPException as e:
        return page(
            request, "login.html", status=e.status_code, error=e.detail, unit_code=unit_code
        )
    return RedirectResponse("/", status_code=303)


@router.post("/api/login")
def login_api(request: Request, p: PortalDep, body: LoginIn) -> dict[str, str]:
    token, csrf = log_in(p, request, body.unit_code, body.password)
    return {"token": token, "csrf_token": csrf}


@router.post("/logout")
def logout(request: Request, p: PortalDep, who: CheckedDep) -> Response:
    records.close_session(p.engine, who.token_hash)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/api/me")
def me(who: AnyCallerDep) -> dict[str, str]:
    return {"unit_code": who.unit_code, "name": who.name, "level": who.level}
