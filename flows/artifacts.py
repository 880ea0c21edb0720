"""What a run leaves in the Prefect UI beside its log: artifacts and the warnings.

- every pipeline run: ``ronghe-<flow>`` (what was received, loaded and rebuilt);
- a run that returned reports: a WARNING line with the counts, and
  ``ronghe-quarantined``: the units and the problem sentences (not only file paths);
- every outputs run: ``ronghe-outputs``, what was written where.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

from prefect import get_run_logger
from prefect.exceptions import MissingContextError

from config.settings import Settings
from filers.quarantined import problems_markdown, run_problems
from pipeline.render import run_markdown
from pipeline.result import RunResult


def _markdown(key: str, markdown: str, description: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=key, description=description)


def run_artifact(flow_name: str, run_id: str, result: RunResult) -> None:
    _markdown(
        f"ronghe-{flow_name}",
        run_markdown(flow_name, run_id, result),
        f"ronghe {flow_name} run: what was received, loaded and rebuilt",
    )


def warn_quarantined(settings: Settings, result: RunResult) -> str | None:
    """A WARNING line naming the counts, and the units' problems as an artifact."""
    rejected = len(result.files_rejected)
    if not (result.reports_quarantined or rejected):
        return None
    reasons = ", ".join(f"{code} {n}" for code, n in sorted(result.reasons.items()))
    line = (
        f"{result.reports_quarantined} reports quarantined ({reasons or 'no reason recorded'})"
        f" and {rejected} files rejected of {result.files} new files;"
        " the units and what to fix: artifact ronghe-quarantined, and the receipts (回执)"
    )
    with contextlib.suppress(MissingContextError):  # outside a run: the CLI summary says it
        get_run_logger().warning(line)
    shas = [f.sha256 for f in result.load.files if f.rows_quarantined or f.status != "loaded"]
    rows, total = run_problems(settings.published_path, shas)
    _markdown(
        "ronghe-quarantined",
        problems_markdown(rows, total, result.reports_quarantined),
        "reports returned by this run: the units and the problem sentences",
    )
    return line


def outputs_artifact(
    written: Sequence[tuple[str, Path, Path, Path]], receipts: Sequence[Path]
) -> None:
    """What an outputs run wrote where: each quarter's 通报 (the document to issue, the
    workbook, the brief), and the receipts."""
    lines = ["# 通报与回执 · what was written", ""]
    if written:
        lines += ["| 季度 | 通报（公文） | 工作簿 | 简报 |", "|---|---|---|---|"]
        lines += [f"| {p} | `{doc}` | `{wb}` | `{brief}` |" for p, wb, brief, doc in written]
    else:
        lines.append("No 通报 was written.")
    lines.append("")
    folders = sorted({str(r.parent) for r in receipts})
    lines.append(
        f"{len(receipts)} receipts (回执) under {', '.join(f'`{f}`' for f in folders)}"
        if receipts
        else "No receipts were written."
    )
    _markdown("ronghe-outputs", "\n".join(lines), "the 通报 and receipts this run wrote")
