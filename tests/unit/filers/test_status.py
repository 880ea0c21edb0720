"""``ronghe status --period`` answers for a quarter no run has touched yet."""

from __future__ import annotations

from pathlib import Path

import duckdb

from filers.status import filing_counts
from tests.support.warehouse import CITY, unit
from warehouse.marts import ensure_marts
from warehouse.schema import all_ddl

COUNTY = "320602000000"
TOWN = "320602001000"


def _warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    for statement in all_ddl():
        con.execute(statement)
    ensure_marts(con)
    unit(con, COUNTY, "county", "district", CITY, name="崇川区")
    unit(con, TOWN, "township", "subdistrict", COUNTY, name="城东街道")
    unit(con, "320602001001", "village", "community", TOWN)
    unit(con, "320602001002", "village", "community", TOWN, valid_to="2016Q4")
    con.close()


def test_an_untouched_quarter_is_all_missing(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    _warehouse(path)
    before = path.read_bytes()
    (row,) = filing_counts(path, "2017Q3")
    # the unit valid until 2016Q4 is not counted; the other three are missing
    assert row["name"] == "崇川区" and row["units"] == 3
    assert (row["supervision_missing"], row["economy_missing"]) == (3, 3)
    assert row["supervision_loaded"] == row["economy_quarantined"] == 0
    assert path.read_bytes() == before  # read-only
