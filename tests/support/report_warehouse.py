"""A published warehouse built from the real sample by the real pipeline steps, for the
report tests, plus two project reports named like formulas: one loaded (a secretary
project of 崇川区) and one quarantined (progress 150 %); 通州区's 2017Q4 economy report is
left out (an incomplete county: P but no C, no rank). Built once per test session.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

PERIOD = "2017Q4"
PERIODS = ("2016Q4", "2017Q3", "2017Q4")  # the quarter, the one before, a year before
INJECTED_NAME = '=HYPERLINK("http://x","y")'
QUARANTINED_NAME = "@SUM(1+1)"
LOADED_UNIT = "320602000000"  # 崇川区
QUARANTINED_UNIT = "320611000000"  # 港闸区
INCOMPLETE_UNIT = "320612000000"  # 通州区: no economy report in 2017Q4

PROJECT_COLUMNS = (
    "unit_code",
    "period",
    "submitted_at",
    "project_id",
    "project_type",
    "name",
    "planned_investment",
    "annual_planned_investment",
    "completed_investment",
    "progress_pct",
    "status",
    "party_org_established",
    "party_members",
)


@dataclass(frozen=True)
class Built:
    home: Path
    published: Path


_built: dict[str, Built] = {}


def _project(unit: str, pid: str, name: str, progress: float) -> dict[str, object]:
    return {
        "unit_code": unit,
        "period": PERIOD,
        "submitted_at": "2018-02-20 10:00",
        "project_id": pid,
        "project_type": "secretary",
        "name": name,
        "planned_investment": "1000",
        "annual_planned_investment": "800",
        "completed_investment": "600",
        "progress_pct": str(progress),
        "status": "under_construction",
        "party_org_established": "是",
        "party_members": "12",
    }


def write_injected(inbox: Path) -> None:
    """Newer project reports whose names a spreadsheet would take for formulas."""
    path = inbox / "injected" / "projects-injected.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=PROJECT_COLUMNS)
        w.writeheader()
        w.writerow(_project(LOADED_UNIT, "SJ-INJ-1", INJECTED_NAME, 40.0))
        w.writerow(_project(QUARANTINED_UNIT, "SJ-INJ-2", QUARANTINED_NAME, 150.0))
    later = datetime(2030, 1, 1).timestamp()
    os.utime(path, (later, later))  # received after the sample's files


def drop_economy(inbox: Path) -> None:
    """通州区 never files its 2017Q4 economy report: the sample's file is taken away."""
    from sources.inbox import group_by_kind

    county = sorted((inbox / PERIOD / INCOMPLETE_UNIT / "county").iterdir())
    economy = group_by_kind(county).get("economy", [])
    assert len(economy) == 1, county
    economy[0].unlink()


def build(root: Path) -> Built:
    from config.settings import Settings
    from pipeline.run import run
    from synthetic.sample import write_sample
    from warehouse.workspace import Workspace

    home = root / "home"
    inbox = home / "inbox"
    write_sample(inbox, list(PERIODS), seed=2017, now=datetime(2018, 3, 1))
    write_injected(inbox)
    drop_economy(inbox)
    # every file is complete (settle 0): what loads must not depend on how fast we wrote
    with Workspace.open(Settings(home=home, settle_seconds=0)) as ws:
        run(ws, [inbox], datetime(2018, 3, 1), quarters=list(PERIODS))
        ws.publish()
    return Built(home, home / "warehouse.duckdb")


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Shared by every report test module (the build takes a minute or two)."""
    if "sample" not in _built:
        _built["sample"] = build(tmp_path_factory.mktemp("report-sample"))
    return _built["sample"]


def query(published: Path, sql: str, params: list[object] | None = None) -> list[dict[str, object]]:
    """Rows of a query on the published warehouse, as dicts (the tests' own reading)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description or []]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="session")
def sample_report(sample_warehouse: Built, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``write_report`` for 2017Q4 on the sample warehouse, once per session."""
    from reports import write_report

    if "report" not in _built_reports:
        out = tmp_path_factory.mktemp("report-out")
        _built_reports["report"] = write_report(sample_warehouse.published, PERIOD, out)
    return _built_reports["report"]


_built_reports: dict[str, Any] = {}
