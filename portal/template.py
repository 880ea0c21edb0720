"""Downloading the template a unit fills in (``ronghe template``, :mod:`filers.template`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from filers.template import write_template
from portal.deps import PortalDep, UnitDep, period_of
from transforms.columns import REPORT_KINDS

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/template")
def template(
    p: PortalDep,
    unit: UnitDep,
    kind: Literal["supervision", "projects", "economy"],
    period: str,
    children: bool = False,
) -> Response:
    q = period_of(period)
    with tempfile.TemporaryDirectory(prefix="ronghe-template-") as tmp:
        out = Path(tmp) / "template.xlsx"
        try:
            write_template(kind, unit, q, out, p.registry, children)
        except ValueError as e:
            raise HTTPException(422, str(e)) from None
        data = out.read_bytes()
    # the kind's word in the name: the filled-in file is read as that kind (CONTRACT §2)
    name = f"{unit}_{q}_{REPORT_KINDS[kind].stems[0]}.xlsx"
    disposition = f"attachment; filename=\"{unit}_{q}_{kind}.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})
