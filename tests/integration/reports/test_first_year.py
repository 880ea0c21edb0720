"""The first determination year the warehouse holds has no year before it: the 通报 says
why every weak village is "new" there, and stops saying it once the year before exists."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl

from reports import write_report
from tests.support.warehouse import economy, new_warehouse, scored_unit, unit
from warehouse.db import transaction
from warehouse.marts import build_marts
from warehouse.ruleset import load_rules

COUNTY, TOWN, VILLAGE = "320623000000", "320623100000", "320623100200"
NOTE = "无2016年度认定可比，本年度薄弱村均记为新增"


def _texts(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return " ".join(
            str(v) for ws in book for r in ws.iter_rows(values_only=True) for v in r if v
        )
    finally:
        book.close()


def _warehouse(path: Path, periods: list[str]) -> None:
    con = new_warehouse()
    unit(con, COUNTY, "county", "county", parent=None, name="如东县")
    unit(con, TOWN, "township", "town", parent=COUNTY, name="掘港镇")
    unit(con, VILLAGE, "village", "village", parent=TOWN, name="瑞丰村")
    for p in periods:
        scored_unit(con, VILLAGE, p, party="100", growth=None)
        economy(con, VILLAGE, p, growth_target_pct=10.0, gdp_growth_pct=5.0, collective_income=1.0)
    with transaction(con):
        build_marts(con, periods, load_rules())
    con.execute(f"ATTACH '{path}' AS file")
    con.execute("COPY FROM DATABASE memory TO file")
    con.close()


def test_the_first_year_says_there_is_no_year_before(tmp_path: Path) -> None:
    first = tmp_path / "first.duckdb"
    _warehouse(first, ["2017Q4"])
    written = write_report(first, "2017Q4", tmp_path / "a")
    assert NOTE in _texts(written.workbook)
    assert NOTE in written.brief.read_text(encoding="utf-8")

    both = tmp_path / "both.duckdb"
    _warehouse(both, ["2016Q4", "2017Q4"])
    con = duckdb.connect(str(both), read_only=True)
    (status,) = con.execute(
        "SELECT status FROM marts.weak_village_years WHERE year = 2017"
    ).fetchone() or (None,)
    con.close()
    assert status == "continuing"
    assert NOTE not in _texts(write_report(both, "2017Q4", tmp_path / "b").workbook)
