"""Read limits, the workbook worker and the scan identity (issue 19)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xlsxwriter

from tests.support.poison import far_cell_xlsx
from transforms import worker
from transforms.limits import LimitExceeded, ReadLimits, check_zip
from transforms.read import read_file
from transforms.scanned import ChangedSinceScan, read_scanned, scanned
from transforms.shown import escaped, json_safe


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    with xlsxwriter.Workbook(str(path)) as wb:
        sheet = wb.add_worksheet()
        for n, row in enumerate(rows):
            sheet.write_row(n, 0, row)
    return path


def test_a_far_cell_is_past_the_used_range_limit(tmp_path: Path) -> None:
    data = far_cell_xlsx(tmp_path / "far.xlsx").read_bytes()
    with pytest.raises(LimitExceeded, match="row 1,048,576 and column 16,384"):
        check_zip(data, ReadLimits())
    check_zip(data, ReadLimits(max_cells=10**12))  # the limit, not the file, decides


def test_a_good_workbook_reads_the_same_in_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _xlsx(tmp_path / "supervision_ok.xlsx", [["unit_code", "x"], ["320602", 1.5]])
    there = read_file(path)
    monkeypatch.setenv("RONGHE_READ_WORKER", "0")
    here = read_file(path)
    assert there.reasons == here.reasons == ["missing_columns"]
    assert there.frame is not None and here.frame is not None
    assert there.frame.equals(here.frame)


def test_the_worker_dies_alone_and_comes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RONGHE_READ_MAX_CELLS", "1e15")
    monkeypatch.setenv("RONGHE_READ_MAX_MEMORY_MB", "1200")
    bad = read_file(far_cell_xlsx(tmp_path / "supervision_far.xlsx"))
    assert bad.reasons == ["unreadable_file"] and bad.detail.startswith("damaged or too large")
    good = read_file(_xlsx(tmp_path / "supervision_ok.xlsx", [["unit_code", "x"], ["320602", 1]]))
    assert good.reasons == ["missing_columns"] and good.rows == 1
    worker.shutdown()


def test_a_file_changed_since_the_scan_waits(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    seen = scanned(path, os.stat(path))
    assert read_scanned(seen, ReadLimits()) == b"a\n1\n"
    with open(path, "a", encoding="utf-8") as f:
        f.write("2\n")
    with pytest.raises(ChangedSinceScan):
        read_scanned(seen, ReadLimits())
    outside = tmp_path / "outside.csv"
    outside.write_text("secret\n", encoding="utf-8")
    seen = scanned(path, os.stat(path))
    path.unlink()
    path.symlink_to(outside)
    with pytest.raises(ChangedSinceScan, match="symbolic link"):
        read_scanned(seen, ReadLimits())
    assert read_file(seen).waiting


def test_shown_text_is_escaped_and_json_safe() -> None:
    assert escaped("a\nb\x1b[2J\u202e") == "a\\nb\\x1b[2J\\u202e"
    assert json_safe([float("nan"), {"x": float("inf")}, 1.5]) == [None, {"x": None}, 1.5]


def _sheet_xml(path: Path, cells: str, dimension: str) -> Path:
    from tests.support.poison import _sheet, _write

    return _write(path, _sheet(cells, dimension), ["单位代码"])


def test_the_range_a_sheet_declares_counts_for_nothing(tmp_path: Path) -> None:
    """LibreOffice, after a deleted row: A1:AF1048576 declared, an empty last row, styled
    empty cells; the cells it holds are few, and it reads (issue 29)."""
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2" s="3"/><c r="AF2" s="3"></c></row>'
        '<row r="1048576" customFormat="false" ht="12.8" hidden="false"></row>'
    )
    data = _sheet_xml(tmp_path / "lo.xlsx", cells, "A1:AF1048576").read_bytes()
    check_zip(data, ReadLimits(max_cells=100))  # two cells, in A1:B1
    # a value at XFD1048576 alone is one cell, but a reader pads its rows from row 1: a
    # million rows for one cell, refused before any reader allocates them
    alone = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    far = _sheet_xml(tmp_path / "alone.xlsx", alone, "XFD1048576").read_bytes()
    with pytest.raises(LimitExceeded, match="a few cells spread over 1,048,576"):
        check_zip(far, ReadLimits())
    # cells without a reference are the next column of their row
    bare = '<row r="1"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>'
    with pytest.raises(LimitExceeded, match="holds 3 cells"):
        check_zip(
            _sheet_xml(tmp_path / "bare.xlsx", bare, "A1").read_bytes(), ReadLimits(max_cells=2)
        )


def test_cells_split_over_the_reading_chunks_are_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transforms import limits

    row = "".join(
        f'<c r="{c}1"><v>{i}</v></c><c r="{c}2" s="1"></c>' for i, c in enumerate("ABCDEFGH")
    )
    data = _sheet_xml(tmp_path / "chunks.xlsx", f'<row r="1">{row}</row>', "A1:H2").read_bytes()
    for size in (7, 13, 64):
        monkeypatch.setattr(limits, "_CHUNK", size)
        check_zip(data, ReadLimits(max_cells=8))  # 8 values in row 1; row 2 holds nothing
        with pytest.raises(LimitExceeded, match="holds 8 cells"):
            check_zip(data, ReadLimits(max_cells=7))
