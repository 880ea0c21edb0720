"""transforms/parse.py: stacking RawFiles and casting text to the parsed batch."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.support.factories import COUNTY, project_row, raw_value, write_csv
from transforms.batch import (
    FILE,
    HIDDEN,
    META,
    PII,
    RECORD,
    ROW,
    bad_flag,
    blank_flag,
    parsed_schema,
)
from transforms.columns import (
    ECONOMY,
    FALSE_WORDS,
    PROJECTS,
    SUPERVISION,
    TRUE_WORDS,
    ReportKind,
)
from transforms.parse import parse, stack, stacked_schema
from transforms.read import RawFile, read_file, read_files

UNIT = COUNTY


def stacked(kind: ReportKind, *overrides: dict[str, str | None]) -> pl.DataFrame:
    """A stacked frame: one valid row per ``overrides`` dict, with those raw texts."""
    base: dict[str, str | None] = {c.name: raw_value(c) for c in kind.columns}
    rows = [base | o for o in overrides]
    return pl.DataFrame(
        {
            FILE: ["f"] * len(rows),
            ROW: list(range(1, len(rows) + 1)),
            RECORD: [json.dumps(r, ensure_ascii=False) for r in rows],
            PII: [[] for _ in rows],
            HIDDEN: [False for _ in rows],
            **{c: [r[c] for r in rows] for c in kind.names},
        },
        schema=stacked_schema(kind),
    )


def cast(kind: ReportKind, column: str, *raw: str | None) -> pl.DataFrame:
    """Parse ``raw`` texts of one column; returns value, blank, bad per row."""
    out = parse(kind, stacked(kind, *({column: r} for r in raw)))
    return out.select(
        pl.col(column).alias("value"),
        pl.col(blank_flag(column)).alias("blank"),
        pl.col(bad_flag(column)).alias("bad"),
    )


def values(kind: ReportKind, column: str, *raw: str | None) -> list[Any]:
    out = cast(kind, column, *raw)
    assert not out["bad"].any(), raw
    return out["value"].to_list()


def assert_bad(kind: ReportKind, column: str, *raw: str) -> None:
    out = cast(kind, column, *raw)
    assert out["bad"].to_list() == [True] * len(raw), raw
    assert out["value"].to_list() == [None] * len(raw)
    assert not out["blank"].any()


# --------------------------------------------------------------------------- shape


def test_schema_and_column_order() -> None:
    for kind in (SUPERVISION, PROJECTS, ECONOMY):
        out = parse(kind, stacked(kind, {}))
        assert dict(out.schema) == parsed_schema(kind)
        expect = [*META, *kind.names]
        expect += [blank_flag(c) for c in kind.names] + [bad_flag(c) for c in kind.names]
        assert out.columns == expect
        flags = out.select(pl.col("^_(blank|bad)__.*$")).row(0)
        assert not any(flags)


def test_valid_row_typed() -> None:
    r = parse(PROJECTS, stacked(PROJECTS, {})).row(0, named=True)
    assert r["unit_code"] == UNIT
    assert r["period"] == "2017Q1"
    assert r["submitted_at"] == datetime(2017, 4, 5, 10, 0)
    assert r["project_type"] == "secretary"
    assert r["planned_investment"] == 1.5
    assert r["party_org_established"] is True
    assert r["party_members"] == 3
    assert r["_key_unit"] == UNIT and r["_key_period"] == "2017Q1"


def test_ids_unique_and_meta_kept() -> None:
    out = parse(ECONOMY, stacked(ECONOMY, {}, {}, {}))
    assert out["_id"].to_list() == [1, 2, 3]
    assert out["_row"].to_list() == [1, 2, 3]
    assert json.loads(out["_record"][0])["unit_code"] == UNIT


def test_empty_batch() -> None:
    out = parse(SUPERVISION, stack(SUPERVISION, []))
    assert out.height == 0
    assert dict(out.schema) == parsed_schema(SUPERVISION)


# --------------------------------------------------------------------------- value forms


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("1,234", 1234),
        (" 12 ", 12),
        ("12.0", 12),
        ("1,234,567.00", 1234567),
        ("-3", -3),
    ],
)
def test_int_forms(raw: str, expected: int) -> None:
    assert values(SUPERVISION, "party_orgs", raw) == [expected]


@pytest.mark.parametrize("raw", ["3.5", "1,23", "12,", "abc", "1e3", "12.0.0", "１２"])
def test_int_bad(raw: str) -> None:
    assert_bad(SUPERVISION, "party_orgs", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,234.5", 1234.5), (" 7 ", 7.0), ("-2.5", -2.5), (".5", 0.5), ("1e3", 1000.0), ("0", 0.0)],
)
def test_decimal_forms(raw: str, expected: float) -> None:
    assert values(PROJECTS, "planned_investment", raw) == [expected]


@pytest.mark.parametrize("raw", ["12%", "inf", "nan", "1e400", "1,2345.6", "万", "1.2.3"])
def test_decimal_bad(raw: str) -> None:
    assert_bad(PROJECTS, "planned_investment", raw)


@pytest.mark.parametrize(("raw", "expected"), [("40%", 40.0), ("8 %", 8.0), ("40", 40.0)])
def test_a_percentage_column_reads_40_percent_as_40(raw: str, expected: float) -> None:
    assert values(PROJECTS, "progress_pct", raw) == [expected]  # issue 29: typed 40%


def test_bool_forms() -> None:
    words = [*TRUE_WORDS, *FALSE_WORDS]
    raw = [*words, *(w.upper() for w in words), " 是 ", "Y", "N"]
    expected = [w in TRUE_WORDS for w in words] * 2 + [True, True, False]
    assert values(SUPERVISION, "list_published", *raw) == expected


@pytest.mark.parametrize("raw", ["maybe", "2", "真", "yes!"])
def test_bool_bad(raw: str) -> None:
    assert_bad(SUPERVISION, "list_published", raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-01-05T10:00:00", datetime(2017, 1, 5, 10, 0)),
        ("2017-01-05T10:00", datetime(2017, 1, 5, 10, 0)),
        ("2017-01-05 10:00", datetime(2017, 1, 5, 10, 0)),
        ("2017-01-05 10:00:07", datetime(2017, 1, 5, 10, 0, 7)),
        ("2017-01-05 10:00:07.250", datetime(2017, 1, 5, 10, 0, 7, 250000)),
        ("2017-01-05", datetime(2017, 1, 5)),
        ("2017/1/5 9:05", datetime(2017, 1, 5, 9, 5)),
        ("2017/01/05", datetime(2017, 1, 5)),
        ("2017-01-05T02:00:00Z", datetime(2017, 1, 5, 10, 0)),
        ("2017-01-05T10:00:00+08:00", datetime(2017, 1, 5, 10, 0)),
        ("2017-01-05T10:00:00+0100", datetime(2017, 1, 5, 17, 0)),
        ("2017-01-05T20:00:00-05:30", datetime(2017, 1, 6, 9, 30)),
        ("42745.5", datetime(2017, 1, 10, 12, 0)),
        ("42745", datetime(2017, 1, 10)),
        (" 42745.4375 ", datetime(2017, 1, 10, 10, 30)),
    ],
)
def test_timestamp_forms(raw: str, expected: datetime) -> None:
    assert values(ECONOMY, "submitted_at", raw) == [expected]


@pytest.mark.parametrize(
    "raw",
    ["2017-02-30", "2017-13-01", "2017-01-05 25:00", "yesterday", "19999", "80001", "2017"],
)
def test_timestamp_bad(raw: str) -> None:
    assert_bad(ECONOMY, "submitted_at", raw)


def test_enum_forms() -> None:
    codes = [code for code, _ in PROJECTS.column("status").enum]
    labels = [zh for _, zh in PROJECTS.column("status").enum]
    raw = [*codes, *labels, *(c.upper() for c in codes)]
    assert values(PROJECTS, "status", *raw) == codes * 3
    assert_bad(PROJECTS, "status", "building", "书记项目")


def test_period_and_keys() -> None:
    out = parse(
        SUPERVISION,
        stacked(
            SUPERVISION,
            {"period": "2017年第一季度"},
            {"period": " 2017-q3 "},
            {"period": " 2017Q5 ", "unit_code": "  "},
            {"period": None, "unit_code": " 3206 "},
        ),
    )
    assert out["period"].to_list() == ["2017Q1", "2017Q3", None, None]
    assert out["_key_period"].to_list() == ["2017Q1", "2017Q3", "2017Q5", None]
    assert out[bad_flag("period")].to_list() == [False, False, True, False]
    assert out[blank_flag("period")].to_list() == [False, False, False, True]
    assert out["_key_unit"].to_list() == [UNIT, UNIT, None, "3206"]
    assert out[bad_flag("unit_code")].to_list() == [False, False, False, True]
    assert out[blank_flag("unit_code")].to_list() == [False, False, True, False]


@pytest.mark.parametrize("raw", ["32060200000", "3206020000001", "32060200000x", "3.20602E+11"])
def test_code_bad(raw: str) -> None:
    assert_bad(ECONOMY, "unit_code", raw)


def test_text_pattern_and_length() -> None:
    assert values(PROJECTS, "project_id", " P_1-a ") == ["P_1-a"]
    assert_bad(PROJECTS, "project_id", "P 1", "项目1", "x" * 33)
    long_name = "长" * 250  # too long is out_of_range later, not bad here
    assert values(PROJECTS, "name", f"  {long_name} ") == [long_name]


def test_blank_and_default() -> None:
    out = cast(SUPERVISION, "grid_branches", None, "", "   ", "\u3000", "4")
    assert out["value"].to_list() == [0, 0, 0, 0, 4]
    assert out["blank"].to_list() == [True, True, True, True, False]
    assert not out["bad"].any()
    out = cast(SUPERVISION, "party_orgs", None, " ")  # required: no default
    assert out["value"].to_list() == [None, None]
    assert out["blank"].all() and not out["bad"].any()
    out = cast(ECONOMY, "gdp", "")  # optional without default
    assert out.row(0) == (None, True, False)


def test_bad_value_with_default_stays_null() -> None:
    out = cast(SUPERVISION, "grid_branches", "x")
    assert out.row(0) == (None, False, True)


# --------------------------------------------------------------------------- stack


def _csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_stack_aligns_records_and_skips_bad_files(tmp_path: Path) -> None:
    cols = list(PROJECTS.columns)
    required = [c for c in cols if c.required]
    full = [c.zh for c in cols] + ["备注"]
    a = _csv(tmp_path / "projects_a.csv", full, [*(raw_value(c) for c in cols), "说明"])
    b = _csv(  # without the optional party_members column, English headers
        tmp_path / "项目_b.csv",
        [c.name for c in required],
        [raw_value(c) for c in required],
        [""] * len(required),  # blank row: dropped by the reader
        [raw_value(c) for c in required],
    )
    bad = _csv(tmp_path / "projects_bad.csv", ["unit_code", "x"], [UNIT, "1"])  # missing_columns
    other = _csv(tmp_path / "economy.csv", [c.name for c in ECONOMY.columns], ["x"] * 11)
    files = read_files([b, bad, a, other])
    assert files[1].reasons == ["missing_columns"]
    s = stack(PROJECTS, files)
    assert s.columns == ["_file", ROW, "_record", PII, HIDDEN, *PROJECTS.names]
    assert s["_file"].to_list() == [files[0].sha256] * 2 + [files[2].sha256]
    assert s[ROW].to_list() == [1, 3, 1]
    rec_b, rec_a = json.loads(s["_record"][0]), json.loads(s["_record"][2])
    assert "party_members" not in rec_b
    assert rec_a["备注"] == "说明"
    assert rec_a["project_type"] == "书记项目"
    assert list(rec_a)[: len(cols)] == list(PROJECTS.names)
    out = parse(PROJECTS, s)
    assert out["party_members"].to_list() == [0, 0, 3]  # absent optional → default
    assert out[blank_flag("party_members")].to_list() == [True, True, False]
    assert not out.select(pl.col("^_bad__.*$")).to_numpy().any()


def test_record_keeps_nulls_and_raw_text(tmp_path: Path) -> None:
    header = [c.name for c in ECONOMY.columns]
    row = [raw_value(c) for c in ECONOMY.columns]
    row[header.index("gdp")] = ""
    row[header.index("fiscal_revenue")] = '" 1,234.5 "'
    f = read_file(_csv(tmp_path / "economy.csv", header, row))
    s = stack(ECONOMY, [f])
    rec = json.loads(s["_record"][0])
    assert rec["gdp"] is None
    assert rec["fiscal_revenue"] == " 1,234.5 "
    out = parse(ECONOMY, s)
    assert out["fiscal_revenue"].to_list() == [1234.5]
    assert out["gdp"].to_list() == [None]


def test_stack_ignores_unreadable_and_unknown(tmp_path: Path) -> None:
    frame = pl.DataFrame({"unit_code": [UNIT], ROW: [1]})
    files = [
        RawFile("x", "a", 1, "csv", None, frame, ["unknown_kind"], ""),
        RawFile("y", "b", 1, "csv", "economy", None, ["unreadable_file"], ""),
    ]
    assert stack(ECONOMY, files).height == 0


def test_end_to_end_mixed_formats(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "经济指标.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [c.zh for c in ECONOMY.columns])
    ws.write_string(1, 0, UNIT)
    ws.write_string(1, 1, "2017年1季度")
    ws.write_datetime(
        1, 2, datetime(2017, 4, 5, 9, 15), wb.add_format({"num_format": "yyyy-mm-dd"})
    )
    ws.write_string(1, 3, "1,234.5")
    ws.write_number(1, 4, 6768.25)
    wb.close()
    j = tmp_path / "economy.json"
    row: dict[str, Any] = dict.fromkeys(ECONOMY.required_names)
    row |= {"unit_code": UNIT, "period": "2017Q2", "submitted_at": "2017-07-01", "gdp": 1.5}
    j.write_text(json.dumps({"rows": [row]}))
    files = read_files([path, j])
    assert [f.reasons for f in files] == [[], []]
    out = parse(ECONOMY, stack(ECONOMY, files))
    assert out["submitted_at"].to_list() == [datetime(2017, 4, 5, 9, 15), datetime(2017, 7, 1)]
    assert out["period"].to_list() == ["2017Q1", "2017Q2"]
    assert out["growth_target_pct"].to_list() == [1234.5, None]
    assert out["gdp"].to_list() == [6768.25, 1.5]
    assert not out.select(pl.col("^_bad__.*$")).to_numpy().any()


def test_personal_numbers_outside_the_text_columns(tmp_path: Path) -> None:
    rows = [
        project_row(pid="A", 联系人="张三13912345678"),  # an extra column
        project_row(pid="B", planned_investment="电话13912345678"),  # not an amount: text
        project_row(pid="C", planned_investment="13912345678"),  # an amount, not text
        project_row(pid="D", name="张三13912345678"),  # a text column: the suite's to find
    ]
    f = read_file(write_csv(tmp_path / "projects.csv", rows))
    out = parse(PROJECTS, stack(PROJECTS, [f]))
    assert out[PII].to_list() == [["联系人"], ["planned_investment"], [], []]
    assert "13912345678" not in "".join(out[RECORD].to_list())  # found before masking


def test_the_record_is_masked_value_by_value_before_json_escapes(tmp_path: Path) -> None:
    # a tab between the groups is "\t" in the record's JSON text: masked before it
    rows = [
        project_row(pid="T", name="139\t1234\t0007", 联系13912340108="139\t5512\t0020"),
    ]
    f = read_file(write_csv(tmp_path / "projects.csv", rows))
    out = parse(PROJECTS, stack(PROJECTS, [f]))
    [record] = out[RECORD].to_list()
    digits = "".join(ch for ch in record if ch.isdigit())
    assert not any(n in digits for n in ("13912340007", "13955120020", "13912340108")), record
    assert json.loads(record)["name"] == "139\t****\t0007"
