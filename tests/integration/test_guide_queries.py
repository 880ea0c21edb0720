"""Every example query of the analysts' guide runs on a small warehouse file, read-only
and through ``ronghe query``, and returns the expected columns and rows; every other
snippet of the guide (SQL, Python, shell) runs too, so the guide cannot rot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.hardening import cli_env
from tests.support.warehouse import economy, new_warehouse, scored_unit, unit
from warehouse.marts import build_marts
from warehouse.ruleset import load_rules

DOCS = Path(__file__).resolve().parents[2] / "docs"
QUERIES = sorted((DOCS / "queries").glob("*.sql"))

CHONGCHUAN, RUDONG, QIDONG = "320602000000", "320623000000", "320681000000"
JUEGANG, CHANGSHA = "320623100000", "320623101000"
RUIFENG, BEIZHA, HEHUA = "320623100200", "320623100201", "320623100203"
QIDONG_VILLAGE = "320681100200"
RETURNED_VILLAGE = "320681100201"  # its only supervision report was returned


def fill(con: duckdb.DuckDBPyConnection) -> None:
    """Three counties, two towns, four village-level units, two quarters."""
    unit(con, CHONGCHUAN, "county", "district", parent=None, name="崇川区")
    unit(con, RUDONG, "county", "county", parent=None, name="如东县")
    unit(con, QIDONG, "county", "city", parent=None, name="启东市")
    unit(con, JUEGANG, "township", "town", parent=RUDONG, name="掘港镇")
    unit(con, CHANGSHA, "township", "town", parent=RUDONG, name="长沙镇")
    unit(con, RUIFENG, "village", "village", parent=JUEGANG, name="瑞丰村")
    unit(con, BEIZHA, "village", "village", parent=JUEGANG, name="北闸村")
    unit(con, HEHUA, "village", "community", parent=JUEGANG, name="荷花社区")
    unit(con, QIDONG_VILLAGE, "village", "village", parent="320681100000", name="启东某村")
    unit(con, RETURNED_VILLAGE, "village", "village", parent="320681100000", name="启东退回村")
    quarters = {
        # unit: (P, growth g → D = 10·g, collective income) per quarter
        "2017Q3": {
            CHONGCHUAN: ("100", 8.0, None),
            RUDONG: ("50", 6.0, None),
            QIDONG: ("100", 3.0, None),
            RUIFENG: ("100", 5.0, 5.0),  # annualised 6.7: weak (low income)
            BEIZHA: ("100", 4.0, 30.0),
            HEHUA: ("50", 2.0, 1.0),
        },
        "2017Q4": {
            CHONGCHUAN: ("100", 9.0, None),  # C 90
            RUDONG: ("100", 6.0, None),  # C 60
            QIDONG: ("50", 7.0, None),  # C 35
            JUEGANG: ("50", 3.0, None),
            CHANGSHA: ("100", 5.0, None),
            RUIFENG: ("100", 6.0, 20.0),  # C 60, off the list: rectified
            BEIZHA: ("50", 4.0, 40.0),  # C 20, P 50: weak (low party score)
            HEHUA: ("100", 5.0, 1.0),  # C 50, a community: never weak
        },
    }
    for period, units in quarters.items():
        for code, (party, growth, income) in units.items():
            scored_unit(con, code, period, party=party, growth=None)
            economy(
                con,
                code,
                period,
                growth_target_pct=10.0,
                gdp_growth_pct=growth,
                collective_income=income,
            )
    con.execute(
        "INSERT INTO quarantine.reports VALUES (?, 'projects', ?, '2017Q4', [3, 4], "
        "['out_of_range', 'pii'], '[]', ?)",
        ["e" * 64, BEIZHA, datetime(2018, 1, 10)],
    )
    con.execute(
        "INSERT INTO quarantine.reports VALUES (?, 'supervision', ?, '2017Q4', [2], "
        "['out_of_range'], '[]', ?)",
        ["d" * 64, RETURNED_VILLAGE, datetime(2018, 1, 11)],
    )
    con.execute("BEGIN")
    build_marts(con, ["2017Q3", "2017Q4"], load_rules())
    con.execute("COMMIT")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("home")
    con = new_warehouse()
    fill(con)
    con.execute(f"ATTACH '{h / 'warehouse.duckdb'}' AS file")
    con.execute("COPY FROM DATABASE memory TO file")
    con.close()
    return h


@pytest.fixture
def reader(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # per test: DuckDB refuses a second connection to the same file with another
    # configuration in one process, and `ronghe query` opens it sandboxed
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def run(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = con.execute(path.read_text(encoding="utf-8"))
    return [d[0] for d in cur.description], cur.fetchall()


# name → (columns, a check of the rows)
EXPECT: dict[str, tuple[list[str], Any]] = {
    "01_county_ranking": (
        [
            "rank",
            "name",
            "unit_code",
            "party_score",
            "development_score",
            "coefficient",
            "composite_score",
            "fusion",
            "quadrant",
        ],
        lambda r: (
            [(x[0], x[1], x[6]) for x in r]
            == [(1, "崇川区", 90.0), (2, "如东县", 60.0), (3, "启东市", 35.0)]
        ),
    ),
    "02_township_villages": (
        [
            "rank",
            "name",
            "kind",
            "unit_code",
            "party_score",
            "development_score",
            "composite_score",
            "quadrant",
            "weak_village",
        ],
        lambda r: (
            [(x[0], x[1], x[8]) for x in r]
            == [(1, "瑞丰村", False), (2, "荷花社区", False), (3, "北闸村", True)]
        ),
    ),
    "03_quarter_movers": (
        [
            "level",
            "name",
            "unit_code",
            "composite_before",
            "composite_after",
            "change",
            "rank_change",
        ],
        lambda r: len(r) == 6 and r[0][1:3] == ("荷花社区", HEHUA) and r[0][5] == 40.0,
    ),
    "04_weak_village_trend": (
        [
            "year",
            "villages_determined",
            "weak_villages",
            "newly_weak",
            "continuing",
            "rectified",
        ],
        # 2017Q4: 瑞丰村 P 100, income 20 (not weak); 北闸村 P 50 (weak, new); 荷花社区 a
        # community: not determined. No 2016 determination loaded.
        lambda r: r == [(2017, 2, 1, 1, 0, 0)],
    ),
    "05_linkage": (
        [
            "period",
            "level",
            "units",
            "corr_now",
            "corr_next_quarter",
            "median_party_score",
            "median_development_score",
            "both_strong",
            "party_leads",
            "economy_leads",
            "both_weak",
        ],
        lambda r: (
            [x[:3] for x in r]
            == [
                ("2017Q3", "county", 3),
                ("2017Q3", "village", 3),
                ("2017Q4", "county", 3),
                ("2017Q4", "township", 2),
                ("2017Q4", "village", 3),
            ]
        ),
    ),
    "06_unit_history": (
        [
            "period",
            "party_score",
            "development_score",
            "composite_score",
            "rank_in_level",
            "rank_in_parent",
            "quadrant",
            "checklist",
            "secretary_projects",
            "collective",
            "investment",
            "weak_warning",
            "weak_village_year_status",
            "rules_version",
        ],
        # warned in Q3 (annualised 6.7), not in Q4; determined not weak for 2017 with no
        # 2016 determination, so no status: a quarter's dip is not a rectification.
        lambda r: (
            [(x[0], x[3], x[11], x[12], x[13]) for x in r]
            == [("2017Q3", 50.0, True, None, "2018"), ("2017Q4", 60.0, False, None, "2018")]
        ),
    ),
    "07_city_summary": (
        [
            "period",
            "units_reporting",
            "party_orgs",
            "party_members",
            "new_members",
            "grid_branches",
            "secretary_projects",
            "projects_with_party_org",
            "gdp_yi_yuan",
            "gdp_growth_pct",
            "savings_yi_yuan",
            "collective_income_wan_yuan",
            "weak_villages",
        ],
        lambda r: (
            [(x[0], x[1], x[11], x[12]) for x in r]
            == [("2017Q3", 6, 36.0, 1), ("2017Q4", 8, 61.0, 1)]
        ),
    ),
    "08_quarantine_reasons": (
        ["period", "kind", "reason", "reports", "units"],
        lambda r: (
            r
            == [
                ("2017Q4", "projects", "out_of_range", 1, 1),
                ("2017Q4", "projects", "pii", 1, 1),
                ("2017Q4", "supervision", "out_of_range", 1, 1),
            ]
        ),
    ),
    "09_missing_reports": (
        ["county", "units_missing", "villages_missing", "units_returned", "names"],
        # the returned report is not counted as missing
        lambda r: r == [("启东市", 1, 1, 1, "启东某村")],
    ),
    "10_villages_by_county": (
        [
            "county",
            "villages_scored",
            "mean_party_score",
            "mean_development_score",
            "mean_composite_score",
            "share_both_strong",
            "weak_villages",
        ],
        # two decimals as the 通报 prints them, rounded as decimals (83.333… → 83.33)
        lambda r: r == [("如东县", 3, 83.33, 50.0, 43.33, 0.667, 1)],
    ),
    "11_what_the_correction_changed": (
        [
            "period",
            "unit_code",
            "name",
            "party_before",
            "party_after",
            "development_before",
            "development_after",
            "composite_before",
            "composite_after",
            "rank_before",
            "rank_after",
            "recorded_before",
            "recorded_after",
            "run_id",
        ],
        # built once, never corrected: nothing changed (tests/integration/reports/
        # test_corrections.py corrects a quarter)
        lambda r: r == [],
    ),
}


def test_guide_rounds_as_the_report_does(reader: duckdb.DuckDBPyConnection) -> None:
    # float rounding prints 62.15 (62.149999…) as 62.1; the 通报 shows 62.15
    (floats, decimals) = reader.execute(
        "SELECT round(62.15::DOUBLE, 1), round(62.15::DOUBLE::DECIMAL(18, 6), 1)::DOUBLE"
    ).fetchone() or (None, None)
    assert (floats, decimals) == (62.1, 62.2)
    for path in QUERIES:
        for call in path.read_text(encoding="utf-8").split("round(")[1:]:
            assert "::DECIMAL(18, 6)" in call.split(" AS ")[0], (path.name, call[:60])


def test_ten_queries_all_checked() -> None:
    assert [q.stem for q in QUERIES] == sorted(EXPECT)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_runs_read_only(reader: duckdb.DuckDBPyConnection, path: Path) -> None:
    columns, rows = run(reader, path)
    expected_columns, check = EXPECT[path.stem]
    assert columns == expected_columns
    assert check(rows), rows


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_through_ronghe_query(
    home: Path, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    sql = path.read_text(encoding="utf-8")
    assert main(["--home", str(home), "query", sql, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        columns, rows = run(con, path)
    finally:
        con.close()
    assert got == [dict(zip(columns, r, strict=True)) for r in rows]


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_guide_shows_the_query(path: Path) -> None:
    guide = (DOCS / "warehouse.md").read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").strip() in guide
    assert f"docs/queries/{path.name}" in guide


# Every snippet of the guide (docs/warehouse.md) runs against this warehouse: SQL blocks on a
# read-only connection, Python blocks in a process of their own, shell blocks in bash with
# `ronghe` this tree's command. ```text blocks are transcripts of other programs (the
# DuckDB 2 CLI, which is not installed here), never run; they are counted below.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TRANSCRIPTS = 1


def snippets() -> list[tuple[str, str, str]]:
    guide = (DOCS / "warehouse.md").read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(guide):
        line = guide.count("\n", 0, m.start()) + 1
        found.append((f"line{line}-{m.group(1) or 'plain'}", m.group(1), m.group(2)))
    return found


def test_every_snippet_is_run_or_a_transcript() -> None:
    kinds = [lang for _, lang, _ in snippets()]
    assert set(kinds) <= {"sql", "python", "sh", "text"}, kinds  # nothing left unrun
    assert kinds.count("text") == TRANSCRIPTS
    assert kinds.count("python") >= 1 and kinds.count("sh") >= 2


@pytest.mark.parametrize(
    ("lang", "code"),
    [(lang, code) for _, lang, code in snippets() if lang != "text"],
    ids=[name for name, lang, _ in snippets() if lang != "text"],
)
def test_guide_snippet_runs(home: Path, tmp_path: Path, lang: str, code: str) -> None:
    if lang == "sql":
        con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
        try:
            for stmt in duckdb.extract_statements(code):
                con.execute(stmt.query).fetchall()
        finally:
            con.close()
        return
    (tmp_path / "docs").symlink_to(DOCS)  # the snippets name docs/queries/… from the tree
    env = cli_env(home)
    if lang == "python":
        script = code.replace("/path/to/home", str(home))
        cmd = [sys.executable, "-c", script]
    else:
        prelude = f'ronghe() {{ "{sys.executable}" -m cli.main "$@"; }}\nset -e\n'
        cmd = ["bash", "-c", prelude + code]
    done = subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, (code, done.stdout[-2000:], done.stderr[-2000:])
