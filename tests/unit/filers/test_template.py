"""``ronghe template`` → fill in (openpyxl, as a clerk's Excel/WPS would) → load."""

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
from transforms.columns import ECONOMY, SUPERVISION
from warehouse.registry import load_registry

NOW = datetime(2017, 6, 1)


def fill(path: Path, values: dict[str, Any], out: Path) -> Path:
    """Type ``values`` (by Chinese header) into every prefilled row and save as ``out``."""
    wb = load_workbook(path)
    ws = wb.worksheets[0]
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


def test_template_has_the_levels_columns_validation_and_guide(tmp_path: Path) -> None:
    path = write_template("economy", CITY, "2017年第一季度", tmp_path / "t.xlsx", load_registry())
    wb = load_workbook(path)
    ws, guide = wb.worksheets
    assert ws.title == "报表" and guide.title == "填报说明"
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["单位代码", "单位名称", "报告期", "填报时间"]
    assert "地区生产总值(亿元)" in headers and "村集体经营性收入(万元)" not in headers
    assert headers[-1] == "说明"  # the filer's explanation of flagged figures (核实)
    assert [c.value for c in ws[2]][:3] == [CITY, "崇川区", "2017年第一季度"]
    assert ws.freeze_panes == "C2"
    validations = ws.data_validations.dataValidation
    prompts = {dv.promptTitle for dv in validations if dv.prompt}
    assert set(headers) <= prompts  # an input message on every header cell
    typed = {str(dv.sqref).split(":")[0][:-1] for dv in validations if dv.type}
    letters = [c.column_letter for c in ws[1]]
    want = {
        letters[headers.index(c.zh)]
        for c in ECONOMY.columns
        if c.zh in headers and c.type != "code"
    }
    want.discard(letters[headers.index("报告期")])
    assert want <= typed
    target = letters[headers.index("年度增长目标(%)")]
    dv = next(dv for dv in validations if dv.type and str(dv.sqref).startswith(target))
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "30")  # "between" is the default
    # the guide: one row per column of 报表, beside its column letter, in the same order
    table = list(guide.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(table) if r[:4] == ("列", "列名", "是否必填", "填写要求"))
    rows = [r for r in table[top + 1 :] if r[1]]
    assert [(r[0], r[1]) for r in rows[: len(headers)]] == list(zip(letters, headers, strict=True))
    rules = {r[1]: (r[2], r[3]) for r in rows}
    assert rules["地区生产总值(亿元)"] == ("县级单位必填", "县级单位必填；应为不小于0的数")
    assert rules["单位名称"][1] == "仅供核对，不必修改"
    assert rules["年度增长目标(%)"][1].endswith("填数字，如40表示40%，不要输入%号")


def test_template_prompts_on_data_cells_percent_as_numbers_naming_and_print(
    tmp_path: Path,
) -> None:
    out = tmp_path / "t.xlsx"
    write_template("projects", TOWN, "2017Q1", out, load_registry())
    wb = load_workbook(out)
    ws, guide = wb.worksheets
    headers = [c.value for c in ws[1]]
    letters = [c.column_letter for c in ws[1]]
    pct = letters[headers.index("形象进度(%)")]
    # an input message on the data cells, not only the header, with the percent hint
    data = [dv for dv in ws.data_validations.dataValidation if f"{pct}2" in dv.sqref and dv.type]
    assert data and data[0].showInputMessage and "40表示40%" in data[0].prompt
    assert (data[0].type, data[0].formula1, data[0].formula2) == ("decimal", "0", "100")
    for col in letters:
        assert any(
            dv.prompt and f"{col}2" in dv.sqref for dv in ws.data_validations.dataValidation
        ), col
    # a number format, never a percent one: 40 typed means 40
    assert "%" not in ws[f"{pct}2"].number_format and ws[f"{pct}2"].number_format != "General"
    assert ws["A2"].number_format == "@" and ws["A2"].data_type == "s"
    # how to name and save the file
    text = "\n".join(str(c) for r in guide.iter_rows(values_only=True) for c in r if c)
    assert "城东街道2017年一季度项目季报.xlsx" in text
    assert all(w in text for w in (".xlsx", ".xls", ".ods", ".csv", ".et", "密码", "文本"))
    # A4 landscape, one page wide, the header repeated
    for sheet in (ws, guide):
        setup = sheet.page_setup
        # fitToWidth is left out when 1 (the default of the file format)
        assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == (
            "landscape", 9, 1, 0,
        )  # fmt: skip
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"


def test_children_template_filled_and_saved_loads(session: Any, tmp_path: Path) -> None:
    reg = load_registry()
    path = write_template("economy", TOWN, "2017Q1", tmp_path / "t.xlsx", reg, children=True)
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


def test_a_wrong_value_typed_into_a_template_is_the_one_problem(
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
    assert got == [
        (2, "party_members", "二百", "bad_value", "第2行「党员数」应为不小于0的整数，收到“二百”")
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
