"""The 通报 printed as a reader prints it: the workbook through LibreOffice to PDF, the brief
through Chromium to PDF. No word of any page may lie outside the page (minus a small
margin), and the pages carry Chinese text.

``RONGHE_KEEP_PNG=docs`` also writes the first pages as PNGs (pdftoppm) for people to
look at (docs/report-print/).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.report_warehouse import PERIOD, Built, sample_report, sample_warehouse

__all__ = ["sample_report", "sample_warehouse"]  # fixtures

MARGIN = 2.0  # points: a word box may touch, not cross, the page's edge
WORD = re.compile(
    r'<page width="([\d.]+)" height="([\d.]+)">|'
    r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>'
)

needs = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("chromium")),
    reason="needs LibreOffice, poppler-utils and Chromium (.ci/run installs them)",
)


def overflowing(pdf: Path) -> tuple[int, list[tuple[int, str]], str]:
    """(pages, words outside their page as (page, word), all text) of ``pdf``."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages, bad, text = 0, [], []
    width = height = 0.0
    for m in WORD.finditer(html):
        if m.group(1):
            pages += 1
            width, height = float(m.group(1)), float(m.group(2))
            continue
        x0, y0, x1, y1 = (float(m.group(i)) for i in range(3, 7))
        text.append(m.group(7))
        if x0 < -MARGIN or y0 < -MARGIN or x1 > width + MARGIN or y1 > height + MARGIN:
            bad.append((pages, m.group(7)))
    return pages, bad, "".join(text)


def keep_png(pdf: Path, name: str) -> None:
    if os.environ.get("RONGHE_KEEP_PNG") != "docs":
        return
    out = Path(__file__).resolve().parents[3] / "docs" / "report-print"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "3", str(pdf), str(out / name)],
        check=True,
    )


@needs
def test_workbook_prints_on_a4_without_overflow(sample_report: Any, tmp_path: Path) -> None:
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(sample_report.workbook),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    pdf = tmp_path / (Path(sample_report.workbook).stem + ".pdf")
    pages, bad, text = overflowing(pdf)
    assert pages > 0
    assert not bad, bad[:10]
    assert "概况" in text and "数据质量" in text
    assert "散点图数据" not in text  # the chart data's sheet is hidden, not printed
    keep_png(pdf, "workbook")


@needs
def test_brief_pdf_prints_on_a4_without_overflow(sample_warehouse: Built, tmp_path: Path) -> None:
    from reports import write_report

    paths = write_report(sample_warehouse.published, PERIOD, tmp_path, pdf=True)
    assert paths.pdf is not None, paths.pdf_problem
    pages, bad, text = overflowing(paths.pdf)
    assert pages > 0
    assert not bad, bad[:10]
    assert "书记项目" in text and "本年累计" in text
    keep_png(paths.pdf, "brief")
