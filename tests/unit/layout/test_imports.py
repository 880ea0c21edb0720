"""Imports only what a command uses (issue 31): quick commands start quickly.

Measured by what a fresh process has imported, never by the clock: importing the flows
(as a served flow run's process does) pulls in no pipeline, no Great Expectations, no
Altair and no writer of the 通报 or receipts; ``ronghe status``, ``query`` and ``units``
import neither Prefect nor GX nor Altair; ``ronghe validate`` imports GX (it validates
with it) but not Prefect nor the 通报's chart renderer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.factories import supervision_row, write_csv
from tests.support.hardening import cli_env

HEAVY = ("great_expectations", "altair", "vl_convert", "prefect", "pandas", "reports")
QUIET = (
    "from cli.main import main\n"
    "import contextlib, io\n"
    "out, err = io.StringIO(), io.StringIO()\n"
    "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
)


def _imported(code: str, home: Path) -> set[str]:
    probe = (
        "import sys, json\n"
        f"{code}\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} + ['pipeline.run', 'filers.receipts',"
        " 'duckdb'] if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=cli_env(home),
        cwd=home.parent,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return set(found)


def test_importing_the_flows_imports_nothing_heavy(tmp_path: Path) -> None:
    got = _imported("import flows.flows, flows.outputs, flows.engine", tmp_path / "home")
    assert "prefect" in got  # a flow run's process needs Prefect, and nothing heavy more
    assert got & {"great_expectations", "altair", "vl_convert", "pandas", "reports"} == set()
    assert got & {"pipeline.run", "filers.receipts", "duckdb"} == set()


def test_quick_commands_import_neither_prefect_nor_gx(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for argv in (["status"], ["query", "SELECT 1"], ["units"]):
        code = QUIET + f"    main({['--home', str(home), *argv]!r})"
        got = _imported(code, home)
        assert got & {"prefect", "great_expectations", "altair", "vl_convert"} == set(), argv


def test_validate_imports_gx_but_not_prefect(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "supervision_ok.csv", [supervision_row()])
    got = _imported(QUIET + f"    main(['validate', {str(f)!r}])", tmp_path / "home")
    assert "great_expectations" in got  # GX imports Altair for its own rendering
    assert got & {"prefect", "vl_convert", "reports"} == set()
