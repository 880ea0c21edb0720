"""Templates differ by level (CONTRACT §2): each level's file carries only its columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.run import run as ingest
from tests.support.realistic import (
    CITY,
    TOWN,
    VILLAGE,
    VILLAGE2,
    economy_row,
    write_gbk_csv,
    write_xlsx,
)
from transforms.columns import ECONOMY

NOW = datetime(2017, 6, 1)


def test_level_templates_leave_out_other_levels_columns() -> None:
    assert "gdp" in ECONOMY.level_names("county")
    assert "collective_income" not in ECONOMY.level_names("township")
    assert "gdp" not in ECONOMY.level_names("village")
    assert "savings_balance" not in ECONOMY.level_names("village")
    assert "gdp" not in ECONOMY.required_names


def test_realistic_inbox_of_level_templates_loads(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "崇川区" / "经济指标_崇川区.xlsx", ECONOMY, [economy_row("county", CITY)])
    write_gbk_csv(
        inbox / "城东街道" / "经济指标_城东街道.csv", ECONOMY, [economy_row("township", TOWN)]
    )
    # a township's consolidated file for its villages: village template columns only
    write_xlsx(
        inbox / "城东街道" / "经济指标_城东街道_村汇总.xlsx",
        ECONOMY,
        [economy_row("village", VILLAGE), economy_row("village", VILLAGE2, collective_income=12)],
    )
    result = ingest(session, [inbox], NOW)
    assert result.reports_quarantined == 0
    assert {f.status for f in result.load.files} == {"loaded"}
    rows = session.con.execute(
        "SELECT unit_code, gdp, gdp_growth_pct, savings_balance, collective_income"
        " FROM core.economy ORDER BY unit_code"
    ).fetchall()
    assert rows == [
        (CITY, 6768.2, 9.3, 10123.4, None),
        (TOWN, None, 9.3, None, None),
        (VILLAGE, None, None, None, 35.6),
        (VILLAGE2, None, None, None, 12.0),
    ]


def test_absent_level_column_is_missing_value_for_a_unit_that_requires_it(
    session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    # a village row in a township-template file: no collective-income column at all
    row = economy_row("township", VILLAGE)
    write_xlsx(inbox / "经济指标_错用模板.xlsx", ECONOMY, [row])
    result = ingest(session, [inbox], NOW)
    assert result.reports_quarantined == 1
    assert dict(result.reasons) == {"missing_required_value": 1}
    assert not session.con.execute("SELECT count(*) FROM quarantine.files").fetchone()[0]


def test_file_without_a_common_column_is_still_missing_columns(
    session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    row = economy_row("village", VILLAGE)
    del row["submitted_at"]
    write_xlsx(inbox / "经济指标_x.xlsx", ECONOMY, [row])
    ingest(session, [inbox], NOW)
    reasons = session.con.execute("SELECT reasons FROM quarantine.files").fetchall()
    assert reasons == [(["missing_columns"],)]
