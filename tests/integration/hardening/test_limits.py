"""Issue 19, groups 1–2: a file past a read limit, or whose reader dies, is that file's.

Beside a good report, the real CLI runs an inbox holding a workbook with one cell at
``XFD1048576`` (its reader would ask for hundreds of GB and abort the process), a zip
bomb (a 1.5 MB workbook whose one shared string unpacks to 1.5 GB) and a CSV over the
size limit. Twice: with the default limits (the checks stop them before parsing) and
with the checks turned off (then the worker process's memory limit stops them, and its
death is the file's). Each run exits 0, the good file loads, the bad ones are
``unreadable_file`` with a sentence, and no process of the run is left behind.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import COUNTY, economy_row, supervision_row, write_csv
from tests.support.hardening import cli, cli_env
from tests.support.poison import bomb_xlsx, far_cell_xlsx

BAD = ("supervision_far.xlsx", "economy_bomb.xlsx", "projects_huge.csv")
NO_CHECKS = {
    "RONGHE_READ_MAX_CELLS": "1e15",
    "RONGHE_READ_MAX_UNPACKED_MB": "1e9",
    "RONGHE_READ_MAX_RATIO": "1e12",
    "RONGHE_READ_MAX_MEMORY_MB": "1500",
}


def left_behind(tag: str) -> list[int]:
    """Processes still running with ``RONGHE_TEST_TAG=tag`` in their environment."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if f"RONGHE_TEST_TAG={tag}".encode() in environ.split(b"\0"):
            found.append(int(pid))
    return found


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("limits") / "inbox"
    inbox.mkdir()
    write_csv(inbox / "supervision_good.csv", [supervision_row()])
    far_cell_xlsx(inbox / BAD[0])
    bomb_xlsx(inbox / BAD[1])
    write_csv(inbox / "economy_fine.csv", [economy_row()])
    # 3 MB of CSV: over a 2 MB size limit (RONGHE_READ_MAX_MB) set for the test
    (inbox / BAD[2]).write_text("a,b\n" + "x,y\n" * 800_000, encoding="utf-8")
    return inbox


def _run(inbox: Path, home: Path, **extra: str) -> dict[str, Any]:
    tag = uuid.uuid4().hex
    env = cli_env(home, RONGHE_TEST_TAG=tag, RONGHE_READ_MAX_MB="2", **extra)
    proc = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=home, env=env)
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        files = {
            Path(p).name: (r, d)
            for p, r, d in con.execute(
                "SELECT path, reasons, detail FROM quarantine.files"
            ).fetchall()
        }
        problems = {
            Path(p).name: m
            for p, m in con.execute(
                "SELECT f.path, p.message_zh FROM quarantine.problems p JOIN quarantine.files f"
                " ON f.sha256 = p.source_sha256 WHERE p.reason = 'unreadable_file'"
            ).fetchall()
        }
        loaded = con.execute(
            "SELECT count(*) FROM core.supervision WHERE unit_code = ?", [COUNTY]
        ).fetchone()
    finally:
        con.close()
    return {"proc": proc, "files": files, "problems": problems, "loaded": loaded, "tag": tag}


@pytest.fixture(scope="module", params=["checked", "worker"])
def ran(request: pytest.FixtureRequest, inbox: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp(request.param) / "home"
    return _run(inbox, home, **(NO_CHECKS if request.param == "worker" else {}))


def test_the_run_finishes_and_the_good_files_load(ran: dict[str, Any]) -> None:
    proc = ran["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    assert ran["loaded"] == (1,)


def test_each_bad_file_is_unreadable_with_a_sentence(ran: dict[str, Any]) -> None:
    for name in BAD:
        reasons, detail = ran["files"][name]
        assert reasons == ["unreadable_file"], (name, reasons, detail)
        assert detail.startswith("damaged or too large"), (name, detail)
        assert ran["problems"][name] == (
            f"文件“{name}”已损坏或过大，无法读取：请用报送模板重新填写、保存后再报送"
        )


def test_no_process_is_left_behind(ran: dict[str, Any]) -> None:
    assert left_behind(ran["tag"]) == []
