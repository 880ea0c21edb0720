"""Helpers of the hardening tests (issue 9): a published warehouse, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pipeline.run as pipeline
from config.settings import Settings
from pipeline.result import RunResult
from warehouse.workspace import Workspace

TREE = Path(__file__).resolve().parents[2]
RONGHE = (sys.executable, "-m", "cli.main")
"""The ``ronghe`` entry point, run from this tree (the installed script may be another's)."""
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def cli_env(home: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env["RONGHE_SETTLE_SECONDS"] = "0"
    env["PYTHONPATH"] = str(TREE)
    if home is not None:
        env["RONGHE_HOME"] = str(home)
    env.update(extra)
    return env


def cli(
    *args: str,
    home: Path | None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``ronghe ARGS`` in a child process (``prefix``: a wrapper such as ``setpriv``)."""
    return subprocess.run(
        [*prefix, *RONGHE, *args],
        capture_output=True,
        text=True,
        env=env if env is not None else cli_env(home),
        timeout=timeout,
        cwd=cwd or (home.parent if home else None),
        check=False,
    )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr, proc.stderr
    assert lines and lines[-1].startswith("ronghe: error:"), proc.stderr
    return lines[-1]


def ingest_and_publish(home: Path, paths: list[Path], settle: float = 0.0) -> RunResult:
    """The production sequencing, in process, then published: a real warehouse file."""
    settings = Settings(home=home, settle_seconds=settle)
    with Workspace.open(settings) as ws:
        with ws.run("test-run", "ingest", {"paths": [str(p) for p in paths]}):
            result = pipeline.run(ws, paths, datetime.now(), run_id="test-run")
        ws.publish()
    return result


def drop_file_permissions() -> tuple[str, ...]:
    """A command prefix under which a file with mode 000 really cannot be read.

    As root, CAP_DAC_OVERRIDE bypasses file modes: the child runs with it (and
    CAP_DAC_READ_SEARCH) dropped from the bounding set. Skips only when that cannot be
    arranged outside CI; under CI a missing precondition is a failure.
    """
    import shutil

    import pytest

    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    prefix = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")
    if setpriv is None:
        if IN_CI:
            pytest.fail("setpriv is needed to test unreadable files as root")
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return prefix


def assert_cannot_read(prefix: tuple[str, ...], path: Path) -> None:
    proc = subprocess.run([*prefix, "cat", str(path)], capture_output=True, check=False)
    assert proc.returncode != 0, f"{path} is still readable under {prefix}"
