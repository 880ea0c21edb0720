"""The quarterly assessment (季度通报): an Excel workbook and a self-contained HTML brief.

``write_report`` is the one entry point: the CLI's ``ronghe report`` and the pipeline's
post-run step both call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReportPaths:
    """Where one quarter's assessment was written."""

    period: str
    directory: Path
    workbook: Path
    brief: Path
    pdf: Path | None = None  # None unless asked for and printed
    pdf_problem: str | None = None  # why the PDF was not printed, when asked for


def write_report(
    published: Path,
    period: str,
    out_dir: Path,
    *,
    pdf: bool = False,
    rules: Path | None = None,
) -> ReportPaths:
    """Write the assessment of ``period`` from the published warehouse into ``out_dir``.

    ``rules`` names the rules file whose early-warning lines the report quotes (default:
    the shipped rules). The 通报 there is kept beside it with its time, and the new one
    gets a 更正说明 (:mod:`reports.versions`). With ``pdf``, the brief is also printed to
    PDF by a headless Chromium; where none is installed, ``pdf_problem`` says so in one
    line.
    """
    from .brief import write_brief
    from .data import read_report
    from .pdf import PdfUnavailable, print_pdf
    from .versions import add_sheet, add_to_brief, corrections, keep_earlier
    from .workbook import write_workbook

    data = read_report(published, period, rules)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [workbook_path(out_dir, data.period), out_dir / f"brief-{data.period}.html"]
    # an earlier version is kept beside it with its time; the new one says what changed
    earlier = keep_earlier([*names, out_dir / f"brief-{data.period}.pdf"])
    fix = corrections(published, data.period, earlier) if earlier else None
    workbook = write_workbook(data, names[0], (lambda wb: add_sheet(wb, fix)) if fix else None)
    brief = write_brief(data, names[1])
    if fix is not None:
        add_to_brief(brief, fix)
    printed: Path | None = None
    problem: str | None = None
    if pdf:
        try:
            printed = print_pdf(brief, out_dir / f"brief-{data.period}.pdf")
        except PdfUnavailable as exc:
            problem = str(exc)
    return ReportPaths(data.period, out_dir, workbook, brief, printed, problem)


def write_reports(
    published: Path, reports_dir: Path, periods: list[str], rules: Path | None = None
) -> tuple[list[ReportPaths], list[str]]:
    """Write the assessment of each quarter under ``reports_dir/<period>/``.

    A quarter whose assessment cannot be written (no scores yet) does not stop the
    others: it is named, with the reason, in the second list.
    """
    written: list[ReportPaths] = []
    problems: list[str] = []
    for period in periods:
        try:
            written.append(write_report(published, period, reports_dir / period, rules=rules))
        except LookupError as exc:
            problems.append(f"{period}: {exc}")
    return written, problems


def workbook_path(out_dir: Path, period: str) -> Path:
    """Where the 通报 workbook of ``period`` is written in ``out_dir``."""
    return out_dir / f"assessment-{period}.xlsx"


__all__ = ["ReportPaths", "workbook_path", "write_report", "write_reports"]
