"""A late correction ripples: the 通报 of the quarter after follows it, each earlier
version is kept beside the current one, and the new one carries a 更正说明; the score
history (``marts.unit_scores_history``) says what the correction changed. A quarter whose
figures did not change is not written again, and never carries a 更正说明."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from reports import write_reports
from reports.versions import SHEET
from tests.support.warehouse import economy, new_warehouse, scored_unit, unit
from warehouse.db import transaction
from warehouse.marts import build_marts
from warehouse.ripple import dependents, weak_counts
from warehouse.ruleset import load_rules

A, B, C = "320602000000", "320623000000", "320681000000"
Q3, Q4 = "2017Q3", "2017Q4"
GROWTH = {Q3: {A: 8.0, B: 6.0, C: 3.0}, Q4: {A: 9.0, B: 6.0, C: 7.0}}  # D = 10·g, P 100


def _rows(ws: Any) -> list[dict[str, Any]]:
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(values) if "单位代码" in r)
    return [dict(zip(values[at], r, strict=False)) for r in values[at + 1 :] if any(r)]


def _county_rows(path: Path) -> dict[str, dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r["单位代码"]: r for r in _rows(book["县区排名"])}
    finally:
        book.close()


@pytest.fixture
def published(tmp_path: Path) -> Path:
    con = new_warehouse()
    for code, name in ((A, "崇川区"), (B, "如东县"), (C, "启东市")):
        unit(con, code, "county", "district", parent=None, name=name)
    for period, growth in GROWTH.items():
        for code, g in growth.items():
            scored_unit(con, code, period, party="100", growth=None)
            economy(con, code, period, growth_target_pct=10.0, gdp_growth_pct=g)
    with transaction(con):
        build_marts(con, list(GROWTH), load_rules())
    path = tmp_path / "warehouse.duckdb"
    con.execute(f"ATTACH '{path}' AS file")
    con.execute("COPY FROM DATABASE memory TO file")
    con.close()
    return path


def _correct(path: Path, growth: float = 9.5) -> tuple[str, ...]:
    """启东市's 2017Q3 growth corrected from 3 to 9.5: rank 3 → 1. The quarters it feeds."""
    con = duckdb.connect(str(path))
    try:
        before = weak_counts(con, [Q3])
        with transaction(con):
            con.execute(
                "UPDATE core.economy SET gdp_growth_pct = ? WHERE unit_code = ? AND period = ?",
                [growth, C, Q3],
            )
            build_marts(con, [Q3], load_rules())
        return dependents(con, [Q3], before)
    finally:
        con.close()


def test_a_correction_rewrites_the_next_quarters_rank_change(
    published: Path, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    write_reports(published, reports, [Q3, Q4])
    q4 = reports / Q4 / f"assessment-{Q4}.xlsx"
    assert _county_rows(q4)[C]["排名变化"] == 3 - 2  # 3rd in Q3, 2nd in Q4: up one

    stale = _correct(published)
    assert stale == (Q4,)  # the quarter after; 2017Q2 and 2018Q3 have no marts
    write_reports(published, reports, [Q3, *stale])

    row = _county_rows(q4)[C]
    assert (row["上季度排名"], row["排名变化"]) == (1, 1 - 2)  # from rank 1: down one
    # the earlier versions beside the current ones, with their time
    for period in (Q3, Q4):
        assert len(list((reports / period).glob(f"assessment-{period}.*.xlsx"))) == 1
        assert len(list((reports / period).glob(f"brief-{period}.*.html"))) == 1
    (kept,) = (reports / Q4).glob(f"assessment-{Q4}.*.xlsx")
    assert _county_rows(kept)[C]["上季度排名"] == 3  # what was sent before, unchanged
    book = openpyxl.load_workbook(reports / Q3 / f"assessment-{Q3}.xlsx", read_only=True)
    try:
        cells = book[SHEET].iter_rows(values_only=True)
        text = [[str(v) for v in r if v is not None] for r in cells]
    finally:
        book.close()
    assert "得分或排名变动的单位3个" in text[1][0]
    moved = {r[0]: r for r in text[4:7]}
    assert moved["启东市"][5] == "3 → 1" and moved["启东市"][3] == "30.00 → 95.00"
    assert moved["崇川区"][5] == "1 → 2" and moved["如东县"][5] == "2 → 3"
    brief = (reports / Q3 / f"brief-{Q3}.html").read_text(encoding="utf-8")
    assert "更正说明" in brief and "3 → 1" in brief
    document = _document_text(reports / Q3 / f"通报-{Q3}.docx")
    assert "得分或排名变动的单位3个" in document and "3 → 1" in document
    # the quarter after: its own scores stand, the rank it compares with moved
    q4 = _document_text(reports / Q4 / f"通报-{Q4}.docx")
    assert "其他变动的数字" in q4 and "启东市上季度排名" in q4


def _document_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _stamps(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_a_quarter_that_shows_nothing_new_is_not_written_again(
    published: Path, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    first, _ = write_reports(published, reports, [Q3, Q4])
    assert not any(r.unchanged or r.corrected for r in first)
    before = {p: _stamps(reports / p) for p in (Q3, Q4)}
    again, _ = write_reports(published, reports, [Q3, Q4])  # nothing changed at all
    assert all(r.unchanged for r in again)
    assert {p: _stamps(reports / p) for p in (Q3, Q4)} == before
    # a correction that moves 启东市's 2017Q3 score but not its rank: 2017Q4 shows the
    # same figures (its rank change compares ranks), so it is not written again
    stale = _correct(published, growth=3.5)
    assert stale == (Q4,)
    after, _ = write_reports(published, reports, [Q3, *stale])
    assert [(r.period, r.unchanged, r.corrected) for r in after] == [
        (Q3, False, True),
        (Q4, True, False),
    ]
    assert _stamps(reports / Q4) == before[Q4]
    text = _document_text(reports / Q3 / f"通报-{Q3}.docx")
    assert "得分或排名变动的单位1个" in text and "30.00 → 35.00" in text


def test_a_version_written_again_without_a_changed_figure_has_no_correction(
    published: Path, tmp_path: Path
) -> None:
    """The record beside it lost (or a new layout): written again, but no 更正说明."""
    reports = tmp_path / "reports"
    write_reports(published, reports, [Q3])
    (reports / Q3 / f".figures-{Q3}.json").unlink()
    (written,), _ = write_reports(published, reports, [Q3])
    assert not written.unchanged and not written.corrected
    assert len(list((reports / Q3).glob(f"assessment-{Q3}.*.xlsx"))) == 1  # the earlier kept
    book = openpyxl.load_workbook(written.workbook, read_only=True)
    try:
        assert SHEET not in book.sheetnames
    finally:
        book.close()
    assert "更正说明" not in written.brief.read_text(encoding="utf-8")
    assert "更正说明" not in _document_text(written.document)


def test_the_score_history_says_what_the_correction_changed(published: Path) -> None:
    _correct(published)
    query = (Path(__file__).resolve().parents[3] / "docs" / "queries").glob("11_*.sql")
    sql = next(iter(query)).read_text(encoding="utf-8")
    con = duckdb.connect(str(published), read_only=True)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    by_unit = {r["unit_code"]: r for r in rows}
    assert set(by_unit) == {A, B, C}  # every unit of 2017Q3 moved; nothing of 2017Q4
    assert (by_unit[C]["rank_before"], by_unit[C]["rank_after"]) == (3, 1)
    assert (by_unit[C]["development_before"], by_unit[C]["development_after"]) == (30.0, 95.0)
    assert all(r["period"] == Q3 for r in rows)
