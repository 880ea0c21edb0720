"""数据质量's counts from tables that may not exist yet: absent → None, present → counted."""

from __future__ import annotations

from pathlib import Path

import duckdb

from reports.checks import read_checks


def test_absent_tables_give_none(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.filing_status (period VARCHAR)")
    assert set(read_checks(con, "2017Q4").values()) == {None}


def test_tables_shaped_as_the_contract_are_counted(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        """
        CREATE SCHEMA meta; CREATE SCHEMA marts;
        CREATE TABLE meta.source_status (source VARCHAR, unit_code VARCHAR,
            attempted_at TIMESTAMP, reached BOOLEAN, error VARCHAR,
            files_seen BIGINT, files_pulled BIGINT);
        INSERT INTO meta.source_status VALUES
            ('ftp-a', NULL, now(), false, 'refused', 0, 0),
            ('smb-b', NULL, now(), true, NULL, 3, 3);
        CREATE TABLE marts.filing_status (period VARCHAR, unit_code VARCHAR, kind VARCHAR,
            status VARCHAR, returned_correction BOOLEAN);
        INSERT INTO marts.filing_status VALUES
            ('2017Q4', 'a', 'economy', 'loaded', true),
            ('2017Q4', 'b', 'economy', 'loaded', false),
            ('2017Q3', 'a', 'economy', 'loaded', true);
        CREATE TABLE marts.review_flags (period VARCHAR, unit_code VARCHAR, kind VARCHAR,
            source_sha256 VARCHAR, rule VARCHAR, "column" VARCHAR, value VARCHAR,
            previous_value VARCHAR, message_zh VARCHAR, explained BOOLEAN,
            explanation VARCHAR);
        INSERT INTO marts.review_flags VALUES
            ('2017Q4', 'a', 'economy', 'x', 'ytd', 'gdp', '1', '2', '核实', true, '口径调整'),
            ('2017Q4', 'b', 'economy', 'y', 'ytd', 'gdp', '1', '2', '核实', false, NULL),
            ('2017Q4', 'c', 'economy', 'z', 'ytd', 'gdp', '1', '2', '核实', false, NULL);
        """
    )
    assert read_checks(con, "2017Q4") == {
        "sources_unreached": 1,
        "returned_corrections": 1,
        "review_flags": 3,
        "review_flags_explained": 1,
    }


def test_unreached_sources_are_listed_with_their_unit(tmp_path: Path) -> None:
    from reports.checks import unreached_sources
    from warehouse.registry import load_registry
    from warehouse.schema import ensure_schema

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con, load_registry())
    con.execute(
        "INSERT INTO meta.source_status VALUES"
        " ('rudong-ftp', '320623000000', TIMESTAMP '2017-04-10 09:00', false, 'refused',"
        "  0, 0, NULL),"
        " ('haimen-smb', '320684000000', TIMESTAMP '2017-04-10 09:00', true, NULL, 3, 3,"
        "  TIMESTAMP '2017-04-10 09:00')"
    )
    (row,) = unreached_sources(con)
    assert (row["source"], row["unit_code"], row["unit_name"], row["error"]) == (
        "rudong-ftp",
        "320623000000",
        "如东县",
        "refused",
    )
    assert row["reached_at"] is None
