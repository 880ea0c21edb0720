"""Uploading a file and seeing what ronghe read (回显, CONTRACT §11).

``POST /api/uploads`` (multipart, field ``file``) and the page's form: the file is kept
under ``portal/staging/<receipt_no>/`` with a safe name (the folders of the name and
any character a path or a shell would read are dropped; the name as the filer gave it
is kept, escaped, for display), read and validated as a run would
(:func:`filers.echo.echo`: the read limits of §3, the same sentences and flags), and
answered with its receipt number (回执号). Every report must be the caller's or a unit's
under it (403 otherwise, and nothing is kept). Nothing is loaded until it is confirmed.
"""

from __future__ import annotations

import secrets
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from filers.echo import Echo, echo
from portal import records
from portal.context import Portal
from portal.deps import ActingDep, Caller, CallerDep, PortalDep, UploadDep, in_scope
from portal.limits import too_large
from portal.pages import page
from portal.status import default_period
from transforms.pii import mask
from transforms.read import FORMATS
from transforms.shown import escaped
from warehouse.modes import private_dir

router = APIRouter()

_UNSAFE = set('/\\:*?"<>|\0')


def safe_name(given: str | None) -> str:
    """The name a staged upload is kept under: no folder, no path or shell character, no
    leading dot or ``~$`` (the inbox skips such names), a known extension (else 415)."""
    base = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in _UNSAFE)
    base = base.strip().lstrip(".~$ ")
    stem, dot, ext = base.rpartition(".")
    if not dot or f".{ext.lower()}" not in FORMATS:
        raise HTTPException(
            415,
            f"不支持的文件类型：请上传 {'、'.join(sorted(set(FORMATS)))} 文件（用报送模板填写）",
        )
    return f"{stem.strip()[:80] or '报表'}.{ext.lower()}"


def receipt_number(p: Portal) -> str:
    return f"{p.clock():%Y%m%d}-{secrets.token_hex(4).upper()}"


def receive(p: Portal, who: Caller, file: UploadFile) -> tuple[str, Echo]:
    """Stage, read and check one upload; its receipt number and what was read."""
    name = safe_name(file.filename)
    receipt = receipt_number(p)
    folder = private_dir(p.staging / receipt)
    path = folder / name
    try:
        with open(path, "wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        size = path.stat().st_size
        if size > p.max_upload:
            raise too_large(p.max_upload)
        with p.reading:
            found = echo(path, p.registry, p.clock(), p.rules, p.settings.published_path)
        for r in found.reports:
            if r.unit_code is not None:
                in_scope(p, who, r.unit_code)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    records.add_upload(
        p.engine,
        receipt_no=receipt,
        unit_code=who.unit_code,
        file_name=escaped(mask(Path((file.filename or name).replace("\\", "/")).name))[:255],
        stored=str(path.relative_to(p.settings.portal_dir)),
        sha256=found.sha256,
        size=size,
        uploaded_at=p.clock(),
        state="checked",
        echo=found.to_json(),
    )
    return receipt, found


def answer(receipt: str, found: Echo) -> dict[str, Any]:
    """The JSON of an upload (CONTRACT §11): each report, its values, problems, flags."""
    reports = []
    for r in found.reports:
        values: dict[str, Any] = {}
        for row in r.rows:
            for v in row:
                values.setdefault(v.column, []).append(v.data)
        reports.append(
            {
                "kind": r.kind,
                "unit_code": r.unit_code,
                "unit_name": r.unit_name,
                "period": r.period,
                "verdict": r.verdict,
                "values": {c: vs[0] if len(vs) == 1 else vs for c, vs in values.items()},
                "rows": [[asdict(v) for v in row] for row in r.rows],
                "problems": r.problems,
                "flags": r.flags,
                "explanation_key": r.key,
            }
        )
    return {
        "receipt_no": receipt,
        "sha256": found.sha256,
        "confirmable": found.loadable,
        "reports": reports,
        "file_problems": found.file_problems,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, p: PortalDep, who: CallerDep) -> Response:
    mine = records.recent_uploads(p.engine, [who.unit_code])
    return page(request, "home.html", who=who, uploads=mine, period=default_period(p))


@router.post("/api/uploads")
def upload_api(p: PortalDep, who: ActingDep, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    return answer(*receive(p, who, file))


@router.post("/uploads")
def upload_page(p: PortalDep, who: ActingDep, file: Annotated[UploadFile, File()]) -> Response:
    receipt, _ = receive(p, who, file)
    return RedirectResponse(f"/uploads/{receipt}", status_code=303)


@router.get("/uploads/{receipt_no}", response_class=HTMLResponse)
def show(request: Request, p: PortalDep, who: CallerDep, row: UploadDep) -> Response:
    found = Echo.from_json(row.echo)
    notes = records.notes_of(p.engine, row.sha256) if row.state == "confirmed" else {}
    return page(request, "echo.html", who=who, upload=row, echo=found, notes=notes)


@router.get("/api/uploads/{receipt_no}")
def show_api(row: UploadDep) -> dict[str, Any]:
    out = answer(row.receipt_no, Echo.from_json(row.echo))
    out["state"] = "submitted" if row.state == "confirmed" else row.state
    return out
