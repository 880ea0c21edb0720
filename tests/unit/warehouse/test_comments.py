"""Every table, view and column of the warehouse carries a Chinese comment."""

from __future__ import annotations

import re

from tests.support.warehouse import new_warehouse

SCHEMAS = ["core", "raw", "meta", "quarantine", "marts"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_column_has_a_chinese_comment() -> None:
    con = new_warehouse()
    rows = con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()"
        " WHERE schema_name IN ?",
        [SCHEMAS],
    ).fetchall()
    assert any(t == "weak_village_history" for _, t, _, _ in rows)
    assert any(t == "unit_scores_history" for _, t, _, _ in rows)
    missing = [(s, t, c) for s, t, c, comment in rows if not CHINESE.search(comment or "")]
    assert missing == []


def test_every_table_and_view_has_a_chinese_comment() -> None:
    con = new_warehouse()
    rows = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name IN ?"
        " UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views()"
        " WHERE schema_name IN ?",
        [SCHEMAS, SCHEMAS],
    ).fetchall()
    assert len(rows) > 20
    assert [r[:2] for r in rows if not CHINESE.search(r[2] or "")] == []
