"""A filing round (CONTRACT §9, docs/operations.md §8a): files arrive before and after
the deadlines at controlled receipt times; timeliness follows the receipts, and the
chase lists exactly the reports missing, or returned and not filed again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from rich.cells import cell_len

from filers.chase import chase, summary
from flows.chase import overdue_event
from pipeline.run import run as ingest
from tests.support.realistic import CITY, TOWN, economy_row, write_xlsx
from transforms.columns import ECONOMY, SUPERVISION

VA, VB, VC = "320602001001", "320602001002", "320602001003"
BEFORE_VILLAGES = datetime(2017, 4, 3, 10, 0)  # village deadline: 2017-04-05 24:00
AFTER_VILLAGES = datetime(2017, 4, 7, 10, 0)  # township deadline: 2017-04-08 24:00
AFTER_TOWNSHIPS = datetime(2017, 4, 9, 10, 0)  # county deadline: 2017-04-10 24:00
CHASE_AT = datetime(2017, 4, 9, 9, 0)  # the township chase: 09:00 the day after


def supervision_row(unit: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {n: 3 for n in SUPERVISION.names if n != "explanation"}
    row |= {"unit_code": unit, "period": "2017年第一季度", "party_members": 120}
    return row | {"list_published": "是"} | over


@pytest.fixture
def round_(session: Any, tmp_path: Path) -> Any:
    first = tmp_path / "first"
    write_xlsx(first / "党建督导_城北社区.xlsx", SUPERVISION,
               [supervision_row(VA, submitted_at="2017-04-03 09:00")])  # fmt: skip
    write_xlsx(first / "经济指标_城北社区.xlsx", ECONOMY,
               [economy_row("village", VA, submitted_at="2017-04-03 09:00")])  # fmt: skip
    # 城东跃龙社区's economy is returned (negative income) and never filed again
    write_xlsx(first / "经济指标_跃龙.xlsx", ECONOMY,
               [economy_row("village", VB, submitted_at="2017-04-03 09:00",
                            collective_income=-5)])  # fmt: skip
    ingest(session, [first], BEFORE_VILLAGES)
    late = tmp_path / "late"
    # 城南社区 files after the village deadline, typing a 填报时间 before it: still late
    write_xlsx(late / "党建督导_城南社区.xlsx", SUPERVISION,
               [supervision_row(VC, submitted_at="2017-04-05 09:00")])  # fmt: skip
    write_xlsx(late / "经济指标_城南社区.xlsx", ECONOMY,
               [economy_row("village", VC, submitted_at="2017-04-05 09:00")])  # fmt: skip
    write_xlsx(late / "经济指标_城东街道.xlsx", ECONOMY,
               [economy_row("township", TOWN, submitted_at="2017-04-07 09:00")])  # fmt: skip
    ingest(session, [late], AFTER_VILLAGES)
    return session


def timeliness(session: Any) -> dict[tuple[str, str], str]:
    rows = session.con.execute(
        "SELECT unit_code, kind, timeliness FROM marts.filing_status WHERE period = '2017Q1'"
    ).fetchall()
    return {(u, k): t for u, k, t in rows}


def test_timeliness_follows_the_first_receipt_and_now(round_: Any) -> None:
    seen = timeliness(round_)
    assert seen[(VA, "supervision")] == seen[(VA, "economy")] == "on_time"
    assert seen[(VC, "supervision")] == seen[(VC, "economy")] == "late"  # by receipt
    assert seen[(VB, "economy")] == seen[(VB, "supervision")] == "overdue"  # returned, missing
    assert seen[(TOWN, "economy")] == "on_time"
    assert seen[(TOWN, "supervision")] == "not_due"  # at 04-07 the townships are not due
    assert seen[(CITY, "supervision")] == "not_due"
    ingest(round_, [], AFTER_TOWNSHIPS, quarters=["2017Q1"])  # nothing new: a rebuild
    seen = timeliness(round_)
    assert seen[(TOWN, "supervision")] == "overdue"
    assert seen[(CITY, "supervision")] == "not_due"
    assert seen[(VA, "economy")] == "on_time"
    due, first = round_.con.execute(
        "SELECT due_at, first_received_at FROM marts.filing_status"
        " WHERE unit_code = ? AND kind = 'economy'",
        [VC],
    ).fetchone()
    assert due == datetime(2017, 4, 5, 23, 59, 59, 999999)
    assert first.replace(microsecond=0) == AFTER_VILLAGES


def test_chase_lists_exactly_the_missing_and_returned(round_: Any, tmp_path: Path) -> None:
    ingest(round_, [], AFTER_TOWNSHIPS, quarters=["2017Q1"])
    round_.publish()
    villages = [
        code
        for (code,) in round_.con.execute(
            "SELECT unit_code FROM core.units WHERE parent_code = ?", [TOWN]
        ).fetchall()
    ]
    result = chase(round_.settings.published_path, "2017Q1", tmp_path / "chase", CHASE_AT)
    lists = {lst.unit_code: lst for lst in result.lists}
    town = {(i.unit_code, i.kind, i.status) for i in lists[TOWN].items}
    expected = {(TOWN, "supervision", "missing"), (VB, "economy", "quarantined")}
    expected |= {
        (v, k, "missing")
        for v in villages
        if v not in (VA, VC)
        for k in ("supervision", "economy")
        if (v, k) != (VB, "economy")
    }
    assert town == expected
    returned = next(i for i in lists[TOWN].items if i.status == "quarantined")
    assert returned.days_overdue == 4 and any("村集体经营性收入" in w for w in returned.wrong)
    # the county's list: its townships' reports (due 04-08), not its own (due 04-10)
    county = {(i.unit_code, i.kind) for i in lists[CITY].items}
    assert (TOWN, "supervision") in county and (TOWN, "economy") not in county
    assert all(i.level == "township" for i in lists[CITY].items)
    # one A4 workbook per unit, header repeated; a summary of at most 80 columns
    path = lists[TOWN].path
    assert path is not None and path.name == "催报_2017Q1_320602001000_城东街道.xlsx"
    ws = load_workbook(path)["催报"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    # fit to one page wide (1 is the default width, omitted), any number of pages long
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$4"
    assert ws.cell(4, 8).value == "上次问题" and ws.cell(5, 1).value is not None
    lines = summary(result)
    assert lines and all(cell_len(line) <= 80 for line in lines)
    # the overdue events: one id per unit, period and kind, the same on a re-run
    ids = {overdue_event(i, "2017Q1")["id"] for i in result.items}
    assert len(ids) == len(result.items)
    again = chase(round_.settings.published_path, "2017Q1", tmp_path / "chase", CHASE_AT)
    assert {overdue_event(i, "2017Q1")["id"] for i in again.items} == ids
    event = overdue_event(returned, "2017Q1")
    assert event["resource"]["prefect.resource.id"] == f"ronghe.unit.{VB}"
    assert {r["prefect.resource.id"] for r in event["related"]} == {
        f"ronghe.unit.{TOWN}",
        f"ronghe.unit.{CITY}",
    }


def test_chase_command_writes_into_home_and_prints_80_columns(
    round_: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    round_.publish()
    home = round_.settings.home
    assert main(["--home", str(home), "chase", "--period", "2017年第一季度"]) == 0
    out = capsys.readouterr()
    # run today, years after 2017Q1's round ended (deadline + 365 days): no one is chased
    # for it any more (never 逾期3441天), and the summary says why
    written = sorted(p.name for p in (home / "chase" / "2017Q1").iterdir())
    assert written == [] and "wrote 0 chase lists" in out.err
    lines = out.out.splitlines()
    assert lines[0].startswith("2017年第一季度催报") and all(cell_len(x) <= 80 for x in lines)
    assert any("报送轮次已结束" in x and "不再催报" in x for x in lines), lines
    assert main(["--home", str(home), "chase", "--period", "2016Q1"]) == 1
    err = capsys.readouterr().err.strip()
    assert "no filing status for 2016Q1" in err and "\n" not in err
