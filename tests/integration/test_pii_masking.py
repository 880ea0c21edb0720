"""Issue 14, masking: a mobile and a resident ID in an input file are found in the archive
and nowhere else under ``$RONGHE_HOME`` (tables, xlsx and html, the Prefect database and
logs), nor in what any command prints. The real CLI, the embedded Prefect server."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tests.support.factories import economy_row, project_row, supervision_row, write_csv
from tests.support.hardening import cli, cli_env
from tests.support.realistic import write_xlsx
from transforms.columns import PROJECTS

MOBILE = "13912345678"
RESIDENT_ID = "320602198001011234"
ID_WITH_X = "32060219800101123X"
NEEDLES = (MOBILE, RESIDENT_ID, ID_WITH_X)
MASKED = ("139****5678", "320602********1234", "320602********123X")
PERIOD = "2017Q1"
COUNTIES = ("320602000000", "320611000000", "320612000000", "320621000000", "320623000000")


def _inbox(inbox: Path) -> tuple[Path, Path]:
    """A county's quarter as it arrives, with personal numbers in names and in a file name."""
    write_csv(inbox / "党建督导_2017Q1.csv", [supervision_row(u) for u in COUNTIES])
    write_csv(inbox / "经济指标_2017Q1.csv", [economy_row(u) for u in COUNTIES])
    extra = {"联系电话": ""}
    write_csv(
        inbox / f"项目季报_联系人{MOBILE}.csv",
        [
            project_row(COUNTIES[0], name=f"联系人{MOBILE} 村道拓宽") | extra,
            project_row(COUNTIES[1], name=f"负责人{RESIDENT_ID}") | extra,
            # numbers in an extra column: quarantined pii like a text field (CONTRACT §3)
            project_row(COUNTIES[2], name="村道拓宽") | {"联系电话": f"{MOBILE} / {RESIDENT_ID}"},
        ],
    )
    write_xlsx(
        inbox / "项目_海安.xlsx",
        PROJECTS,
        [project_row(COUNTIES[3], name=f"村民{ID_WITH_X}宅基地", progress_pct=150)],
    )
    (inbox / f"联系人{MOBILE}.csv").write_text("名称\n随便\n", encoding="utf-8")
    late = write_csv(
        inbox.parent / "late" / "项目_补报.csv",
        [project_row(COUNTIES[4], name=f"电话:{MOBILE}", project_id=RESIDENT_ID)],
    )
    return inbox, late


def _files(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            yield p


def _forms(needle: str) -> list[bytes]:
    return [needle.encode("utf-8"), needle.encode("utf-16-le"), needle.encode("utf-16-be")]


def _raw_hits(data: bytes) -> set[str]:
    return {n for n in NEEDLES if any(f in data for f in _forms(n))}


def _zip_hits(path: Path | io.BytesIO) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {n for name in z.namelist() for n in _raw_hits(z.read(name))}


def _duckdb_hits(path: Path) -> set[str]:
    """Every column of every table, cast to text (the row as a struct), searched with LIKE."""
    found: set[str] = set()
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
            " WHERE database_name = current_database()"
        ).fetchall()
        assert tables, path
        for schema, table in tables:
            for n in NEEDLES:
                (count,) = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" AS t WHERE t::VARCHAR LIKE ?',
                    [f"%{n}%"],
                ).fetchone() or (0,)
                if count:
                    found.add(f"{n} in {schema}.{table}")
        comments = con.execute(
            "SELECT string_agg(comment, ' ') FROM duckdb_columns() WHERE comment IS NOT NULL"
        ).fetchone()
        found |= {n for n in NEEDLES if comments and comments[0] and n in comments[0]}
    finally:
        con.close()
    return found


def _sqlite_hits(path: Path) -> set[str]:
    found: set[str] = set()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables, path
        for t in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            for c in cols:
                for n in NEEDLES:
                    (count,) = con.execute(
                        f'SELECT count(*) FROM "{t}" WHERE CAST("{c}" AS TEXT) LIKE ?', [f"%{n}%"]
                    ).fetchone()
                    if count:
                        found.add(f"{n} in {t}.{c}")
    finally:
        con.close()
    return found


def _leaks(home: Path) -> dict[str, set[str]]:
    """Every file under ``home`` except the archive: where a needle is found, and how."""
    out: dict[str, set[str]] = {}
    checked = {"duckdb": 0, "sqlite": 0, "zip": 0}
    for p in _files(home):
        rel = p.relative_to(home)
        if rel.parts[0] == "archive":
            continue
        hits = _raw_hits(p.read_bytes()) | _raw_hits(str(rel).encode())
        if zipfile.is_zipfile(p):
            checked["zip"] += 1
            hits |= _zip_hits(p)
        if p.suffix == ".duckdb":
            checked["duckdb"] += 1
            hits |= _duckdb_hits(p)
        if p.read_bytes()[:16] == b"SQLite format 3\x00":
            checked["sqlite"] += 1
            hits |= _sqlite_hits(p)
        if hits:
            out[str(rel)] = hits
    # the search really looked at each kind of store
    assert checked["duckdb"] >= 2 and checked["sqlite"] >= 1 and checked["zip"] >= 2, checked
    return out


def _ok(proc: subprocess.CompletedProcess[str], *codes: int) -> str:
    assert proc.returncode in (codes or (0,)), proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert not _raw_hits(out.encode()), out
    return out


def test_personal_numbers_stay_in_the_archive_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    inbox, late = _inbox(tmp_path / "inbox")  # the operator's inbox, outside the home
    env = cli_env(home)
    assert not any(k.startswith("PREFECT_API_URL") for k in env)  # the embedded server

    _ok(cli("run", "--period", PERIOD, "--inbox", str(inbox), home=home, env=env))
    _ok(cli("ingest", str(late), home=home, env=env))
    shown = _ok(cli("validate", str(inbox), str(late), home=home, env=env), 1)
    assert all(m in shown for m in MASKED), shown
    as_json = _ok(cli("validate", str(inbox), "--format", "json", home=home, env=env), 1)
    assert json.loads(as_json)["summary"]["reports_quarantined"] == 4
    status = _ok(cli("status", home=home, env=env))
    assert "139****5678" in status or "quarantine" in status.lower()
    _ok(cli("receipts", "--period", PERIOD, home=home, env=env))
    _ok(cli("report", "--period", PERIOD, home=home, env=env))

    # masked where a person looks
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        records = " ".join(
            r[0] for r in con.execute("SELECT record FROM quarantine.reports").fetchall()
        )
        values = con.execute(
            "SELECT value, message_zh, message_en FROM quarantine.problems WHERE reason = 'pii'"
        ).fetchall()
        paths = [r[0] for r in con.execute("SELECT path FROM meta.file_manifest").fetchall()]
        rows = con.execute(
            "SELECT rows_read, rows_loaded, rows_quarantined FROM meta.file_manifest"
        ).fetchall()
    finally:
        con.close()
    assert all(m in records for m in MASKED), records
    extra = f"{MASKED[0]} / {MASKED[1]}"  # the extra column 联系电话
    assert {v[0] for v in values} >= {f"联系人{MASKED[0]} 村道拓宽", f"负责人{MASKED[1]}", extra}
    assert all(v[0] in v[1] and v[0] in v[2] for v in values), values
    assert any(p.endswith(f"联系人{MASKED[0]}.csv") for p in paths), paths
    assert all(read == loaded + quarantined for read, loaded, quarantined in rows), rows

    leaks = _leaks(home)
    assert not leaks, leaks

    # the unmasked bytes are kept: in the archive (tar packs of the files as received)
    archived = b"".join(p.read_bytes() for p in _files(home / "archive"))
    xlsx: list[bytes] = []
    for pack in (p for p in _files(home / "archive") if p.suffix == ".tar"):  # .json: members
        with tarfile.open(pack) as tar:
            for m in tar.getmembers():
                if m.name.endswith(".xlsx"):
                    xlsx.append(tar.extractfile(m).read())  # type: ignore[union-attr]
    assert xlsx
    kept = _raw_hits(archived) | {n for x in xlsx for n in _zip_hits(io.BytesIO(x))}
    assert kept == set(NEEDLES)
