"""A run in chunks (``RONGHE_CHUNK_FILES``) leaves the warehouse one load of all files would.

No Prefect here: the same ``pipeline.run`` on the same inbox, into two homes, one with a
chunk bigger than the run and one with tiny chunks, then every table compared.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import pipeline.run as pipeline
from config.settings import Settings
from pipeline.steps import chunked
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)
from warehouse.workspace import Workspace

NOW = datetime(2017, 6, 1)
SCHEMAS = ("core", "raw", "quarantine", "marts", "meta")
RUN_SPECIFIC = {"meta.runs", "meta.file_hashes"}  # the run's own id and times


def write_inbox(inbox: Path) -> None:
    """Versions of the same reports in different files, so that chunks split them."""
    # no kind in the name, no kind's headers: rejected (CONTRACT §2: the headers decide)
    write_csv(inbox / "minutes.csv", [{"会议": "党委会", "日期": "2017-04-01"}])
    # a tie on submitted_at: the later file (receipt) wins, across a chunk boundary
    write_csv(inbox / "economy_1.csv", [economy_row(gdp=1)])
    write_csv(inbox / "economy_2.csv", [economy_row(gdp=2)])
    write_csv(inbox / "economy_3.csv", [economy_row(COUNTY2, gdp=-5)])  # quarantined
    # an older submission read later does not win
    write_json(inbox / "projects_1.json", [project_row(pid="P3", submitted_at="2017-04-25 08:00")])
    write_json(inbox / "projects_2.json", [project_row(pid="P1"), project_row(pid="P2")])
    write_csv(inbox / "supervision_1.csv", [supervision_row(party_orgs=100)])
    write_csv(
        inbox / "supervision_2.csv",
        [supervision_row(party_orgs=111, submitted_at="2017-04-20 10:00")],
    )
    write_csv(inbox / "supervision_3.csv", [supervision_row(COUNTY2, period="2017Q2")])


def run_into(home: Path, inbox: Path, chunk_files: int) -> dict[str, list[tuple[object, ...]]]:
    settings = Settings(home=home, chunk_files=chunk_files, settle_seconds=0)
    with Workspace.open(settings) as ws:
        with ws.run("run", "ingest", {}):
            result = pipeline.run(ws, [inbox], NOW, run_id="run")
        assert result.files == 9
        tables = ws.con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
            " WHERE schema_name IN ? ORDER BY ALL",
            [list(SCHEMAS)],
        ).fetchall()
        out = {}
        for (table,) in tables:
            if table in RUN_SPECIFIC:
                continue
            # the archive lives under each home, in one pack per chunk: the same file,
            # another pack (meta.archive_index: its member name and size must agree)
            drop = {
                "meta.file_manifest": " EXCLUDE (archive_path)",
                "meta.archive_index": " EXCLUDE (pack, data_offset)",
                "marts.unit_scores_history": " EXCLUDE (recorded_at)",  # when it was built
            }.get(table, "")
            out[table] = ws.con.execute(f"SELECT *{drop} FROM {table} ORDER BY ALL").fetchall()
        return out


@pytest.mark.parametrize("chunk_files", [1, 3])  # 3: chunks end inside and across kinds
def test_a_chunked_run_gives_the_warehouse_of_one_load(tmp_path: Path, chunk_files: int) -> None:
    inbox = tmp_path / "inbox"
    write_inbox(inbox)
    whole = run_into(tmp_path / "whole", inbox, chunk_files=1000)
    chunks = run_into(tmp_path / "chunks", inbox, chunk_files=chunk_files)

    assert chunks.keys() == whole.keys()
    for table, rows in whole.items():
        assert chunks[table] == rows, table
    # what the comparison is about was really there
    assert len(whole["meta.file_manifest"]) == 9
    assert whole["quarantine.files"] and whole["quarantine.reports"]
    assert any(whole[t] for t in whole if t.startswith("marts."))
    core_gdp = {r for r in whole["core.economy"] if COUNTY in r}
    assert len(core_gdp) == 1 and 2 in next(iter(core_gdp))


def test_chunks_share_out_every_kind_in_order() -> None:
    a, b, c = [Path(f"a{i}") for i in range(3)], [Path("b0")], [Path(f"c{i}") for i in range(4)]
    groups: list[tuple[str | None, list[Path]]] = [(None, a), ("b", b), ("c", c)]
    got = list(chunked(groups, 3))
    sizes = [sum(len(f) for _, f in ch) for ch in got]
    assert max(sizes) <= 3 and sum(sizes) == 8 and len(got) <= 4
    for kind, _ in groups:  # every chunk an equal share of each kind (±1 file)
        counts = [sum(len(fs) for k, fs in ch if k == kind) for ch in got]
        assert max(counts) - min(counts) <= 1, (kind, counts)
    for kind, files in groups:  # each kind's files, in order, across the chunks
        assert [p for ch in got for k, fs in ch if k == kind for p in fs] == files
    assert list(chunked([], 3)) == []


def test_chunks_are_balanced_with_no_small_tail() -> None:
    groups: list[tuple[str | None, list[Path]]] = [
        (k, [Path(f"{k}{i}") for i in range(1952)]) for k in ("economy", "projects", "supervision")
    ]
    got = list(chunked(groups, 2000))
    assert [sum(len(f) for _, f in ch) for ch in got] == [1950, 1953, 1953]  # no small tail
    assert [[len(f) for _, f in ch] for ch in got] == [[650] * 3, [651] * 3, [651] * 3]
    assert [sum(len(f) for _, f in ch) for ch in chunked(groups, 6000)] == [5856]
    assert [sum(len(f) for _, f in ch) for ch in chunked(groups, 5000)] == [2928, 2928]
