"""Events out of the portal (CONTRACT §8, §11), when a Prefect server is configured.

A confirmed upload is announced as ``ronghe.report.received`` exactly as ``ronghe
watch`` announces an inbox file (:func:`flows.watch.emit_received`), so the event-
triggered run of ``ronghe serve`` loads it; every approval transition as
``ronghe.report.approved`` or ``ronghe.report.returned`` (resource ``ronghe.unit.<code>``,
related: the approver), with a deterministic id per transition. Without
``PREFECT_API_URL`` nothing is emitted: the confirmed file waits in the inbox for the
next run (``ronghe run``, the inbox poll), and the transitions reach ``meta.approvals``
with it. An event that cannot be sent is said on the portal's log, never lost silently
and never a failed request: the file and the transition are already kept.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("ronghe.portal")


def enabled() -> bool:
    return bool(os.environ.get("PREFECT_API_URL"))


def received(inbox: Path, path: Path, sha256: str) -> None:
    if not enabled():
        return
    try:
        from flows.watch import emit_received

        st = path.stat()
        emit_received(inbox)(path, (st.st_size, st.st_mtime_ns), sha256)
    except Exception as e:  # the poll run picks the file up all the same
        log.warning("could not announce %s: %s", path.name, e)


def transition(row: dict[str, Any], approver: str | None) -> None:
    """``ronghe.report.approved`` / ``returned`` for one approval transition."""
    if not enabled() or row["state"] not in ("approved", "returned"):
        return
    try:
        from prefect.events import emit_event

        from flows.events import APPROVED_EVENT, RETURNED_EVENT, event_id

        name = APPROVED_EVENT if row["state"] == "approved" else RETURNED_EVENT
        resource = f"ronghe.unit.{row['unit_code']}"
        key = f"{row['kind']}|{row['period']}|{row['source_sha256']}|{row['seq']}"
        at: datetime = row["at"]
        emit_event(
            event=name,
            resource={"prefect.resource.id": resource, "ronghe.unit": row["unit_code"]},
            related=[
                {
                    "prefect.resource.id": f"ronghe.unit.{approver}",
                    "prefect.resource.role": "approver",
                }
            ]
            if approver
            else [],
            payload={
                "kind": row["kind"],
                "period": row["period"],
                "sha256": row["source_sha256"],
                "by_unit": row["by_unit"],
                "at": at.isoformat(),
                "reason": row.get("reason") or "",
            },
            id=event_id(name, resource, key),
        )
    except Exception as e:
        log.warning("could not announce the %s of %s: %s", row["state"], row["unit_code"], e)
