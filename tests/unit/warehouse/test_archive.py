"""The archive: one tar pack per load, indexed in meta.archive_index, read back byte for byte."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from pipeline.run import run as ingest
from tests.support.factories import economy_row, supervision_row, write_csv
from tests.support.realistic import write_gbk_csv, write_xlsx
from transforms.columns import REPORT_KINDS
from warehouse.archive import ArchiveError, Received, read_archived, write_pack

NOW = datetime(2017, 7, 20, 12, 0)


def _inbox(root: Path) -> list[Path]:
    return [
        write_gbk_csv(root / "督导_a.csv", REPORT_KINDS["supervision"], [supervision_row()]),
        write_xlsx(root / "经济_b.xlsx", REPORT_KINDS["economy"], [economy_row()]),
        write_csv(root / "minutes.csv", [supervision_row()]),  # unknown kind: kept too
    ]


def test_a_load_is_one_pack_that_tar_reads_back_byte_for_byte(session: Any, tmp_path: Path) -> None:
    files = _inbox(tmp_path / "inbox")
    ingest(session, [tmp_path / "inbox"], NOW)
    packs = sorted((session.settings.archive_dir / "packs").glob("*.tar"))
    assert len(packs) == 1
    # beside it, its members file: each file's own name (warehouse/provenance.py)
    members = json.loads(packs[0].with_suffix(".json").read_text(encoding="utf-8"))
    assert sorted(m["name"] for m in members["members"]) == sorted(f.name for f in files)
    # content-addressed: the pack is named by its own SHA-256
    assert packs[0].stem == hashlib.sha256(packs[0].read_bytes()).hexdigest()
    listed = subprocess.run(["tar", "-tf", str(packs[0])], capture_output=True, text=True)
    shas = {hashlib.sha256(f.read_bytes()).hexdigest(): f for f in files}
    assert sorted(listed.stdout.split()) == sorted(f"{s}{f.suffix}" for s, f in shas.items())
    out = tmp_path / "untarred"
    out.mkdir()
    subprocess.run(["tar", "-xf", str(packs[0]), "-C", str(out)], check=True)
    for sha, f in shas.items():
        assert (out / f"{sha}{f.suffix}").read_bytes() == f.read_bytes()
        name, data = read_archived(
            session.con, sha, session.settings.home
        )  # through the index, no scan
        assert (name, data) == (f"{sha}{f.suffix}", f.read_bytes())
    index = session.con.execute(
        "SELECT i.pack = m.archive_path FROM meta.archive_index i JOIN meta.file_manifest m"
        " USING (sha256)"
    ).fetchall()
    assert index == [(True,)] * 3


def test_the_bytes_archived_are_the_bytes_read_not_the_file_edited_since(
    session: Any, tmp_path: Path
) -> None:
    from pipeline.steps import load, read_and_validate

    f = write_csv(tmp_path / "in" / "supervision_a.csv", [supervision_row()])
    original = f.read_bytes()
    batch = read_and_validate("supervision", [f], session.registry, NOW)
    write_csv(f, [supervision_row(party_orgs=99)])  # edited between reading and loading
    load(session, [batch], None, NOW)
    sha = hashlib.sha256(original).hexdigest()
    assert read_archived(session.con, sha, session.settings.home)[1] == original
    loaded = session.con.execute("SELECT source_sha256 FROM core.supervision").fetchall()
    assert loaded == [(sha,)]


def test_a_damaged_or_missing_pack_is_an_error_not_wrong_bytes(
    session: Any, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "inbox" / "supervision_a.csv", [supervision_row()])
    ingest(session, [tmp_path / "inbox"], NOW)
    sha = hashlib.sha256(f.read_bytes()).hexdigest()
    (pack,) = (session.settings.archive_dir / "packs").glob("*.tar")
    raw = bytearray(pack.read_bytes())
    offset = raw.index(f.read_bytes()[:20])
    raw[offset] ^= 1
    pack.write_bytes(bytes(raw))
    with pytest.raises(ArchiveError, match="do not have that SHA-256"):
        read_archived(session.con, sha, session.settings.home)
    pack.unlink()
    with pytest.raises(ArchiveError, match="cannot read the pack"):
        read_archived(session.con, sha, session.settings.home)
    with pytest.raises(ArchiveError, match="no archived file"):
        read_archived(session.con, "0" * 64, session.settings.home)


def test_a_file_archived_before_packs_is_still_read(session: Any, tmp_path: Path) -> None:
    data = b"unit_code,period\n"
    sha = hashlib.sha256(data).hexdigest()
    loose = session.settings.archive_dir / sha[:2] / f"{sha}.csv"
    loose.parent.mkdir(parents=True)
    loose.write_bytes(data)
    session.con.execute(
        "INSERT INTO meta.file_manifest (sha256, path, received_at, status, rows_read,"
        " rows_loaded, rows_quarantined, archive_path) VALUES (?, 'x.csv', now(), 'rejected',"
        " 0, 0, 0, ?)",
        [sha, str(loose)],
    )
    assert read_archived(session.con, sha, session.settings.home) == (f"{sha}.csv", data)


def test_a_failed_pack_write_leaves_no_partial_file(tmp_path: Path) -> None:
    class Boom(bytes):
        def __len__(self) -> int:  # the tar header says 10 bytes, then writing fails
            raise OSError(28, "No space left on device")

    archive = tmp_path / "archive"
    with pytest.raises(OSError):
        write_pack(archive, [Received("a" * 64, ".csv", Boom(b"x"))], NOW)
    assert list((archive / "packs").iterdir()) == []
    assert write_pack(archive, [], NOW) is None


def test_ronghe_archive_writes_the_received_file_out(
    session: Any, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _inbox(tmp_path / "inbox")
    ingest(session, [tmp_path / "inbox"], NOW)
    session.publish()
    xlsx = files[1]
    sha = hashlib.sha256(xlsx.read_bytes()).hexdigest()
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--home", str(home), "archive", sha[:10], "--out", str(out)]) == 0
    written = out / f"{sha}.xlsx"
    assert written.read_bytes() == xlsx.read_bytes()
    assert str(written) in capsys.readouterr().out
    # never overwrites; a bad or unknown SHA-256 is one line
    assert main(["--home", str(home), "archive", sha, "--out", str(written)]) == 1
    assert main(["--home", str(home), "archive", "xyz"]) == 2
    assert main(["--home", str(home), "archive", "0" * 12]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("ronghe: error: ") for line in err)
    assert "starting 000000000000" in err[2]
    shutil.rmtree(session.settings.archive_dir / "packs")
    assert main(["--home", str(home), "archive", sha, "--out", str(tmp_path / "x")]) == 1
    assert "cannot read the pack" in capsys.readouterr().err
