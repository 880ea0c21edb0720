"""Issue 19, groups 4–6: ``ronghe query`` within time, memory and rows; output that is
seen, never obeyed (control characters escaped, valid JSON); an empty query is usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.factories import project_row, write_csv
from tests.support.hardening import cli, cli_env, ingest_and_publish, one_line_error


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ql")
    inbox = base / "inbox"
    inbox.mkdir()
    name = "\x1b[2J\x1b[31m项目\nforged line"
    write_csv(inbox / "projects_escape.csv", [project_row(pid="E1", name=name)])
    ingest_and_publish(base / "home", [inbox])
    return base / "home"


def _query(home: Path, sql: str, *args: str, **env: str):
    return cli("query", sql, *args, home=home, env=cli_env(home, **env), timeout=120)


def test_a_long_query_is_stopped_after_the_timeout(home: Path) -> None:
    proc = _query(home, "SELECT sum(range) FROM range(1000000000000)", RONGHE_QUERY_TIMEOUT="1")
    assert proc.returncode == 1
    assert "RONGHE_QUERY_TIMEOUT" in one_line_error(proc)


def test_a_query_past_the_memory_limit_is_stopped(home: Path) -> None:
    sql = "SELECT count(DISTINCT range) FROM range(3000000000)"
    proc = _query(home, sql, RONGHE_QUERY_MEMORY="100MB", RONGHE_QUERY_TIMEOUT="50")
    assert proc.returncode == 1
    assert "RONGHE_QUERY_MEMORY" in one_line_error(proc)


def test_the_spill_folder_cannot_be_written(home: Path) -> None:
    spill = home / "warehouse.duckdb.tmp"
    spill.mkdir(exist_ok=True)
    proc = _query(home, f"COPY (SELECT 1) TO '{spill / 'x.csv'}'")
    assert proc.returncode == 1
    one_line_error(proc)
    assert list(spill.iterdir()) == []


def test_the_fetch_is_bounded_and_says_what_was_cut(home: Path) -> None:
    proc = _query(home, "SELECT range FROM range(12)", "--format", "csv", RONGHE_QUERY_MAX_ROWS="5")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["range", "0", "1", "2", "3", "4"]
    assert "7 more were cut" in proc.stderr


def test_table_output_escapes_control_characters(home: Path) -> None:
    proc = _query(home, "SELECT name FROM core.projects WHERE project_id = 'E1'")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    assert all("\\nforged" in line for line in proc.stdout.splitlines() if "forged" in line)
    assert "\\x1b[2J\\x1b[31m" in proc.stdout and "\\nforged" in proc.stdout


def test_json_output_is_valid_json(home: Path) -> None:
    sql = "SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, ['-inf'::DOUBLE, 1.5] AS c"
    proc = _query(home, sql, "--format", "json")
    assert proc.returncode == 0, proc.stderr

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    assert json.loads(proc.stdout, parse_constant=refuse) == [
        {"a": None, "b": None, "c": [None, 1.5]}
    ]


@pytest.mark.parametrize("sql", ["", "   ", " ; -- nothing"])
def test_an_empty_query_is_a_usage_error(home: Path, sql: str) -> None:
    proc = _query(home, sql)
    assert proc.returncode == 2
    assert "empty" in one_line_error(proc)


# --- issue 30: the query runs in a child process, bounded as a process ------------------

PEAK = (
    "import resource, subprocess, sys;"
    "p = subprocess.run(sys.argv[1:]);"
    "print(f'peak-kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}');"
    "sys.exit(p.returncode)"
)
"""A wrapper that says the largest resident size of the command's processes."""


def test_a_query_building_huge_strings_cannot_grow_past_its_memory(home: Path) -> None:
    sql = "SELECT repeat('x', 40000000) FROM range(40)"  # 1.6 GB of text, twice in Python
    proc = cli(
        "query", sql, "--format", "csv", home=home, timeout=120,
        env=cli_env(home, RONGHE_QUERY_MEMORY="256MB", RONGHE_QUERY_TIMEOUT="60"),
        prefix=(sys.executable, "-c", PEAK),
    )  # fmt: skip
    assert proc.returncode == 1
    assert one_line_error(proc) == (
        "ronghe: error: the query needs more memory than 256MB and was stopped"
        " (RONGHE_QUERY_MEMORY)"
    )
    out, peak_kb = proc.stdout.rsplit("peak-kb=", 1)
    assert out == ""  # nothing of the answer printed
    assert int(peak_kb) * 1024 < 800 * 2**20, peak_kb  # measured 323 MB; it took 4.8 GB


def test_a_query_past_its_time_is_killed_even_in_its_fetch(home: Path) -> None:
    sql = "SELECT repeat('x', 2000) AS s FROM range(50000000)"  # a long fetch and count
    proc = _query(home, sql, "--format", "csv", RONGHE_QUERY_TIMEOUT="1")
    assert proc.returncode == 1
    assert "RONGHE_QUERY_TIMEOUT" in one_line_error(proc)


def test_a_wrong_memory_setting_is_usage_and_a_damaged_warehouse_is_named(
    home: Path, tmp_path: Path
) -> None:
    proc = _query(home, "SELECT 1", RONGHE_QUERY_MEMORY="lots")
    assert proc.returncode == 2 and "RONGHE_QUERY_MEMORY" in one_line_error(proc)
    broken = tmp_path / "home"
    broken.mkdir()
    data = bytearray((home / "warehouse.duckdb").read_bytes())
    data[4096:20480] = b"\xff" * 16384  # a block overwritten
    (broken / "warehouse.duckdb").write_bytes(bytes(data))
    proc = _query(broken, "SELECT 1")
    line = one_line_error(proc)
    assert proc.returncode == 1
    assert "is damaged (a corrupt database file)" in line
    assert "RONGHE_QUERY_MEMORY" not in line


def test_an_answer_past_a_quarter_of_the_memory_is_refused_whole(home: Path) -> None:
    # the calling process prints the answer and has no cap: it never receives more than
    # a quarter of RONGHE_QUERY_MEMORY (30 MB of text under 64MB here)
    sql = "SELECT repeat('x', 1000000) AS s FROM range(30)"
    proc = _query(home, sql, "--format", "csv", RONGHE_QUERY_MEMORY="64MB")
    assert proc.returncode == 1 and proc.stdout == ""
    assert one_line_error(proc) == (
        "ronghe: error: the query's answer holds more than 16 MB (a quarter of"
        " RONGHE_QUERY_MEMORY=64MB) and was not printed: select fewer rows or shorter values"
    )
    proc = _query(home, "SELECT repeat('x', 100000) AS s FROM range(30)", "--format", "csv")
    assert proc.returncode == 0 and proc.stdout.count("x" * 100000) == 30  # 3 MB: printed


def _on_a_terminal(home: Path, *args: str) -> str:
    """``ronghe query ARGS`` with its stdout on a pseudo-terminal: what the terminal got."""
    import os
    import pty
    import subprocess

    from tests.support.hardening import RONGHE

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [*RONGHE, "query", *args], stdout=follower, stderr=subprocess.PIPE,
            env=cli_env(home), timeout=120, check=False, cwd=home.parent,
        )  # fmt: skip
        os.close(follower)
        assert proc.returncode == 0, proc.stderr
        got = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other side is closed, all was read
                break
            if not chunk:
                break
            got += chunk
    finally:
        os.close(leader)
    return got.decode()


def test_csv_and_json_on_a_terminal_show_control_characters_never_obey_them(
    home: Path,
) -> None:
    sql = "SELECT name, chr(8238) || 'gnp.exe' AS bidi FROM core.projects WHERE project_id = 'E1'"
    shown = _on_a_terminal(home, sql, "--format", "csv")
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "\\x1b[2J\\x1b[31m项目\\nforged line" in shown and "\\u202egnp.exe" in shown
    shown = _on_a_terminal(home, sql, "--format", "json")
    assert "\x1b" not in shown and "\u202e" not in shown
    [row] = json.loads(shown)  # the same JSON value, escaped
    assert row["name"] == "\x1b[2J\x1b[31m项目\nforged line" and row["bidi"] == "\u202egnp.exe"


def test_ctrl_c_stops_a_query_and_its_child(home: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    from tests.support.hardening import RONGHE

    proc = subprocess.Popen(
        [*RONGHE, "query", "SELECT sum(range) FROM range(100000000000)"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env(home),
        cwd=home.parent, start_new_session=True,  # a terminal's foreground job
    )  # fmt: skip

    def children() -> list[str]:
        found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        return found.stdout.split()

    try:
        deadline = time.monotonic() + 60
        while not (kids := children()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert kids, "the query's child never started"
        time.sleep(1)  # the child is in its query
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:  # it did not stop: nothing of it is left running
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1] == "ronghe: error: interrupted", err
    assert not [k for k in kids if os.path.exists(f"/proc/{k}")]
