"""The analysts' workbench with real processes and files (issue 34): ``ronghe export`` of a
quarter as csv, xlsx and parquet, read back; ``ronghe shell`` starting Harlequin read-only
on the published version in a real terminal (tmux), and saying in one line how to install
it when it is missing."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
)
from tests.support.hardening import (
    IN_CI,
    RONGHE,
    cli,
    cli_env,
    ingest_and_publish,
    one_line_error,
)
from transforms.cells import FORMULA_STARTS
from warehouse.held import lock_held

pytestmark = pytest.mark.integration

EVIL = '=HYPERLINK("http://x","点我")'


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench")
    inbox = root / "inbox"
    write_csv(inbox / "supervision_q.csv", [supervision_row(), supervision_row(COUNTY2)])
    write_csv(inbox / "economy_q.csv", [economy_row(), economy_row(COUNTY2)])
    write_csv(inbox / "projects_q.csv", [project_row(name=EVIL), project_row(pid="P2")])
    ingest_and_publish(root / "home", [inbox])
    return root / "home"


def test_export_csv_is_utf8_with_bom_chinese_headers_and_no_formula(
    home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    done = cli("export", "--period", "2017Q1", "--out", str(out), home=home)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert "marts.unit_scores.csv" in names and "core.projects.csv" in names
    assert "columns.csv" in names
    raw = (out / "marts.unit_scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel and WPS read the Chinese
    with open(out / "marts.unit_scores.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:4] == ["报告期", "单位代码", "层级", "上级单位代码"]
    assert rows[0][rows[0].index("综合得分 C")] and {r[1] for r in rows[1:]} == {COUNTY, COUNTY2}
    with open(out / "core.projects.csv", encoding="utf-8-sig", newline="") as f:
        projects = list(csv.reader(f))
    assert "项目名称" in projects[0]
    cells = [
        c for p in out.glob("*.csv") for r in csv.reader(p.open(encoding="utf-8-sig")) for c in r
    ]
    assert "'" + EVIL in cells  # shown as text, the original is the cell minus the quote
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    with open(out / "marts.filing_status.csv", encoding="utf-8-sig", newline="") as f:
        status = list(csv.DictReader(f))
    assert {"填报时间", "到达时间", "及时性"} <= set(status[0])


def test_export_xlsx_and_parquet_read_back(home: Path, tmp_path: Path) -> None:
    done = cli(
        "export", "--period", "2017Q1", "--format", "xlsx", "--out", str(tmp_path), home=home
    )
    assert done.returncode == 0, done.stderr
    book = load_workbook(tmp_path / "ronghe-2017Q1.xlsx")
    assert book.sheetnames[0] == "说明" and "unit_scores" in book.sheetnames
    sheet = book["unit_scores"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["报告期", "单位代码"]
    codes = {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {COUNTY, COUNTY2}  # unit codes stay text
    score = header.index("党建得分 P")
    scores = [r[score] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in scores), scores
    projects = book["projects"]
    at = [c.value for c in projects[1]].index("项目名称")
    values = [r[at] for r in projects.iter_rows(min_row=2, values_only=True)]
    assert "'" + EVIL in values  # text, never a formula
    done = cli(
        "export", "--period", "2017Q1", "--format", "parquet", "--out", str(tmp_path), home=home
    )
    assert done.returncode == 0, done.stderr
    scores = pl.read_parquet(tmp_path / "marts.unit_scores.parquet")
    assert set(scores["unit_code"]) == {COUNTY, COUNTY2} and "composite_score" in scores.columns
    assert pl.read_parquet(tmp_path / "core.projects.parquet")["name"].to_list().count(EVIL) == 1


def test_export_of_a_quarter_not_built_is_one_line(home: Path, tmp_path: Path) -> None:
    done = cli("export", "--period", "2016Q1", "--out", str(tmp_path / "x"), home=home)
    assert done.returncode == 1
    assert "no marts for 2016Q1" in one_line_error(done)
    bad = cli("export", "--period", "2017Q1", "--format", "pdf", "--out", str(tmp_path), home=home)
    assert bad.returncode == 2


def test_shell_without_harlequin_says_how_to_install_it(home: Path) -> None:
    blocked = (
        "import sys; sys.modules['harlequin'] = None\n"  # as if the extra were not installed
        "from cli.main import main; raise SystemExit(main(['shell']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked], env=cli_env(home), capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    line = one_line_error(done)
    assert "pip install 'ronghe[shell]'" in line and len(done.stderr.strip().splitlines()) == 1


def test_shell_opens_the_published_version_read_only_in_harlequin(home: Path) -> None:
    if shutil.which("tmux") is None:  # .ci/run installs it
        if IN_CI:
            pytest.fail("tmux is needed to drive a terminal")
        pytest.skip("tmux is needed to drive a terminal")
    socket, session = f"ronghe-{os.getpid()}", "shell"
    env = cli_env(home)
    command = " ".join([*RONGHE, "shell"])
    tmux = ["tmux", "-L", socket]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
         "-e", f"RONGHE_HOME={home}", "-e", f"PYTHONPATH={env['PYTHONPATH']}",
         "-e", "RONGHE_QUERY_MEMORY=1GiB",
         "-c", str(home.parent), command],
        check=True, env=env,
    )  # fmt: skip

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True,
            check=False,
        ).stdout  # fmt: skip

    def wait(text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while text not in (shown := screen()) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert text in shown, shown
        return shown

    try:
        wait("warehouse db", 90)  # the catalog lists the database: Harlequin is up
        version = (home / "warehouse.duckdb").resolve()
        held = lock_held(version)
        assert held is not None and held[0] == "read", held  # read-only, on the newest version
        # DuckDB's memory within RONGHE_QUERY_MEMORY, as for `ronghe query`
        query = "select current_setting('memory_limit') as m"  # within the editor's width
        for _ in range(20):  # the editor takes keys once it has the focus
            # select all (what an earlier try typed), then type over it
            subprocess.run([*tmux, "send-keys", "-t", session, "C-a"], check=True)
            subprocess.run([*tmux, "send-keys", "-t", session, "-l", query], check=True)
            time.sleep(1)
            if f"1  {query} " in screen():
                break
        subprocess.run([*tmux, "send-keys", "-t", session, "C-j"], check=True)
        wait("Query Results (1 Records)", 30)
        wait("1.0 GiB", 10)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False)
