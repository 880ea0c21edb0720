"""The published file survives its readers (CONTRACT §5, issue 34), with real processes.

An analyst's process opens ``warehouse.duckdb`` read-write, writes a table, stays open
across a run, or dies leaving a ``.wal``; a reader reads while runs publish. Each run
publishes cleanly (or, with nothing new, not at all), says what it found, moves an
analyst's change aside under a name saying when, and a new reader always opens the
newest warehouse. Runs are the production sequence in process
(:func:`tests.support.hardening.ingest_and_publish`); one is the real ``ronghe run``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.support.factories import COUNTY2, economy_row, supervision_row, write_csv
from tests.support.hardening import cli, drop_file_permissions, ingest_and_publish
from warehouse.held import lock_held, readable

pytestmark = pytest.mark.integration

ANALYST = r"""
import duckdb, os, sys
path, table, end = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect(path)  # read-write: the DuckDB CLI's default
if table:
    con.execute(f"CREATE TABLE {table} AS SELECT 42 AS answer")
print("ready", flush=True)
if end == "crash":  # killed: what it wrote stays in the .wal
    os._exit(0)
for line in sys.stdin:  # each line: a table to write now; EOF: close
    con.execute(f"CREATE TABLE {line.strip()} AS SELECT 7 AS later")
    print("wrote", flush=True)
con.close()
"""

READER = r"""
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
tables = [r[0] for r in con.execute(
    "SELECT schema_name || '.' || table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
n = con.execute("SELECT count(*) FROM raw.supervision").fetchone()[0]
print(__import__("json").dumps({"tables": tables, "supervision": n}))
"""


def read(path: Path, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """What a new reader in a process of its own sees (it fails on any DuckDB error)."""
    done = subprocess.run(
        [*prefix, sys.executable, "-c", READER, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Analyst:
    """A Python process holding ``warehouse.duckdb`` open read-write."""

    def __init__(self, path: Path, table: str = "", end: str = "close") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ANALYST, str(path), table, end],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", self.proc.stderr.read() if self.proc.stderr else ""

    def write(self, table: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(table + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "wrote"

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        assert self.proc.wait(timeout=60) == 0


class Told(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("base")
    write_csv(root / "inbox" / "supervision_1.csv", [supervision_row()])
    ingest_and_publish(root / "home", [root / "inbox"])
    return root


@pytest.fixture
def home(base: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of a published home (and its inbox), for one test to change."""
    shutil.copytree(base, tmp_path / "h", symlinks=True)
    yield tmp_path / "h" / "home"


def run(home: Path, *rows: dict[str, object]) -> Told:
    """A run (with new supervision rows, or nothing new) that publishes; what it said."""
    inbox = home.parent / "inbox"
    if rows:
        write_csv(inbox / f"supervision_{len(list(inbox.iterdir())) + 1}.csv", list(rows))
    told = Told()
    settings = Settings(home=home, settle_seconds=0)
    from datetime import datetime

    import pipeline.run as pipeline
    from warehouse.workspace import Workspace

    with Workspace.open(settings, say=told) as ws:
        with ws.run(f"run-{len(told)}-{datetime.now().isoformat()}", "ingest", {}):
            pipeline.run(ws, [inbox], datetime.now())
        ws.publish()
    return told


def target(home: Path) -> str:
    return os.readlink(home / "warehouse.duckdb")


def aside(home: Path) -> list[str]:
    folder = home / "changed"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_session_left_open_read_write_with_a_table_never_breaks_a_run(home: Path) -> None:
    name = home / "warehouse.duckdb"
    first = target(home)
    analyst = Analyst(name, "mine")
    try:
        assert lock_held(home / first) == ("write", analyst.proc.pid)
        # a pull reads what it remembers through a copy: DuckDB refuses the held version
        with readable(name) as copy:
            assert copy != name and read(copy)["supervision"] == 1
        assert not list((home / "work").glob(".snapshot-*"))
        told = run(home, supervision_row(COUNTY2))  # publishes, though the version is held
        assert target(home) != first
        assert any(f"open read-write (pid {analyst.proc.pid})" in m for m in told), told
        seen = read(name)  # a new reader: the newest warehouse, no analyst table in it
        assert seen["supervision"] == 2 and "main.mine" not in seen["tables"]
        query = cli("query", "SELECT count(*) AS n FROM raw.supervision", home=home)
        assert query.returncode == 0 and "2" in query.stdout, query.stderr
        analyst.write("mine_later")  # still writing into the version it opened
    finally:
        analyst.close()
    assert not (home / "warehouse.duckdb.wal").exists()
    told = run(home)  # nothing new: nothing published, the closed version moved aside
    assert any("changed outside ronghe" in m and "changed/warehouse.changed-" in m for m in told)
    (kept,) = aside(home)
    assert kept.startswith("warehouse.changed-") and kept.endswith(".duckdb")
    assert {"main.mine", "main.mine_later"} <= set(read(home / "changed" / kept)["tables"])
    assert not (home / first).exists()
    assert read(name)["supervision"] == 2


def test_a_wal_left_by_a_killed_session_is_moved_aside_with_its_version(home: Path) -> None:
    first = target(home)
    Analyst(home / "warehouse.duckdb", "mine", end="crash").proc.wait(timeout=60)
    assert (home / "versions" / (first.split("/")[-1] + ".wal")).exists()
    assert "main.mine" in read(home / "warehouse.duckdb")["tables"]  # the .wal is replayed
    told = run(home)  # nothing new, but the current version is not as published
    assert target(home) != first
    assert any("a .wal beside it" in m for m in told), told
    kept = aside(home)
    assert [k.endswith(".duckdb") for k in kept] == [True, False] and kept[1] == kept[0] + ".wal"
    assert "main.mine" in read(home / "changed" / kept[0])["tables"]  # opens with the change
    assert "main.mine" not in read(home / "warehouse.duckdb")["tables"]


def test_a_wal_beside_the_name_is_harmless_and_moved_aside(home: Path) -> None:
    (home / "warehouse.duckdb.wal").write_bytes(b"\x00junk from another warehouse" * 64)
    assert read(home / "warehouse.duckdb")["supervision"] == 1  # readers ignore it
    told = run(home)
    assert any("a .wal was left beside warehouse.duckdb" in m for m in told), told
    assert not (home / "warehouse.duckdb.wal").exists()
    (kept,) = aside(home)
    assert kept.startswith("warehouse.duckdb.wal.left-")


def test_an_idle_run_keeps_the_same_file_and_a_change_publishes(home: Path) -> None:
    # the copied inbox is at a new path: the first run remembers its files' hashes there
    # (meta.file_hashes, which `nothing_new` reads from the published file): a change
    run(home)
    first, inode = target(home), (home / "warehouse.duckdb").stat().st_ino
    told = run(home)
    assert any("nothing changed" in m for m in told), told
    assert (target(home), (home / "warehouse.duckdb").stat().st_ino) == (first, inode)
    run(home, supervision_row(COUNTY2))
    assert target(home) != first and read(home / "warehouse.duckdb")["supervision"] == 2


def test_only_root_can_open_a_version_read_write(home: Path) -> None:
    prefix = drop_file_permissions()
    probe = (
        "import duckdb, sys\n"
        "try:\n"
        "    duckdb.connect(sys.argv[1])\n"
        "except duckdb.Error as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run(
        [*prefix, sys.executable, "-c", probe, str(home / "warehouse.duckdb")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Permission denied" in done.stdout, (done.stdout, done.stderr)
    assert read(home / "warehouse.duckdb", prefix)["supervision"] == 1  # read-only: fine


READ_LOOP = r"""
import duckdb, json, os, sys
path, stop, out = sys.argv[1:4]
seen, errors = {}, []
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            n = con.execute("SELECT count(*) FROM raw.supervision").fetchone()[0]
        seen[n] = seen.get(n, 0) + 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
json.dump({"seen": seen, "errors": errors[:5]}, open(out, "w"))
"""


def test_a_reader_during_publishes_always_opens_a_whole_version(home: Path) -> None:
    stop, out = home.parent / "stop", home.parent / "reads.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READ_LOOP, str(home / "warehouse.duckdb"), str(stop), str(out)]
    )
    try:
        for i in range(2):
            run(home, supervision_row(COUNTY2, period=f"2016Q{i + 1}"))
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert set(result["seen"]) <= {"1", "2", "3"} and result["seen"]
    assert len(list((home / "versions").glob("*.duckdb"))) == 2  # the newest and the one before


def test_the_old_single_file_with_an_analysts_wal_and_a_real_run(home: Path) -> None:
    """The issue's case: ``warehouse.duckdb`` a file (as an older ronghe published it), an
    analyst's table in its ``.wal``; the next ``ronghe run`` used to publish, then exit 1."""
    name = home / "warehouse.duckdb"
    version = name.resolve()
    name.unlink()
    shutil.copy(version, name)
    os.chmod(name, 0o640)
    (home / "work" / "published.json").unlink()
    Analyst(name, "mine", end="crash").proc.wait(timeout=60)
    assert (home / "warehouse.duckdb.wal").exists()
    write_csv(home.parent / "inbox" / "economy_1.csv", [economy_row()])
    done = cli("run", "--period", "2017Q1", "--inbox", str(home.parent / "inbox"), home=home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "changed outside ronghe" in done.stderr, done.stderr[-3000:]
    assert name.is_symlink() and not (home / "warehouse.duckdb.wal").exists()
    kept = aside(home)
    assert len(kept) == 2 and kept[1] == kept[0] + ".wal"
    assert "main.mine" in read(home / "changed" / kept[0])["tables"]
    assert read(name)["supervision"] == 1
    runs = cli("query", "SELECT state FROM meta.runs ORDER BY started_at", home=home)
    assert runs.returncode == 0 and runs.stdout.count("completed") == 2, runs.stdout
    assert sorted((home / "reports" / "2017Q1").iterdir()), "the 通报 was written"
