"""Nantong's published figures for 2016Q4 (CONTRACT §7), declared once.

The sample's 2016Q4 city totals are calibrated to them (:mod:`synthetic.profiles`), and
``ronghe demo`` compares the warehouse's ``marts.city_summary`` with them.
"""

from __future__ import annotations

from typing import NamedTuple

BASE_PERIOD = "2016Q4"  # the quarter the figures are for
NANTONG = "3206"  # the city's code prefix


class Figure(NamedTuple):
    column: str  # in marts.city_summary
    label: str
    figure: int | float
    compare: str  # "=" exactly, "≥" at least, ">" above


PUBLISHED_2016Q4: tuple[Figure, ...] = (
    Figure("party_orgs", "基层党组织 grassroots party organisations", 25199, "="),
    Figure("party_members", "党员 party members", 465134, "="),
    Figure("grid_branches", "网格党支部 grid party branches", 1633, "="),
    Figure("building_groups", "楼道党小组 building party groups", 2855, "="),
    Figure("central_households", "党员中心户 central households", 5000, "≥"),
    Figure("prosperity_communities", "党群致富共同体 prosperity communities", 2800, "≥"),
    Figure("secretary_projects", "书记项目 secretary projects", 202, "="),
    Figure("contact_points", "党建工作联系点 contact points", 318, "="),
    Figure("gdp", "GDP 地区生产总值 (亿元)", 6768, "="),
    Figure("gdp_growth_pct", "GDP growth 增速 (%)", 9.3, "="),
    Figure("savings_balance", "储蓄存款余额 savings (亿元)", 10000, ">"),
    Figure("new_park_orgs", "新组建园区统筹型党组织 park-based (2016)", 104, "="),
    Figure(
        "new_business_district_orgs", "新组建商圈统筹型党组织 business-district (2016)", 14, "="
    ),
    Figure(
        "new_village_enterprise_orgs", "新组建村企统筹型党组织 village–enterprise (2016)", 1026, "="
    ),
)


def exact_count(column: str) -> int:
    """The published count for ``column``, which must be published exactly."""
    (f,) = (f for f in PUBLISHED_2016Q4 if f.column == column)
    if f.compare != "=" or not isinstance(f.figure, int):
        raise ValueError(f"{column} is not published as an exact count")
    return f.figure
