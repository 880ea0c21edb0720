"""The outputs a published run still owes (receipts and 通报): a marker, not luck.

A run publishes, then writes its quarters' receipts and 通报 from the published file.
Killed in between, the next run would find "0 new" and write nothing. So at publish
the run records what it owes in ``$RONGHE_HOME/outputs.pending`` (JSON: the quarters
of its 通报 and of its receipts, and the runs whose quarantined and rejected files are
still to be announced, added to what an earlier run still owed), and the
outputs flow removes the marker once it has written them all. The next run adds
whatever the marker names to its own outputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from config.settings import Settings
from warehouse.modes import write_private

NAME = "outputs.pending"


def _path(settings: Settings) -> Path:
    return settings.home / NAME


def _read(settings: Settings) -> dict[str, list[str]]:
    try:
        data = json.loads(_path(settings).read_text(encoding="utf-8"))
        return {k: sorted(set(data.get(k) or [])) for k in ("reports", "receipts", "events")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"reports": [], "receipts": [], "events": []}


def owed(settings: Settings) -> tuple[list[str], list[str]]:
    """The (通报 quarters, receipt quarters) an earlier published run did not write."""
    data = _read(settings)
    return data["reports"], data["receipts"]


def owed_runs(settings: Settings) -> list[str]:
    """The runs whose quarantined and rejected files are still to be announced."""
    return _read(settings)["events"]


def record(
    settings: Settings,
    reports: Sequence[str],
    receipts: Sequence[str],
    events: Sequence[str] = (),
) -> None:
    """At publish: what this run owes, with what was owed before (``events``: the runs
    whose files' events are to be emitted)."""
    before = _read(settings)
    data = {
        "reports": sorted({*before["reports"], *reports}),
        "receipts": sorted({*before["receipts"], *receipts}),
        "events": sorted({*before["events"], *events}),
    }
    if not (data["reports"] or data["receipts"] or data["events"]):
        return
    tmp = _path(settings).with_name(f".{NAME}.{os.getpid()}")
    write_private(tmp, json.dumps(data).encode("utf-8"))
    os.replace(tmp, _path(settings))


def paid(settings: Settings) -> None:
    """Every owed output is written: the marker goes."""
    _path(settings).unlink(missing_ok=True)
