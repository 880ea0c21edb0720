"""Issue 19, group 10: after a crash, no unindexed pack is left; a copied home reads its
own archive (pack paths relative to the home, old absolute ones read in this home)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import supervision_row, write_csv
from tests.support.hardening import cli


def _one(home: Path, sql: str) -> Any:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        row = con.execute(sql).fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("crash")
    inbox = base / "inbox"
    inbox.mkdir()
    write_csv(inbox / "supervision_a.csv", [supervision_row()])
    proc = cli("run", "--period", "2017Q1", "--inbox", str(inbox), home=base / "home")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return base / "home"


def test_pack_paths_are_relative_and_a_copied_home_reads_its_own(
    home: Path, tmp_path: Path
) -> None:
    pack = _one(home, "SELECT pack FROM meta.archive_index LIMIT 1")
    assert pack.startswith("archive/packs/") and pack.endswith(".tar")
    sha = _one(home, "SELECT sha256 FROM meta.archive_index LIMIT 1")
    copy = tmp_path / "restored"
    shutil.copytree(home, copy, symlinks=True)
    # an index written by an older ronghe holds the old home's absolute path
    con = duckdb.connect(str(copy / "warehouse.duckdb"))
    con.execute("UPDATE meta.archive_index SET pack = '/gone/home/' || pack")
    con.close()
    proc = cli("archive", sha, "--out", str(tmp_path / "out.csv"), home=copy)
    assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256((tmp_path / "out.csv").read_bytes()).hexdigest() == sha
    # the copy's own pack was read: without it, the archive is not found
    (copy / pack).unlink()
    proc = cli("archive", sha, "--out", str(tmp_path / "again.csv"), home=copy)
    assert proc.returncode == 1 and not (tmp_path / "again.csv").exists()


def test_recovery_removes_unindexed_packs(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "crashed"
    shutil.copytree(home, copy, symlinks=True)
    packs = copy / "archive" / "packs"
    kept = sorted(p.name for p in packs.iterdir())
    # what a run killed between writing its pack and committing leaves behind
    (packs / ("f" * 64 + ".tar")).write_bytes(b"\0" * 1024)
    (packs / ".pack.tmp123-456").write_bytes(b"\0" * 10)
    (copy / "work").mkdir(exist_ok=True)
    (copy / "work" / ".unfinished").write_text("a run", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = cli("run", "--period", "2017Q1", "--inbox", str(empty), home=copy)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in packs.iterdir()) == kept
