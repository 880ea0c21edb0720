"""Issue 19, group 7: personal numbers in every form, and in names, through the real CLI.

One inbox, whose folder name holds a mobile number, holds reports whose text cells hold
numbers as people type them (full-width, dashed, spaced, ``+86``), in a declared text
column, an extra column and nested JSON, and a file whose name holds a number. After
``ronghe run --inbox …``: the reports with a number in any text cell (a declared text
column, an extra column, a nested JSON value anywhere) are quarantined ``pii``, each
number a problem on the column as the file names it; every number is masked in every
table (the raw record included) and in the Prefect flow run's stored parameters; the
file name's number quarantines nothing (one rule: a name is masked wherever it is
stored or shown, docs/operations.md §10).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import COUNTY, COUNTY2, project_row, write_csv
from tests.support.hardening import cli, cli_env

FORMS = {
    "P1": "联系人１３９１２３４５６７８",
    "P2": "电话158-0000-1111",
    "P3": "+86 137 2222 3333",
    "P4": "+8613644445555",
    "P5": "身份证320602 19900101 123X",
}
DIGITS = [
    "13912345678",
    "１３９１２３４５６７８",
    "0000-1111",
    "2222 3333",
    "13644445555",
    "19900101",
    "13566667777",
    "13588889999",
    "13500001234",
    "139 0000",
    "13700004444",
]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("pii")
    inbox = base / "张三13500001234"
    inbox.mkdir()
    rows = [project_row(pid=pid, name=text) for pid, text in FORMS.items()]
    write_csv(inbox / "projects_forms.csv", rows)
    # an extra column: pii like a declared text column
    write_csv(
        inbox / "projects_extra.csv",
        [project_row(unit=COUNTY2, pid="X1", 备注="联系 135-6666-7777")],
    )
    # nested JSON in a text field
    (inbox / "projects_nested.json").write_text(
        json.dumps(
            [project_row(unit=COUNTY2, pid="J1", period="2017Q2", name={"tel": "135 8888 9999"})],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    # nested JSON in an extra key, and in a typed column (a value not of its type is text)
    nested = [
        project_row(pid="J2", period="2017Q2", 联系方式={"手机": ["139 0000 2222"]}),
        project_row(
            unit=COUNTY2, pid="J3", period="2016Q4", planned_investment={"备注": "13700004444"}
        ),
    ]
    (inbox / "projects_nested_elsewhere.json").write_text(
        json.dumps(nested, ensure_ascii=False), encoding="utf-8"
    )
    write_csv(
        inbox / "projects_联系人13912345678.csv",
        [project_row(unit=COUNTY, pid="N1", period="2016Q4")],
    )
    home = base / "home"
    proc = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home, env=cli_env(home))
    return {"proc": proc, "home": home}


def _q(home: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_run_finishes(ran: dict[str, Any]) -> None:
    assert ran["proc"].returncode == 0, ran["proc"].stderr[-2000:]


def test_every_form_in_a_text_field_is_pii(ran: dict[str, Any]) -> None:
    rows = _q(ran["home"], "SELECT kind, unit_code, period, reasons FROM quarantine.reports")
    assert ("projects", COUNTY, "2017Q1", ["pii"]) in rows
    assert ("projects", COUNTY2, "2017Q2", ["pii"]) in rows
    problems = _q(ran["home"], "SELECT value FROM quarantine.problems WHERE reason = 'pii'")
    assert len(problems) >= len(FORMS) + 1


def test_a_number_in_an_extra_column_or_nested_json_is_pii(ran: dict[str, Any]) -> None:
    home = ran["home"]
    reports = _q(home, "SELECT unit_code, period, reasons FROM quarantine.reports")
    assert (COUNTY2, "2017Q1", ["pii"]) in reports  # the extra CSV column 备注
    assert (COUNTY, "2017Q2", ["pii"]) in reports  # nested JSON in an extra key
    assert (COUNTY2, "2016Q4", ["bad_value", "pii"]) in reports  # nested in an amount
    assert _q(
        home, "SELECT count(*) FROM core.projects WHERE project_id IN ('X1', 'J2', 'J3')"
    ) == [(0,)]
    got = _q(
        home,
        'SELECT unit_code, period, sheet_row, "column", column_zh, value, message_zh'
        " FROM quarantine.problems WHERE reason = 'pii' AND \"column\" <> 'name'"
        " ORDER BY period, unit_code",
    )
    assert got == [
        (
            COUNTY2,
            "2016Q4",
            2,
            "planned_investment",
            "计划总投资(万元)",
            '{"备注": "137****4444"}',
            '第2条记录「计划总投资(万元)」不得包含身份证号或手机号，收到“{"备注": "137****4444"}”',
        ),
        (
            COUNTY2,
            "2017Q1",
            2,
            "备注",
            "备注",
            "联系 135-****-7777",
            "第2行「备注」不得包含身份证号或手机号，收到“联系 135-****-7777”",
        ),
        (
            COUNTY,
            "2017Q2",
            1,
            "联系方式",
            "联系方式",
            '{"手机": ["139 **** 2222"]}',
            '第1条记录「联系方式」不得包含身份证号或手机号，收到“{"手机": ["139 **** 2222"]}”',
        ),
    ]


def test_a_number_in_a_name_is_masked_and_quarantines_nothing(ran: dict[str, Any]) -> None:
    home = ran["home"]
    assert _q(home, "SELECT count(*) FROM core.projects WHERE project_id = 'N1'") == [(1,)]
    paths = [p for (p,) in _q(home, "SELECT path FROM meta.file_manifest")]
    assert any("联系人139****5678" in p and "张三135****1234" in p for p in paths), paths


def test_no_number_is_stored_unmasked(ran: dict[str, Any]) -> None:
    home = ran["home"]
    cols = _q(
        home,
        "SELECT table_schema, table_name, column_name FROM information_schema.columns"
        " WHERE data_type IN ('VARCHAR', 'VARCHAR[]') AND table_schema <> 'information_schema'",
    )
    anywhere = " OR ".join(f"t LIKE '%{d}%'" for d in DIGITS)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        for schema, table, col in cols:
            text = f'SELECT CAST("{col}" AS VARCHAR) AS t FROM "{schema}"."{table}"'
            sql = f"SELECT count(*) FROM ({text})"
            assert con.execute(f"{sql} WHERE {anywhere}").fetchall() == [(0,)], (table, col)
    finally:
        con.close()
    # the Prefect server's database: the flow run's parameters (--inbox) are masked
    prefect = [p for p in (home / "prefect").rglob("*") if p.is_file()]
    assert prefect
    for p in prefect:
        data = p.read_bytes()
        assert b"13500001234" not in data and b"13912345678" not in data, p
