"""Files as clerks make them (issue 29): the project's own templates, typed into through
LibreOffice's input path (zh-CN), saved as xlsx, xls and ods — then ``ronghe validate``
and ``ronghe ingest`` (the real CLI) and a real DuckDB file, every loaded value compared
with what was typed.

The typed files are committed (``tests/fixtures/office/typed/``, made by
``python -m tests.fixtures.office.typed``); one test types a fixture again through UNO,
so the maker cannot rot. What each must load as is :mod:`tests.fixtures.office.typed`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cli.main import main
from tests.fixtures.office import typed
from tests.fixtures.office.typed import FIXTURES, FORMATS, TOWN, TYPED, Typed, V
from transforms.read import read_file

KEY = {"projects": ("unit_code", "project_id")}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Files rejected whole (class 8): damaged in 掘港镇's inbox folder, damaged at the inbox's
# top but named by the township and its quarter, and one whose name says nothing.
DAMAGED = {
    "掘港镇/党建督导季报_损坏.xlsx": TOWN,
    "掘港镇2017年一季度经济指标季报_损坏.xlsx": TOWN,
    "会议记录.xlsx": None,
}
RECEIPT = "回执_2017Q1_320623100000_掘港镇.xlsx"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every typed file, and the damaged ones, ingested at once by ``ronghe ingest`` into
    one warehouse (each version stays in raw.*); its receipts and 通报 written after."""
    root = tmp_path_factory.mktemp("typed")
    inbox = root / "inbox"
    shutil.copytree(TYPED, inbox)
    for name in DAMAGED:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(f"PK\x03\x04 {name}: saved half-way".encode())
    assert main(["--home", str(root / "home"), "ingest", str(inbox)]) == 0
    return root / "home"


@pytest.fixture(scope="module")
def ingested(home: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``ronghe validate --format json`` of every typed file, by file name."""
    import contextlib
    import io

    home = tmp_path_factory.mktemp("validate") / "home"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["--home", str(home), "validate", "--format", "json", str(TYPED)])
    return {Path(f["path"]).name: f for f in json.loads(buf.getvalue())["files"]}


def cases() -> list[tuple[Typed, str]]:
    return [(f, fmt) for f in FIXTURES for fmt in f.formats]


def ids() -> list[str]:
    return [f"{f.name}.{fmt}" for f, fmt in cases()]


@pytest.mark.parametrize(("fixture", "fmt"), cases(), ids=ids())
def test_every_value_loads_as_typed(
    ingested: duckdb.DuckDBPyConnection, fixture: Typed, fmt: str
) -> None:
    source = sha(TYPED / f"{fixture.name}.{fmt}")
    got = ingested.execute(
        f"SELECT * FROM raw.{fixture.kind} WHERE source_sha256 = ?", [source]
    )  # an identifier from the declaration, never input
    names = [d[0] for d in got.description]
    rows = [dict(zip(names, r, strict=True)) for r in got.fetchall()]
    key = KEY.get(fixture.kind, ("unit_code",))
    by_key = {(r["unit_code"], r.get("project_id") if len(key) > 1 else None): r for r in rows}
    assert set(by_key) == set(fixture.loads)  # nothing more, nothing less
    for k, want in fixture.loads.items():
        have = {c: by_key[k][c] for c in want}
        assert have == want, (fixture.name, fmt, k)


@pytest.mark.parametrize(("fixture", "fmt"), cases(), ids=ids())
def test_what_is_returned_says_why(
    ingested: duckdb.DuckDBPyConnection, fixture: Typed, fmt: str
) -> None:
    source = sha(TYPED / f"{fixture.name}.{fmt}")
    returned = dict(
        ingested.execute(
            "SELECT unit_code, reasons FROM quarantine.reports WHERE source_sha256 = ?", [source]
        ).fetchall()
    )
    assert returned == fixture.returned
    for unit, words in fixture.said.items():
        said = ingested.execute(
            "SELECT message_zh FROM quarantine.problems WHERE source_sha256 = ? AND unit_code = ?",
            [source, unit],
        ).fetchall()
        assert said and all(words in m for (m,) in said), said
    (status,) = ingested.execute(
        "SELECT status FROM meta.file_manifest WHERE sha256 = ?", [source]
    ).fetchone() or (None,)
    assert status == ("partial" if fixture.loads and fixture.returned else
                      "rejected" if fixture.returned else "loaded")  # fmt: skip


def test_no_file_a_clerk_saved_is_unreadable(ingested: duckdb.DuckDBPyConnection) -> None:
    rejected = ingested.execute("SELECT path FROM quarantine.files").fetchall()
    assert sorted(Path(p).name for (p,) in rejected) == sorted(Path(n).name for n in DAMAGED)
    made = {f"{f.name}.{fmt}" for f, fmt in cases()}
    paths = ingested.execute("SELECT path FROM meta.file_manifest").fetchall()
    got = {Path(p).name for (p,) in paths}
    assert made <= got


def test_notes_below_the_table_are_said_not_reports(ingested: duckdb.DuckDBPyConnection) -> None:
    for fmt in FORMATS:
        (sheets,) = ingested.execute(
            "SELECT sheets FROM meta.file_manifest WHERE sha256 = ?",
            [sha(TYPED / f"经济指标季报_表下备注.{fmt}")],
        ).fetchone() or (None,)
        said = {s["sheet"]: s for s in json.loads(sheets)}
        assert said["报表"]["read"] == "true" and said["报表"].get("below"), (fmt, said)


def test_validate_says_the_same(validated: dict[str, Any]) -> None:
    for f, fmt in cases():
        got = validated[f"{f.name}.{fmt}"]
        verdicts = {r["unit_code"]: r["verdict"] for r in got["reports"]}
        assert {u for u, v in verdicts.items() if v == "quarantined"} == set(f.returned)
        assert {u for u, v in verdicts.items() if v == "loadable"} == {u for u, _ in f.loads}
    for fmt in FORMATS:  # the notes below the table: said, not reports
        (said,) = validated[f"经济指标季报_表下备注.{fmt}"]["left_out"]
        assert "在表格下方（注释、签名或另一张表），不是报表数据，未读取" in said
    hidden = validated["经济指标季报_隐藏行.xlsx"]
    (problem,) = next(r for r in hidden["reports"] if r["verdict"] == "quarantined")["problems"]
    assert problem["message_zh"].startswith(f"第{problem['sheet_row']}行是隐藏行")
    assert "取消隐藏" in problem["message_zh"] and "删除该行" in problem["message_zh"]


@pytest.mark.skipif(not typed.available(), reason="needs soffice and Debian's python3-uno")
def test_the_maker_types_through_libreoffice_again(tmp_path: Path) -> None:
    """One fixture typed again through UNO reads as the committed one (the maker works)."""
    (made,) = [p for p in typed.build(tmp_path, ["项目季报_删行"]) if p.suffix == ".xlsx"]
    fresh, kept = read_file(made), read_file(TYPED / made.name)
    assert fresh.reasons == kept.reasons == []
    assert fresh.frame is not None and kept.frame is not None
    assert fresh.frame.equals(kept.frame) and fresh.hidden_rows == kept.hidden_rows
    assert fresh.frame["progress_pct"].to_list() == ["40%", "55"]  # as typed, read as 40


def _sheet(path: Path, name: str) -> list[tuple[str, ...]]:
    from openpyxl import load_workbook

    return [
        tuple("" if v is None else str(v) for v in r)
        for r in load_workbook(path)[name].iter_rows(values_only=True)
    ]


def test_every_file_is_on_a_receipt_of_its_quarter(home: Path) -> None:
    receipts = home / "receipts" / "2017Q1"
    town = receipts / RECEIPT
    files = _sheet(town, "收到的文件")
    listed = {Path(r[0]).name for r in files[1:]}
    typed_names = {f"{f.name}.{fmt}" for f, fmt in cases()}
    owned = {Path(n).name for n, owner in DAMAGED.items() if owner == TOWN}
    assert typed_names | owned <= listed  # every file its villages sent, the damaged too
    whole = {Path(r[0]).name: r[4] for r in files[1:] if r[4] == "整份退回"}
    assert set(whole) == owned
    intro = _sheet(town, "回执")[1][0]
    assert f"其中整份退回{len(owned)}份" in intro
    # the file no unit can be named for: on the department's receipt, never on none
    unowned = _sheet(receipts / "回执_2017Q1_未能归属单位的文件.xlsx", "收到的文件")
    assert [Path(r[0]).name for r in unowned[1:]] == ["会议记录.xlsx"]
    assert not list(home.glob("receipts/2026*"))  # never the run's clock


def test_a_returned_correction_is_on_the_receipt_and_in_the_data_quality_count(
    home: Path, ingested: duckdb.DuckDBPyConnection
) -> None:
    rc = ingested.execute(
        "SELECT returned_correction FROM marts.filing_status"
        " WHERE period = '2017Q1' AND unit_code = ? AND kind = 'supervision'",
        [V[0]],
    ).fetchone()
    assert rc == (True,)
    detail = _sheet(home / "receipts" / "2017Q1" / RECEIPT, "问题明细")
    mine = [r for r in detail[1:] if r[0] == V[0]]
    assert mine and any("不应大于「党员数」" in r[8] for r in mine), detail
    quality = _sheet(home / "reports" / "2017Q1" / "assessment-2017Q1.xlsx", "数据质量")
    row = next(r for r in quality if r and r[0].startswith("退回更正的报表"))
    assert "1" in row[1:], row
