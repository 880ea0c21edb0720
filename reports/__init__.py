"""The quarterly assessment (季度通报): an Excel workbook, a self-contained HTML brief and
the document the department issues (通报-P.docx, with its PDF).

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
    document: Path  # 通报-P.docx, the document the department issues
    pdf: Path | None = None  # the brief's PDF: None unless asked for and printed
    pdf_problem: str | None = None  # why a PDF was not printed, when asked for
    document_pdf: Path | None = None  # 通报-P.pdf: None unless asked for and printed
    unchanged: bool = False  # nothing it shows changed: the 通报 there was kept as it was
    corrected: bool = False  # this version carries a 更正说明
    record: Path | None = None  # what it shows, kept beside it (reports.fingerprint)

    @property
    def files(self) -> list[Path]:
        every = (self.workbook, self.brief, self.document, self.pdf, self.document_pdf)
        return [p for p in (*every, self.record) if p is not None]


def write_report(
    published: Path,
    period: str,
    out_dir: Path,
    *,
    pdf: bool = False,
    rules: Path | None = None,
) -> ReportPaths:
    """Write the assessment of ``period`` from the published warehouse into ``out_dir``:
    the workbook, the brief (HTML) and the document (通报-P.docx).

    ``rules`` names the rules file whose early-warning lines the report quotes (default:
    the shipped rules). Where the 通报 there shows the same (:mod:`reports.fingerprint`),
    it is left as it is (``unchanged``). Otherwise the one there is kept beside it with
    its time, and the new one carries a 更正说明 where a figure shown changed
    (:mod:`reports.versions`). With ``pdf``, the brief is printed to PDF by a headless
    Chromium and the document by LibreOffice; where either is missing, ``pdf_problem``
    says so in one line.
    """
    from .brief import write_brief
    from .data import read_report
    from .document import document_path, write_document
    from .fingerprint import (
        Recorded,
        changed,
        digest,
        read_record,
        record_path,
        shown_figures,
        write_record,
    )
    from .versions import add_sheet, add_to_brief, corrections, document_annex, keep_earlier
    from .workbook import write_workbook

    data = read_report(published, period, rules)
    out_dir.mkdir(parents=True, exist_ok=True)
    p = data.period
    workbook, brief = workbook_path(out_dir, p), out_dir / f"brief-{p}.html"
    document = document_path(out_dir, p)
    brief_pdf, document_pdf = brief.with_suffix(".pdf"), document.with_suffix(".pdf")
    sign, figures = digest(data), shown_figures(data)
    before = read_record(out_dir, p)
    if before and before.digest == sign and all(f.exists() for f in (workbook, brief, document)):
        (bp, dp), problem = _print(pdf, brief, brief_pdf, document, document_pdf, True)
        return ReportPaths(
            p, out_dir, workbook, brief, document, bp, problem, dp, unchanged=True,
            record=record_path(out_dir, p),
        )  # fmt: skip
    # an earlier version is kept beside it with its time; the new one says what changed
    earlier = keep_earlier([workbook, brief, document, brief_pdf, document_pdf])
    fix = None
    if earlier is not None:
        fix = corrections(published, p, earlier, changed(before.figures, figures) if before else ())
        fix = fix if fix.any else None
    write_workbook(data, workbook, (lambda wb: add_sheet(wb, fix)) if fix else None)
    write_brief(data, brief)
    if fix is not None:
        add_to_brief(brief, fix)
        notice, more = document_annex(fix)
        write_document(data, document, notice=notice, more=more)
    else:
        write_document(data, document)
    record = write_record(out_dir, p, Recorded(sign, data.generated_at, figures))
    (bp, dp), problem = _print(pdf, brief, brief_pdf, document, document_pdf)
    return ReportPaths(
        p, out_dir, workbook, brief, document, bp, problem, dp, corrected=fix is not None,
        record=record,
    )  # fmt: skip


def _print(
    wanted: bool,
    brief: Path,
    brief_pdf: Path,
    document: Path,
    document_pdf: Path,
    only_missing: bool = False,
) -> tuple[tuple[Path | None, Path | None], str | None]:
    """Print the brief (Chromium) and the document (LibreOffice) to PDF, if ``wanted``
    (``only_missing``: those not printed yet): their PDFs, and why any was not printed."""
    from .office import print_document
    from .pdf import PdfUnavailable, print_pdf

    if not wanted:
        return (None, None), None
    out: list[Path | None] = []
    problems: list[str] = []
    for source, target, printer in (
        (brief, brief_pdf, print_pdf),
        (document, document_pdf, print_document),
    ):
        if only_missing and target.exists():
            out.append(target)
            continue
        try:
            out.append(printer(source, target))
        except PdfUnavailable as exc:
            out.append(None)
            problems.append(str(exc))
    return (out[0], out[1]), "; ".join(problems) or None


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
