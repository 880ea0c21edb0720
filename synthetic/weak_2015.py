"""The sample's year before: 2015Q4 drawn so that 2016's determination rectifies exactly 105.

The seed publishes that 105 weak village party organisations were rectified (整顿提升,
脱薄) in 2016 (CONTRACT §10). The 2016 determination (认定, CONTRACT §4) compares each
village with 2015's, made from the 2015Q4 reports, so the sample starts in 2015Q4 and
:func:`shape_2015q4` draws that quarter's villages (Nantong's 村, the ones determined):

* **rectified** (105): villages *certainly not weak in 2016*, weak in 2015 by their
  collective income (below the line in 2015, above it in 2016, as 脱薄 villages are);
* **weak in 2016 by income**: left as drawn (weak or not in 2015, never rectified);
* **every other village** is certainly not weak in 2015: its collective income is at
  least the line, and its 2015Q4 party work bounds its score above the line.

The party work is drawn so as the 2015Q4 plan is made (:func:`strengthen`, called by
:mod:`synthetic.plan` for the quarter's reports and again for the party score that the
next quarter's development follows, :mod:`synthetic.story`); the incomes afterwards, by
:func:`shape_2015q4`.

"Certainly" without computing the score: a village's P (CONTRACT §4) is a weighted mean
of its components; with every supervision component at its best and the checklist at
:data:`CHECKLIST_FLOOR` or more, P stays above the line even if both project components
are 0 (:func:`score_floor`). The lines and weights are the default rules'. Villages in a
2015Q4 file spoilt on purpose (:mod:`synthetic.faults`) are not chosen, since a report
that does not load leaves the village undetermined. Drawn from generators of their own,
so no other quarter's figure moves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from synthetic import reports
from synthetic.profiles import Unit, rng
from synthetic.published import BASE_PERIOD, NANTONG
from synthetic.render import File
from warehouse.ruleset import Rules, load_rules

RECTIFIED_2016 = 105  # 整顿提升的薄弱村党组织 (the seed)
PERIOD = "2015Q4"
NEXT = BASE_PERIOD  # the quarter of the determination that rectifies them
CHECKLIST_FLOOR = 0.8  # 清单任务完成率 at least this, for "certainly not weak"
PROJECT_COMPONENTS = ("secretary_projects", "project_party_orgs")
_TS = datetime(2017, 1, 10)  # submitted_at does not enter the figures drawn here


def score_floor(rules: Rules) -> float:
    """The lowest P of a village whose supervision row is strong (:func:`strong`)."""
    w = rules.party_weights
    best = {"supervision": 1.0, "theme_days": 1.0, "list_published": 1.0}
    got = w["checklist"] * CHECKLIST_FLOOR + sum(w[k] * v for k, v in best.items())
    return 100 * got / (sum(w.values()) or 1)


def strong(row: dict[str, Any], rules: Rules) -> bool:
    """Whether ``row`` (a supervision row) alone keeps P at or above :func:`score_floor`."""
    areas = [k.removeprefix("tasks_planned_") for k in row if k.startswith("tasks_planned_")]
    planned = sum(row[f"tasks_planned_{a}"] for a in areas)
    done = sum(row[f"tasks_done_{a}"] for a in areas)
    return (
        bool(row["list_published"])
        and row["supervisions_held"] >= rules.supervisions_expected
        and row["theme_days_planned"] > 0
        and row["theme_days_held"] >= row["theme_days_planned"]
        and planned > 0
        and done >= CHECKLIST_FLOOR * planned
    )


def make_strong(row: dict[str, Any], rules: Rules) -> None:
    """Raise ``row``'s party work just enough that :func:`strong` holds (in place)."""
    row["list_published"] = True
    row["supervisions_held"] = max(row["supervisions_held"], math.ceil(rules.supervisions_expected))
    if row["theme_days_planned"] <= 0:
        row["theme_days_planned"] = 3
    row["theme_days_held"] = max(row["theme_days_held"], row["theme_days_planned"])
    for key in [k for k in row if k.startswith("tasks_planned_")]:
        done = key.replace("planned", "done")
        row[done] = max(row[done], math.ceil(CHECKLIST_FLOOR * row[key]))


def determined(u: Unit) -> bool:
    """A Nantong 村 (the units the annual determination looks at)."""
    return u.level == "village" and u.kind == "village" and u.code.startswith(NANTONG)


def shape_2015q4(
    files: list[File],
    units: dict[str, Unit],
    seed: int,
    spoilt: set[str],
    income_2016: Callable[[str], float],
) -> None:
    """Draw 2015Q4's Nantong villages as the module docstring says (rows changed in place).

    ``spoilt``: the unit codes of every file of the quarter that was spoilt on purpose;
    ``income_2016``: a village's collective income in its 2016Q4 report.
    """
    rules = load_rules()
    line = rules.weak_income_line
    if score_floor(rules) < rules.weak_party_line + 1:
        raise ValueError("the default rules' weights leave no margin for the 2015 sample")
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for f in files:
        for row in f.rows:
            u = units.get(row["unit_code"])
            if u is not None and f.kind in ("supervision", "economy") and determined(u):
                rows[(f.kind, u.code)] = row
    codes = sorted({code for _, code in rows})
    sup16 = {c: reports.supervision(units[c], BASE_PERIOD, seed, _TS) for c in codes}
    income16 = {c: income_2016(c) for c in codes}
    both = [c for c in codes if ("supervision", c) in rows and ("economy", c) in rows]
    candidates = [
        c for c in both if c not in spoilt and income16[c] >= line + 0.5 and strong(sup16[c], rules)
    ]
    if len(candidates) < RECTIFIED_2016:
        raise ValueError(f"only {len(candidates)} villages can be rectified in 2016")
    order = sorted(candidates, key=lambda c: (rng(seed, "rectified", c).random(), c))
    rectified = set(order[:RECTIFIED_2016])
    for c in codes:
        r = rng(seed, "weak2015", c)
        eco, sup = rows.get(("economy", c)), rows.get(("supervision", c))
        if c in rectified:
            assert eco is not None
            eco["collective_income"] = round(line * r.uniform(0.55, 0.95), 2)
        elif income16[c] >= line:
            income = None if eco is None else eco["collective_income"]
            if eco is not None and income is not None and income < line + 0.5:
                eco["collective_income"] = round(line * r.uniform(1.03, 1.15), 2)
            # its party work: made strong already (strengthen)
            assert sup is None or c in spoilt or strong(sup, rules), c


def strengthen(row: dict[str, Any], income_2016: float, rules: Rules) -> None:
    """A determined village's 2015Q4 supervision ``row``, made strong (in place) when its
    2016 collective income is at least the line: then it is certainly not weak in 2015
    unless rectified (by its income), and its P cannot make it weak either."""
    if income_2016 >= rules.weak_income_line and not strong(row, rules):
        make_strong(row, rules)
