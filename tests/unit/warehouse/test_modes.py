"""Who may read what under $RONGHE_HOME: modes set explicitly, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from config.settings import Settings
from flows.watch import Ledger
from tests.support.factories import COUNTY2, supervision_row, write_csv
from warehouse.archive import Received, write_pack
from warehouse.modes import home_mode, parse_mode
from warehouse.workspace import UNFINISHED_MARKER, Workspace

ROOT = Path(__file__).resolve().parents[3]
RONGHE = [sys.executable, "-m", "cli.main"]  # this tree's code, whatever is installed


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def current_umask() -> int:
    now = os.umask(0o077)
    os.umask(now)
    return now


@pytest.fixture(params=[0o000, 0o077], ids=["umask000", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_parse_mode_takes_octal_strings_only() -> None:
    assert parse_mode("0640") == parse_mode("640") == parse_mode("0o640") == 0o640
    assert parse_mode("0600") == 0o600
    for bad in ("640x", "0999", "rw-r-----", "", "12345", "0040", "0440"):
        with pytest.raises(ValueError):
            parse_mode(bad)


def test_the_home_lets_the_readers_of_the_warehouse_reach_it_and_list_nothing() -> None:
    assert home_mode(0o640) == 0o710
    assert home_mode(0o600) == 0o700
    assert home_mode(0o644) == 0o711


def test_a_bad_warehouse_mode_is_a_one_line_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RONGHE_WAREHOUSE_MODE", "rw-r-----")
    assert main(["--home", str(tmp_path / "home"), "status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("ronghe: error: RONGHE_WAREHOUSE_MODE:") and "0640" in err[0]
    monkeypatch.setenv("RONGHE_WAREHOUSE_MODE", "0604")
    assert Settings().warehouse_mode == 0o604


def test_archive_packs_and_folders_are_the_owners_only(umask: int, tmp_path: Path) -> None:
    import hashlib
    import tarfile
    from datetime import datetime

    src = write_csv(tmp_path / "in" / "supervision_a.csv", [supervision_row()])
    data = src.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    archive = tmp_path / "home" / "archive"
    pack = write_pack(archive, [Received(sha, ".csv", data)], datetime(2017, 4, 5))
    assert pack is not None
    with tarfile.open(pack.path) as tar:
        assert tar.extractfile(f"{sha}.csv").read() == data  # type: ignore[union-attr]
    assert (mode(archive), mode(pack.path.parent), mode(pack.path)) == (0o700, 0o700, 0o600)
    pack.path.chmod(0o644)  # the same pack written again (a re-run after a failed load)
    again = write_pack(archive, [Received(sha, ".csv", data)], datetime(2017, 4, 5))
    assert again is not None and again.path == pack.path and mode(pack.path) == 0o600
    assert [p.name for p in pack.path.parent.iterdir()] == [pack.path.name]  # no temporary


def test_the_working_copy_its_wal_marker_and_lock_are_the_owners_only(
    umask: int, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    settings = Settings(home=home)
    with Workspace.open(settings) as ws:
        ws.con.execute("CREATE TABLE meta.scratch AS SELECT 1 AS x")
        work = settings.working_path
        wal = work.with_name(work.name + ".wal")
        assert wal.exists(), "the write should still be in the WAL"
        assert mode(work.parent) == 0o700
        for f in (work, wal, work.parent / UNFINISHED_MARKER, settings.lock_path):
            assert mode(f) == 0o600, f
        assert current_umask() == 0o077  # for what DuckDB creates while the writer works
        ws.publish()
    assert current_umask() == umask  # given back after the block
    # each published version is read-only (the mode less its write bits), reached by name
    assert mode(settings.published_path) == 0o440
    assert settings.published_path.is_symlink()
    assert (mode(home), mode(home / "versions"), mode(settings.archive_dir)) == (
        0o710,
        0o710,
        0o700,
    )


def test_the_watch_ledger_is_the_owners_only(umask: int, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "home" / "watch" / "announced.json")
    ledger.add(tmp_path / "inbox" / "a.csv", (1, 2))
    ledger.save()
    assert (mode(ledger.path.parent), mode(ledger.path)) == (0o700, 0o600)


def _ingest(home: Path, inbox: Path, umask: int, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    full.update(RONGHE_HOME=str(home), PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [*RONGHE, "ingest", str(inbox)],
        env=full,
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=300,
        umask=umask,
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    ("umask", "warehouse_mode", "published", "home_bits"),
    [(0o000, None, 0o440, 0o710), (0o077, "0644", 0o444, 0o711)],
    ids=["umask000-default", "umask077-0644"],
)
def test_a_real_ingest_leaves_each_file_with_its_mode(
    tmp_path: Path, umask: int, warehouse_mode: str | None, published: int, home_bits: int
) -> None:
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    write_csv(inbox / "supervision_a.csv", [supervision_row(), supervision_row(COUNTY2)])
    write_csv(inbox / "supervision_b.csv", [supervision_row(period="2016Q4")])
    inbox_mode = mode(inbox)
    env = {"RONGHE_WAREHOUSE_MODE": warehouse_mode} if warehouse_mode else {}
    done = _ingest(home, inbox, umask, **env)
    assert done.returncode == 0, done.stderr
    assert mode(home / "warehouse.duckdb") == published  # a version: read-only
    assert mode(home) == mode(home / "versions") == home_bits
    archived = sorted((home / "archive").rglob("*.tar"))
    assert len(archived) == 1  # one pack holds both files
    folders = {f.parent for f in archived} | {home / "archive", home / "work", home / "prefect"}
    assert {f: mode(f) for f in folders} == dict.fromkeys(folders, 0o700)
    files = [*archived, home / "work" / "warehouse.duckdb", home / "writer.lock"]
    assert {f: mode(f) for f in files} == dict.fromkeys(files, 0o600)
    assert not (home / "work" / UNFINISHED_MARKER).exists()
    # an inbox is the operator's: ronghe reads it and leaves its modes alone
    assert mode(inbox) == inbox_mode


@pytest.mark.integration
def test_the_embedded_server_asks_for_its_per_process_login(tmp_path: Path) -> None:
    """A one-shot command's server on 127.0.0.1 refuses a request without the login."""
    script = (
        "import os, sys, urllib.request, urllib.error\n"
        "from flows.prefect_env import configure, embedded\n"
        "from pathlib import Path\n"
        "configure(Path(sys.argv[1]))\n"
        "assert embedded.start()\n"
        "embedded.wait_ready()\n"
        "url = embedded.url + '/admin/version'\n"
        "try:\n"
        "    urllib.request.urlopen(url, timeout=10)\n"
        "    print('open')\n"
        "except urllib.error.HTTPError as exc:\n"
        "    print(exc.code)\n"
        "import base64\n"
        "token = base64.b64encode(os.environ['PREFECT_API_AUTH_STRING'].encode()).decode()\n"
        "req = urllib.request.Request(url, headers={'Authorization': 'Basic ' + token})\n"
        "print(urllib.request.urlopen(req, timeout=10).status)\n"
        "embedded.stop()\n"
        "print('PREFECT_API_AUTH_STRING' in os.environ)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "home")],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["401", "200", "False"]
