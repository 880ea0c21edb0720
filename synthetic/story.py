"""The model the sample is drawn from: party building that goes with growth (CONTRACT §12).

docs/sample.md states it in full; in short, for a unit u in quarter t:

* **Party building.** Each unit has a strength (0.3 … 1.0: a county's, a township's
  and its own part, :func:`synthetic.profiles.strength`). Its party reports are drawn
  from that strength with noise every quarter (:mod:`synthetic.reports`), and its
  party-building score P(t) is what the scoring rules (CONTRACT §4) make of them
  (:func:`party_score`).
* **Development.** Each quarter the unit has a development level

      d(u, t) = level mean + county + township + unit effects + link × (strength − 0.8)
                + quarter shock + county-quarter shock + the unit's year shock
                + the unit's quarter shock + LAGGED_EFFECT × (P(u, t − 1) − P_REFERENCE)

  (:func:`development_level`), and each development figure it reports achieves its
  target at the rate d / 100 plus noise of its own (:func:`achieved`): GDP and income
  growth against the growth target, collective income and project investment against
  the time-elapsed share of the year's target or plan. The scoring rules then give
  D(t) ≈ d(u, t): a unit whose party building scored one point higher in a quarter
  develops :data:`LAGGED_EFFECT` points better in the next, all else equal.

The unit effects and ``link × strength`` make strong units also well developed, so a
cross-section correlates P with D whatever the lagged effect; only the lagged effect
moves a unit's own D with its own previous P, which is what a panel regression with unit
and quarter effects (``marts.linkage_effect``) estimates. Every draw has a generator of
its own (:func:`synthetic.profiles.rng`), so the same seed gives the same sample.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from synthetic.profiles import Unit, rng

LAGGED_EFFECT = 0.3
"""Points of development score D in quarter t per point of party-building score P in
quarter t − 1 (the sample's one lagged effect; ``ronghe sample --effect`` changes it)."""

P_REFERENCE = 80.0  # the P around which the lagged effect is centred (about the mean)
LEVEL_MEAN = {"county": 86.0, "township": 84.0, "village": 84.0}  # d at strength 0.8
STRENGTH_LINK = 20.0  # points of d per unit of strength (0.15, one s.d., is 3 points)
SD = {
    "county": 3.0,  # a county's effect, shared by its townships and villages
    "township": 4.0,  # a township's, shared by its villages
    "village": 4.0,  # a village's own
    "quarter": 2.0,  # the city's quarter
    "county_quarter": 1.5,  # a county's quarter, shared by its units
    "year": 2.0,  # a unit's year: its quarters of a year share it (persistence)
    "unit_quarter": 2.0,  # a unit's quarter
    "figure": 0.05,  # each figure's own, on the achievement rate
}


def _gauss(*key: object) -> float:
    return rng(*key).gauss(0.0, 1.0)


@functools.lru_cache(maxsize=1 << 14)
def _shared(*key: object) -> float:
    """A draw many units share (a county's, a township's, a quarter's), drawn once."""
    return _gauss(*key)


def development_level(
    u: Unit, seed: int, period: str, party_before: float | None, effect: float = LAGGED_EFFECT
) -> float:
    """d(u, t) of the module docstring; ``party_before`` is P(u, t − 1), None where the
    unit had no score then (a unit new in ``period``): no lagged term."""
    county, township = u.code[:6], u.code[:9]
    d = LEVEL_MEAN[u.level] + STRENGTH_LINK * (u.strength - 0.8)
    d += SD["county"] * _shared(seed, "dev-county", county)
    if u.level != "county":
        d += SD["township"] * _shared(seed, "dev-township", township)
    if u.level == "village":
        d += SD["village"] * _gauss(seed, "dev-village", u.code)
    d += SD["quarter"] * _shared(seed, "dev-quarter", period)
    d += SD["county_quarter"] * _shared(seed, "dev-county-quarter", county, period)
    d += SD["year"] * _gauss(seed, "dev-year", u.code, period[:4])
    d += SD["unit_quarter"] * _gauss(seed, "dev-unit-quarter", u.code, period)
    if party_before is not None:
        d += effect * (party_before - P_REFERENCE)
    return d


def achieved(level: float, *key: object) -> float:
    """A figure's achievement rate (of its target, or of its plan's elapsed share): the
    unit's development level / 100 plus the figure's own noise, never below 0."""
    return max(0.0, level / 100 + SD["figure"] * rng(*key).gauss(0.0, 1.0))


def party_score(
    supervision: Mapping[str, Any],
    projects: Sequence[Mapping[str, Any]],
    weights: Mapping[str, float],
    supervisions_expected: float,
) -> float:
    """P (unrounded) of one unit's supervision row and project rows, as CONTRACT §4 scores
    them: the weighted mean of the components present."""
    planned = sum(v for k, v in supervision.items() if k.startswith("tasks_planned_"))
    done = sum(v for k, v in supervision.items() if k.startswith("tasks_done_"))
    parts: dict[str, float] = {
        "supervision": min(1.0, supervision["supervisions_held"] / supervisions_expected),
        "list_published": 1.0 if supervision["list_published"] else 0.0,
    }
    if planned > 0:
        parts["checklist"] = min(1.0, done / planned)
    if supervision["theme_days_planned"] > 0:
        parts["theme_days"] = min(
            1.0, supervision["theme_days_held"] / supervision["theme_days_planned"]
        )
    secretary = [p["progress_pct"] / 100 for p in projects if p["project_type"] == "secretary"]
    if secretary:
        parts["secretary_projects"] = sum(secretary) / len(secretary)
    active = [p for p in projects if p["status"] in ("under_construction", "in_production")]
    if active:
        parts["project_party_orgs"] = sum(bool(p["party_org_established"]) for p in active) / len(
            active
        )
    return 100 * sum(weights[k] * v for k, v in parts.items()) / sum(weights[k] for k in parts)
