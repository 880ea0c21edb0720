"""``ronghe rebuild``: the warehouse from a copy of the archive alone, equal table by table.

Two runs on a real Prefect server make a home: inbox files in chunks (several packs of
one run), a file whose name says no kind (its headers do), a quarantined report, a file
rejected whole in a unit's folder, a correction in the second run, and files pulled from
a unit's deposit (one rejected whole: its unit is the source's). The archive is copied
away (a backup) and the warehouse rebuilt from it in a new home; every table is then
compared with the original's, row for row, the receipt times included.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.support.factories import economy_row, supervision_row, write_csv
from tests.support.prefect_server import serving

pytestmark = pytest.mark.integration
VILLAGE, VILLAGE2, TOWN, COUNTY = "320602001001", "320602001002", "320602001000", "320602000000"

NOT_KEPT = {
    "meta.runs": "the runs' log: the rebuild is one run of its own",
    "meta.file_hashes": "the inbox's hash cache",
    "meta.skipped": "paths a run did not take: never received",
    "meta.source_status": "each source's last attempt: the next pull writes it",
    "meta.notifications": "the outbox's copy: the outbox is not the archive's",
    "marts.unit_scores_history": "the score history starts again with the rebuild",
}
"""Tables the archive cannot give back (docs/operations.md «Rebuilding the warehouse»)."""
VOLATILE = {"run_id"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("prefect")) as url:
        yield url


def contents(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_schema IN ('raw', 'core', 'quarantine', 'marts', 'meta') ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            if table in NOT_KEPT:
                continue
            cols = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_schema || '.' || table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c not in VOLATILE
            ]
            where = " WHERE outcome = 'pulled'" if table == "meta.pulls" else ""
            listed = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f"SELECT {listed} FROM {table}{where}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def test_a_warehouse_rebuilt_from_the_archive_equals_the_original(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.flows import ingest_flow
    from flows.pull import pull_flow
    from flows.rebuild import rebuild_flow

    monkeypatch.setenv("RONGHE_CHUNK_FILES", "2")  # one run, several packs
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    write_csv(inbox / "城北社区党建督导季报.csv", [supervision_row(VILLAGE)])
    write_csv(inbox / "附件1.csv", [supervision_row(TOWN)])  # the headers say the kind
    write_csv(inbox / "经济指标_城东街道.csv", [economy_row(TOWN, gdp_growth_pct=7.5)])
    write_csv(inbox / "党建督导_城南.csv", [supervision_row(VILLAGE2, party_members=-5)])
    (inbox / "崇川区").mkdir()
    (inbox / "崇川区" / "随便.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    first = ingest_flow(paths=[str(inbox)], home=str(home))
    assert first.reports_quarantined == 1 and first.files == 5

    later = tmp_path / "later"
    write_csv(
        later / "城北社区党建督导季报_更正.csv",
        [supervision_row(VILLAGE, submitted_at="2017-04-11 10:00", party_members=3100)],
    )
    ingest_flow(paths=[str(later)], home=str(home))
    deposit = tmp_path / "deposit"
    write_csv(deposit / "经济指标" / "城北社区.csv", [economy_row(VILLAGE)])
    (deposit / "说明.csv").write_text("甲\n1\n", encoding="utf-8")
    sources = home / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "town"\nunit = "{TOWN}"\nurl = "file://{deposit}"\n'
        'complete = "marker"\n',
        encoding="utf-8",
    )
    for f in ("经济指标/城北社区.csv", "说明.csv"):
        (deposit / (f + ".done")).write_text("")
    pulled = pull_flow(sources=str(sources), home=str(home))
    assert pulled.run.files == 2

    backup = tmp_path / "backup" / "archive"  # a backup of the archive alone
    shutil.copytree(home / "archive", backup)
    new = tmp_path / "rebuilt"
    done = rebuild_flow(archive=str(backup), home=str(new))
    assert done.files == 8 and done.packs >= 4

    original, rebuilt = contents(home / "warehouse.duckdb"), contents(new / "warehouse.duckdb")
    assert sorted(rebuilt) == sorted(original)
    differ = [t for t in original if original[t] != rebuilt[t]]
    assert differ == [], {t: (original[t][:3], rebuilt[t][:3]) for t in differ}
    manifest = {Path(r[1]).name: r for r in original["meta.file_manifest"]}
    assert len(manifest) == 8 and manifest["附件1.csv"][2] == "supervision"  # by its headers
    assert manifest["随便.csv"][5] == "rejected" and len(original["meta.pulls"]) == 2
    assert len(original["quarantine.reports"]) >= 1 and len(original["raw.supervision"]) == 3
    # the same packs, byte for byte: the rebuilt home's archive is the original's
    assert sorted(p.name for p in (new / "archive" / "packs").glob("*.tar")) == sorted(
        p.name for p in (backup / "packs").glob("*.tar")
    )
