"""The 通报's comparisons: year-to-date figures against 上年同期, 当季 quarter on quarter."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from reports.compare import own_amount, periods_needed, summary_rows
from reports.data import ReportData


def data(period: str, summary: dict[str, dict[str, Any]]) -> ReportData:
    previous, year_ago, before = periods_needed(period)[1:]
    full = {p: summary.get(p) for p in (period, previous, year_ago, before)}
    return cast(
        ReportData,
        SimpleNamespace(period=period, previous=previous, year_ago=year_ago, summary=full),
    )


def by_key(d: ReportData) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in summary_rows(d)}


def test_first_quarter_compares_year_to_date_with_the_first_quarter_a_year_before() -> None:
    d = data(
        "2017Q1",
        {
            "2017Q1": {"gdp": 1700.0, "party_members": 470_000, "gdp_growth_pct": 8.9},
            "2016Q4": {"gdp": 6768.0, "party_members": 465_134, "gdp_growth_pct": 9.3},
            "2016Q3": {"gdp": 5000.0, "party_members": 464_000, "gdp_growth_pct": 9.2},
            "2016Q1": {"gdp": 1550.0, "party_members": 460_000, "gdp_growth_pct": 9.0},
        },
    )
    rows = by_key(d)
    gdp = rows["gdp"]
    assert gdp["kind"] == "ytd"
    assert gdp["ago"] == 1550.0 and gdp["d_ago"] == 150.0
    assert gdp["prev"] is None and gdp["d_prev"] is None  # no YTD against 2016Q4's YTD
    assert gdp["q_cur"] == 1700.0  # Q1's own amount is its YTD
    assert gdp["q_prev"] == 1768.0  # 2016Q4's own amount: 6768 − 5000
    assert gdp["d_q"] == -68.0
    assert abs(gdp["pct_ago"] - 150 / 1550 * 100) < 1e-9
    members = rows["party_members"]
    assert members["kind"] == "stock"
    assert members["d_prev"] == 470_000 - 465_134 and members["d_ago"] == 10_000
    rate = rows["gdp_growth_pct"]
    assert rate["kind"] == "ytd_rate" and rate["d_prev"] is None and rate["q_cur"] is None
    assert abs(rate["d_ago"] - (-0.1)) < 1e-9


def test_own_amount_within_one_year() -> None:
    d = data("2017Q3", {"2017Q3": {"gdp": 300.0}, "2017Q2": {"gdp": 180.0}})
    assert own_amount(d, "2017Q3", "gdp") == 120.0
    assert own_amount(d, "2017Q2", "gdp") is None  # 2017Q1 not given
