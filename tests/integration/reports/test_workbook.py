"""The assessment workbook read back as an analyst's Excel would: openpyxl on the file.

Every figure is checked against the marts it comes from (queried here directly, not
through reports.data), and no cell may be a formula, even for a project named
``=HYPERLINK(...)``.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from reports.cells import put
from reports.compare import kind
from reports.labels import QUADRANTS_ZH
from reports.text import SUMMARY_ROWS, correlation_note
from reports.workbook import SHEETS
from tests.support.report_warehouse import (
    INJECTED_NAME,
    PERIOD,
    QUARANTINED_NAME,
    Built,
    query,
    sample_report,
    sample_warehouse,
)
from transforms.workbook import workbook

__all__ = ["sample_report", "sample_warehouse"]  # fixtures

HEADER = 3  # the header row (1-based)


@pytest.fixture(scope="module")
def book(sample_report: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(sample_report.workbook)


def table(ws: Worksheet, header_row: int = HEADER) -> list[dict[str, Any]]:
    """The sheet's main table as dicts keyed by the Chinese headers."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for cells in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in cells):
            break
        rows.append({h: v for h, v in zip(headers, cells, strict=False) if h})
    return rows


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


SCORES = """
    SELECT s.*, u.name FROM marts.unit_scores s JOIN core.units u USING (unit_code)
    WHERE s.period = ? AND s.level = ?
"""


def test_sheet_names(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [*SHEETS, "图表数据"]
    assert book["图表数据"].sheet_state == "hidden"  # chart data: not printed
    assert book.sheetnames == [
        "概况", "县区排名", "镇街排名", "村社区", "薄弱村",
        "联动分析", "报送情况", "数据质量", "书记项目", "图表数据",
    ]  # fmt: skip


def test_summary_equals_city_summary(book: openpyxl.Workbook, sample_warehouse: Built) -> None:
    """Balances and counts against the previous quarter and 上年同期; year-to-date figures
    against 上年同期 only, their quarter-on-quarter view of the quarter's own amount."""
    marts = {
        r["period"]: r
        for r in query(sample_warehouse.published, "SELECT * FROM marts.city_summary")
    }
    ws = book["概况"]
    by_label = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    cur, prev, ago = marts["2017Q4"], marts["2017Q3"], marts["2016Q4"]
    for key, label, _ in SUMMARY_ROWS:
        v = by_label[label]
        assert close(v[1], cur[key]), key
        if kind(key) == "stock":
            assert close(v[2], prev[key]), key
            assert close(v[3], cur[key] - prev[key]), key
            assert close(v[4], ago[key]), key
            assert close(v[5], cur[key] - ago[key]), key
        else:
            assert close(v[2], ago[key]), key
            assert close(v[3], cur[key] - ago[key]), key
            # never the previous quarter's year-to-date
            assert not any(close(x, prev[key]) for x in v[2:] if x is not None), key
        if kind(key) == "ytd":
            assert close(v[5], cur[key] - prev[key]), key  # 当季 = Q4 − Q3
            assert v[6] is None, key  # 2017Q3's own amount needs 2017Q2 (not loaded)
    header = next(r for r in ws.iter_rows() if r[0].value == "指标")
    assert header[1].value == "2017年第四季度"
    row = next(r for r in ws.iter_rows() if r[0].value == "党员数")
    assert row[3].number_format == "+#,##0;-#,##0;0"  # a count's change prints as an integer


def test_county_ranking_equals_unit_scores(
    book: openpyxl.Workbook, sample_warehouse: Built
) -> None:
    marts = {
        r["unit_code"]: r for r in query(sample_warehouse.published, SCORES, [PERIOD, "county"])
    }
    prev = {
        r["unit_code"]: r for r in query(sample_warehouse.published, SCORES, ["2017Q3", "county"])
    }
    rows = table(book["县区排名"])
    assert {r["单位代码"] for r in rows} == set(marts)
    ranks = [r["全市排名"] for r in rows if r["全市排名"] is not None]
    assert ranks == sorted(ranks) and len(ranks) == sum(m["complete"] for m in marts.values())
    for r in rows:
        m = marts[r["单位代码"]]
        if not m["complete"]:  # no C, F, quadrant or rank: tested in test_sections
            assert r["全市排名"] is None and r["综合得分C"] is None
            continue
        assert r["县（市、区）"] == m["name"]
        assert r["全市排名"] == m["rank_in_level"]
        assert close(r["党建得分P"], m["party_score"])
        assert close(r["发展得分D"], m["development_score"])
        assert close(r["系数k"], m["coefficient"])
        assert close(r["综合得分C"], m["composite_score"])
        assert close(r["融合度F"], m["fusion"])
        assert r["象限"] == QUADRANTS_ZH[m["quadrant"]]
        p = prev[r["单位代码"]]
        assert r["上季度排名"] == p["rank_in_level"]
        assert r["排名变化"] == p["rank_in_level"] - m["rank_in_level"]


def test_township_ranking_grouped_by_county(
    book: openpyxl.Workbook, sample_warehouse: Built
) -> None:
    marts = {
        r["unit_code"]: r for r in query(sample_warehouse.published, SCORES, [PERIOD, "township"])
    }
    rows = table(book["镇街排名"])
    assert {r["单位代码"] for r in rows} >= set(marts)
    seen: list[str] = []
    for r in rows:
        if not seen or seen[-1] != r["县（市、区）"]:
            assert r["县（市、区）"] not in seen, "townships of a county are together"
            seen.append(r["县（市、区）"])
        m = marts.get(r["单位代码"])
        if m is None:
            assert r["综合得分C"] is None
            continue
        assert r["县内排名"] == m["rank_in_parent"]
        assert r["全市排名"] == m["rank_in_level"]
        assert close(r["综合得分C"], m["composite_score"])
        assert close(r["党建得分P"], m["party_score"])


def test_every_village_and_community_is_listed(
    book: openpyxl.Workbook, sample_warehouse: Built
) -> None:
    valid = query(
        sample_warehouse.published,
        "SELECT unit_code FROM core.units WHERE level = 'village'"
        " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)",
        [PERIOD, PERIOD],
    )
    marts = {
        r["unit_code"]: r for r in query(sample_warehouse.published, SCORES, [PERIOD, "village"])
    }
    weak = {
        r["unit_code"]
        for r in query(
            sample_warehouse.published,
            "SELECT unit_code FROM marts.weak_villages WHERE period = ?",
            [PERIOD],
        )
    }
    ws = book["村社区"]
    full = next(  # the full table is below the printed summary, outside the print area
        c.row for c in ws["A"] if c.value == "县（市、区）" and ws.cell(c.row, 13).value
    )
    rows = table(ws, full)
    assert sorted(r["单位代码"] for r in rows) == sorted(v["unit_code"] for v in valid)
    for r in rows:
        m = marts.get(r["单位代码"])
        assert (r["报送"] == "未报送") == (m is None)
        if m is not None:
            assert close(r["党建得分P"], m["party_score"])
            assert close(r["发展得分D"], m["development_score"])
            assert close(r["综合得分C"], m["composite_score"])
            assert r["镇内排名"] == m["rank_in_parent"]
            assert r["全市排名"] == m["rank_in_level"]
        assert (r["薄弱村预警"] == "是") == (r["单位代码"] in weak)
        assert r["县（市、区）"] and r["镇（街道）"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{full}:")
    # what prints: the summary per county and the first and last five, not 1,800 rows
    (area,) = ws.print_area if isinstance(ws.print_area, list) else [ws.print_area]
    last_printed = int(str(area).rsplit("$", 1)[-1])
    assert last_printed < full < len(rows)


def test_weak_villages_and_trend(book: openpyxl.Workbook, sample_warehouse: Built) -> None:
    marts = {
        r["unit_code"]: r
        for r in query(
            sample_warehouse.published,
            "SELECT * FROM marts.weak_villages WHERE period = ?",
            [PERIOD],
        )
    }
    ws = book["薄弱村"]
    rows = table(ws)
    assert {r["单位代码"] for r in rows} == set(marts)
    for r in rows:
        m = marts[r["单位代码"]]
        assert close(r["党建得分P"], m["party_score"])
        assert close(r["年化集体经营性收入（万元）"], m["collective_income_annualised"])
        assert ("收入" in r["预警原因"]) == m["low_income"]
        assert ("党建得分" in r["预警原因"]) == m["low_party_score"]
    counts = query(
        sample_warehouse.published,
        "SELECT period, count(*) AS n FROM marts.weak_villages GROUP BY period ORDER BY period",
    )
    trend_col = next(c.column for c in ws[HEADER] if c.value == "季度")
    trend = [
        (ws.cell(r, trend_col).value, ws.cell(r, trend_col + 1).value)
        for r in range(HEADER + 1, HEADER + 1 + len(counts))
    ]
    assert trend == [(c["period"], c["n"]) for c in counts]


def test_linkage_equals_marts_with_a_caution_for_few_units(
    book: openpyxl.Workbook, sample_warehouse: Built
) -> None:
    marts = {
        r["level"]: r
        for r in query(
            sample_warehouse.published, "SELECT * FROM marts.linkage WHERE period = ?", [PERIOD]
        )
    }
    rows = {r["层级"]: r for r in table(book["联动分析"])}
    for level, label in (
        ("county", "县（市、区）"),
        ("township", "镇（街道）"),
        ("village", "村（社区）"),
    ):
        r, m = rows[label], marts[level]
        assert r["参与分析单位数"] == m["units"]
        assert close(r["相关系数r（P与D）"], m["corr_party_development"])
        assert close(r["下季度相关系数r（P与下季度D）"], m["corr_party_development_next"])
        assert close(r["党建得分中位数"], m["median_party_score"])
        assert close(r["发展得分中位数"], m["median_development_score"])
        for q, zh in QUADRANTS_ZH.items():
            assert r[zh] == m[q]
        assert r["说明"] == correlation_note(m)
    assert marts["county"]["units"] < 10
    assert "样本太少" in rows["县（市、区）"]["说明"]
    assert "样本太少" not in rows["村（社区）"]["说明"]


def test_quarantine_reasons_in_chinese(book: openpyxl.Workbook) -> None:
    quality = [str(c.value) for row in book["数据质量"].iter_rows() for c in row if c.value]
    assert any(t == "数值超出范围" for t in quality)


def test_quality_lists_the_sources_the_last_pull_could_not_reach(
    sample_warehouse: Built, tmp_path: Path
) -> None:
    import shutil

    import duckdb

    from reports import write_report

    published = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.published, published)
    con = duckdb.connect(str(published))
    con.execute(
        "INSERT INTO meta.source_status VALUES ('rudong-ftp', '320623000000',"
        " TIMESTAMP '2018-01-10 09:00', false, 'login refused', 0, 0, NULL)"
    )
    con.close()
    got = write_report(published, PERIOD, tmp_path / "out")
    rows = [
        [c.value for c in row]
        for row in openpyxl.load_workbook(got.workbook)["数据质量"].iter_rows()
        if any(c.value for c in row)
    ]
    at = next(i for i, r in enumerate(rows) if r[0] == "无法连接的数据源清单（最近一次拉取）")
    assert rows[at + 2][:6] == [
        "rudong-ftp",
        "如东县",
        "320623000000",
        "2018-01-10 09:00",
        "从未连通",
        "login refused",
    ]


def test_charts_exist(sample_report: Any) -> None:
    with zipfile.ZipFile(sample_report.workbook) as z:
        charts = [n for n in z.namelist() if re.match(r"xl/charts/chart\d+\.xml", n)]
        kinds = [
            re.findall(r"<c:(barChart|lineChart|scatterChart)>", z.read(n).decode()) for n in charts
        ]
    flat = [k for ks in kinds for k in ks]
    assert flat.count("barChart") == 1
    assert flat.count("lineChart") == 1
    assert flat.count("scatterChart") == 2  # county and township P–D, with median lines


def test_charts_are_on_their_sheets(book: openpyxl.Workbook) -> None:
    assert len(book["县区排名"]._charts) == 1
    assert len(book["薄弱村"]._charts) == 1
    assert len(book["联动分析"]._charts) == 2


def test_formats_freeze_and_print_setup(book: openpyxl.Workbook) -> None:
    ws = book["县区排名"]
    headers = [c.value for c in ws[HEADER]]
    for name in ("党建得分P", "发展得分D", "综合得分C", "融合度F"):
        col = headers.index(name) + 1
        assert ws.cell(HEADER + 1, col).number_format == "0.00"
    for name in SHEETS:
        s = book[name]
        assert s.page_setup.orientation == "landscape", name
        assert str(s.page_setup.paperSize) == "9", name  # A4
    for name in ("县区排名", "镇街排名", "薄弱村", "联动分析", "书记项目"):
        s = book[name]
        assert s.freeze_panes == "A4", name
        assert s.print_title_rows == "$3:$3", name
    # names in Chinese fit their column: 南通经济技术开发区 is 9 characters, 18 wide
    width = ws.column_dimensions["B"].width
    assert width is not None and width >= 18
    assert book["县区排名"].conditional_formatting
    assert book["村社区"].conditional_formatting


def test_no_cell_is_a_formula(sample_report: Any, book: openpyxl.Workbook) -> None:
    with zipfile.ZipFile(sample_report.workbook) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(n).decode() and "<f " not in z.read(n).decode(), n
    texts: list[str] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), c.value
                    texts.append(c.value)
    # the loaded project is listed under its name, made harmless
    assert "'" + INJECTED_NAME in texts
    # the quarantined one under 数据质量, likewise
    quality = [c.value for row in book["数据质量"].iter_rows() for c in row]
    assert any(isinstance(v, str) and "'" + QUARANTINED_NAME in v for v in quality)


def test_cells_go_through_the_one_guard(tmp_path: Path) -> None:
    """The report writes text through transforms.cells.safe_cell (leading spaces too)."""
    texts = [
        "=1+1",
        "+86",
        "-3",
        "@x",
        "\tx",
        "\nx",
        " =1",
        "\u3000=1",
        "崇川区",
        "a=b",
    ]  # \r: safe_cell tests
    path = tmp_path / "cells.xlsx"
    wb = workbook(path)
    ws = wb.add_worksheet("s")
    for i, t in enumerate(texts):
        put(ws, i, 0, t)
    put(ws, len(texts), 0, -3.5)  # a negative number is no formula
    wb.close()
    got = [r[0] for r in openpyxl.load_workbook(path)["s"].iter_rows(values_only=True)]
    assert got[:-1] == ["'" + t for t in texts[:-2]] + ["崇川区", "a=b"]
    assert got[-1] == -3.5


def test_report_command_writes_under_home(sample_warehouse: Built, tmp_path: Path) -> None:
    from cli.main import main

    out = tmp_path / "out"
    assert (
        main(
            [
                "--home",
                str(sample_warehouse.home),
                "report",
                "--period",
                "2017年第四季度",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert (out / "assessment-2017Q4.xlsx").is_file()
    assert (out / "brief-2017Q4.html").is_file()
    assert (out / "通报-2017Q4.docx").is_file()  # the document the department issues
    # a quarter without marts is a failure in one line
    assert (
        main(
            [
                "--home",
                str(sample_warehouse.home),
                "report",
                "--period",
                "2015Q1",
                "--out",
                str(out),
            ]
        )
        == 1
    )
