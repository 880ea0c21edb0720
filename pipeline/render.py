"""How a :class:`~pipeline.result.RunResult` is shown: CLI summary lines and the run's artifact."""

from __future__ import annotations

import os
from collections import Counter

from rich.markup import escape

from pipeline.result import RunResult
from transforms.shown import escaped
from transforms.shown import markdown_text as md

SHOWN_SKIPPED = 5
"""Skipped paths named in the CLI summary (all of them are in meta.skipped)."""


def _skipped_lines(result: RunResult) -> list[str]:
    if not result.skipped:
        return []
    counts = Counter(s.reason for s in result.skipped)
    lines = [
        f"[bold]skipped[/bold] {len(result.skipped)} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + "); files still being written are taken by the next run"
    ]
    lines += [
        f"  {escape(escaped(s.path))}: {escape(escaped(s.detail))}"
        for s in result.skipped[:SHOWN_SKIPPED]
    ]
    if len(result.skipped) > SHOWN_SKIPPED:
        lines.append(
            f"  … and {len(result.skipped) - SHOWN_SKIPPED} more:"
            ' ronghe query "SELECT * FROM meta.skipped"'
        )
    return lines


def summary_lines(result: RunResult) -> list[str]:
    """The CLI's closing summary (rich markup), a few lines that fit 80 columns."""
    lines = [
        f"[bold]files[/bold] {result.files} new, {result.already_received} already received;"
        f" rows read {result.rows_read} = loaded {result.rows_loaded}"
        f" + quarantined {result.rows_quarantined}",
        "[bold]reports loaded[/bold] "
        + ", ".join(f"{k} {v}" for k, v in sorted(result.reports_loaded.items()))
        + f"; [bold]quarantined[/bold] {result.reports_quarantined}"
        + (
            " (" + ", ".join(f"{k} {v}" for k, v in sorted(result.reasons.items())) + ")"
            if result.reasons
            else ""
        ),
    ]
    if result.files_rejected:
        lines.append(
            f"[bold]files rejected[/bold] {len(result.files_rejected)}"
            " (nothing in them loaded: unreadable, unknown kind, missing columns,"
            " or every report quarantined)"
        )
    lines += _skipped_lines(result)
    if result.marts_rebuilt:
        periods = result.marts_rebuilt
        span = periods[0] if len(periods) == 1 else f"{periods[0]}…{periods[-1]}"
        lines.append(
            f"[bold]marts rebuilt[/bold] {span} ({len(periods)} quarters),"
            f" rules {result.rules_version}"
        )
    quarters = {os.path.dirname(p) for p in result.reports}  # a folder per quarter
    if len(quarters) == 1:  # one quarter: its workbook, brief and document
        lines.append("[bold]通报 quarterly assessment[/bold]")
        lines += [f"  {p}" for p in result.reports]
    elif result.reports:
        where = os.path.commonpath(result.reports)
        lines.append(
            f"[bold]通报 quarterly assessment[/bold] {len(quarters)} quarters under {where}"
        )
    if result.reports_quarantined or result.files_rejected:
        lines.append(
            'see them with: ronghe query "SELECT * FROM quarantine.reports" (and quarantine.files)'
        )
    return lines


def run_markdown(flow_name: str, run_id: str, result: RunResult) -> str:
    """The artifact's text: what a run received, loaded, quarantined and rebuilt."""
    loaded = result.reports_loaded
    lines = [
        f"# ronghe {flow_name} run `{run_id}`",
        "",
        "| | |",
        "|---|---|",
        f"| new files | {result.files} |",
        f"| already received (same bytes) | {result.already_received} |",
        f"| files rejected | {len(result.files_rejected)} |",
        f"| rows read = loaded + quarantined | {result.rows_read} = {result.rows_loaded}"
        f" + {result.rows_quarantined} |",
        f"| reports loaded | {sum(loaded.values())} |",
        f"| reports quarantined | {result.reports_quarantined} |",
        f"| rules version | {md(result.rules_version)} |",
        "",
        "## Reports loaded by kind",
        "",
        "| kind | reports |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(loaded.items())),
        "",
        "## Reports quarantined by reason",
        "",
    ]
    if result.reasons:
        lines += ["| reason | reports |", "|---|---|"]
        lines += [f"| `{k}` | {v} |" for k, v in sorted(result.reasons.items())]
    else:
        lines.append("none")
    if result.files_rejected:
        lines += ["", "## Files rejected", "", *(f"- {md(p)}" for p in result.files_rejected)]
    if result.skipped:
        lines += ["", "## Skipped (not read; see meta.skipped)", ""]
        lines += [f"- {md(s.path)}: `{s.reason}`, {md(s.detail)}" for s in result.skipped]
    rebuilt = result.marts_rebuilt
    lines += ["", "## Marts rebuilt", "", ", ".join(rebuilt) if rebuilt else "none"]
    if result.reports:
        lines += ["", "## 通报 (quarterly assessment)", "", *(f"- {md(p)}" for p in result.reports)]
    if result.mart_rows:
        lines += ["", "| table | rows written |", "|---|---|"]
        lines += [f"| {t} | {n} |" for t, n in sorted(result.mart_rows.items())]
    return "\n".join(lines) + "\n"
