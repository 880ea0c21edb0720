"""Rendering a page: the templates (Jinja2, autoescaped), with what every page shows."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from approval.machine import GRID_ZH
from transforms.reasons import KIND_ZH
from transforms.shown import legible_value


@cache
def templates() -> Jinja2Templates:
    folder = resources.files("portal") / "templates"
    t = Jinja2Templates(directory=str(folder))
    t.env.finalize = legible_value  # a filer's text: no bidi override, no control character
    t.env.globals.update(kind_zh=KIND_ZH, state_zh=GRID_ZH)
    return t


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``templates/<name>`` with ``who`` (the caller, if any) and its CSRF token."""
    who = context.get("who")
    context.setdefault("csrf", getattr(who, "csrf", ""))
    return templates().TemplateResponse(request, name, context, status_code=status)


def wants_html(request: Request) -> bool:
    """A page (a browser or HTMX), not the JSON API."""
    return not request.url.path.startswith("/api/")
