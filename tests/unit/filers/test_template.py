"""``ronghe template`` → fill in (openpyxl, as a clerk's Excel/WPS would) → load.

One unit's supervision or economy template is a form (indicators down the rows), its
projects a table with the unit written once above it, a township's consolidated file a
table of one row per unit (issue 29); each reads back. (Typing into them through
LibreOffice's own input path: tests/integration/office/test_typed.py.)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cli.main import main
from filers.template import write_template
from pipeline.run import run as ingest
from tests.support.realistic import CITY, TOWN, VILLAGE
from transforms.columns import SUPERVISION
from warehouse.registry import load_registry

NOW = datetime(2017, 6, 1)


def fill(path: Path, values: dict[str, Any], out: Path) -> Path:
    """Type ``values`` (by Chinese label) into every prefilled row of a table, or into the
    本期 column of a form, and save as ``out``."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    if ws["A3"].value == "指标名称":  # a form: the labels down column A, values in C
        for row in ws.iter_rows(min_row=4):
            if row[0].value in values:
                row[2].value = values[row[0].value]
    else:
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            if row[0].value is None:
                break
            for cell, header in zip(row, headers, strict=False):
                if header in values:
                    cell.value = values[header]
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


SUPERVISION_VALUES: dict[str, Any] = {c.zh: 4 for c in SUPERVISION.columns if c.type == "int"}
SUPERVISION_VALUES |= {"填报时间": datetime(2017, 4, 10, 9, 30), "清单是否公示": "是", "党员数": 85}


def test_one_units_template_is_a_form_with_its_levels_indicators(tmp_path: Path) -> None:
    path = write_template("economy", CITY, "2017年第一季度", tmp_path / "t.xlsx", load_registry())
    wb = load_workbook(path)
    ws, guide = wb.worksheets
    assert ws.title == "报表" and guide.title == "填报说明"
    assert ws["A1"].value == "崇川区（320602000000）2017年第一季度经济指标季报"
    assert [c.value for c in ws[3]][:4] == ["指标名称", "计量单位", "本期", "填写要求"]
    labels = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert labels[:4] == ["单位代码", "单位名称", "报告期", "填报时间"]
    assert "地区生产总值(亿元)" in labels and "村集体经营性收入(万元)" not in labels
    assert labels[-1] == "说明"  # the filer's explanation of flagged figures (核实)
    assert [ws.cell(r, 3).value for r in (4, 5, 6)] == [CITY, "崇川区", "2017年第一季度"]
    row = {v: r for r, v in enumerate(labels, start=4)}
    assert ws.cell(row["地区生产总值(亿元)"], 2).value == "亿元"
    assert ws.cell(row["年度增长目标(%)"], 2).value == "%"
    # a percentage is a text cell without a number validation: 40 or 40% as typed
    pct = f"C{row['年度增长目标(%)']}"
    assert ws[pct].number_format == "@"
    dvs = ws.data_validations.dataValidation
    at = [dv for dv in dvs if pct in dv.sqref]
    assert at and at[0].type is None and "40或40%" in at[0].prompt
    gdp = next(dv for dv in dvs if f"C{row['地区生产总值(亿元)']}" in dv.sqref)
    assert (gdp.type, gdp.operator, gdp.formula1) == ("decimal", "greaterThanOrEqual", "0")
    # one A4 page, portrait
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight or 1) == (
        "portrait", 9, 1, 1,
    )  # fmt: skip
    # the guide: one row per indicator, numbered, in the same order
    table = list(guide.iter_rows(values_only=True))
    top = next(
        i for i, r in enumerate(table) if r[:4] == ("序号", "填报项", "是否必填", "填写要求")
    )
    rows = [r for r in table[top + 1 :] if r[1]]
    assert [r[1] for r in rows[: len(labels)]] == labels
    rules = {r[1]: (r[2], r[3]) for r in rows}
    assert rules["地区生产总值(亿元)"] == ("县级单位必填", "县级单位必填；应为不小于0的数")
    assert rules["单位名称"][1] == "仅供核对，不必修改"
    assert rules["年度增长目标(%)"][1].endswith("填百分数的数字，40或40%都表示40%")


def test_one_units_projects_are_a_table_with_the_unit_written_above(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_template("projects", TOWN, "2017Q1", out, load_registry())
    wb = load_workbook(out)
    ws, guide = wb.worksheets
    assert (ws["A2"].value, ws["B2"].value, ws["D2"].value, ws["E2"].value) == (
        "单位代码", TOWN, "单位名称", "城东街道",
    )  # fmt: skip
    assert (ws["A3"].value, ws["B3"].value, ws["D3"].value) == (
        "报告期",
        "2017年第一季度",
        "填报时间",
    )
    headers = [c.value for c in ws[4]]
    assert headers[:3] == ["项目编号", "项目类型", "项目名称"] and "单位代码" not in headers
    letters = [c.column_letter for c in ws[4]]
    pct = letters[headers.index("形象进度(%)")]
    data = [dv for dv in ws.data_validations.dataValidation if f"{pct}5" in dv.sqref]
    assert data and data[0].showInputMessage and "40或40%" in data[0].prompt
    assert ws[f"{pct}5"].number_format == "@"  # text: 40% stays 40%, read as 40
    when = [dv for dv in ws.data_validations.dataValidation if "E3" in dv.sqref]
    assert when and when[0].type == "date"
    # how to name and save the file
    text = "\n".join(str(c) for r in guide.iter_rows(values_only=True) for c in r if c)
    assert "城东街道2017年一季度项目季报.xlsx" in text
    assert all(w in text for w in (".xlsx", ".xls", ".ods", ".csv", ".et", "密码", "文本"))
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize) == ("landscape", 9)
    assert ws.print_title_rows == "$4:$4"


def test_children_template_is_one_row_per_unit_and_loads(session: Any, tmp_path: Path) -> None:
    reg = load_registry()
    path = write_template("economy", TOWN, "2017Q1", tmp_path / "t.xlsx", reg, children=True)
    ws = load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]][:4] == ["单位代码", "单位名称", "报告期", "填报时间"]
    assert ws.freeze_panes == "C2" and ws.print_title_cols == "$A:$B"  # code, name on each page
    values = {"填报时间": datetime(2017, 4, 9, 16, 0), "村集体经营性收入(万元)": 42.5}
    filled = fill(path, values, tmp_path / "inbox" / "经济指标_城东街道_村汇总.xlsx")
    result = ingest(session, [tmp_path / "inbox"], NOW)
    villages = reg.filter(reg["parent_code"] == TOWN).height
    assert result.reports_quarantined == 0 and result.reports_loaded == {"economy": villages}
    got = session.con.execute(
        "SELECT count(*), min(collective_income), min(submitted_at) FROM core.economy"
    ).fetchone()
    assert got == (villages, 42.5, datetime(2017, 4, 9, 16, 0))
    assert filled.exists()


def test_a_wrong_value_typed_into_a_form_is_the_one_problem_on_its_row(
    session: Any, tmp_path: Path
) -> None:
    path = write_template("supervision", VILLAGE, "2017Q1", tmp_path / "t.xlsx", load_registry())
    fill(
        path, SUPERVISION_VALUES | {"党员数": "二百"}, tmp_path / "inbox" / "党建督导_城北社区.xlsx"
    )
    ingest(session, [tmp_path / "inbox"], NOW)
    got = session.con.execute(
        'SELECT sheet_row, "column", value, reason, message_zh FROM quarantine.problems'
    ).fetchall()
    row = 4 + [*(c.zh for c in SUPERVISION.columns[:1]), "单位名称",
               *(c.zh for c in SUPERVISION.columns[1:])].index("党员数")  # fmt: skip
    assert got == [
        (
            row,
            "party_members",
            "二百",
            "bad_value",
            f"第{row}行「党员数」应为不小于0的整数，收到“二百”",
        )
    ]


def test_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "党建督导_城北社区.xlsx"
    args = ["template", "--kind", "supervision", "--unit", VILLAGE, "--period", "2017年第一季度"]
    assert main([*args, "--out", str(out)]) == 0
    assert out.exists()
    assert main([*args, "--out", str(tmp_path / "x.csv")]) == 2  # usage: not an .xlsx
    assert main(["template", "--kind", "supervision", "--unit", "320699999999", "--period",
                 "2017Q1", "--out", str(out), "--force"]) == 2  # fmt: skip  # usage: --unit
    assert "not in the registry" in capsys.readouterr().err
