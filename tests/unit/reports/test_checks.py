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
