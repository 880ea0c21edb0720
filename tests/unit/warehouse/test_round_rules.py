"""The round's settings in the rules files: deadlines, the correction window, review rules."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any

import pytest

from warehouse.ruleset import RulesError, default_rules_path, load_rules, parse_rules


def data() -> dict[str, Any]:
    return tomllib.loads(default_rules_path().read_text(encoding="utf-8"))


def test_both_packaged_files_hold_the_contract_defaults() -> None:
    for version in ("2017", "2018"):
        r = load_rules(version).filing_round  # type: ignore[arg-type]
        assert r.deadline_days == {"village": 5, "township": 8, "county": 10}
        assert r.review["party_members_change"].threshold == 20
        assert r.review["growth_jump"].threshold == 5
        assert r.review["ytd_decrease"].columns == (
            "completed_investment", "collective_income", "fiscal_revenue", "gdp",
        )  # fmt: skip


def test_a_file_without_the_tables_gets_the_defaults() -> None:
    d = data()
    del d["round"], d["review"]
    r = parse_rules(d).filing_round
    assert r.deadline_days["township"] == 8 and r.correction_window_days == 365
    assert all(rule.enabled for rule in r.review.values())


def test_deadlines_and_chase_times_cross_the_year() -> None:
    r = load_rules().filing_round
    assert r.due_at("2017Q4", "county") == datetime(2018, 1, 10, 23, 59, 59, 999999)
    assert r.due_at("2017Q2", "village") == datetime(2017, 7, 5, 23, 59, 59, 999999)
    assert r.chase_at("2017Q4", "village") == datetime(2018, 1, 6, 9, 0)
    assert r.correction_until("2017Q1", "township") == datetime(2018, 4, 8, 23, 59, 59, 999999)
    assert r.chase_cron("township") == "0 9 9 1,4,7,10 *"


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d["round"]["deadline_days"].update(village=40), "round.deadline_days.village"),
        (lambda d: d["round"]["deadline_days"].update(city=3), "round.deadline_days.city"),
        (lambda d: d["round"].update(correction_window_days=-1), "correction_window_days"),
        (lambda d: d["review"].update(odd={"threshold": 1}), "review.odd"),
        (lambda d: d["review"]["growth_jump"].update(threshold="5"), "growth_jump.threshold"),
        (lambda d: d["review"]["growth_jump"].update(columns=["gdp"]), "growth_jump.columns"),
        (lambda d: d["review"]["party_members_change"].update(columns=[]), "columns"),
        (lambda d: d["review"]["total_mismatch"].update(enabled="yes"), "enabled"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it(edit: Any, named: str) -> None:
    d = data()
    edit(d)
    with pytest.raises(RulesError, match=named.replace(".", r"\.")):
        parse_rules(d)
