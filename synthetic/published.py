"""Nantong's published figures for 2016 (CONTRACT §7, §10), declared once.

The sample's 2016Q4 city totals are calibrated to them (:mod:`synthetic.profiles`), its
2015Q4 to the 2016 determination's rectified villages (:mod:`synthetic.weak_2015`), and
``ronghe demo`` compares the warehouse with them (:func:`observed`, :func:`compare`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from warehouse.db import sql_file

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
    Figure(
        "villages_list_published",
        "公开清单的村（社区）党组织 lists published (villages)",
        1800,
        "≥",
    ),
    # not a city_summary column: the 2016 determination's (marts.weak_village_years)
    Figure("weak_villages_rectified", "整顿提升的薄弱村 weak villages rectified (2016)", 105, "="),
)

Query = Callable[[str, Mapping[str, Any]], tuple[list[str], list[tuple[Any, ...]]]]


def observed(query: Query) -> dict[str, Any]:
    """What the warehouse holds for each figure: ``marts.city_summary`` of 2016Q4, and the
    2016 determination's rectified villages (``query(sql, params)`` → columns, rows)."""
    cols, rows = query(
        "SELECT * FROM marts.city_summary WHERE period = $period", {"period": BASE_PERIOD}
    )
    got: dict[str, Any] = dict(zip(cols, rows[0], strict=True)) if rows else {}
    cols, rows = query(
        sql_file("weak_village_determination_counts.sql"), {"year": int(BASE_PERIOD[:4])}
    )
    counts = dict(zip(cols, rows[0], strict=True)) if rows else {}
    got["weak_villages_rectified"] = counts.get("rectified")
    return got


def compare(got: Mapping[str, Any]) -> list[tuple[Figure, Any, bool]]:
    """Each published figure, the warehouse's value (None: absent) and whether they agree."""
    out = []
    for f in PUBLISHED_2016Q4:
        value = got.get(f.column)
        ok = (
            value is not None
            and {
                "=": abs(float(value) - f.figure) < 1e-6,
                "≥": float(value) >= f.figure,
                ">": float(value) > f.figure,
            }[f.compare]
        )
        out.append((f, value, ok))
    return out


def exact_count(column: str) -> int:
    """The published count for ``column``, which must be published exactly."""
    (f,) = (f for f in PUBLISHED_2016Q4 if f.column == column)
    if f.compare != "=" or not isinstance(f.figure, int):
        raise ValueError(f"{column} is not published as an exact count")
    return f.figure
