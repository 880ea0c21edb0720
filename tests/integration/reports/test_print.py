"""The 通报 printed as a reader prints it: the workbook through LibreOffice to PDF, the brief
through Chromium to PDF, the document through LibreOffice to PDF (as ``ronghe report
--pdf`` prints them). No word of any page may lie outside the page (minus a small
margin), and the pages carry Chinese text. The document's body takes at most four pages
(its 附件1 starts on page 5 at the latest), the brief's at most eight, and each starts
with its content on page 1.

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


def keep_png(pdf: Path, name: str, pages: int = 3) -> None:
    if os.environ.get("RONGHE_KEEP_PNG") != "docs":
        return
    out = Path(__file__).resolve().parents[3] / "docs" / "report-print"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages), str(pdf), str(out / name)],
        check=True,
    )


def page_texts(pdf: Path) -> list[str]:
    """Each page's text (pdftotext splits pages with a form feed)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


def first_page_starting(pages: list[str], word: str) -> int:
    """The 1-based page whose text starts with ``word`` (an annex's mark), else 0. Spaces
    are ignored: pdftotext puts one between a CJK character and a Latin digit."""
    return next(
        (i for i, t in enumerate(pages, start=1) if re.sub(r"\s+", "", t).startswith(word)), 0
    )


@pytest.fixture(scope="module")
def printed(sample_warehouse: Built, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``write_report(..., pdf=True)``: the brief by Chromium, the document by LibreOffice."""
    from reports import write_report

    paths = write_report(
        sample_warehouse.published, PERIOD, tmp_path_factory.mktemp("printed"), pdf=True
    )
    assert paths.pdf_problem is None, paths.pdf_problem
    return paths


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
    assert 0 < pages <= 20  # 1,800 villages print as their summary, not as forty pages
    assert not bad, bad[:10]
    assert "概况" in text and "数据质量" in text
    assert "散点图数据" not in text  # the chart data's sheet is hidden, not printed
    keep_png(pdf, "workbook")


@needs
def test_brief_pdf_prints_on_a4_without_overflow(printed: Any) -> None:
    assert printed.pdf is not None
    pages, bad, text = overflowing(printed.pdf)
    assert pages > 0
    assert not bad, bad[:10]
    assert "书记项目" in text and "本年累计" in text
    each = page_texts(printed.pdf)
    assert "一、概况" in each[0] and "期末数" in each[0]  # content on page 1, not a title alone
    annexes = first_page_starting(each, "附件1")
    assert 2 <= annexes <= 9, annexes  # a body of at most eight pages, then its annexes
    assert "附件5" in "".join(each[annexes - 1 :])
    keep_png(printed.pdf, "brief")


@needs
def test_document_pdf_is_a_four_page_body_set_in_cjk_fonts(printed: Any) -> None:
    pdf = printed.document_pdf
    assert pdf is not None and pdf.name == f"通报-{PERIOD}.pdf"
    pages, bad, _ = overflowing(pdf)
    assert not bad, bad[:10]
    each = page_texts(pdf)
    assert re.sub(r"\s+", "", each[0]).startswith("中共南通市委组织部文件")
    assert "一、总体情况" in each[0]
    annexes = first_page_starting(each, "附件1")
    assert 2 <= annexes <= 5, annexes  # the body: at most four A4 pages
    body = "".join(each[: annexes - 1])
    for head in ("一、总体情况", "二、先进与后进", "三、存在问题", "四、下步工作"):
        assert head in body
    assert "中共南通市委组织部" in each[annexes - 2]  # issuer and date close the body
    assert first_page_starting(each, "附件2") > annexes
    assert re.search(r"—\s*1\s*—", each[0]) and re.search(r"—\s*2\s*—", each[1])  # — 1 —
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    names = fonts.stdout
    assert "NotoSerifCJK" in names  # 仿宋 and 小标宋 in a serif CJK face
    assert "NotoSansCJK" in names  # 黑体 in a sans one
    assert "Bold" in names  # 小标宋's weight
    assert pages == len(each)
    keep_png(pdf, "document", pages=1)
