"""Integration: the real flows on a real Prefect server and a real DuckDB file in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.result import RunResult
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
)
from tests.support.warehouse import published

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    from flows.prefect_env import configure

    configure(quiet=False)  # keep Prefect's console output, so noise would show
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def test_quarter_flow_loads_and_builds_marts(
    prefect_server: None, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from flows.flows import quarter_flow

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    write_csv(inbox / "c1" / "supervision_q.csv", [supervision_row(), supervision_row(COUNTY2)])
    write_csv(inbox / "c1" / "projects_q.csv", [project_row(), project_row(unit=COUNTY2)])
    write_csv(
        inbox / "c2" / "经济指标_q.csv",
        [economy_row(), economy_row(COUNTY2, gdp_growth_pct=4.0, unit_code="320623000000")],
    )
    write_csv(inbox / "c2" / "projects_bad.csv", [project_row(pid="X", progress_pct=130)])
    result = quarter_flow(period="2017年第一季度", inbox=str(inbox), home=str(home))

    assert result.reports_loaded == {"economy": 2, "projects": 2, "supervision": 2}
    assert result.reports_quarantined == 1
    assert result.marts_rebuilt == ("2017Q1",)
    assert published(home, "SELECT count(*) FROM core.supervision") == [(2,)]
    scores = published(
        home,
        "SELECT unit_code, rank_in_level FROM marts.unit_scores WHERE period = '2017Q1'"
        " ORDER BY unit_code",
    )
    assert [u for u, _ in scores] == [COUNTY, COUNTY2]
    assert {r for _, r in scores} == {1, 2}
    runs = published(home, "SELECT flow, state FROM meta.runs")
    assert runs == [("quarterly", "completed")]
    files = published(
        home, "SELECT sum(rows_read), sum(rows_loaded + rows_quarantined) FROM meta.file_manifest"
    )
    assert files[0][0] == files[0][1] == 7
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert "database is locked" not in out + err


def test_backfill_flow_rebuilds_every_quarter_and_is_repeatable(
    prefect_server: None, tmp_path: Path
) -> None:
    from flows.flows import backfill_flow

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    for q, when in (("2017Q1", "2017-04-08 10:00"), ("2017Q2", "2017-07-08 10:00")):
        write_csv(
            inbox / f"supervision_{q}.csv",
            [supervision_row(period=q, submitted_at=when)],
        )
    first = backfill_flow(start="2017Q1", end="2017Q3", inbox=str(inbox), home=str(home))
    assert first.marts_rebuilt == ("2017Q1", "2017Q2", "2017Q3")
    again = backfill_flow(start="2017Q1", end="2017Q3", inbox=str(inbox), home=str(home))
    assert again.files == 0 and again.already_received == 2
    assert published(home, "SELECT count(*) FROM raw.supervision") == [(2,)]
    summary = published(
        home, "SELECT period, units_reporting FROM marts.city_summary ORDER BY period"
    )
    assert summary == [("2017Q1", 1), ("2017Q2", 1), ("2017Q3", 0)]


def test_backfill_with_changed_rules_recomputes_the_marts(
    prefect_server: None, tmp_path: Path
) -> None:
    from flows.flows import backfill_flow as writer
    from flows.outputs import follow
    from warehouse.ruleset import default_rules_path

    def backfill_flow(**params: str) -> RunResult:
        # as the commands run it: the run publishes, its 通报 follow in a flow run of their own
        return follow(writer(**params), params["home"])

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    write_csv(
        inbox / "supervision_q1.csv",
        [supervision_row(), supervision_row(COUNTY2, list_published="否")],
    )
    write_csv(inbox / "economy_q1.csv", [economy_row(), economy_row(COUNTY2, gdp_growth_pct=4)])
    first = backfill_flow(start="2017Q1", end="2017Q1", inbox=str(inbox), home=str(home))
    workbook = home / "reports" / "2017Q1" / "assessment-2017Q1.xlsx"
    assert str(workbook) in first.reports
    written = workbook.stat().st_mtime_ns
    # the same inbox, the same rules: nothing changed, the 通报 stands (not written again)
    again = backfill_flow(start="2017Q1", end="2017Q1", inbox=str(inbox), home=str(home))
    assert again.files == 0 and again.reports == () and again.changed == ()
    assert workbook.stat().st_mtime_ns == written
    sql = (
        "SELECT unit_code, rules_version, party_score, coefficient FROM marts.unit_scores"
        " ORDER BY unit_code"
    )
    before = published(home, sql)
    assert {r[1] for r in before} == {"2018"}  # the default rules

    changed = tmp_path / "rules-2018.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    text = text.replace('version = "2018"', 'version = "2018-test"')
    text = text.replace("list_published = 10", "list_published = 50")
    text = text.replace('method = "linear"', 'method = "banded"')
    changed.write_text(text, encoding="utf-8")
    rescored = backfill_flow(
        start="2017Q1", end="2017Q1", inbox=str(inbox), home=str(home), rules=str(changed)
    )
    after = published(home, sql)
    assert {r[1] for r in after} == {"2018-test"}
    # other rules, other scores: the 通报 is written again, without any new file
    assert rescored.files == 0 and rescored.changed == ("2017Q1",)
    assert str(workbook) in rescored.reports and workbook.stat().st_mtime_ns > written
    # list_published now weighs 50: the unit that published rises, the one that did not falls
    assert after[0][2] > before[0][2] and after[1][2] < before[1][2]
    assert {r[3] for r in after} <= {0.6, 0.8, 0.9, 1.0}
