"""The Prefect home ronghe sets up is the owner's only: folder 0700, database 0600.

A one-shot command without ``PREFECT_API_URL`` starts its embedded server with its home
under ``$RONGHE_HOME/prefect``; the database there holds every run's parameters and logs.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_servers_home_and_database_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env.update(RONGHE_HOME=str(home), RONGHE_SETTLE_SECONDS="0")
    r = subprocess.run(
        [str(BIN / "ronghe"), "run", "--period", "2017Q1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    prefect = home / "prefect"
    assert _mode(prefect) == 0o700
    made = [p for p in prefect.iterdir() if p.is_file()]
    assert any(p.name == "prefect.db" for p in made), made
    assert {p.name: _mode(p) for p in made} == {p.name: 0o600 for p in made}
    assert (home / "inbox").is_dir()  # made with the home
