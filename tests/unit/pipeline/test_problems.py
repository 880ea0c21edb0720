"""Problems a clerk can act on (CONTRACT §3, §5 quarantine.problems), for every format."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.run import run as ingest
from tests.support.realistic import (
    VILLAGE,
    chinese,
    economy_row,
    supervision_row,
    write_gbk_csv,
    write_xlsx,
)
from transforms.columns import ECONOMY, SUPERVISION

NOW = datetime(2017, 6, 1)
COLUMNS = 'sheet_row, "column", column_zh, value, reason, message_zh, message_en, unit_code, period'


def problems(session: Any) -> list[dict[str, Any]]:
    cur = session.con.execute(f"SELECT {COLUMNS} FROM quarantine.problems ORDER BY sheet_row")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def write_json_zh(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    zh = [chinese(SUPERVISION, r) for r in rows]
    path.write_text(json.dumps(zh, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_bad_value_is_one_problem_with_sheet_row_column_value_and_sentence(
    fmt: str, session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    units = ["320602001001", "320602001002", "320602001003"]
    rows = [supervision_row(u) for u in units]
    rows[1]["party_members"] = "二百"  # the second data row: sheet row 3 (JSON: record 2)
    path = inbox / f"党建督导_城东街道.{fmt}"
    {"xlsx": write_xlsx, "csv": write_gbk_csv}.get(fmt, lambda p, k, r: write_json_zh(p, r))(
        path, SUPERVISION, rows
    )
    result = ingest(session, [inbox], NOW)
    assert result.reports_quarantined == 1
    got = problems(session)
    row = 2 if fmt == "json" else 3
    where = "第2条记录" if fmt == "json" else "第3行"
    assert got == [
        {
            "sheet_row": row,
            "column": "party_members",
            "column_zh": "党员数",
            "value": "二百",
            "reason": "bad_value",
            "message_zh": f"{where}「党员数」应为不小于0的整数，收到“二百”",
            "message_en": f"{'Record' if fmt == 'json' else 'Row'} {row}, party_members (党员数):"
            ' must be a whole number >= 0; got "二百"',
            "unit_code": "320602001002",
            "period": "2017Q1",
        }
    ]


def test_each_problem_of_a_report_gets_its_row(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    rows = [
        supervision_row("320602001001", new_members=200, list_published="也许"),
        supervision_row("320602001002", tasks_done_care=9, tasks_planned_care=4),
    ]
    write_xlsx(inbox / "党建督导.xlsx", SUPERVISION, rows)
    ingest(session, [inbox], NOW)
    got = [(p["sheet_row"], p["column"], p["reason"], p["message_zh"]) for p in problems(session)]
    assert got == [
        (2, "new_members", "inconsistent", "第2行「发展党员数」不应大于「党员数」，收到“200”"),
        (2, "list_published", "bad_value", "第2行「清单是否公示」应为“是”或“否”，收到“也许”"),
        (
            3,
            "tasks_done_care",
            "inconsistent",
            "第3行「关爱激励完成数」不应大于「关爱激励任务数」，收到“9”",
        ),
    ]


def test_absent_level_column_says_which_template(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_xlsx(inbox / "经济指标.xlsx", ECONOMY, [economy_row("township", VILLAGE)])
    ingest(session, [inbox], NOW)
    [p] = problems(session)
    assert (p["sheet_row"], p["column"], p["reason"], p["value"]) == (
        2,
        "collective_income",
        "missing_required_value",
        None,
    )
    assert (
        "村级单位必须填写" in p["message_zh"]
        and "没有「村集体经营性收入(万元)」" in p["message_zh"]
    )


def test_whole_file_problems_name_what_is_wrong(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    row = supervision_row("320602001001")
    del row["party_members"], row["submitted_at"]
    write_xlsx(inbox / "党建督导_缺列.xlsx", SUPERVISION, [row])
    write_xlsx(inbox / "会议记录.xlsx", SUPERVISION, [supervision_row("320602001001")])
    (inbox / "项目_坏.xlsx").write_bytes(b"not a workbook")
    ingest(session, [inbox], NOW)
    got = session.con.execute(
        "SELECT reason, column_zh, message_zh FROM quarantine.problems ORDER BY reason, column_zh"
    ).fetchall()
    assert [(r, c) for r, c, _ in got] == [
        ("missing_columns", "党员数"),
        ("missing_columns", "填报时间"),
        ("unknown_kind", None),
        ("unreadable_file", None),
    ]
    assert got[0][2] == "文件“党建督导_缺列.xlsx”缺少「党员数」列，请使用报送模板"
    assert all(m for _, _, m in got)


def test_a_blank_unit_code_among_filled_ones_names_the_row_to_fill(
    session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    rows = [
        supervision_row("320602001001") | {"单位名称": "城北社区"},
        supervision_row("") | {"单位名称": "城东跃龙社区"},  # its code left out, its name kept
    ]
    write_gbk_csv(inbox / "党建督导.csv", SUPERVISION, rows)
    result = ingest(session, [inbox], NOW)
    assert (sum(result.reports_loaded.values()), result.reports_quarantined) == (1, 1)
    [p] = problems(session)
    assert (p["sheet_row"], p["column"], p["reason"]) == (3, "unit_code", "missing_required_value")
    assert p["message_zh"] == (
        "第3行填了数据，但「单位代码」是空白（单位名称为“城东跃龙社区”），而本文件其他行填了"
        "单位代码：请在第3行填写这一行所属单位的12位单位代码（原表若是合并单元格，请在每一行都填上）"
    )


def test_a_file_with_no_unit_code_at_all_gets_the_required_sentence(
    session: Any, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_gbk_csv(inbox / "党建督导.csv", SUPERVISION, [supervision_row("")])
    ingest(session, [inbox], NOW)
    [p] = problems(session)
    assert p["message_zh"] == "第2行「单位代码」必须填写，应为12位数字的统计用区划代码，收到空白"
