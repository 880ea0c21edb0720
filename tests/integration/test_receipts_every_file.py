"""A township's receipt accounts for every file its villages sent, and prints on A4.

Through the real CLI (``ronghe run`` twice, ``ronghe receipts``, ``ronghe status``,
``ronghe template``) on a real warehouse: a village's report loads; its correction,
sent later, is quarantined while the old version still counts; a broken workbook and a
file of no known kind are dropped into the township's inbox folder (``inbox/城东街道/``).
Then LibreOffice turns the receipt and a template into PDF, read back with poppler.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from tests.support.hardening import cli
from tests.support.realistic import TOWN, VILLAGE, supervision_row, write_xlsx
from transforms.columns import SUPERVISION
from transforms.reasons import REASONS_ZH

RECEIPT = "回执_2017Q1_320602001000_城东街道.xlsx"
CORRECTION = "党建督导_城北社区_更正.xlsx"
BROKEN = "党建督导_城东街道_补报.xlsx"
NO_KIND = "报表.csv"
FIRST = ("党建督导_城东街道.xlsx", "党建督导_城北社区.xlsx")


@dataclass(frozen=True)
class Filed:
    home: Path
    receipt: Path


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filed]:
    root = tmp_path_factory.mktemp("every_file")
    home, inbox = root / "home", root / "inbox"
    home.mkdir()
    folder = inbox / "城东街道"
    write_xlsx(inbox / FIRST[0], SUPERVISION, [supervision_row(TOWN)])
    write_xlsx(folder / FIRST[1], SUPERVISION, [supervision_row(VILLAGE)])
    _ok(cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home))
    # the correction: a later 填报时间, but 发展党员数 > 党员数: returned
    write_xlsx(
        folder / CORRECTION,
        SUPERVISION,
        [supervision_row(VILLAGE, submitted_at="2017-04-20 10:00", new_members=999)],
    )
    (folder / BROKEN).write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / NO_KIND).write_text("名称\n随便\n", encoding="utf-8")
    _ok(cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home))
    out = root / "receipts"
    _ok(cli("receipts", "--period", "2017Q1", "--out", str(out), home=home))
    yield Filed(home, out / RECEIPT)


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    return [
        tuple("" if v is None else v for v in r)
        for r in load_workbook(path)[name].iter_rows(values_only=True)
    ]


def test_filing_status_says_the_correction_was_returned(filed: Filed) -> None:
    con = duckdb.connect(str(filed.home / "warehouse.duckdb"), read_only=True)
    try:
        got = dict(
            ((u, k), (s, rc))
            for u, k, s, rc in con.execute(
                "SELECT unit_code, kind, status, returned_correction FROM marts.filing_status"
                " WHERE period = '2017Q1' AND unit_code IN (?, ?)",
                [TOWN, VILLAGE],
            ).fetchall()
        )
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts'"
            " AND table_name = 'filing_status' AND column_name = 'returned_correction'"
        ).fetchone()
    finally:
        con.close()
    assert got[(VILLAGE, "supervision")] == ("loaded", True)
    assert got[(TOWN, "supervision")] == ("loaded", False)
    assert got[(VILLAGE, "economy")] == ("missing", False)
    assert comment is not None and "更正被退回" in comment[0]


def test_receipt_shows_the_returned_correction_beside_the_version_that_counts(
    filed: Filed,
) -> None:
    rows = _sheet(filed.receipt, "回执")
    assert "已入库2份（其中更正被退回、仍按旧版本计分1份）" in rows[1][0]
    assert "共收到文件5份，其中整份退回2份" in rows[1][0]
    mine = [r for r in rows[5:] if r[0] == VILLAGE and r[2] == "党建督导"]
    assert [r[3] for r in mine] == ["已入库（旧版本）", "更正被退回"]
    old, returned = mine
    assert (old[4], old[6]) == ("2017-04-10 09:30", FIRST[1])
    assert returned[6] == CORRECTION
    assert returned[7].startswith("更正未入库，仍按上一行的旧版本计分")
    assert "第2行「发展党员数」不应大于「党员数」，收到“999”" in returned[7]
    detail = _sheet(filed.receipt, "问题明细")
    assert any(r[3] == CORRECTION and r[7] == "数据前后矛盾" for r in detail[1:])


def test_receipt_lists_every_file_with_reasons_in_chinese(filed: Filed) -> None:
    files = {r[0]: r for r in _sheet(filed.receipt, "收到的文件")[1:]}
    assert set(files) == {*FIRST, CORRECTION, BROKEN, NO_KIND}
    assert files[FIRST[1]][4] == "已入库"
    assert files[CORRECTION][4] == "被退回" and files[CORRECTION][5] == "数据前后矛盾"
    for name, reason in ((BROKEN, "文件无法读取"), (NO_KIND, "无法识别报表类型")):
        row = files[name]
        assert row[4] == "整份退回" and reason in row[5]
        assert "城东街道" in row[3]  # owned by the township's inbox folder
        assert name in row[6]  # the sentence that says what to do
    # no reason code and no visible apostrophe anywhere on the receipt
    codes = re.compile(r"\b(" + "|".join(REASONS_ZH) + r")\b")
    for sheet in ("回执", "收到的文件", "问题明细"):
        for r in _sheet(filed.receipt, sheet):
            for v in r:
                assert not codes.search(str(v)), (sheet, v)
                assert not str(v).startswith("'"), (sheet, v)


def test_status_counts_the_returned_correction(filed: Filed) -> None:
    out = _ok(cli("status", "--period", "2017Q1", home=filed.home))
    [county] = [ln for ln in out.splitlines() if ln.startswith("崇川区")]
    assert county.split()[-1] == "1"  # 更正退回


# ---- on paper: LibreOffice → PDF → poppler ----------------------------------------


def _pdf(xlsx: Path, out: Path) -> Path:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) is needed: .ci/run installs it"
    profile = out / "profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out / f"{xlsx.stem}.pdf"


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return re.findall(r"Page\s+\d+ size:\s+(.*)", info)


def _text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def _a4_landscape(size: str) -> bool:
    w, h = (float(x) for x in re.findall(r"[\d.]+", size)[:2])
    return abs(w - 841.89) < 1 and abs(h - 595.28) < 1


def test_receipt_prints_a4_landscape_with_chinese_text(filed: Filed, tmp_path: Path) -> None:
    pdf = _pdf(filed.receipt, tmp_path)
    keep_png(pdf, "receipt-page1")
    sizes = _pages(pdf)
    assert sizes and all(_a4_landscape(s) for s in sizes), sizes
    first = _text(pdf, 1)
    assert "城东街道（320602001000）2017年第一季度报送回执" in first
    flat = re.sub(r"\s+", "", first)
    assert "更正被退回" in flat and "问题及改正要求" in flat  # the last column on page 1


def _sizes(pdf: Path, page: int) -> list[float]:
    """The printed size (points) of the Chinese words on ``page``: a CJK character is as
    wide as its size, so a word's width over its characters is its size."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]+)</word>', html
    )
    return [
        (float(x1) - float(x0)) / len(w)
        for x0, x1, w in words
        if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)
    ]


def test_receipt_prints_at_a_readable_size(filed: Filed, tmp_path: Path) -> None:
    pdf = _pdf(filed.receipt, tmp_path)
    for page in range(1, len(_pages(pdf)) + 1):
        assert min(_sizes(pdf, page)) >= 9.0, page


def test_one_units_template_prints_on_one_page_at_a_readable_size(
    filed: Filed, tmp_path: Path
) -> None:
    xlsx = tmp_path / "党建督导_城北社区.xlsx"
    _ok(cli("template", "--kind", "supervision", "--unit", VILLAGE, "--period", "2017Q1",
            "--out", str(xlsx), home=filed.home))  # fmt: skip
    pdf = _pdf(xlsx, tmp_path)
    flat = re.sub(r"\s+", "", _text(pdf, 1))
    labels = [r[0] for r in load_workbook(xlsx)["报表"].iter_rows(min_row=4, values_only=True)]
    assert [x for x in labels if re.sub(r"\s+", "", str(x)) not in flat] == []  # one page
    assert min(_sizes(pdf, 1)) >= 9.0
    keep_png(pdf, "template-page1")


def test_a_townships_template_pages_across_at_full_size(filed: Filed, tmp_path: Path) -> None:
    xlsx = tmp_path / "党建督导_城东街道_村汇总.xlsx"
    _ok(cli("template", "--kind", "supervision", "--unit", TOWN, "--period", "2017Q1",
            "--children", "--out", str(xlsx), home=filed.home))  # fmt: skip
    headers = [c.value for c in load_workbook(xlsx)["报表"][1]]
    # every column a township's villages report (28 before 说明 and the seed's three
    # optional columns of CONTRACT §9/§10), one row per village
    assert len(headers) == 32 and "说明" in headers
    pdf = _pdf(xlsx, tmp_path)
    sizes = _pages(pdf)
    assert all(_a4_landscape(s) for s in sizes), sizes
    table = [p for p in range(1, len(sizes) + 1) if "填报说明" not in _text(pdf, p)]
    flat = "".join(re.sub(r"\s+", "", _text(pdf, p)) for p in table)
    assert [h for h in headers if re.sub(r"\s+", "", str(h)) not in flat] == []
    for p in table:  # each page across repeats the unit's code and name, at full size
        assert "城北社区" in _text(pdf, p) and min(_sizes(pdf, p)) >= 9.0


def keep_png(pdf: Path, name: str) -> None:
    """``RONGHE_KEEP_PNG=docs``: page 1 as a PNG in docs/ for people to look at."""
    import os

    if os.environ.get("RONGHE_KEEP_PNG") != "docs":
        return
    out = Path(__file__).resolve().parents[2] / "docs" / name
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out)], check=True)  # fmt: skip
