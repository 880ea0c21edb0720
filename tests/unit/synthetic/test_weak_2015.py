"""The 2015Q4 sample's party-work bound: a strong supervision row keeps P above the line."""

from __future__ import annotations

from datetime import datetime

from synthetic.profiles import unit_profiles
from synthetic.reports import supervision
from synthetic.weak_2015 import CHECKLIST_FLOOR, make_strong, score_floor, strong
from warehouse.registry import load_registry
from warehouse.ruleset import load_rules, packaged_rules_path


def test_the_floor_is_above_the_line_with_both_project_components_at_zero() -> None:
    for version in ("2017", "2018"):
        rules = load_rules(packaged_rules_path(version))
        w = rules.party_weights
        floor = (
            100
            * (
                w["checklist"] * CHECKLIST_FLOOR
                + w["supervision"]
                + w["theme_days"]
                + w["list_published"]
            )
            / sum(w.values())
        )
        assert score_floor(rules) == floor
        assert score_floor(rules) >= rules.weak_party_line + 1


def test_make_strong_raises_a_weak_row_just_enough() -> None:
    rules = load_rules()
    units = unit_profiles(load_registry("city"), 2017)
    weakest = min((u for u in units.values() if u.level == "village"), key=lambda u: u.strength)
    row = supervision(weakest, "2015Q4", 2017, datetime(2016, 1, 10))
    row |= {"list_published": False, "supervisions_held": 0, "theme_days_planned": 0}
    assert not strong(row, rules)
    before = dict(row)
    make_strong(row, rules)
    assert strong(row, rules)
    # planned tasks are the filer's: never changed; done only raised, never above planned
    for key in (k for k in row if k.startswith("tasks_planned_")):
        done = key.replace("planned", "done")
        assert row[key] == before[key]
        assert before[done] <= row[done] <= row[key]
