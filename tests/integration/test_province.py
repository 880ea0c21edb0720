"""A province quarter by the documented procedure (docs/operations.md «Province scale»).

A new home, ``RONGHE_SCALE=province`` for its first run, the province's sample quarter
(≈ 9,300 files, ≈ 47,300 reports), ``ronghe run`` end to end (published, receipts, the
通报 with its charts aggregated at province scale), as one subprocess: the module's one
expensive fixture. The home then remembers its scale.

Minutes of two busy cores: not part of ``make test`` (nor CI); ``make test-province``
runs it, and ``make bench`` (``benchmarks.province``) times the same procedure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.warehouse import published

pytestmark = [pytest.mark.integration, pytest.mark.province]  # make test-province
ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2017Q1"


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("province")
    home, inbox = base / "home", base / "inbox"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RONGHE_"))}
    env.update(
        RONGHE_HOME=str(home), RONGHE_SCALE="province", RONGHE_SETTLE_SECONDS="0",
        PYTHONPATH=str(ROOT),
    )  # fmt: skip
    ronghe = [sys.executable, "-m", "cli.main"]
    sample = subprocess.run(
        [*ronghe, "sample", "--scale", "province", "--from", PERIOD, "--to", PERIOD,
         "--out", str(inbox)],
        env=env, cwd=base, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert sample.returncode == 0, sample.stderr
    run = subprocess.run(
        [*ronghe, "run", "--period", PERIOD, "--inbox", str(inbox)],
        env=env, cwd=base, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    return {"home": home, "run": run}


def test_the_province_quarter_loads_and_publishes(quarter: dict[str, Any]) -> None:
    home = quarter["home"]
    assert "published" in quarter["run"].stderr, quarter["run"].stderr[-3000:]
    ((reports,),) = published(
        home,
        "SELECT (SELECT count(*) FROM core.supervision) + (SELECT count(*) FROM core.economy)"
        " + (SELECT count(DISTINCT (unit_code, period)) FROM core.projects)",
    )
    assert reports > 40_000
    ((unknown,),) = published(
        home,
        "SELECT count(*) FROM quarantine.reports WHERE list_contains(reasons, 'unknown_unit')",
    )
    assert unknown < 10  # the sample's own faults; at city scale 43,061 of them
    assert (home / "scale").read_text().strip() == "province"  # the home remembers it
    from config.settings import Settings

    os.environ.pop("RONGHE_SCALE", None)
    assert Settings.load(home).scale == "province"


def test_the_province_quarter_runs_end_to_end_with_its_assessment(
    quarter: dict[str, Any],
) -> None:
    run = quarter["run"]
    assert run.returncode == 0, run.stderr[-3000:]
    folder = quarter["home"] / "reports" / PERIOD
    written = {p.suffix for p in folder.glob(f"*{PERIOD}*")}
    assert {".docx", ".html", ".xlsx"} <= written, sorted(written)  # the 通报 (issue 33's charts)
