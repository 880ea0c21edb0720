"""Where a ``ronghe run`` spends its time: a pyinstrument profile, summed by phase.

The profile is of the main thread (the reading threads' work shows as the main
thread waiting in ``read_files``). Each phase is the time of the outermost frames of
the named functions; nested calls of the same phase are not counted twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (phase, function name, path suffix of its file)
PHASES: tuple[tuple[str, str, str], ...] = (
    ("import ronghe + Prefect (module imports)", "<module>", "flows/flows.py"),
    ("  of which Great Expectations import", "<module>", "great_expectations/__init__.py"),
    (
        "Prefect: import of the server code (in the client)",
        "<module>",
        "prefect/server/api/server.py",
    ),
    (
        "Prefect: embedded server start (wait until healthy)",
        "start",
        "prefect/server/api/server.py",
    ),
    ("Prefect: whole flow call (server start, engine, tasks)", "__call__", "prefect/flows.py"),
    ("  flow body (the steps below, inside Prefect tasks)", "_run", "flows/flows.py"),
    ("find new files (scan, SHA-256)", "find_new", "pipeline/steps.py"),
    ("reading files", "read_files", "transforms/read.py"),
    ("parsing (stack + cast)", "parse", "transforms/parse.py"),
    ("  stack", "stack", "transforms/parse.py"),
    ("GX validation (incl. verdicts)", "validate", "expectations/validate.py"),
    (
        "  of which GX itself (Batch.validate)",
        "validate",
        "great_expectations/datasource/fluent/interfaces.py",
    ),
    ("archive (copy by SHA-256)", "archive", "pipeline/steps.py"),
    ("loading (one transaction)", "load_batch", "warehouse/store.py"),
    ("marts", "build_marts", "warehouse/marts.py"),
    ("publish (checkpoint + atomic copy)", "publish", "warehouse/store.py"),
)


@dataclass
class Breakdown:
    total: float
    cpu: float
    phases: list[tuple[str, float]]


def _walk(frame: dict[str, Any], depth_in: dict[str, int]) -> Iterator[tuple[str, float]]:
    hits = [
        name
        for name, func, path in PHASES
        if str(frame.get("function", "")).rsplit(".", 1)[-1] == func
        and str(frame.get("file_path", "")).replace("\\", "/").endswith(path)
    ]
    for name in hits:
        if not depth_in.get(name):
            yield name, float(frame.get("time", 0.0))
        depth_in[name] = depth_in.get(name, 0) + 1
    for child in frame.get("children") or []:
        yield from _walk(child, depth_in)
    for name in hits:
        depth_in[name] -= 1


def breakdown(profile_json: Path) -> Breakdown:
    doc = json.loads(profile_json.read_text(encoding="utf-8"))
    sums = {name: 0.0 for name, _, _ in PHASES}
    for name, t in _walk(doc["root_frame"], {}):
        sums[name] += t
    return Breakdown(
        total=float(doc["duration"]),
        cpu=float(doc.get("cpu_time") or 0.0),
        phases=[(name, sums[name]) for name, _, _ in PHASES],
    )
