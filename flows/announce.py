"""Events out, after a run published (CONTRACT §8): what the run quarantined or rejected,
and the sources a pull could not reach. Each goes with a notice of the outbox
(:mod:`flows.notices`, :mod:`notify`): people are told through it, in Chinese, once; the
events are for the UI and automations.

Every event has a deterministic id (:func:`flows.events.event_id`), and is emitted only
when its notice is new to the outbox: a re-run of the same files emits nothing again.
Payloads hold nothing personal: file names are shown masked (:func:`transforms.pii.mask`),
never a record; and nothing a notification could obey: a file name or a server's words
without bidi or control characters, web addresses defanged (``http[:]//``: an
automation's message never links a filer's address).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from config.settings import Settings
from flows.events import QUARANTINED_EVENT, REJECTED_EVENT, UNREACHABLE_EVENT, event_id
from flows.notices import tell
from notify import produce
from transforms.paths import masked_text
from transforms.pii import mask
from transforms.shown import defanged, escaped, legible
from warehouse.db import connect_reader, has, sql_file


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
        return list(keyed_outcome_events(con, shas).values())
    finally:
        con.close()


def keyed_outcome_events(
    con: duckdb.DuckDBPyConnection, shas: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """:func:`outcome_events` (from the warehouse ``con``) by the key of their notices."""
    if not shas:
        return {}
    quarantined = con.execute(sql_file("events_quarantined.sql"), {"shas": list(shas)})
    q_rows = quarantined.fetchall()
    r_rows = con.execute(sql_file("events_rejected.sql"), {"shas": list(shas)}).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for sha, kind, unit, period, reasons, problems, path, township, county in q_rows:
        resource = f"ronghe.unit.{unit}"
        related = [_unit(township, "township")] if township else []
        related += [_unit(county, "county")] if county else []
        about = f"{sha}|{kind}|{unit}|{period}"
        out[f"quarantined:{about}"] = {
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
            "id": event_id(QUARANTINED_EVENT, resource, about),
        }
    for sha, reasons, path, unit in r_rows:
        resource = f"ronghe.file.{sha}"
        out[f"rejected:{sha}"] = {
            "event": REJECTED_EVENT,
            "resource": {"prefect.resource.id": resource},
            "related": [_unit(unit, "source-unit")] if unit else [],
            "payload": {"reasons": list(reasons), "file": _name(path), "unit": unit or ""},
            "id": event_id(REJECTED_EVENT, resource, sha),
        }
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


def outcomes(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    files: Sequence[Any],
    say: Callable[[str], None],
) -> None:
    """Tell the quarantined reports and rejected files among a run's new ``files``
    (``FileOutcome``: those loaded whole have nothing to tell), from the run's warehouse
    ``con`` before it publishes: the outbox has them before the run counts as done (never
    lost), and the events of what it had not been told before go out."""
    shas = [f.sha256 for f in files if f.status != "loaded"]
    if not shas:
        return
    events = keyed_outcome_events(con, shas)
    notices = produce.outcomes(con, datetime.now(), shas=shas)
    new = tell(settings, [replace(n, event=events.get(n.key)) for n in notices])
    if new:
        say(f"told {len(new)} quarantined reports and rejected files (outbox and events)")


def before_publish(ws: Any, settings: Settings, result: Any, say: Callable[[str], None]) -> None:
    """What a run tells before it publishes (:func:`outcomes`), and ``meta.notifications``
    brought up to date in its warehouse (:func:`notify.mirror.mirror`)."""
    from notify.mirror import mirror
    from notify.outbox import Outbox

    outcomes(ws.con, settings, result.load.files, say)
    if has(ws.con, "meta.approvals"):  # the portal's approvals and returns (CONTRACT §11)
        with Outbox.of(settings.home) as box:
            since = box.created_at
        told = tell(settings, produce.approvals(ws.con, since))
        if told:
            say(f"told {len(told)} approvals and returns")
    mirror(ws.con, settings.home, say)


def emit(events: Sequence[dict[str, Any]]) -> int:
    """Emit the events; how many."""
    from prefect.events import emit_event

    for e in events:
        emit_event(**e)
    return len(events)
