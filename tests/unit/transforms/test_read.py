"""transforms/read.py: formats, encodings, headers, kind from the name, bad files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from tests.support.factories import COUNTY, raw_value
from transforms.batch import ROW
from transforms.columns import ECONOMY, PROJECTS, SUPERVISION, ReportKind
from transforms.read import (
    EMPTY_FILE,
    MISSING_COLUMNS,
    UNKNOWN_KIND,
    UNREADABLE_FILE,
    RawFile,
    read_file,
    read_files,
)

UNIT = COUNTY


def headers(kind: ReportKind, chinese: bool = True) -> list[str]:
    return [c.zh if chinese else c.name for c in kind.columns]


def rows(kind: ReportKind, n: int = 2) -> list[list[str]]:
    return [[raw_value(c, i) for c in kind.columns] for i in range(n)]


def csv_text(header: list[str], body: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue()


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def ok(f: RawFile) -> Any:
    assert f.reasons == [], f.detail
    assert f.frame is not None
    return f.frame


# --------------------------------------------------------------------------- csv


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_with_chinese_headers(tmp_path: Path, encoding: str) -> None:
    text = csv_text(headers(SUPERVISION), rows(SUPERVISION))
    data = text.encode(encoding)
    if encoding in ("gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the fixture really is not UTF-8
    f = read_file(write(tmp_path / "党建督导_崇川.csv", data))
    frame = ok(f)
    assert f.format == "csv"
    assert f.kind == "supervision"
    assert frame.columns == [*SUPERVISION.names, ROW]
    assert frame["unit_code"].to_list() == [UNIT, UNIT]
    assert frame["list_published"].to_list() == ["是", "是"]
    assert frame[ROW].to_list() == [1, 2]
    assert all(dt == "String" for dt in map(str, frame.drop(ROW).dtypes))


def test_csv_english_headers_case_insensitive_and_spaces(tmp_path: Path) -> None:
    names = [f"  {n.upper()} " if i % 2 else n for i, n in enumerate(headers(ECONOMY, False))]
    f = read_file(write(tmp_path / "economy_2017Q1.csv", csv_text(names, rows(ECONOMY, 1))))
    assert ok(f).columns == [*ECONOMY.names, ROW]


def test_full_width_brackets_and_extra_column(tmp_path: Path) -> None:
    hdr = headers(PROJECTS)
    i = PROJECTS.names.index("planned_investment")
    hdr[i] = hdr[i].replace("(", "（").replace(")", "）")
    assert hdr[i] == "计划总投资（万元）"
    body = [[*r, "备注文字"] for r in rows(PROJECTS, 1)]
    f = read_file(write(tmp_path / "项目_1.csv", csv_text([*hdr, " 备注 "], body)))
    frame = ok(f)
    assert frame["planned_investment"].to_list() == ["1.5"]
    assert frame["备注"].to_list() == ["备注文字"]


def test_csv_quotes_blanks_and_blank_rows(tmp_path: Path) -> None:
    hdr = ",".join(headers(ECONOMY, False))
    n = len(ECONOMY.columns)
    line = f'{UNIT},2017Q1,"2017-04-05 10:00",' + ",".join(['"1,234.5"'] + [""] * (n - 4))
    text = f"{hdr}\n{line}\n" + "," * (n - 1) + "\n\n" + f"{line}\n\n\n"
    frame = ok(read_file(write(tmp_path / "economy.csv", text)))
    assert frame[ROW].to_list() == [1, 4]  # blank rows dropped, positions kept
    assert frame["growth_target_pct"].to_list() == ["1,234.5", "1,234.5"]
    assert frame["gdp"].to_list() == [None, None]


def test_csv_more_fields_than_header_is_unreadable(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "economy.csv", "unit_code,period\n1,2,3\n"))
    assert f.reasons == [UNREADABLE_FILE]
    assert f.frame is None
    assert "fields" in f.detail


# --------------------------------------------------------------------------- xlsx


def test_xlsx_dates_numbers_and_text(tmp_path: Path) -> None:
    path = tmp_path / "经济指标.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [*headers(ECONOMY), "编号"])
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    names = ECONOMY.names
    ws.write_number(1, 0, 320602000000)  # a code typed as a number
    ws.write_string(1, 1, "2017年第一季度")
    ws.write_datetime(1, 2, datetime(2017, 4, 5, 10, 30), date)
    ws.write_string(1, names.index("gdp"), "1,234.5")  # thousands separator as text
    ws.write_number(1, names.index("gdp_growth_pct"), 12)  # integral number
    ws.write_number(1, names.index("fiscal_revenue"), 99.99999999999)  # needs every digit
    ws.write_number(1, names.index("savings_balance"), 0.1)
    ws.write_boolean(1, names.index("income_growth_pct"), True)
    ws.write_string(1, len(names), "007")  # text that looks like a number
    ws.write_string(2, 0, UNIT)
    wb.close()
    f = read_file(path)
    frame = ok(f)
    assert (f.format, f.kind) == ("xlsx", "economy")
    r = frame.row(0, named=True)
    assert r["unit_code"] == "320602000000"
    assert r["period"] == "2017年第一季度"
    assert r["submitted_at"] == "2017-04-05 10:30:00"
    assert r["gdp"] == "1,234.5"
    assert r["gdp_growth_pct"] == "12"
    assert r["fiscal_revenue"] == "99.99999999999"
    assert r["savings_balance"] == "0.1"
    assert r["income_growth_pct"] == "true"
    assert r["编号"] == "007"
    assert r["collective_income"] is None
    assert frame[ROW].to_list() == [1]  # a row with only its unit code is no report


def test_garbage_xlsx_is_unreadable(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "经济指标.xlsx", b"PK\x03\x04 this is not a zip"))
    assert f.reasons == [UNREADABLE_FILE]
    assert f.frame is None
    assert f.format == "xlsx"
    assert f.detail


def test_empty_xlsx_is_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "economy.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet()
    wb.close()
    assert read_file(path).reasons == [EMPTY_FILE]


# --------------------------------------------------------------------------- json


def _json_row(kind: ReportKind) -> dict[str, Any]:
    return dict(zip(headers(kind, False), rows(kind, 1)[0], strict=True))


def test_json_array_values_as_written(tmp_path: Path) -> None:
    row = _json_row(PROJECTS)
    text = json.dumps([row], ensure_ascii=False)
    # numbers as written, booleans, null, nested value
    text = text.replace('"1.5"', "1.50").replace('"是"', "true")
    # once: a key twice is refused (issue 19)
    text = text.replace('"P-0"', '"P-0", "extra": {"a": [1, null]}, "note": null', 1)
    f = read_file(write(tmp_path / "projects-2017.json", text))
    frame = ok(f)
    assert (f.format, f.kind) == ("json", "projects")
    r = frame.row(0, named=True)
    assert r["planned_investment"] == "1.50"
    assert r["party_org_established"] == "true"
    assert r["extra"] == '{"a": [1, null]}'
    assert r["note"] is None
    assert r["project_type"] == "书记项目"


def test_json_object_with_rows_and_chinese_keys(tmp_path: Path) -> None:
    row = dict(zip(headers(SUPERVISION), rows(SUPERVISION, 1)[0], strict=True))
    row["基层党组织数"] = 12  # type: ignore[assignment]
    other = dict(row, 单位代码="320602001000")
    f = read_file(write(tmp_path / "supervision.json", json.dumps({"rows": [row, {}, other]})))
    frame = ok(f)
    assert frame["unit_code"].to_list() == [UNIT, "320602001000"]
    assert frame["party_orgs"].to_list() == ["12", "12"]
    assert frame[ROW].to_list() == [1, 3]


@pytest.mark.parametrize(
    "text", ["{not json", '"a string"', '{"data": []}', "[1, 2]", '{"rows": 3}']
)
def test_bad_json_is_unreadable(tmp_path: Path, text: str) -> None:
    f = read_file(write(tmp_path / "projects.json", text))
    assert f.reasons == [UNREADABLE_FILE]
    assert f.frame is None


# --------------------------------------------------------------------------- kinds, columns


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("党建督导_xx.csv", "supervision"),
        ("Supervision-2017Q1.csv", "supervision"),
        ("projects-2017.csv", "projects"),
        ("项目季报.csv", "projects"),
        ("经济指标.csv", "economy"),
        ("economy.v2.csv", "economy"),
    ],
)
def test_kind_from_file_name(tmp_path: Path, name: str, kind: str) -> None:
    assert read_file(write(tmp_path / name, "a\n1\n")).kind == kind


def test_kind_from_the_headers_when_the_name_says_none(tmp_path: Path) -> None:
    text = csv_text(headers(ECONOMY), rows(ECONOMY, 1))
    f = read_file(write(tmp_path / "report_2017.csv", text))
    assert (f.kind, f.reasons) == ("economy", [])
    assert f.frame is not None and f.frame.height == 1


def test_unknown_kind_still_read(tmp_path: Path) -> None:
    text = csv_text(["unit_code", "period", "submitted_at", "x"], [["1", "2", "3", "4"]])
    f = read_file(write(tmp_path / "report_2017.csv", text))
    assert f.kind is None
    assert f.reasons == [UNKNOWN_KIND]
    assert f.frame is not None and f.frame.height == 1
    assert "report_2017.csv" in f.detail


def test_json_key_twice_is_unreadable(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "economy.json", '[{"unit_code": "1", "unit_code": "2"}]'))
    assert f.reasons == [UNREADABLE_FILE] and "twice" in f.detail


def test_missing_columns_named_in_detail(tmp_path: Path) -> None:
    hdr, body = headers(SUPERVISION), rows(SUPERVISION, 1)
    drop = {SUPERVISION.names.index("party_members"), SUPERVISION.names.index("grid_branches")}
    hdr = [h for i, h in enumerate(hdr) if i not in drop]
    body = [[v for i, v in enumerate(r) if i not in drop] for r in body]
    f = read_file(write(tmp_path / "党建督导.csv", csv_text(hdr, body)))
    assert f.reasons == [MISSING_COLUMNS]
    assert "party_members" in f.detail
    assert "grid_branches" not in f.detail  # optional: may be absent
    assert f.frame is not None and f.frame.height == 1


def test_duplicate_declared_column_is_unreadable(tmp_path: Path) -> None:
    hdr = [*headers(ECONOMY), "unit_code"]
    body = [[*r, "320602001000"] for r in rows(ECONOMY, 1)]
    f = read_file(write(tmp_path / "economy.csv", csv_text(hdr, body)))
    assert f.reasons == [UNREADABLE_FILE]
    assert "unit_code" in f.detail


def test_duplicate_extra_empty_and_reserved_headers(tmp_path: Path) -> None:
    hdr = [*headers(ECONOMY), "备注", "备注", "", "_row", ""]
    body = [[*r, "a", "b", "c", "d", ""] for r in rows(ECONOMY, 1)]
    frame = ok(read_file(write(tmp_path / "economy.csv", csv_text(hdr, body))))
    extra = frame.columns[len(ECONOMY.names) :]
    n = len(ECONOMY.names)
    assert extra == ["备注", "备注_2", f"column_{n + 3}", "_row_2", ROW]
    assert frame.row(0)[n:] == ("a", "b", "c", "d", 1)


@pytest.mark.parametrize("name", ["economy.txt", "economy.et", "economy"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    f = read_file(write(tmp_path / name, "unit_code\n1\n"))
    assert f.reasons == [UNREADABLE_FILE]
    assert f.format is None
    assert f.kind == "economy"


def test_binary_csv_unreadable(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "economy.csv", b"\x00\x01\x02binary\xff\xfe\x00"))
    assert f.reasons == [UNREADABLE_FILE]


def test_unknown_and_unreadable_together(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "notes.json", "{"))
    assert f.reasons == sorted([UNKNOWN_KIND, UNREADABLE_FILE])


def test_header_only_file_is_an_empty_file(tmp_path: Path) -> None:
    f = read_file(write(tmp_path / "economy.csv", ",".join(headers(ECONOMY)) + "\n"))
    assert f.reasons == [EMPTY_FILE] and f.rows == 0


def test_sha256_and_size_from_bytes(tmp_path: Path) -> None:
    data = csv_text(headers(ECONOMY), rows(ECONOMY, 1)).encode("gb18030")
    f = read_file(write(tmp_path / "economy.csv", data))
    assert f.sha256 == hashlib.sha256(data).hexdigest()
    assert f.size == len(data)
    assert f.path == str(tmp_path / "economy.csv")


# --------------------------------------------------------------------------- read_files


def _mixed(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        if i % 3 == 0:
            p = write(tmp_path / f"economy_{i}.csv", csv_text(headers(ECONOMY), rows(ECONOMY, i)))
        elif i % 3 == 1:
            p = write(
                tmp_path / f"economy_{i}.json", "[" if i % 2 else json.dumps([_json_row(ECONOMY)])
            )
        else:
            p = tmp_path / f"economy_{i}.xlsx"
            wb = xlsxwriter.Workbook(str(p))
            wb.add_worksheet().write_row(0, 0, headers(ECONOMY))
            wb.close()
        paths.append(p)
    return paths


@pytest.mark.parametrize("workers", [1, 2])
def test_read_files_keeps_order_and_never_raises(tmp_path: Path, workers: int) -> None:
    paths = [*_mixed(tmp_path, 12), tmp_path / "economy_missing.csv"]
    out = read_files(paths, workers=workers)
    assert [f.path for f in out] == [str(p) for p in paths]
    assert [f.rows for f in out] == [read_file(p).rows for p in paths]
    assert out[0].rows == 0 and out[3].rows == 3
    assert out[1].reasons == [UNREADABLE_FILE]  # invalid json
    missing = out[-1]
    assert missing.reasons == [UNREADABLE_FILE]
    assert missing.sha256 and not missing.content_read and missing.size == 0
    assert "cannot read file" in missing.detail
