"""The portal's application: every route, middleware and page wired in one place.

:func:`build` makes the :class:`portal.context.Portal` (store, registry, rules) from the
settings; :func:`create_app` the FastAPI application around it. Sessions are Starlette's
``SessionMiddleware`` (a cookie signed with itsdangerous, ``HttpOnly``, ``SameSite``,
``Secure`` when configured) holding only a random session id that the store knows;
every response carries a strict Content-Security-Policy (scripts and styles from the
portal itself only: the vendored HTMX, no inline script), and no page may be framed.
"""

from __future__ import annotations

import logging
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from approval.store import open_store
from config.settings import Settings
from portal import approve, confirm, login, password, status, template, upload
from portal.access import Hierarchy
from portal.config import PortalConfig
from portal.context import Portal
from portal.deps import PasswordFirst
from portal.limits import BodyLimit
from portal.pages import page, wants_html
from portal.security import hasher, new_token, signing_key
from transforms.limits import ReadLimits
from warehouse.modes import private_dir

SESSION_COOKIE = "ronghe_session"
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        b" connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


def build(settings: Settings, config: PortalConfig) -> Portal:
    """The portal's state, from the settings (the store is created if missing)."""
    from warehouse.registry import load_registry
    from warehouse.ruleset import load_rules

    if settings.portal_store is None:
        private_dir(settings.portal_dir)
    registry = load_registry(settings.scale)
    ph = hasher(config.hash)
    limit = config.max_upload_mb
    return Portal(
        settings=settings,
        config=config,
        engine=open_store(settings.portal_store_url),
        registry=registry,
        hierarchy=Hierarchy(registry),
        rules=load_rules(settings.rules),
        ph=ph,
        max_upload=int(limit * 1024 * 1024) if limit else ReadLimits.from_env().max_bytes,
        dummy=ph.hash(new_token()),
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, sending if scope["type"] == "http" else send)


def create_app(portal: Portal) -> FastAPI:
    app = FastAPI(title="ronghe portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    for r in (login, password, upload, confirm, approve, status, template):
        app.include_router(r.router)
    static = resources.files("portal") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/healthz")
    def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not wants_html(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code == 401:
            return RedirectResponse("/login", status_code=303)
        if isinstance(exc, PasswordFirst):
            return RedirectResponse("/password", status_code=303)
        return page(request, "error.html", status=exc.status_code, error=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors()[:5])
        detail = f"请求的内容不对：{fields}"
        if not wants_html(request):
            return JSONResponse({"detail": detail, "errors": _plain(exc.errors())}, 422)
        return page(request, "error.html", status=422, error=detail)

    cfg = portal.config
    app.add_middleware(
        SessionMiddleware,
        secret_key=signing_key(portal.settings.portal_dir, cfg.secret),
        session_cookie=SESSION_COOKIE,
        max_age=int(cfg.session_hours * 3600),
        same_site=cfg.same_site,
        https_only=cfg.secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=portal.max_upload)
    return app


def _plain(errors: Any) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", [])), "msg": str(e.get("msg", ""))} for e in errors]


def serve(settings: Settings, config: PortalConfig, host: str, port: int) -> None:
    """Serve the portal with uvicorn until interrupted."""
    import uvicorn

    from pipeline.steps import import_gx_in_background

    app = create_app(build(settings, config))
    import_gx_in_background()  # the first upload need not wait for GX's import
    logging.getLogger("ronghe.portal").setLevel(logging.INFO)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=config.trusted_proxies,
        server_header=False,
        log_level="info",
    )
