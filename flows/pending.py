"""The outputs a published run still owes (receipts and 通报): a marker, not luck.

A run publishes, then writes its quarters' receipts and 通报 from the published file.
Killed in between, the next run would find "0 new" and write nothing. So at publish
the run records what it owes in ``$RONGHE_HOME/outputs.pending`` (JSON: the quarters
of its 通报 and of its receipts, added to what an earlier run still owed), and the
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


def owed(settings: Settings) -> tuple[list[str], list[str]]:
    """The (通报 quarters, receipt quarters) an earlier published run did not write."""
    try:
        data = json.loads(_path(settings).read_text(encoding="utf-8"))
        return sorted(set(data["reports"])), sorted(set(data["receipts"]))
    except (OSError, ValueError, KeyError, TypeError):
        return [], []


def record(settings: Settings, reports: Sequence[str], receipts: Sequence[str]) -> None:
    """At publish: what this run owes, with what was owed before."""
    before_reports, before_receipts = owed(settings)
    data = {
        "reports": sorted({*before_reports, *reports}),
        "receipts": sorted({*before_receipts, *receipts}),
    }
    if not (data["reports"] or data["receipts"]):
        return
    tmp = _path(settings).with_name(f".{NAME}.{os.getpid()}")
    write_private(tmp, json.dumps(data).encode("utf-8"))
    os.replace(tmp, _path(settings))


def paid(settings: Settings) -> None:
    """Every owed output is written: the marker goes."""
    _path(settings).unlink(missing_ok=True)
