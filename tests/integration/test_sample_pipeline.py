"""The sample through the real pipeline steps: 2016 reproduces the published figures (§7, §10).

2015Q4 and 2016Q4 are run, so that 2016's weak-village determination has a year before it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.run import run
from synthetic.published import compare, observed
from synthetic.sample import write_sample

PUBLISHED_EXACT = {
    "party_orgs": 25199,
    "party_members": 465134,
    "grid_branches": 1633,
    "building_groups": 2855,
    "secretary_projects": 202,
    "contact_points": 318,
    "gdp": 6768.0,
    "gdp_growth_pct": 9.3,
    # the seed's other figures (CONTRACT §10): newly formed in 2016 (year to date at Q4)
    "new_park_orgs": 104,
    "new_business_district_orgs": 14,
    "new_village_enterprise_orgs": 1026,
}


def test_2016q4_city_summary_equals_the_published_figures(session: Any, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    stats = write_sample(inbox, ["2015Q4", "2016Q4"], seed=2017)
    summary = run(session, [inbox], datetime(2017, 3, 1), quarters=["2015Q4", "2016Q4"])
    assert summary.files == stats.files
    assert summary.rows_read == summary.rows_loaded + summary.rows_quarantined

    cur = session.con.execute("SELECT * FROM marts.city_summary WHERE period = '2016Q4'")
    cols = [d[0] for d in cur.description]
    got = dict(zip(cols, cur.fetchall()[0], strict=True))
    for col, figure in PUBLISHED_EXACT.items():
        assert abs(float(got[col]) - figure) < 1e-6, (col, got[col], figure)
    assert got["central_households"] >= 5000
    assert got["prosperity_communities"] >= 2800
    assert got["savings_balance"] > 10000
    assert 1700 <= got["units_reporting"] <= 2000
    assert got["villages_list_published"] >= 1800  # every village and community's list

    # 2016's determination against 2015's: the seed's 105 rectified weak villages
    n = dict(
        session.con.execute(
            "SELECT status, count(*) FROM marts.weak_village_years WHERE year = 2016 GROUP BY 1"
        ).fetchall()
    )
    assert n.get("rectified") == 105, n
    assert n.get("continuing", 0) > 0 and n.get("new", 0) > 0, n

    # what ``ronghe demo`` prints beside the published figures: every one agrees
    def query(sql: str, params: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = session.con.execute(sql, params)
        return [d[0] for d in cur.description], cur.fetchall()

    shown = compare(observed(query))
    assert [f.column for f, _, ok in shown if not ok] == []
    assert {f.column: v for f, v, _ in shown}["weak_villages_rectified"] == 105

    # every injected bad report was quarantined for the reason the sample meant,
    # and its corrected resubmission is the current version
    q = session.con.execute(
        "SELECT kind, unit_code, reasons FROM quarantine.reports WHERE period = '2016Q4'"
    ).fetchall()
    quarantined = {(k, u): set(r) for k, u, r in q}
    for inj in stats.injected:
        if inj.problem == "superseded" or inj.period != "2016Q4":
            continue
        assert inj.problem in quarantined[(inj.kind, inj.unit_code)], inj
        table = f"core.{inj.kind}"
        n = session.con.execute(
            f"SELECT count(*) FROM {table} WHERE unit_code = ? AND period = '2016Q4'",
            [inj.unit_code],
        ).fetchall()[0][0]
        assert n >= 1, inj
