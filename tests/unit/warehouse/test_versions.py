"""Publishing as versions, on small real DuckDB files (the processes are in
tests/integration/test_published_versions.py): what changes the fingerprint and what does
not, what is deleted, and that nothing someone changed is ever deleted."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from config.settings import Settings
from warehouse.fingerprint import fingerprint
from warehouse.versions import Record, current_version, publish


def _writer(tmp_path: Path) -> tuple[Settings, duckdb.DuckDBPyConnection]:
    settings = Settings(home=tmp_path / "home")
    settings.working_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(settings.working_path))
    con.execute("CREATE SCHEMA meta; CREATE SCHEMA core")
    con.execute("CREATE TABLE meta.runs (run_id VARCHAR, state VARCHAR)")
    con.execute(
        "CREATE TABLE meta.source_status (source VARCHAR, reached BOOLEAN,"
        " attempted_at TIMESTAMP, files_seen BIGINT)"
    )
    con.execute("CREATE TABLE core.t (x INTEGER)")
    con.execute("INSERT INTO core.t VALUES (1)")
    con.execute("INSERT INTO meta.source_status VALUES ('a', true, now(), 3)")
    return settings, con


def test_the_fingerprint_leaves_the_runs_bookkeeping_out(tmp_path: Path) -> None:
    _, con = _writer(tmp_path)
    first = fingerprint(con)
    con.execute("INSERT INTO meta.runs VALUES ('r2', 'completed')")
    con.execute("UPDATE meta.source_status SET attempted_at = now() + INTERVAL 1 HOUR")
    con.execute("UPDATE meta.source_status SET files_seen = 0")
    assert fingerprint(con) == first
    con.execute("UPDATE meta.source_status SET reached = false")  # a source went down
    down = fingerprint(con)
    assert down != first
    con.execute("INSERT INTO core.t VALUES (1)")  # the same row twice counts twice
    twice = fingerprint(con)
    assert twice != down
    con.execute("INSERT INTO core.t VALUES (1)")
    assert fingerprint(con) not in (down, twice)
    con.execute("COMMENT ON COLUMN core.t.x IS '数'")  # the catalog is part of it
    assert fingerprint(con) != twice


def test_publish_only_on_change_and_keep_what_someone_changed(tmp_path: Path) -> None:
    settings, con = _writer(tmp_path)
    said: list[str] = []
    con.execute("CHECKPOINT")
    assert publish(settings, con, said.append)
    first = current_version(settings)
    assert first is not None and first.stat().st_mode & 0o777 == 0o440
    assert not publish(settings, con, said.append)  # nothing changed
    assert current_version(settings) == first and "nothing changed" in said[-1]
    con.execute("INSERT INTO core.t VALUES (2)")
    con.execute("CHECKPOINT")
    assert publish(settings, con, said.append)
    second = current_version(settings)
    assert (
        second is not None and second != first and first.exists()
    )  # the previous one is kept for a publish
    # someone (root) writes into the kept version; junk lands in versions/
    os.chmod(first, 0o640)
    other = duckdb.connect(str(first))
    other.execute("CREATE TABLE main.mine AS SELECT 1 AS x")
    other.close()
    (first.parent / "warehouse.junk.duckdb").write_bytes(b"not a database")
    (first.parent / f".{first.name}.partial-1").write_bytes(b"half")  # a killed copy
    con.execute("INSERT INTO core.t VALUES (3)")
    con.execute("CHECKPOINT")
    assert publish(settings, con, said.append)
    kept = sorted(p.name for p in (settings.home / "changed").iterdir())
    assert len(kept) == 2 and all(k.startswith("warehouse.changed-") for k in kept), kept
    assert any("written to after it was published" in m for m in said), said
    assert any("cannot be opened" in m for m in said), said
    third = current_version(settings)
    assert third is not None
    assert sorted(p.name for p in first.parent.iterdir()) == sorted({second.name, third.name})
    record = Record.load(settings)
    assert record.current == third.name and set(record.files) == {second.name, third.name}
