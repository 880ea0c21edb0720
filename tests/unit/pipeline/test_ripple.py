"""A late correction to a quarter: the run names the later quarter whose 通报 it makes
stale (its rank change reads the corrected ranks), and the score history keeps both."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.run import run as ingest
from tests.support.realistic import VILLAGE, VILLAGE2, economy_row, write_xlsx
from transforms.columns import ECONOMY, SUPERVISION

QUARTERS = {
    "2017Q1": ("2017年第一季度", "2017-04-10 09:30"),
    "2017Q2": ("2017年第二季度", "2017-07-10 09:30"),
}


def _reports(folder: Path, quarter: str, income: dict[str, float]) -> None:
    period, at = QUARTERS[quarter]
    sup = {n: 3 for n in SUPERVISION.names} | {"period": period, "submitted_at": at}
    sup |= {"party_members": 120, "list_published": "是"}
    write_xlsx(folder / f"党建督导_{quarter}.xlsx", SUPERVISION, [
        sup | {"unit_code": u} for u in income
    ])  # fmt: skip
    write_xlsx(folder / f"经济指标_{quarter}.xlsx", ECONOMY, [
        economy_row("village", u, period=period, submitted_at=at, collective_income=v)
        for u, v in income.items()
    ])  # fmt: skip


def test_a_correction_names_the_quarter_after(session: Any, tmp_path: Path) -> None:
    now = datetime(2017, 8, 1)
    _reports(tmp_path / "first", "2017Q1", {VILLAGE: 10.0, VILLAGE2: 90.0})
    _reports(tmp_path / "first", "2017Q2", {VILLAGE: 10.0, VILLAGE2: 90.0})
    first = ingest(session, [tmp_path / "first"], now)
    assert first.changed == ("2017Q1", "2017Q2") and first.dependents == ()
    # a corrected 2017Q1 economy report of 城北社区, filed later: it catches up with 跃龙
    period, _ = QUARTERS["2017Q1"]
    write_xlsx(tmp_path / "late" / "经济指标_更正.xlsx", ECONOMY, [
        economy_row("village", VILLAGE, period=period, submitted_at="2017-04-20 10:00",
                    collective_income=200.0)
    ])  # fmt: skip
    late = ingest(session, [tmp_path / "late"], now)
    assert late.marts_rebuilt == ("2017Q1",) and late.changed == ("2017Q1",)
    assert late.dependents == ("2017Q2",)  # its rank change reads 2017Q1's ranks
    rows = session.con.execute(
        "SELECT unit_code, list(rank_in_level ORDER BY recorded_at) FROM"
        " marts.unit_scores_history WHERE period = '2017Q1' GROUP BY unit_code ORDER BY 1"
    ).fetchall()
    # 城北社区 rose from 2nd to a shared 1st; 跃龙 stayed 1st, so it is not recorded again
    assert rows == [(VILLAGE, [2, 1]), (VILLAGE2, [1])]
    (q2,) = session.con.execute(
        "SELECT count(*) FROM marts.unit_scores_history WHERE period = '2017Q2'"
    ).fetchone() or (None,)
    assert q2 == 2  # 2017Q2 was not rebuilt: its history holds its first build only
