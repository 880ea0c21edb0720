"""The ``ronghe`` command as a user meets it: exit codes, one-line errors, verdicts, output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)

RONGHE = str(Path(sys.executable).with_name("ronghe"))


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    full_env["RONGHE_SETTLE_SECONDS"] = "0"  # files written just now are complete
    # the installed script imports this tree's code, not whichever tree installed it
    full_env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    full_env.update(env or {})
    full_env["RONGHE_HOME"] = str(home)
    return subprocess.run(
        [RONGHE, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=home.parent,
        check=False,
    )


def test_usage_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from flows.prefect_env import embedded

    before = embedded.process  # an earlier in-process run of this worker may have one
    assert main(["run", "--period", "2017Q5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ronghe: error:") and "2017Q5" in err[0]
    assert main(["frobnicate"]) == 2
    assert main([]) == 2
    assert main(["backfill", "--from", "2017Q3", "--to", "2017Q1"]) == 2
    assert embedded.process is before  # a usage error starts no Prefect server


def test_failures_exit_1_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(tmp_path / "nowhere"), "query", "SELECT 1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no warehouse" in err[0]
    assert main(["validate", str(tmp_path / "missing.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing.csv" in err[0]


def test_validate_prints_verdicts_and_loads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    good = write_csv(tmp_path / "supervision_ok.csv", [supervision_row()])
    bad = write_json(
        tmp_path / "projects_bad.json",
        [
            project_row(pid="P1", name="张三 13812345678"),
            project_row(pid="P1"),
            project_row(unit=COUNTY2, pid="P9", completed_investment="x"),
        ],
    )
    # no kind in the name and no kind's headers (CONTRACT §2: the headers decide)
    odd = write_csv(tmp_path / "notes.csv", [{"会议": "党委会", "日期": "2017-04-01"}])
    code = main(["--home", str(home), "validate", str(good), str(bad), str(odd)])
    assert code == 1  # something would be quarantined or rejected
    lines = capsys.readouterr().out.splitlines()
    assert any(ln.startswith("  可入库 党建督导") and COUNTY in ln for ln in lines)
    quarantined = [ln for ln in lines if ln.startswith("  将被退回")]
    assert len(quarantined) == 2
    assert any(ln.startswith("    第1条记录「项目名称」不得包含") and "[pii]" in ln for ln in lines)
    assert any("「项目编号」“P1”" in ln and "[duplicate_in_file]" in ln for ln in lines)
    assert any(ln.startswith("    第3条记录「累计完成投资(万元)」") for ln in lines)
    assert any("notes.csv" in ln and "[unknown_kind]" in ln for ln in lines)
    assert not (home / "warehouse.duckdb").exists()
    assert not (home / "work").exists()


def test_validate_exits_0_when_clean_and_speaks_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    home = tmp_path / "home"
    good = write_csv(tmp_path / "supervision_ok.csv", [supervision_row()])
    assert main(["--home", str(home), "validate", str(good)]) == 0
    capsys.readouterr()
    bad = write_csv(tmp_path / "supervision_bad.csv", [supervision_row(party_members="二百")])
    assert main(["--home", str(home), "validate", "--format", "json", str(good), str(bad)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["reports_quarantined"] == 1 and doc["summary"]["problems"] == 1
    [problem] = [p for f in doc["files"] for r in f["reports"] for p in r["problems"]]
    assert problem["sheet_row"] == 2 and problem["column_zh"] == "党员数"
    assert problem["message_zh"] == "第2行「党员数」应为不小于0的整数，收到“二百”"


def test_units_lists_the_registry_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "unit_code,name,level,kind,parent_code,valid_from,valid_to,synthetic,aliases"
    )
    assert any(ln.startswith("320671000000,南通经济技术开发区,county,zone,,2017Q1") for ln in lines)
    assert len(lines) > 1900


@pytest.mark.integration
def test_ingest_on_the_embedded_server_is_clean_and_queryable(tmp_path: Path) -> None:
    """A fresh PREFECT_HOME (migrations, server start and stop) prints no traceback."""
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_a.csv", [supervision_row(), supervision_row(COUNTY2)])
    write_csv(inbox / "projects_a.csv", [project_row(), project_row(pid="P2", progress_pct=-1)])
    done = run_cli("ingest", str(inbox), home=home)
    noise = done.stdout + done.stderr
    assert done.returncode == 0, noise
    for bad in ("Traceback", "database is locked", "Error flushing", "ERROR"):
        assert bad not in noise, noise
    assert "quarantined 1" in done.stderr
    q = run_cli(
        "query",
        "SELECT unit_code, reasons FROM quarantine.reports",
        "--format",
        "json",
        home=home,
    )
    assert q.returncode == 0, q.stderr
    assert json.loads(q.stdout) == [{"unit_code": COUNTY, "reasons": ["out_of_range"]}]
    again = run_cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home)
    assert again.returncode == 0, again.stderr
    assert "0 new, 2 already received" in again.stderr
    assert "Traceback" not in again.stdout + again.stderr


@pytest.mark.integration
def test_a_failed_run_is_one_line_with_exit_1(tmp_path: Path) -> None:
    """A failure inside the flow: Prefect keeps the traceback, the user gets one line."""
    home = tmp_path / "home"
    (home / "work" / "warehouse.duckdb").mkdir(parents=True)  # the writer cannot open it
    inbox = tmp_path / "inbox"
    write_csv(inbox / "supervision_a.csv", [supervision_row()])
    done = run_cli("ingest", str(inbox), home=home)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("ronghe: error:")]
    assert len(errors) == 1 and "warehouse.duckdb" in errors[0]
