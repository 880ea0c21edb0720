"""Which files one quarter's sample holds, and which rows go in each.

Mostly one file per unit per kind; for about one township in five a single file per
kind holds all its villages' rows. At province scale the villages of every township are
always grouped, to keep the file count sane; with ``per_unit`` they never are.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from synthetic import reports, story, weak_2015
from synthetic.profiles import Unit, rng
from synthetic.published import BASE_PERIOD, NANTONG, exact_count
from synthetic.render import File, Style, draw_style
from transforms import periods as quarters
from transforms.columns import REPORT_KINDS
from warehouse.ruleset import Rules, load_rules

SECRETARY_PROJECTS_2016 = exact_count("secretary_projects")

Rows = list[dict[str, Any]]


@functools.cache
def _rules() -> Rules:
    """The default rules: the weights of P and the deadlines the sample is drawn with."""
    return load_rules()


@dataclass
class Plan:
    """The files of one quarter, before they are rendered."""

    seed: int
    period: str
    now: datetime
    files: list[File] = field(default_factory=list)
    party: dict[str, float] = field(default_factory=dict)  # each unit's P, as drawn

    def add(self, folder: str, kind: str, key: str, rows: Rows, suffix: str = "") -> File:
        """A file of ``rows`` from unit (or group) ``key`` in ``<period>/<folder>/``."""
        st = self.style(kind, key, suffix)
        f = File(f"{self.period}/{folder}/{self.name(kind, key, st, suffix)}", kind, rows, st)
        self.files.append(f)
        return f

    def style(self, *key: object) -> Style:
        return draw_style(rng(self.seed, "style", self.period, *key))

    def name(self, kind: str, key: str, st: Style, suffix: str = "") -> str:
        stems = REPORT_KINDS[kind].stems
        return f"{stems[1] if st.zh_prefix else stems[0]}_{key}_{self.period}{suffix}.{st.ext}"


def plan_period(
    units: dict[str, Unit],
    valid: list[str],
    valid_before: list[str],
    seed: int,
    period: str,
    province: bool,
    now: datetime,
    per_unit: bool = False,
    effect: float = story.LAGGED_EFFECT,
    party_before: dict[str, float] | None = None,
) -> Plan:
    """The files of ``period`` from the ``valid`` units, county by county.

    ``valid_before``: the units valid in the quarter before, whose party-building score
    then sets their development now with ``effect`` (:mod:`synthetic.story`): taken from
    ``party_before`` (the plan of that quarter's :attr:`Plan.party`) or drawn again.
    """
    plan = Plan(seed, period, now)
    rules = _rules()
    before = quarters.previous_period(period)
    drafts = _Drafts(units, seed, per_unit, effect)
    secretary = secretary_counts(units, valid, seed, int(period[:4]))
    secretary_before = secretary_counts(units, valid_before, seed, int(before[:4]))
    weights, expected = rules.party_weights, rules.supervisions_expected
    deadlines = rules.filing_round.deadline_days
    children: dict[str, list[str]] = {}
    for code in valid:
        p = units[code].parent
        if p is not None:
            children.setdefault(p, []).append(code)

    def of(code: str, sent: datetime | None = None) -> dict[str, Rows]:
        """The unit's reports; ``sent``: the 填报时间 of the file that holds them, if shared."""
        u = units[code]
        ts = sent or reports.submitted(
            period, u.level, u.strength, rng(seed, "ts", period, code), now, deadlines
        )
        p_before = None
        if party_before is not None and code in party_before:
            p_before = party_before[code]
        elif code in secretary_before:
            sup, prj = drafts.party(u, before, ts, secretary_before[code])
            p_before = story.party_score(sup, prj, weights, expected)
        level = story.development_level(u, seed, period, p_before, effect)
        sup, prj = drafts.party(u, period, ts, secretary[code], level)
        plan.party[code] = story.party_score(sup, prj, weights, expected)
        return {
            "supervision": [sup],
            "projects": prj,
            "economy": [reports.economy(u, period, seed, ts, level)],
        }

    for county in sorted(c for c in valid if units[c].level == "county"):
        for kind, rows in of(county).items():
            if rows:
                plan.add(f"{county}/county", kind, county, rows)
        for town in sorted(children.get(county, [])):
            folder = f"{county}/{town}"
            for kind, rows in of(town).items():
                if rows:
                    plan.add(folder, kind, town, rows)
            grouped = not per_unit and (province or rng(seed, "group", period, town).random() < 0.2)
            # a township that sends its villages' reports in one file fills in one 填报时间,
            # by the villages' deadline as a village would
            s = units[town].strength
            sent = (
                reports.submitted(
                    period, "village", s, rng(seed, "ts-group", period, town), now, deadlines
                )
                if grouped
                else None
            )
            per_kind: dict[str, Rows] = {k: [] for k in REPORT_KINDS}
            for v in sorted(children.get(town, [])):
                for kind, rows in of(v, sent).items():
                    if not rows:
                        continue
                    if grouped:
                        per_kind[kind].extend(rows)
                    else:
                        plan.add(folder, kind, v, rows)
            if grouped:
                for kind, rows in per_kind.items():
                    if rows:
                        plan.add(folder, kind, f"{town}_村社区", rows)
    return plan


@dataclass
class _Drafts:
    """A unit's party reports of a quarter (supervision row, project rows)."""

    units: dict[str, Unit]
    seed: int
    per_unit: bool
    effect: float = story.LAGGED_EFFECT

    def party(
        self,
        u: Unit,
        period: str,
        ts: datetime,
        n_secretary: int,
        level: float = story.LEVEL_MEAN["village"],
    ) -> tuple[dict[str, Any], Rows]:
        """``level`` sets only the projects' investment (the development side). A Nantong
        village's 2015Q4 party work is drawn for the 2016 determination
        (:func:`synthetic.weak_2015.strengthen`)."""
        r = rng(self.seed, "nproj", period[:4], u.code)
        if u.level == "county":
            n_other = r.randint(2, 5)
        elif u.level == "township":
            n_other = r.randint(1, 3)
        else:
            n_other = 1 if self.per_unit or r.random() < 0.12 else 0
        sup = reports.supervision(u, period, self.seed, ts)
        if period == weak_2015.PERIOD and weak_2015.determined(u):
            income = village_economy(
                self.units, u.code, self.seed, weak_2015.NEXT, self.effect, self.per_unit
            )["collective_income"]
            weak_2015.strengthen(sup, income, _rules())
        prj = reports.projects(u, period, self.seed, ts, n_secretary, n_other, level)
        return sup, prj


def secretary_counts(
    units: dict[str, Unit], valid: list[str], seed: int, year: int
) -> dict[str, int]:
    """Each valid unit's number of secretary projects (书记项目) in ``year``, the same all
    year: 4–7 for a county-level unit, 1 or 2 for a township, none for a village (the
    seed counts them at city, county and township levels; the registry has no city-level
    unit). Nantong's of 2016 add up to the published 202: townships are moved between 1
    and 2 in a drawn order until they do (a registry holding only part of the city, as
    some tests pass, cannot: its counts stay as drawn)."""
    n: dict[str, int] = {}
    for code in valid:
        r = rng(seed, "secretary", year, code)
        level = units[code].level
        n[code] = (
            r.randint(4, 7)
            if level == "county"
            else int(level == "township") * (1 + (r.random() < 0.25))
        )
    towns = [c for c in valid if c.startswith(NANTONG) and units[c].level == "township"]
    gap = SECRETARY_PROJECTS_2016 - sum(v for c, v in n.items() if c.startswith(NANTONG))
    if year == int(BASE_PERIOD[:4]) and abs(gap) <= len(towns):
        for code in sorted(towns, key=lambda c: (rng(seed, "secretary-fit", c).random(), c)):
            if (gap > 0 and n[code] == 1) or (gap < 0 and n[code] == 2):
                n[code] += 1 if gap > 0 else -1
                gap += -1 if gap > 0 else 1
    return n


def village_economy(
    units: dict[str, Unit],
    code: str,
    seed: int,
    period: str,
    effect: float = story.LAGGED_EFFECT,
    per_unit: bool = False,
) -> dict[str, Any]:
    """A village's economy row of ``period`` as :func:`plan_period` draws it (a village has
    no secretary project, so its party score of the quarter before needs no other unit)."""
    rules = _rules()
    u = units[code]
    ts = quarters.start_of(quarters.next_period(period))  # no figure depends on it
    drafts = _Drafts(units, seed, per_unit, effect)
    sup, prj = drafts.party(u, quarters.previous_period(period), ts, 0)
    before = story.party_score(sup, prj, rules.party_weights, rules.supervisions_expected)
    level = story.development_level(u, seed, period, before, effect)
    return reports.economy(u, period, seed, ts, level)
