"""Issue 30, class 6: a damaged warehouse file is named as one, by every command that
opens it (the reader's: report, receipts, chase, export, status, query; the writer's:
a run's working copy), never in DuckDB's bare words."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.db import WarehouseError, connect, connect_reader


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)")
    con.close()
    data = bytearray(path.read_bytes())
    data[4096:20480] = b"\xff" * 16384  # a block overwritten
    path.write_bytes(bytes(data))
    return path


def test_the_published_warehouse_damaged_is_named(damaged: Path) -> None:
    with pytest.raises(WarehouseError) as got:
        connect_reader(damaged)
    line = str(got.value)
    assert line.startswith(f"the published warehouse {damaged} is damaged (a corrupt database")
    assert "restore it from a backup" in line and "\n" not in line


def test_a_run_s_working_copy_damaged_is_named(damaged: Path) -> None:
    with pytest.raises(WarehouseError) as got:
        connect(damaged)
    assert str(got.value).startswith(f"the warehouse file {damaged} is damaged")
