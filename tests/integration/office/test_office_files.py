"""Files as offices really save them (issue 20): fixtures last saved by LibreOffice,
through the real CLI (``ronghe validate`` and ``ronghe ingest``) and a real DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cli.main import main
from tests.fixtures.office import make_fixtures

OFFICE = Path(make_fixtures.__file__).parent
V = make_fixtures.VILLAGES


def fixture(name: str) -> Path:
    return OFFICE / make_fixtures.NAMES[name]


def ingest(tmp_path: Path, *names: str) -> duckdb.DuckDBPyConnection:
    home = tmp_path / "home"
    files = []
    for n in names:
        dst = tmp_path / "in" / make_fixtures.NAMES[n]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture(n), dst)
        files.append(str(dst))
    assert main(["--home", str(home), "ingest", *files]) == 0
    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)


def validate(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(["--home", str(tmp_path / "home"), "validate", "--format", "json", str(fixture(name))])
    return json.loads(capsys.readouterr().out)["files"][0]


@pytest.fixture(scope="module")
def other_formats(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The .ods and .xls merged-cell files, the xlsx with a margin, the xlsx with a hidden
    first sheet and the one naming units by alias, in one ingest (each its own units)."""
    names = (
        "merged_units_ods",
        "merged_units_xls",
        "percent_margin",
        "hidden_first_sheet_xlsx",
        "alias_names",
    )
    return ingest(tmp_path_factory.mktemp("formats"), *names)


def test_percent_cell_loads_as_the_percentage_shown(tmp_path: Path) -> None:
    con = ingest(tmp_path, "percent")
    assert con.execute("SELECT progress_pct FROM core.projects").fetchall() == [(40.0,)]


def test_a_table_below_and_right_of_a_margin_keeps_formats_and_sheet_rows(
    other_formats: duckdb.DuckDBPyConnection,
) -> None:
    from transforms.read import read_file

    got = other_formats.execute(
        "SELECT progress_pct FROM core.projects WHERE unit_code = ?", [V[2][0]]
    ).fetchall()
    assert got == [(40.0,)]  # the table starts at B3: the % cell is D4, not A1-relative
    assert read_file(fixture("percent_margin")).places == [("报表", 4)]


def test_hidden_first_sheet_skipped_visible_sheet_read(tmp_path: Path) -> None:
    con = ingest(tmp_path, "hidden_first_sheet")
    assert con.execute("SELECT period, party_members FROM core.supervision").fetchall() == [
        ("2017Q1", 130)
    ]


def test_hidden_first_sheet_of_an_xlsx_skipped_and_said(
    other_formats: duckdb.DuckDBPyConnection,
) -> None:
    got = other_formats.execute(
        "SELECT period, party_members FROM core.supervision WHERE unit_code = ?", [V[0][0]]
    ).fetchall()
    assert got == [("2017Q1", 130)]  # 报表, not the hidden 上季度 (2016Q4, 99)
    (sheets,) = other_formats.execute(
        "SELECT sheets FROM meta.file_manifest WHERE format = 'xlsx' AND kind = 'supervision'"
    ).fetchone() or (None,)
    said = {s["sheet"]: (s["read"], s["why"]) for s in json.loads(sheets)}
    assert said["上季度"] == ("false", "hidden") and said["报表"][0] == "true"
    assert said["填报说明"] == ("false", "no_header")


def test_every_village_sheet_loads(tmp_path: Path) -> None:
    con = ingest(tmp_path, "four_villages")
    got = con.execute("SELECT unit_code, party_members FROM core.supervision ORDER BY 1").fetchall()
    assert got == [(code, 100 + i) for i, (code, _) in enumerate(V)]


def test_merged_unit_cells_are_one_report_of_three_projects(tmp_path: Path) -> None:
    con = ingest(tmp_path, "merged_units")
    got = con.execute(
        "SELECT unit_code, project_id, progress_pct FROM core.projects ORDER BY project_id"
    ).fetchall()
    assert got == [
        (make_fixtures.TOWN, "P1", 40.0),
        ("320623100000", "P2", 55.0),
        ("320623100000", "P3", 70.0),
    ]
    assert con.execute("SELECT count(*) FROM quarantine.reports").fetchone() == (0,)


@pytest.mark.parametrize(("fmt", "unit"), [("ods", V[0][0]), ("xls", V[1][0])])
def test_merged_cells_and_percent_cells_in_ods_and_xls(
    other_formats: duckdb.DuckDBPyConnection, fmt: str, unit: str
) -> None:
    got = other_formats.execute(
        "SELECT p.project_id, p.progress_pct FROM core.projects p"
        " JOIN meta.file_manifest m ON m.sha256 = p.source_sha256"
        " WHERE p.unit_code = ? AND m.format = ? ORDER BY 1",
        [unit, fmt],
    ).fetchall()
    assert got == [("P1", 40.0), ("P2", 55.0), ("P3", 70.0)]  # 40%, not 0.4; all three rows
    returned = other_formats.execute(
        "SELECT count(*) FROM quarantine.reports WHERE kind = 'projects'"
    ).fetchone()
    assert returned == (0,)


def test_swapped_codes_are_unit_name_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = ingest(tmp_path, "swapped_codes")
    assert con.execute("SELECT unit_code FROM core.supervision").fetchall() == [(V[2][0],)]
    rows = con.execute(
        "SELECT unit_code, reasons FROM quarantine.reports ORDER BY unit_code"
    ).fetchall()
    assert rows == [(V[0][0], ["unit_name_mismatch"]), (V[1][0], ["unit_name_mismatch"])]
    msg = con.execute(
        "SELECT message_zh FROM quarantine.problems WHERE unit_code = ?", [V[1][0]]
    ).fetchone()
    assert (
        msg is not None and "北闸村" in msg[0] and "瑞丰村" in msg[0] and msg[0].startswith("第2行")
    )


def test_total_row_is_not_loaded_and_checked(tmp_path: Path) -> None:
    from transforms.read import read_file

    con = ingest(tmp_path, "total_row")
    got = con.execute("SELECT unit_code FROM core.supervision ORDER BY 1").fetchall()
    assert got == [(V[0][0],), (V[1][0],)]  # not the township's "合 计" row
    # the total that is not the sum of its rows is a review flag (核实, §9), never a block
    flags = con.execute(
        'SELECT rule, "column", value, previous_value, message_zh FROM marts.review_flags'
        " WHERE rule = 'total_mismatch'"
    ).fetchall()
    flagged = {r[1]: (r[2], r[3], r[4]) for r in flags}
    assert flagged["party_members"][:2] == (160.0, 150.0) and "party_orgs" not in flagged
    assert "合计行" in flagged["party_members"][2] and "160" in flagged["party_members"][2]
    # as many flags as the reader found differences
    assert len(flagged) == len({m.column for m in read_file(fixture("total_row")).total_mismatches})
    raw = read_file(fixture("total_row"))
    assert raw.total_rows == 1 and raw.rows == 2
    bad = {m.column: (m.total, m.sum) for m in raw.total_mismatches}
    assert bad["party_members"] == (160.0, 150.0) and "party_orgs" not in bad


@pytest.mark.parametrize(
    "name", ["date_without_year", "date_without_year_ods", "date_without_year_xls"]
)
def test_date_without_year_is_bad_value(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    f = validate(tmp_path, name, capsys)
    (report,) = f["reports"]
    (p,) = report["problems"]
    assert (p["reason"], p["column"], p["value"], p["sheet_row"]) == (
        "bad_value",
        "submitted_at",
        "4月10日",
        2,
    )
    assert "没有年份" in p["message_zh"]


@pytest.mark.parametrize("name", ["title_rows", "two_row_header", "excel97", "opendocument"])
def test_header_shapes_and_formats_load(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    f = validate(tmp_path, name, capsys)
    assert f["verdict"] == "loadable" and f["problems"] == []
    assert all(r["period"] == "2017Q1" for r in f["reports"])


def test_title_rows_count_in_sheet_rows(tmp_path: Path) -> None:
    from transforms.read import read_file

    raw = read_file(fixture("title_rows"))
    assert raw.kind == "supervision" and raw.places == [("报表", 5), ("报表", 6)]


def test_full_width_digits_and_code_parse(tmp_path: Path) -> None:
    con = ingest(tmp_path, "full_width")
    assert con.execute("SELECT unit_code, party_members FROM core.supervision").fetchall() == [
        (V[0][0], 56)
    ]


def test_period_without_year_says_add_the_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = validate(tmp_path, "no_year_period", capsys)
    msgs = [p["message_zh"] for r in f["reports"] for p in r["problems"]]
    assert msgs == ["第2行「报告期」“一季度”没有年份，请写明年份，如2017年第一季度"]


def test_the_script_remakes_a_fixture_through_libreoffice(tmp_path: Path) -> None:
    made = make_fixtures.make("percent", tmp_path)
    from transforms.read import read_file

    raw = read_file(made)
    assert raw.frame is not None and raw.frame["progress_pct"].to_list() == ["40"]
    assert "LibreOffice" in __import__("zipfile").ZipFile(made).read("docProps/app.xml").decode()


def test_a_blank_unit_among_filled_ones_says_which_row_to_fill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = validate(tmp_path, "blank_unit", capsys)
    loadable = sorted(r["unit_code"] for r in f["reports"] if r["verdict"] == "loadable")
    assert loadable == [V[0][0], V[2][0]]  # the others load, not shrunk nor held back
    (returned,) = [r for r in f["reports"] if r["verdict"] == "quarantined"]
    (p,) = returned["problems"]
    assert (p["reason"], p["column"], p["sheet_row"]) == ("missing_required_value", "unit_code", 3)
    assert p["message_zh"] == (
        "第3行填了数据，但「单位代码」是空白，而本文件其他行填了单位代码："
        "请在第3行填写这一行所属单位的12位单位代码（原表若是合并单元格，请在每一行都填上）"
    )


def test_a_unit_named_by_its_alias_loads_a_wrong_name_does_not(
    other_formats: duckdb.DuckDBPyConnection,
) -> None:
    got = other_formats.execute(
        "SELECT unit_code, party_members FROM core.supervision WHERE unit_code = ?",
        [make_fixtures.TOWN],
    ).fetchall()
    assert got == [(make_fixtures.TOWN, 150)]  # 如东县 掘港镇: the registry's alias of 掘港镇
    returned = other_formats.execute(
        "SELECT unit_code, reasons FROM quarantine.reports WHERE kind = 'supervision'"
    ).fetchall()
    assert returned == [(V[3][0], ["unit_name_mismatch"])]  # 东灶村's code named 北闸村
