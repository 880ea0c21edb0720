"""Receipts (回执) and marts.filing_status agree with core.* and quarantine.*."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rich.cells import cell_len

from cli.main import main
from filers.receipts import write_period_receipts, write_receipts
from pipeline.run import run as ingest
from tests.support.realistic import (
    CITY,
    TOWN,
    VILLAGE,
    VILLAGE2,
    economy_row,
    supervision_row,
    write_gbk_csv,
    write_xlsx,
)
from transforms.columns import ECONOMY, SUPERVISION

NOW = datetime(2017, 6, 1)
LATER = datetime(2017, 6, 2)
VILLAGE3 = "320602001003"  # 城南社区


@pytest.fixture
def filed(session: Any, tmp_path: Path) -> Any:
    """A township's quarter: some loaded, some returned, some never sent."""
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "党建督导_城东街道.xlsx", SUPERVISION, [supervision_row(TOWN)])
    write_xlsx(inbox / "经济指标_城北社区.xlsx", ECONOMY, [economy_row("village", VILLAGE)])
    # 城北社区's supervision: returned; its only report
    write_gbk_csv(
        inbox / "党建督导_城北社区.csv",
        SUPERVISION,
        [supervision_row(VILLAGE, party_members="=1+1")],
    )
    # 城东跃龙社区: a bad first version, then a good one: loaded
    write_xlsx(
        inbox / "a" / "党建督导_跃龙.xlsx",
        SUPERVISION,
        [supervision_row(VILLAGE2, new_members=999)],
    )
    # 城南社区: a consolidated file without a common column, rejected whole
    row = economy_row("village", VILLAGE3)
    del row["submitted_at"]
    write_xlsx(inbox / "经济指标_城南社区.xlsx", ECONOMY, [row])
    ingest(session, [inbox], NOW)
    later = tmp_path / "later"
    write_xlsx(later / "党建督导_跃龙_改.xlsx", SUPERVISION, [supervision_row(VILLAGE2)])
    ingest(session, [later], LATER)  # the correction arrives a day later
    session.publish()
    return session


def test_filing_status_agrees_with_core_and_quarantine(filed: Any) -> None:
    con = filed.con
    mismatches = con.execute(
        """
        SELECT f.unit_code, f.kind, f.status
        FROM marts.filing_status AS f
        WHERE f.period = '2017Q1' AND f.status <> CASE
            WHEN EXISTS (SELECT 1 FROM core.supervision c WHERE f.kind = 'supervision'
                         AND c.unit_code = f.unit_code AND c.period = f.period)
              OR EXISTS (SELECT 1 FROM core.economy c WHERE f.kind = 'economy'
                         AND c.unit_code = f.unit_code AND c.period = f.period)
                THEN 'loaded'
            WHEN EXISTS (SELECT 1 FROM quarantine.reports q WHERE q.kind = f.kind
                         AND q.unit_code = f.unit_code AND q.period = f.period)
              OR EXISTS (SELECT 1 FROM quarantine.problems q WHERE q.kind = f.kind
                         AND q.unit_code = f.unit_code AND q.period = f.period)
                THEN 'quarantined'
            ELSE 'missing' END
        """
    ).fetchall()
    assert mismatches == []
    got = dict(
        ((u, k), (s, n))
        for u, k, s, n in con.execute(
            "SELECT unit_code, kind, status, problems FROM marts.filing_status"
            " WHERE period = '2017Q1' AND unit_code IN (?, ?, ?, ?)",
            [TOWN, VILLAGE, VILLAGE2, VILLAGE3],
        ).fetchall()
    )
    assert got == {
        (TOWN, "supervision"): ("loaded", 0),
        (TOWN, "economy"): ("missing", 0),
        (VILLAGE, "supervision"): ("quarantined", 1),  # 被退回, not 未报送
        (VILLAGE, "economy"): ("loaded", 0),
        (VILLAGE2, "supervision"): ("loaded", 1),  # the returned version was superseded
        (VILLAGE2, "economy"): ("missing", 0),
        (VILLAGE3, "supervision"): ("missing", 0),
        (VILLAGE3, "economy"): ("quarantined", 1),
    }
    units = con.execute(
        "SELECT count(*) FROM core.units WHERE valid_from IS NULL OR valid_from <= '2017Q1'"
    ).fetchone()[0]
    per_kind = con.execute(
        "SELECT kind, count(*) FROM marts.filing_status WHERE period = '2017Q1' GROUP BY kind"
    ).fetchall()
    assert dict(per_kind) == {"supervision": units, "economy": units}


def sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[name].iter_rows(values_only=True))


def test_receipts_say_loaded_returned_and_missing(filed: Any, tmp_path: Path) -> None:
    published = filed.settings.published_path
    paths = write_receipts(published, "2017年第一季度", tmp_path / "receipts")
    names = {p.name for p in paths}
    assert "回执_2017Q1_320602001000_城东街道.xlsx" in names
    assert "回执_2017Q1_320602000000_崇川区.xlsx" in names
    assert not any(VILLAGE in n for n in names)  # villages' receipts are their township's
    town = tmp_path / "receipts" / "回执_2017Q1_320602001000_城东街道.xlsx"
    rows = sheet(town, "回执")
    assert rows[0][0] == "城东街道（320602001000）2017年第一季度报送回执"
    table = {(r[0], r[2]): r for r in rows[5:]}
    assert table[(TOWN, "党建督导")][3:6] == (
        "已入库",
        "2017-04-10 09:30",
        table[(TOWN, "党建督导")][5],
    )
    assert table[(TOWN, "党建督导")][5]  # when it was received
    assert table[(TOWN, "经济指标")][3] == "未报送"
    returned = table[(VILLAGE, "党建督导")]
    assert returned[1] == "城北社区" and returned[3] == "被退回"
    assert returned[6] == "党建督导_城北社区.csv"
    assert returned[7] == "第2行「党员数」应为不小于0的整数，收到“=1+1”"
    assert table[(VILLAGE2, "党建督导")][3] == "已入库"
    assert table[(VILLAGE3, "经济指标")][3] == "被退回"
    assert (
        table[(VILLAGE3, "经济指标")][7]
        == "文件“经济指标_城南社区.xlsx”缺少「填报时间」列，请使用报送模板"
    )
    # the filer's value shows as text, never a formula: the one guard's visible ' (as in
    # the 通报 and the chase lists), and the quote-prefix style
    detail = sheet(town, "问题明细")
    values = [r[6] for r in detail[1:]]
    assert "'=1+1" in values
    book = load_workbook(town)
    cell = next(c for row in book["问题明细"].iter_rows() for c in row if c.value == "'=1+1")
    assert cell.data_type == "s" and cell.quotePrefix
    # the county's receipt covers its townships
    county = sheet(tmp_path / "receipts" / "回执_2017Q1_320602000000_崇川区.xlsx", "回执")
    assert {r[0] for r in county[5:]} >= {CITY, TOWN}


def test_receipts_after_a_run_go_to_the_period_folder(filed: Any, tmp_path: Path) -> None:
    root = filed.settings.receipts_dir
    paths = write_period_receipts(filed.settings.published_path, ["2017Q1"], root)
    assert paths and all(p.parent == root / "2017Q1" for p in paths)


def test_status_period_shows_counts_per_county_at_80_columns(
    filed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    home = filed.settings.home
    assert main(["--home", str(home), "status", "--period", "2017年第一季度"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(cell_len(ln) <= 80 for ln in lines)
    [city] = [ln for ln in lines if ln.startswith("崇川区")]
    total = filed.con.execute(
        "SELECT count(*) FILTER (status = 'loaded'), count(*) FILTER (status = 'quarantined'),"
        " count(*) FILTER (status = 'missing') FROM marts.filing_status"
        " WHERE period = '2017Q1' AND kind = 'supervision' AND (unit_code = ? OR parent_code = ?"
        " OR parent_code IN (SELECT unit_code FROM core.units WHERE parent_code = ?))",
        [CITY, CITY, CITY],
    ).fetchone()
    assert "/".join(map(str, total)) in city
    assert any(ln.startswith("合计") for ln in lines)
