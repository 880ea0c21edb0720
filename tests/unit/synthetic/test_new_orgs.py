"""The sample's newly formed party organisations: 2016's sum to the published 104, 14, 1,026."""

from __future__ import annotations

import polars as pl

from synthetic.new_orgs import NEW_ORGS_2016, year_to_date
from synthetic.profiles import unit_profiles
from synthetic.published import BASE_PERIOD, NANTONG
from warehouse.registry import load_registry, valid_units


def test_2016_sums_to_the_published_figures_and_quarters_are_year_to_date() -> None:
    reg = load_registry("city")
    units = unit_profiles(reg, 2017)
    base = valid_units(reg, BASE_PERIOD).filter(pl.col("unit_code").str.starts_with(NANTONG))
    codes = base["unit_code"].to_list()
    assert NEW_ORGS_2016 == {
        "new_park_orgs": 104,
        "new_business_district_orgs": 14,
        "new_village_enterprise_orgs": 1026,
    }
    totals = {k: 0 for k in NEW_ORGS_2016}
    for code in codes:
        u = units[code]
        who = (u.code, u.level, u.kind)
        q4 = year_to_date(who, "2016Q4", 2017, u.new_orgs_2016)
        q2 = year_to_date(who, "2016Q2", 2017, u.new_orgs_2016)
        for k in totals:
            totals[k] += q4[k]
            assert 0 <= q2[k] <= q4[k]  # year to date: never more than the year's
    assert totals == NEW_ORGS_2016
