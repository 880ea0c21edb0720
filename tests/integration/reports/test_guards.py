"""The sections that wait for issues 10 and 11 render their data once the tables land.

A tiny inline warehouse gets the contract's (§5) later tables and columns by hand:
``marts.unit_scores.complete/missing_kinds``, ``marts.weak_village_years``,
``marts.filing_status`` and ``quarantine.problems``.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from reports import write_report
from reports.data import Guards, read_report
from tests.support.warehouse import CITY, economy, new_warehouse, scored_unit, unit
from warehouse.marts import build_marts
from warehouse.ruleset import load_rules

COUNTY, TOWN, VILLAGE = "320602000000", "320602001000", "320602001201"

LATER_TABLES = """
ALTER TABLE marts.unit_scores ADD COLUMN complete BOOLEAN;
ALTER TABLE marts.unit_scores ADD COLUMN missing_kinds VARCHAR[];
UPDATE marts.unit_scores SET complete = composite_score IS NOT NULL,
    missing_kinds = CASE WHEN development_score IS NULL THEN ['economy'] ELSE [] END;
CREATE TABLE marts.weak_village_years (year INTEGER, unit_code VARCHAR,
    collective_income DOUBLE, party_score DOUBLE, weak BOOLEAN, status VARCHAR);
INSERT INTO marts.weak_village_years VALUES (2017, '320602001201', 10.0, 50.0, true, 'continuing');
CREATE TABLE marts.filing_status (period VARCHAR, unit_code VARCHAR, kind VARCHAR,
    status VARCHAR, submitted_at TIMESTAMP, source_sha256 VARCHAR, problems BIGINT);
INSERT INTO marts.filing_status VALUES
    ('2017Q4', '320602000000', 'supervision', 'loaded', NULL, NULL, 0),
    ('2017Q4', '320602000000', 'economy', 'loaded', NULL, NULL, 0),
    ('2017Q4', '320602001000', 'supervision', 'loaded', NULL, NULL, 0),
    ('2017Q4', '320602001000', 'economy', 'quarantined', NULL, NULL, 1),
    ('2017Q4', '320602001201', 'supervision', 'loaded', NULL, NULL, 0),
    ('2017Q4', '320602001201', 'economy', 'missing', NULL, NULL, 0);
CREATE TABLE quarantine.problems (source_sha256 VARCHAR, kind VARCHAR, unit_code VARCHAR,
    period VARCHAR, sheet_row BIGINT, "column" VARCHAR, column_zh VARCHAR, value VARCHAR,
    reason VARCHAR, message_zh VARCHAR, message_en VARCHAR);
INSERT INTO quarantine.problems VALUES ('ab', 'economy', '320602001000', '2017Q4', 3,
    'gdp_growth_pct', '地区生产总值增速(%)', '=1+1', 'bad_value',
    '第3行「地区生产总值增速(%)」应为数字，收到“=1+1”', 'row 3: not a number');
"""


def _warehouse(path: Path) -> None:
    con = new_warehouse()
    unit(con, COUNTY, "county", "district", CITY, name="崇川区")
    unit(con, TOWN, "township", "street", COUNTY, name="城东街道")
    unit(con, VILLAGE, "village", "village", TOWN, name="永安村")
    for code in (COUNTY, TOWN):
        scored_unit(con, code, "2017Q4", party="100", growth=8.0)
    scored_unit(con, VILLAGE, "2017Q4", party="50", growth=None)
    economy(con, VILLAGE, "2017Q4", collective_income=2.0, collective_income_target=20.0)
    build_marts(con, ["2017Q4"], load_rules())
    con.execute(LATER_TABLES)
    con.execute(f"ATTACH '{path}' AS out")
    con.execute("COPY FROM DATABASE memory TO out")
    con.execute("DETACH out")
    con.close()


def test_guarded_sections_render_their_tables(tmp_path: Path) -> None:
    published = tmp_path / "warehouse.duckdb"
    _warehouse(published)
    d = read_report(published, "2017Q4")
    assert d.guards == Guards(True, True, True, True, True)
    assert d.complete_units() == 3
    assert d.weak_year == 2017
    assert d.weak["determination"].to_list() == ["持续"]

    paths = write_report(published, "2017Q4", tmp_path / "out")
    book = openpyxl.load_workbook(paths.workbook)
    texts = [
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    assert not any("本期暂无数据" in t for t in texts)
    filing = [c.value for row in book["报送情况"].iter_rows() for c in row]
    assert "未报送" in filing and "已隔离" in filing
    rows = [[c.value for c in row] for row in book["报送情况"].iter_rows()]
    # the county counts its own reports and those of every unit under it
    assert ["崇川区", 4, 1, 1] in [r[:4] for r in rows]
    assert ["崇川区", "城东街道", 2, 1, 1] in [r[:5] for r in rows]
    quality = [c.value for row in book["数据质量"].iter_rows() for c in row]
    assert "第3行「地区生产总值增速(%)」应为数字，收到“=1+1”" in quality
    assert "'=1+1" in quality  # the value as received, never a formula
    html = paths.brief.read_text(encoding="utf-8")
    assert "本期暂无数据" not in html
    assert "持续" in html and "收到“=1+1”" in html
