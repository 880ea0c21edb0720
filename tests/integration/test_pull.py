"""Integration: ``pull`` against real SFTP (OpenSSH), FTP (pyftpdlib, GBK names) and SMB
(Samba) servers started here on loopback, on a real Prefect server and DuckDB files in
tmp_path. What is pulled ends as the same warehouse as the same files dropped in the inbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.compare import differences
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
)
from tests.support.prefect_server import serving
from tests.support.servers import Server, closed_port, ftpd, smbd, sshd
from tests.support.warehouse import published

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("prefect")) as url:
        yield url


def entry(name: str, unit: str, url: str, **keys: str) -> str:
    lines = "".join(f'{k} = "{v}"\n' for k, v in keys.items())
    return f'[[source]]\nname = "{name}"\nunit = "{unit}"\nurl = "{url}"\n{lines}\n'


def sftp_entry(name: str, unit: str, s: Server, **keys: str) -> str:
    url = f"sftp://{s.user}@127.0.0.1:{s.port}{s.root}"
    return entry(name, unit, url, key_file=str(s.key_file), host_key=s.host_key or "", **keys)


def ftp_entry(name: str, unit: str, s: Server, port: int | None = None, **keys: str) -> str:
    url = f"ftp://{s.user}@127.0.0.1:{port or s.port}/"
    return entry(name, unit, url, password_env="T_FTP_PASSWORD", encoding="gbk", **keys)


def smb_entry(name: str, unit: str, s: Server, **keys: str) -> str:
    url = f"smb://{s.user}@127.0.0.1:{s.port}/reports"
    return entry(name, unit, url, password_env="T_SMB_PASSWORD", **keys)


def deposit_files(ssh: Server, ftp: Server, smb: Server) -> dict[str, Path]:
    """Reports in each deposit; the same files also as an inbox would hold them."""
    files = {
        "sftp": write_csv(
            ssh.root / "2017" / "supervision_q.csv", [supervision_row(), supervision_row(COUNTY2)]
        ),
        "ftp": write_csv(ftp.root / "经济指标_如东.csv", [economy_row(COUNTY2, unit_code=COUNTY2)]),
        "smb": write_csv(smb.root / "projects_q.csv", [project_row(), project_row(unit=COUNTY2)]),
        "smb_bad": write_csv(
            smb.root / "sub" / "projects_bad.csv", [project_row(pid="X", progress_pct=130)]
        ),
    }
    return files


def pull(sources: Path, home: Path, source: str | None = None) -> object:
    from flows.pull import pull_flow

    return pull_flow(sources=str(sources), source=source, home=str(home))


def test_pull_from_sftp_ftp_and_smb_equals_the_inbox_and_one_source_down(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        sshd(tmp_path / "ssh") as ssh,
        ftpd(tmp_path / "ftp") as ftp,
        smbd(tmp_path / "smb") as smb,
    ):
        monkeypatch.setenv("T_FTP_PASSWORD", ftp.password or "")
        monkeypatch.setenv("T_SMB_PASSWORD", smb.password or "")
        files = deposit_files(ssh, ftp, smb)
        sources = tmp_path / "sources.toml"
        sources.write_text(
            sftp_entry("haimen-sftp", COUNTY, ssh)
            + ftp_entry("rudong-ftp", COUNTY2, ftp)
            + smb_entry("chongchuan-smb", COUNTY, smb)
            + ftp_entry("down-ftp", COUNTY2, ftp, port=closed_port()),
            encoding="utf-8",
        )
        home = tmp_path / "pulled"
        first = pull(sources, home)
        assert [p.source.name for p in first.unreached] == ["down-ftp"]
        assert "Connection refused" in (first.unreached[0].error or "")
        assert sum(p.files_pulled for p in first.sources) == 0  # stable: seen once, waiting
        second = pull(sources, home)
        pulled = {p.source.name: p.files_pulled for p in second.sources}
        assert pulled == {"haimen-sftp": 1, "rudong-ftp": 1, "chongchuan-smb": 2, "down-ftp": 0}
        third = pull(sources, home)
        assert sum(p.files_pulled for p in third.sources) == 0 and third.run.files == 0

    rows = published(home, "SELECT source, remote_path, outcome FROM meta.pulls ORDER BY 1, 2")
    assert rows == [
        ("chongchuan-smb", "projects_q.csv", "pulled"),
        ("chongchuan-smb", "sub/projects_bad.csv", "pulled"),
        ("haimen-sftp", "2017/supervision_q.csv", "pulled"),
        ("rudong-ftp", "经济指标_如东.csv", "pulled"),  # GBK on the wire, stored decoded
    ]
    status = published(
        home, "SELECT source, reached, files_seen FROM meta.source_status ORDER BY 1"
    )
    assert status == [
        ("chongchuan-smb", True, 2),
        ("down-ftp", False, 0),
        ("haimen-sftp", True, 1),
        ("rudong-ftp", True, 1),
    ]
    assert published(home, "SELECT count(*) FROM meta.file_manifest") == [(4,)]
    assert not any((home / "pulls").iterdir())  # the staged bytes are gone once archived

    from flows.flows import ingest_flow

    inbox, dropped = tmp_path / "inbox", tmp_path / "dropped"
    for name, f in files.items():
        target = inbox / name / f.name
        target.parent.mkdir(parents=True)
        target.write_bytes(f.read_bytes())
    ingest_flow(paths=[str(inbox)], home=str(dropped))
    # the path and the arrival (a pull's first sighting vs the dropped copies' mtimes) differ
    same = differences(
        home / "warehouse.duckdb",
        dropped / "warehouse.duckdb",
        frozenset({"path", "arrived_at", "first_arrived_at"}),
    )
    assert same == []
    assert published(home, "SELECT count(*) FROM quarantine.reports") == [(1,)]


def test_wrong_passwords_are_recorded_and_the_others_pulled(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ftpd(tmp_path / "ftp") as ftp, smbd(tmp_path / "smb") as smb:
        monkeypatch.setenv("T_FTP_PASSWORD", "wrong")
        monkeypatch.setenv("T_SMB_PASSWORD", "wrong")
        write_csv(ftp.root / "supervision_q.csv", [supervision_row()])
        sources = tmp_path / "sources.toml"
        sources.write_text(
            ftp_entry("ftp", COUNTY, ftp)
            + smb_entry("smb", COUNTY, smb)
            + entry("local", COUNTY2, f"file://{tmp_path / 'local'}", complete="marker"),
            encoding="utf-8",
        )
        write_csv(tmp_path / "local" / "economy_q.csv", [economy_row(COUNTY2, unit_code=COUNTY2)])
        (tmp_path / "local" / "economy_q.csv.done").write_bytes(b"")
        result = pull(sources, tmp_path / "home")
    errors = {p.source.name: p.error for p in result.unreached}
    assert set(errors) == {"ftp", "smb"}
    assert "530" in (errors["ftp"] or "")  # the server's "login incorrect"
    assert "wrong" not in str(errors)  # no password in what is recorded
    assert [(p.source.name, p.files_pulled) for p in result.sources if p.reached] == [("local", 1)]


def test_growing_file_waits_a_correction_supersedes_and_after_move(
    api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with smbd(tmp_path / "smb") as smb:
        monkeypatch.setenv("T_SMB_PASSWORD", smb.password or "")
        sources = tmp_path / "sources.toml"
        sources.write_text(
            smb_entry("smb", COUNTY2, smb, after="move:processed/"), encoding="utf-8"
        )
        target = smb.root / "经济指标_q.csv"
        write_csv(target, [economy_row(COUNTY2, unit_code=COUNTY2, gdp=100)])
        half = target.read_bytes()
        target.write_bytes(half[: len(half) // 2])  # still being uploaded
        assert [r.outcome for p in pull(sources, home).sources for r in p.rows] == ["incomplete"]
        target.write_bytes(half)  # grew between the listings: still waits
        assert [r.outcome for p in pull(sources, home).sources for r in p.rows] == ["incomplete"]
        done = pull(sources, home)
        assert [r.outcome for p in done.sources for r in p.rows] == ["pulled"]
        assert (smb.root / "processed" / "经济指标_q.csv").read_bytes() == half
        assert not target.exists()
        assert published(home, "SELECT gdp FROM core.economy") == [(100.0,)]
        # it arrived when the first pull saw it (§9), two pulls before it was taken
        [(arrived, first_seen, pulled_at)] = published(
            home,
            "SELECT m.arrived_at, p.first_seen_at, p.pulled_at FROM meta.file_manifest m"
            " JOIN meta.pulls p ON p.sha256 = m.sha256",
        )
        assert arrived == first_seen < pulled_at
        # an idle pull (nothing new) leaves the analysts' file as it is (issue 35)
        version = os.readlink(home / "warehouse.duckdb")
        assert [r for p in pull(sources, home).sources for r in p.rows] == []
        assert os.readlink(home / "warehouse.duckdb") == version
        # the unit files a correction: new bytes under the same name
        write_csv(
            target,
            [economy_row(COUNTY2, unit_code=COUNTY2, gdp=120, submitted_at="2017-04-11 09:00")],
        )
        pull(sources, home)
        fixed = pull(sources, home)
        assert fixed.run.files == 1
    assert published(home, "SELECT gdp FROM core.economy") == [(120.0,)]
    assert published(home, "SELECT count(*) FROM raw.economy") == [(2,)]


def test_ronghe_pull_exits_1_naming_the_source_it_could_not_reach(tmp_path: Path) -> None:
    box = tmp_path / "box"
    write_csv(box / "supervision_q.csv", [supervision_row()])
    (box / "supervision_q.csv.done").write_bytes(b"")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        entry("local", COUNTY, f"file://{box}", complete="marker")
        + entry("gone", COUNTY2, f"sftp://u@127.0.0.1:{closed_port()}/x", password_env="T_NONE"),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(RONGHE_HOME=str(tmp_path / "home"), T_NONE="x", RONGHE_SOURCES=str(sources))
    ronghe = [str(Path(sys.executable).parent / "ronghe")]
    done = subprocess.run(
        [*ronghe, "pull"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("ronghe: error")]
    assert len(errors) == 1 and "gone (320623000000)" in errors[0]
    assert "Traceback" not in done.stderr
    shown = subprocess.run(
        [*ronghe, "sources"], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("local ") and " 1/1" in line for line in lines)
    assert any(line.startswith("gone ") and "never!" in line for line in lines)
    bad = subprocess.run(
        [*ronghe, "pull", "--source", "nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "no source named 'nope'" in bad.stderr
