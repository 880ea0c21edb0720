"""Issues 19 and 30: a filer's text in every form, through the real CLI, wherever it lands.

One inbox, whose folder name holds a mobile number, holds reports whose text cells hold
numbers as people type them (full-width, dashed, spaced, ``+86``; issue 30: dots,
no-break and double spaces, en dashes, slashes, other groupings, a zero-width space
inside, an ID in groups, ``。`` and full-width dots), in a declared text column, an extra
column and nested JSON, a file whose name holds a number and a workbook whose sheet is
named with one. After ``ronghe run --inbox …``: the reports with a number in any text
cell are quarantined ``pii``, each number a problem on the column as the file names it;
every number is masked in every table (the raw record and ``meta.file_manifest.sheets``
included), in the receipts, the 通报's workbook and brief, and in the Prefect server's
database (the flow run's parameters, logs and artifacts); the file name's number
quarantines nothing (one rule: a name is masked wherever it is stored or shown,
docs/operations.md §10).

Issue 30, classes 2 and 4, in the same run: a filer's Markdown link, HTML, right-to-left
override, formula-like values and a 200-character unbroken name; a GBK file with one cell
pasted as UTF-8. Nothing of it is a link in a Prefect artifact or log, no bidi control
reaches a receipt, the workbook or the brief, the receipts' 问题明细 quote formula-like
values, the brief does not widen, and the pasted cell is ``bad_value`` with a sentence.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import COUNTY, COUNTY2, project_row, supervision_row, write_csv
from tests.support.hardening import cli, cli_env

FORMS = {
    "P1": "联系人１３９１２３４５６７８",
    "P2": "电话158-0000-1111",
    "P3": "+86 137 2222 3333",
    "P4": "+8613644445555",
    "P5": "身份证320602 19900101 123X",
    # issue 30
    "P6": "联系139.5501.0007",
    "P7": "139\u00a05502\u00a00008",
    "P8": "139  5503  0009",
    "P9": "电话139–5504–0010",
    "P10": "139/5505/0011",
    "P11": "1395 5060 013",
    "P12": "139\u200b5507\u200b0014",
    "P13": "身份证320602 1991 0202 0021",
    "P14": "+86 139 5508 0016",
    "P15": "139。5509。0017",
    "P16": "１３９．５５１０．００１８",
    # the third pass: a tab, brackets, an underscore, the 0 dialled from another city
    "P17": "139\t5512\t0020",
    "P18": "手机(139)5513-0021",
    "P19": "Tel:013955140022",
    "P20": "139_5515_0023",
}
HIDDEN = [
    "13955010007", "13955020008", "13955030009", "13955040010", "13955050011",
    "13955060013", "13955070014", "320602199102020021", "13955080016", "13955090017",
    "13955100018", "13912340108", "13912345678", "13644445555", "13500001234",
    "320602199001011234", "13912340109", "13955110019", "13955120020", "13955130021",
    "13955140022", "13955150023",
]  # fmt: skip
"""Every number of the run as its digits: none of them is anywhere, whatever between."""
LINK = "[点此更新](http://evil.example/x)"
HOSTILE = {
    "H1": {"planned_investment": LINK + "<img src=x onerror=alert(1)>"},
    "H2": {"progress_pct": "\u202e%05"},
    "H3": {"completed_investment": '=HYPERLINK("http://evil.example","点我")'},
    "H4": {"party_members": "@SUM(1+1)"},
    "H5": {"party_members": "-1+2"},
}
LONG_NAME = "Dangjian" * 25  # 200 letters unbroken: before, the brief became 2,300 px wide
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
    _issue_30_files(inbox)
    home = base / "home"
    proc = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home, env=cli_env(home))
    return {"proc": proc, "home": home}


VILLAGE = "320602001001"


def _issue_30_files(inbox: Path) -> None:
    import xlsxwriter

    # a sheet named with a number (an attacker's workbook: any tool made it)
    row = supervision_row(COUNTY2)
    book = xlsxwriter.Workbook(str(inbox / "supervision_sheet.xlsx"))
    sheet = book.add_worksheet("联系13912340108")
    sheet.write_row(0, 0, list(row))
    sheet.write_row(1, 0, list(row.values()))
    book.close()
    # a filer's Markdown, HTML, bidi override and formulas, in a file named with a link
    rows = [project_row(unit=COUNTY2, pid=pid, **over) for pid, over in HOSTILE.items()]
    rows[0]["name"] = "\u202e" + "gnp.exe 项目\x1b[31m"
    write_csv(inbox / "projects_[点此更新](http:evil.example).csv", rows)
    # an extra column named with a number, holding one
    extra = project_row(
        unit=COUNTY, pid="X9", period="2017Q3", submitted_at="2017-10-10 09:30",
        **{"联系13912340109": "139 5511 0019"},
    )  # fmt: skip
    write_csv(inbox / "projects_header.csv", [extra])
    # a loaded project with a 200-character name
    write_csv(inbox / "projects_long.csv", [project_row(unit=VILLAGE, pid="L1", name=LONG_NAME)])
    # a GBK file (as Excel on Chinese Windows saves it) with one cell pasted as UTF-8
    pasted = [
        project_row(unit=VILLAGE, pid=pid, name=name, status="在建")
        for pid, name in (("G1", "@@"), ("G2", "村道拓宽"))
    ]
    gbk = write_csv(inbox / "projects_gbk.csv", pasted, encoding="gbk")
    gbk.write_bytes(gbk.read_bytes().replace(b"@@", "农田水利".encode()))


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
        (  # issue 30: an extra column named with a number
            COUNTY,
            "2017Q3",
            2,
            "联系139****0109",
            "联系139****0109",
            "139 **** 0019",
            "第2行「联系139****0109」不得包含身份证号或手机号，收到“139 **** 0019”",
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


# --- issue 30 -------------------------------------------------------------------------


def _digits(text: str) -> str:
    """The digits of ``text`` (full-width ones as ASCII), nothing between them."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def _unescaped(text: str) -> str:
    """JSON's and XML's character escapes read back (``\\u00a0``, ``&#160;``)."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def _texts_of(path: Path) -> list[str]:
    """The text pieces a person can see in a file the run wrote (xlsx, docx, html, sqlite)."""
    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as z:
            xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
        return [_unescaped(t) for t in re.findall(r">([^<]+)<", xml)]
    if path.suffix == ".html":
        return [_unescaped(t) for t in re.findall(r">([^<]+)<", path.read_text("utf-8"))]
    if path.suffix == ".db":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            out = []
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
                for row in con.execute(f'SELECT * FROM "{table}"'):
                    out += [_unescaped(v) for v in row if isinstance(v, str)]
            return out
        finally:
            con.close()
    return []


def _outputs(home: Path) -> list[Path]:
    found = [p for p in home.rglob("*") if p.suffix in (".xlsx", ".docx", ".html", ".db")]
    assert any(p.parent.name == "2017Q1" and p.suffix == ".xlsx" for p in found)  # receipts
    assert any(p.suffix == ".html" for p in found)  # the brief
    assert any(p.suffix == ".db" for p in found)  # the Prefect server's database
    return found


def test_every_new_form_and_a_sheet_name_is_found_and_masked(ran: dict[str, Any]) -> None:
    home = ran["home"]
    names = _q(
        home,
        "SELECT DISTINCT value FROM quarantine.problems"
        " WHERE reason = 'pii' AND \"column\" = 'name'",
    )
    shown = " ".join(v for (v,) in names)
    for masked in ("139.****.0007", "139  ****  0009", "139/****/0011", "320602 **** **** 0021",
                   "+86 139 **** 0016", "139。****。0017", "139\t****\t0020", "(139)****-0021",
                   "0139****0022", "139_****_0023"):  # fmt: skip
        assert masked in shown, masked
    got = _q(
        home, "SELECT \"column\", column_zh, value FROM quarantine.problems WHERE period = '2017Q3'"
    )
    assert got == [("联系139****0109", "联系139****0109", "139 **** 0019")]  # the header too
    (sheets,) = _q(home, "SELECT sheets FROM meta.file_manifest WHERE path LIKE '%sheet.xlsx'")[0]
    assert "联系139****0108" in sheets and "13912340108" not in sheets


def test_no_number_is_anywhere_whatever_stands_between_its_digits(ran: dict[str, Any]) -> None:
    home = ran["home"]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        cols = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns"
            " WHERE data_type = 'VARCHAR' AND table_schema <> 'information_schema'"
        ).fetchall()
        for schema, table, col in cols:
            values = con.execute(f'SELECT "{col}" FROM "{schema}"."{table}"').fetchall()
            for (v,) in values:
                digits = _digits(v or "")
                assert not any(h in digits for h in HIDDEN), (table, col, v)
    finally:
        con.close()
    for path in _outputs(home):
        for text in _texts_of(path):
            digits = _digits(text)
            assert not any(h in digits for h in HIDDEN), (path, text[:200])


def test_no_filer_text_is_a_link_or_a_control_in_prefect(ran: dict[str, Any]) -> None:
    [db] = [p for p in _outputs(ran["home"]) if p.suffix == ".db"]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        artifacts = [json.loads(d) for (d,) in con.execute("SELECT data FROM artifact") if d]
        logs = [m for (m,) in con.execute("SELECT message FROM log")]
    finally:
        con.close()
    quarantined = next(a for a in artifacts if "被退回的报表" in a)
    assert "\\[点此更新\\]\\(http\\[\\:\\]\\/\\/evil" in quarantined  # literal text
    for text in artifacts:
        assert "[点此更新](" not in text and "evil.example/" not in text
        assert not re.search(r"(?<!\\)<img", text)  # HTML only as escaped text
        assert "\u202e" not in _unescaped(text)
    for message in logs:
        text = _unescaped(message)
        assert "\x1b" not in text and "http://evil" not in text, text


def test_receipts_quote_formulas_and_documents_drop_bidi_controls(ran: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    home = ran["home"]
    [receipt] = (home / "receipts" / "2017Q1").glob("回执_2017Q1_320623000000_*.xlsx")
    rows = list(load_workbook(receipt, read_only=True)["问题明细"].iter_rows(values_only=True))
    values = {str(v) for r in rows for v in r if v is not None}
    assert {'\'=HYPERLINK("http://evil.example","点我")', "'@SUM(1+1)", "'-1+2"} <= values
    assert not {'=HYPERLINK("http://evil.example","点我")', "@SUM(1+1)", "-1+2"} & values
    assert "%05" in values  # the override gone, the value kept
    for path in _outputs(home):
        if path.suffix in (".xlsx", ".docx", ".html"):
            for text in _texts_of(path):
                assert not re.search("[\u202a-\u202e\u2066-\u2069\x1b]", text), (path, text)


def test_a_cell_pasted_in_another_encoding_is_bad_value_with_how_to_save(
    ran: dict[str, Any],
) -> None:
    got = _q(
        ran["home"],
        'SELECT reason, "column", message_zh FROM quarantine.problems p'
        " JOIN meta.file_manifest m ON m.sha256 = p.source_sha256 WHERE m.path LIKE '%gbk.csv'",
    )
    assert [(r, c) for r, c, _ in got] == [("bad_value", "name")]
    assert "文字编码与文件其他部分不同，收到“鍐滅敯姘村埄”" in got[0][2]
    assert "另存为“CSV UTF-8（逗号分隔）”" in got[0][2]


def test_a_long_unbroken_name_does_not_widen_the_brief(ran: dict[str, Any]) -> None:
    from reports.pdf import HEADLESS_FLAGS, find_chromium

    [brief] = [p for p in _outputs(ran["home"]) if p.name == "brief-2017Q1.html"]
    assert LONG_NAME in brief.read_text("utf-8")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[f for f in HEADLESS_FLAGS if f != "--headless"],
            headless=True,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(brief.resolve().as_uri(), wait_until="load")
            width = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(brief.with_suffix(".png")), full_page=False)
        finally:
            browser.close()
    assert width <= 1280, width
