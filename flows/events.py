"""Names shared by the flows, the deployments and ``ronghe watch``, and event paging.

Light on purpose: ``watch`` imports it without the pipeline (Prefect is imported
only inside :func:`received_paths`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

RECEIVED_EVENT = "ronghe.report.received"
"""The event ``ronghe watch`` emits for each new, fully written report file."""
PUBLISHED_EVENT = "ronghe.warehouse.published"
"""The event a served run emits once it has published: the 通报 and receipts follow in
the ``ronghe-outputs/outputs`` deployment's own flow run (``ronghe serve``)."""
QUARANTINED_EVENT = "ronghe.report.quarantined"
"""A report was quarantined (resource ``ronghe.unit.<code>``; related: township, county)."""
REJECTED_EVENT = "ronghe.file.rejected"
"""A file was rejected whole (resource ``ronghe.file.<sha256>``; related: its source's unit)."""
UNREACHABLE_EVENT = "ronghe.source.unreachable"
"""A pull could not reach a source (resource ``ronghe.source.<name>``; related: its unit)."""
OUTPUTS_BY_EVENT = "RONGHE_OUTPUTS_BY_EVENT"
"""Set by ``ronghe serve`` for the runs it serves: write the outputs on the event, not
inline. One-shot commands write them inline and print where they are."""
APPROVED_EVENT = "ronghe.report.approved"
"""A report version was approved in the portal (resource ``ronghe.unit.<code>``, §11)."""
RETURNED_EVENT = "ronghe.report.returned"
"""A report version was returned in the portal, with its reason (``ronghe.unit.<code>``)."""
OVERDUE_EVENT = "ronghe.unit.overdue"
"""A unit's report is missing (or returned and not filed again) at its deadline (§9)."""
WRITER_LIMIT = "ronghe-warehouse-writer"
"""The Prefect global concurrency limit (one slot) that deployment runs hold while writing."""


def event_id(event: str, resource_id: str, discriminator: str) -> uuid.UUID:
    """The deterministic id of an occurrence: the Prefect server stores one event per id,
    so a re-run that emits the same occurrence again notifies nobody twice."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ronghe:{event}:{resource_id}:{discriminator}")


def received_paths(since: datetime, until: datetime) -> list[str]:
    """Paths named by the ``ronghe.report.received`` events that occurred in [since, until]."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

    flt = EventFilter(
        occurred=EventOccurredFilter.model_validate({"since": since, "until": until}),
        event=EventNameFilter(name=[RECEIVED_EVENT]),
    )
    out: list[str] = []
    with get_client(sync_client=True) as client:
        page = client.read_events(filter=flt, limit=50)
        for _ in range(2000):  # bounded: 100 000 events
            out.extend(str(e.payload["path"]) for e in page.events if e.payload.get("path"))
            if not page.next_page:
                break
            page = client.read_events_page(str(page.next_page))
    return out
