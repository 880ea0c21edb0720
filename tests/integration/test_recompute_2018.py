"""The marts under the 2018 rules agree with an independent recomputation of CONTRACT §4.

benchmarks/recompute_2018.py recomputes every score, rank, quadrant, linkage figure,
weak-village warning and determination from core.* in exact arithmetic, sharing no code
with warehouse/. Here it runs over (1) the varied golden fixture with annual plans for
some projects and a few hand-placed edge cases, and (2) the real sample for 2016Q4 and
2017Q4 through the production ingest and marts steps, with annual plans filled for
about two projects in three (the sample itself does not fill them yet).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.recompute_2018 import compare
from pipeline.run import run
from pipeline.steps import rebuild_marts
from synthetic.sample import write_sample
from tests.support.golden_2017 import PERIODS, golden_warehouse
from tests.support.warehouse import economy, supervision
from warehouse.marts import build_marts
from warehouse.ruleset import load_rules

ANNUAL_PLANS = (
    "UPDATE core.projects SET annual_planned_investment = round(planned_investment * "
    "(0.2 + (hash(unit_code || project_id) % 7) / 10.0), 1) "
    "WHERE hash(unit_code || project_id) % 3 <> 0"
)


def test_recomputation_agrees_on_the_fixture() -> None:
    con = golden_warehouse()
    con.execute(ANNUAL_PLANS)
    # Edge cases: D exactly 2.675 on paper (float 2.67499…), two counties printing 94.60.
    for code, growth in (("320612000000", 0.2675), ("320621000000", 9.4604)):
        con.execute("DELETE FROM core.economy WHERE unit_code = ? AND period = '2017Q4'", [code])
        economy(con, code, "2017Q4", growth_target_pct=10.0, gdp_growth_pct=growth)
    con.execute(
        "DELETE FROM core.supervision WHERE unit_code = '320621000000' AND period = '2017Q4'"
    )
    supervision(con, "320621000000", "2017Q4")
    con.execute("BEGIN")
    build_marts(con, list(PERIODS), load_rules())
    con.execute("COMMIT")
    report = compare(con, PERIODS)
    assert report.mismatches == []
    rows = con.execute("SELECT count(*) FROM marts.unit_scores").fetchall()[0][0]
    assert report.compared["party_score"] == rows == 39
    assert report.compared["weak_village_years"] == 2  # 2016 and 2017
    d = con.execute(
        "SELECT development_score FROM marts.unit_scores "
        "WHERE unit_code = '320612000000' AND period = '2017Q4'"
    ).fetchone()
    assert d == (2.68,)


def test_recomputation_agrees_on_the_sample(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    periods = ["2016Q4", "2017Q4"]
    write_sample(inbox, periods, seed=2017)
    run(session, [inbox], datetime(2018, 3, 1))
    session.con.execute(ANNUAL_PLANS)
    rebuild_marts(session, periods)
    report = compare(session.con, periods)
    assert report.mismatches == []
    n = session.con.execute("SELECT count(*), count(rank_in_level) FROM marts.unit_scores")
    units, ranked = n.fetchall()[0]
    assert report.compared["party_score"] == units > 3000
    assert 0 < ranked <= units
    years = session.con.execute("SELECT count(*) FROM marts.weak_village_years").fetchall()
    assert years[0][0] > 1000
