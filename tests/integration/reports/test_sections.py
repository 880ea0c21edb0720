"""Every section shows its table's data, on the real sample run through the real pipeline.

Each test reads the mart (or ``quarantine.problems``) directly and finds the same facts
in the workbook (openpyxl) and in the brief's HTML: a section that stopped showing its
data, or fell back to an empty note, fails here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reports.labels import REPORT_KINDS_ZH, WEAK_STATUS_ZH
from tests.support.report_warehouse import (
    INCOMPLETE_UNIT,
    PERIOD,
    Built,
    query,
    sample_report,
    sample_warehouse,
)

__all__ = ["sample_report", "sample_warehouse"]  # fixtures

HEADER = 3


@pytest.fixture(scope="module")
def book(sample_report: Any) -> openpyxl.Workbook:
    return openpyxl.load_workbook(sample_report.workbook)


class _Rows(HTMLParser):
    """The text of every table row of the brief, per section id."""

    def __init__(self) -> None:
        super().__init__()
        self.section: str | None = None
        self.rows: dict[str, list[list[str]]] = {}
        self.texts: dict[str, list[str]] = {}
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id")
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.section:
            self.rows.setdefault(self.section, []).append(self.row)
            self.row = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.section:
            self.texts.setdefault(self.section, []).append(data)


@pytest.fixture(scope="module")
def brief(sample_report: Any) -> _Rows:
    parser = _Rows()
    parser.feed(Path(sample_report.brief).read_text(encoding="utf-8"))
    return parser


def section_text(brief: _Rows, sid: str) -> str:
    return "".join(brief.texts.get(sid, []))


def cells(book: openpyxl.Workbook, sheet: str) -> list[list[Any]]:
    return [list(r) for r in book[sheet].iter_rows(values_only=True)]


def texts(book: openpyxl.Workbook, sheet: str) -> list[str]:
    return [str(v) for row in cells(book, sheet) for v in row if v is not None]


def test_no_section_waits_for_a_table(book: openpyxl.Workbook, sample_report: Any) -> None:
    for ws in book.worksheets:
        for t in texts(book, ws.title):
            assert "本期暂无数据" not in t and "数据仓库尚无" not in t, (ws.title, t)
    html = Path(sample_report.brief).read_text(encoding="utf-8")
    assert "本期暂无数据" not in html and "数据仓库尚无" not in html


FILING_BY_COUNTY = """
    WITH u AS (
        SELECT u.unit_code, CASE u.level WHEN 'county' THEN u.unit_code
            WHEN 'township' THEN u.parent_code ELSE t.parent_code END AS county
        FROM core.units u LEFT JOIN core.units t ON t.unit_code = u.parent_code
    )
    SELECT c.name, count(*) FILTER (f.status = 'loaded') AS loaded,
        count(*) FILTER (f.status = 'quarantined') AS quarantined,
        count(*) FILTER (f.status = 'missing') AS missing
    FROM marts.filing_status f JOIN u USING (unit_code) JOIN core.units c ON c.unit_code = u.county
    WHERE f.period = ? GROUP BY c.name
"""


def test_filing_counts_equal_filing_status(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    marts = {
        r["name"]: [r["loaded"], r["quarantined"], r["missing"]]
        for r in query(sample_warehouse.published, FILING_BY_COUNTY, [PERIOD])
    }
    assert sum(sum(v) for v in marts.values()) > 0
    rows = cells(book, "报送情况")
    header = rows.index(["县（市、区）", "已入库", "已隔离", "未报送", *rows[HEADER][4:]])
    shown = {}
    for r in rows[header + 1 :]:
        if r[0] is None:
            break
        shown[r[0]] = list(r[1:4])
    assert shown == {name: marts.get(name, [0, 0, 0]) for name in shown}
    assert set(marts) <= set(shown)
    html = {r[0]: [int(v) for v in r[1:4]] for r in brief.rows["filing"][1:] if len(r) == 4}
    assert html == shown
    # the list of what did not load names the quarantined 港闸区 project report
    listed = query(
        sample_warehouse.published,
        "SELECT count(*) AS n FROM marts.filing_status WHERE period = ? AND status <> 'loaded'",
        [PERIOD],
    )[0]["n"]
    assert listed and len([r for r in brief.rows["annex-filing"] if len(r) == 5]) - 1 == listed


def test_quality_lists_the_problem_sentences(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    problems = query(
        sample_warehouse.published,
        "SELECT unit_code, kind, message_zh FROM quarantine.problems WHERE period = ?",
        [PERIOD],
    )
    assert problems, "the sample quarantines reports in the quarter"
    other = query(
        sample_warehouse.published,
        "SELECT message_zh FROM quarantine.problems WHERE period <> ?",
        [PERIOD],
    )
    sheet = texts(book, "数据质量")
    html = section_text(brief, "annex-quality")  # clerk-level rows: the 数据质量 annex
    for p in problems:
        assert p["message_zh"] in sheet
        assert p["message_zh"] in html
        assert REPORT_KINDS_ZH[p["kind"]] in html
    mine = {p["message_zh"] for p in problems}
    for o in other:  # another quarter's problems are not this one's
        if o["message_zh"] not in mine:
            assert o["message_zh"] not in sheet


def test_quality_counts_agree_with_their_own_lists(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built, sample_report: Any
) -> None:
    """被隔离的报表: the count, the sentence and the list say the same number, which is the
    warehouse's number of quarantined reports (kind, unit, file) of the quarter."""
    reports = query(
        sample_warehouse.published,
        "SELECT count(DISTINCT (kind, unit_code, source_sha256)) AS n FROM quarantine.reports"
        " WHERE period = ?",
        [PERIOD],
    )[0]["n"]
    assert reports
    rows = cells(book, "数据质量")
    counted = next(r[1] for r in rows if r[0] == "被隔离的报表（份）")
    at = next(i for i, r in enumerate(rows) if re.fullmatch(r"被隔离的报表（\d+份）", str(r[0])))
    listed = 0
    for r in rows[at + 2 :]:
        if r[0] is None:
            break
        listed += 1
    assert counted == listed == reports
    assert rows[at][0] == f"被隔离的报表（{reports}份）"
    html = Path(sample_report.brief).read_text(encoding="utf-8")
    assert html.count("<tr data-report>") == reports
    assert f"本季度{reports}份报表被隔离" in section_text(brief, "quality")
    html_counts = [r for r in brief.rows["quality"] if r and r[0] == "被隔离的报表（份）"]
    assert html_counts and html_counts[0][1] == str(reports)


def test_weak_list_shows_the_annual_determination(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    years = {
        r["unit_code"]: r
        for r in query(
            sample_warehouse.published,
            "SELECT * FROM marts.weak_village_years WHERE year = 2017",  # Q4: the year itself
        )
    }
    assert any(r["status"] for r in years.values())
    ws = book["薄弱村"]
    headers = [c.value for c in ws[HEADER]]
    assert "最近年度认定（2017年）" in headers
    code, status = headers.index("单位代码"), headers.index("最近年度认定（2017年）")
    seen = 0
    for row in ws.iter_rows(min_row=HEADER + 1, values_only=True):
        if row[code] is None:
            break
        y = years.get(row[code])
        expected = WEAK_STATUS_ZH[y["status"]] if y and y["status"] else None
        assert row[status] == expected, row[code]
        seen += expected is not None
    assert seen > 0
    weak = sum(1 for r in years.values() if r["weak"])
    new = sum(1 for r in years.values() if r["status"] == "new")
    sentence = f"2017年度认定：认定{len(years)}个村，其中薄弱村{weak}个（新增{new}个"
    assert any(sentence in t for t in texts(book, "薄弱村"))
    assert sentence in section_text(brief, "weak")
    html_status = [r[6] for r in brief.rows["annex-weak"][1:]]
    assert sorted(s for s in html_status if s) == sorted(
        WEAK_STATUS_ZH[years[c]["status"]]
        for c in (
            r["unit_code"]
            for r in query(
                sample_warehouse.published,
                "SELECT unit_code FROM marts.weak_villages WHERE period = ?",
                [PERIOD],
            )
        )
        if c in years and years[c]["status"]
    )


def test_summary_shows_the_complete_units(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    counts = {
        r["level"]: r
        for r in query(
            sample_warehouse.published,
            "SELECT level, count(*) AS scored, count(*) FILTER (complete) AS complete,"
            " count(rank_in_level) AS ranked FROM marts.unit_scores WHERE period = ?"
            " GROUP BY level",
            [PERIOD],
        )
    }
    assert counts["county"]["complete"] < counts["county"]["scored"]  # 通州区
    labels = {"county": "县（市、区）", "township": "镇（街道）", "village": "村（社区）"}
    rows = cells(book, "概况")
    header = next(
        i for i, r in enumerate(rows) if r[:2] == ["层级", "有报表的单位"] and r[2] is not None
    )
    assert rows[header][2].startswith("完整报送单位")
    shown = {r[0]: r[1:4] for r in rows[header + 1 : header + 4]}
    html = {r[0]: r[1:4] for r in brief.rows["summary"] if r and r[0] in labels.values()}
    for level, label in labels.items():
        c = counts[level]
        assert shown[label] == [c["scored"], c["complete"], c["ranked"]], level
        printed = [f"{c[k]:,}" for k in ("scored", "complete", "ranked")]  # 1,811, not 1811
        assert html[label] == printed, level


def test_incomplete_county_is_last_unranked_with_what_it_lacks(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    m = query(
        sample_warehouse.published,
        "SELECT s.*, u.name FROM marts.unit_scores s JOIN core.units u USING (unit_code)"
        " WHERE s.period = ? AND s.unit_code = ?",
        [PERIOD, INCOMPLETE_UNIT],
    )[0]
    assert not m["complete"] and m["missing_kinds"] == ["economy"]
    assert m["party_score"] is not None and m["composite_score"] is None
    ws = book["县区排名"]
    headers = [c.value for c in ws[HEADER]]
    rows = [
        dict(zip(headers, r, strict=False))
        for r in ws.iter_rows(min_row=HEADER + 1, values_only=True)
        if r[headers.index("单位代码")]
    ]
    ranked = [r for r in rows if r["全市排名"] is not None]
    assert rows[: len(ranked)] == ranked  # the unranked come last
    last = rows[-1]
    assert last["单位代码"] == INCOMPLETE_UNIT
    assert last["县（市、区）"] == m["name"]
    for col in ("全市排名", "综合得分C", "融合度F", "象限"):
        assert last[col] is None, col
    assert abs(last["党建得分P"] - m["party_score"]) < 1e-9
    assert last["缺报情况"] == "经济指标季报"
    assert all(r["缺报情况"] == "无" for r in ranked)
    html = [r for r in brief.rows["counties"] if len(r) == 10 and r[0] != "排名"]
    assert html[-1][1] == m["name"]
    assert html[-1][0] == "" and html[-1][5] == "" and html[-1][6] == "" and html[-1][7] == ""
    assert html[-1][9] == "经济指标季报"
    assert "未排名" in section_text(brief, "counties")


def test_scatters_plot_complete_units_only(book: openpyxl.Workbook) -> None:
    rows = cells(book, "图表数据")  # the hidden sheet of chart data
    names = {str(r[0]) for r in rows if r[0]}
    assert "县（市、区）（散点图数据）" in names
    start = next(i for i, r in enumerate(rows) if r[0] == "县（市、区）" and r[1] == "党建得分P")
    plotted = []
    for r in rows[start + 1 :]:
        if r[0] is None:
            break
        plotted.append(r[0])
    assert plotted and "通州区" not in plotted


def test_summary_says_which_economy_reports_its_totals_lack(
    book: openpyxl.Workbook, brief: _Rows, sample_warehouse: Built
) -> None:
    """通州区 filed no economy report: the city's GDP and savings leave it out, and say so."""
    lacking_villages = query(
        sample_warehouse.published,
        "SELECT count(*) AS n FROM core.units u LEFT JOIN core.economy e"
        " ON e.unit_code = u.unit_code AND e.period = ? WHERE u.level = 'village'"
        " AND e.unit_code IS NULL AND (u.valid_from IS NULL OR u.valid_from <= ?)"
        " AND (u.valid_to IS NULL OR u.valid_to >= ?)",
        [PERIOD, PERIOD, PERIOD],
    )[0]["n"]
    notes = [t for t in texts(book, "概况") if t.startswith("注：")]
    assert len(notes) == 1, notes
    assert notes[0].startswith("注：通州区本季度未报经济指标季报，地区生产总值")
    assert (f"{lacking_villages:,}个村（社区）未报经济指标季报" in notes[0]) == (
        lacking_villages > 0
    )
    assert notes[0] in section_text(brief, "summary")
