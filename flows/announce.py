"""Events out, after a run published (CONTRACT §8): what the run quarantined or rejected,
and the sources a pull could not reach. Prefect automations turn them into
notifications (docs/operations.md, "sources"); there is no notifier here.

Every event has a deterministic id (:func:`flows.events.event_id`): a re-run of the
same files emits the same ids, which the server stores once, so nobody is notified
twice. Payloads hold nothing personal: file names are shown masked
(:func:`transforms.pii.mask`), never a record; and nothing a notification could obey:
a file name or a server's words without bidi or control characters, web addresses
defanged (``http[:]//``: an automation's message never links a filer's address).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flows.events import QUARANTINED_EVENT, REJECTED_EVENT, UNREACHABLE_EVENT, event_id
from transforms.paths import masked_text
from transforms.pii import mask
from transforms.shown import defanged, escaped, legible
from warehouse.db import connect_reader, sql_file


def _unit(code: str, role: str) -> dict[str, str]:
    return {"prefect.resource.id": f"ronghe.unit.{code}", "prefect.resource.role": role}


def _name(path: str) -> str:
    return defanged(escaped(legible(masked_text(Path(path).name))))


def outcome_events(published: Path, shas: Sequence[str]) -> list[dict[str, Any]]:
    """The quarantined and rejected events of the files ``shas``, from the published
    warehouse (each as ``emit_event``'s keyword arguments)."""
    if not shas:
        return []
    con = connect_reader(published)
    try:
        quarantined = con.execute(sql_file("events_quarantined.sql"), {"shas": list(shas)})
        q_rows = quarantined.fetchall()
        r_rows = con.execute(sql_file("events_rejected.sql"), {"shas": list(shas)}).fetchall()
    finally:
        con.close()
    out: list[dict[str, Any]] = []
    for sha, kind, unit, period, reasons, problems, path, township, county in q_rows:
        resource = f"ronghe.unit.{unit}"
        related = [_unit(township, "township")] if township else []
        related += [_unit(county, "county")] if county else []
        out.append(
            {
                "event": QUARANTINED_EVENT,
                "resource": {"prefect.resource.id": resource, "ronghe.unit": unit},
                "related": related,
                "payload": {
                    "kind": kind,
                    "period": period,
                    "reasons": list(reasons),
                    "problems": int(problems),
                    "file": _name(path),
                    "sha256": sha,
                },
                "id": event_id(QUARANTINED_EVENT, resource, f"{sha}|{kind}|{unit}|{period}"),
            }
        )
    for sha, reasons, path, unit in r_rows:
        resource = f"ronghe.file.{sha}"
        out.append(
            {
                "event": REJECTED_EVENT,
                "resource": {"prefect.resource.id": resource},
                "related": [_unit(unit, "source-unit")] if unit else [],
                "payload": {"reasons": list(reasons), "file": _name(path), "unit": unit or ""},
                "id": event_id(REJECTED_EVENT, resource, sha),
            }
        )
    return out


def unreachable_event(name: str, unit: str, error: str, discriminator: str) -> dict[str, Any]:
    """``ronghe.source.unreachable`` for the source ``name`` (``discriminator``: the run)."""
    resource = f"ronghe.source.{name}"
    return {
        "event": UNREACHABLE_EVENT,
        "resource": {"prefect.resource.id": resource},
        "related": [_unit(unit, "source-unit")],
        "payload": {"source": name, "unit": unit, "error": defanged(escaped(mask(error)))},
        "id": event_id(UNREACHABLE_EVENT, resource, discriminator),
    }


def outcomes(published: Path, files: Sequence[Any], say: Callable[[str], None]) -> None:
    """Announce the quarantined reports and rejected files among a run's new ``files``
    (``FileOutcome``: those loaded whole have nothing to announce)."""
    shas = [f.sha256 for f in files if f.status != "loaded"]
    if shas:
        n = emit(outcome_events(published, shas))
        say(f"announced {n} quarantined reports and rejected files as events")


def emit(events: Sequence[dict[str, Any]]) -> int:
    """Emit the events; how many."""
    from prefect.events import emit_event

    for e in events:
        emit_event(**e)
    return len(events)
