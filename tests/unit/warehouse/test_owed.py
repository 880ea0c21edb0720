"""What a unit owes (CONTRACT §9, issue 29): a projects report only while a project of an
earlier quarter of the same year is unfinished; the chase names only what is owed, and
only within the round (deadline + the correction window), so no one is told 逾期3441天."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from filers.chase import chase
from pipeline.run import run as ingest
from pipeline.steps import rebuild_marts
from tests.support.factories import COUNTY, COUNTY2, project_row, write_csv

NOW = datetime(2017, 7, 20)


def test_projects_are_owed_only_while_a_project_is_unfinished(session: Any, tmp_path: Path) -> None:
    q1 = write_csv(
        tmp_path / "q1" / "projects.csv",
        [
            project_row(COUNTY, pid="P1"),  # under construction: owed in Q2
            project_row(COUNTY2, pid="P9", status="completed", progress_pct=100),
        ],
    )
    ingest(session, [q1], NOW)
    rebuild_marts(session, ["2017Q1", "2017Q2"], NOW)
    rows = session.con.execute(
        "SELECT period, unit_code, status, owed FROM marts.filing_status"
        " WHERE kind = 'projects' ORDER BY 1, 2"
    ).fetchall()
    assert rows == [
        ("2017Q1", COUNTY, "loaded", False),  # filed, not owed (nothing before Q1)
        ("2017Q1", COUNTY2, "loaded", False),
        ("2017Q2", COUNTY, "missing", True),  # P1 unfinished: owed, and missing
    ]
    session.publish()
    result = chase(session.settings.published_path, "2017Q2", tmp_path / "chase", NOW)
    owed = {(i.unit_code, i.kind) for i in result.items}
    assert (COUNTY, "projects") in owed and (COUNTY2, "projects") not in owed
    assert all(i.kind != "projects" or i.unit_code == COUNTY for i in result.items)
    assert all(0 < i.days_overdue < 30 for i in result.items)


def test_a_round_long_over_is_chased_no_more(session: Any, tmp_path: Path) -> None:
    q1 = write_csv(tmp_path / "q1" / "projects.csv", [project_row(COUNTY, pid="P1")])
    ingest(session, [q1], NOW)
    rebuild_marts(session, ["2017Q1"], NOW)
    session.publish()
    years_later = datetime(2026, 12, 6)
    result = chase(session.settings.published_path, "2017Q1", tmp_path / "chase", years_later)
    assert result.lists == () and result.closed > 0
    within = chase(session.settings.published_path, "2017Q1", tmp_path / "c2", NOW)
    assert within.lists and max(i.days_overdue for i in within.items) < 120
