"""Which files one quarter's sample holds, and which rows go in each.

Mostly one file per unit per kind; for about one township in five a single file per
kind holds all its villages' rows. At province scale the villages of every township are
always grouped, to keep the file count sane; with ``per_unit`` they never are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from synthetic import reports
from synthetic.profiles import Unit, rng
from synthetic.published import BASE_PERIOD, NANTONG, exact_count
from synthetic.render import File, Style, draw_style
from transforms import periods as quarters
from transforms.columns import REPORT_KINDS

SECRETARY_PROJECTS_2016Q4 = exact_count("secretary_projects")
SECRETARY_PER_COUNTY = 3
SECRETARY_PER_TOWNSHIP = 1

Rows = list[dict[str, Any]]


@dataclass
class Plan:
    """The files of one quarter, before they are rendered."""

    seed: int
    period: str
    now: datetime
    files: list[File] = field(default_factory=list)

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
    seed: int,
    period: str,
    province: bool,
    now: datetime,
    per_unit: bool = False,
) -> Plan:
    """The files of ``period`` from the ``valid`` units, county by county."""
    plan = Plan(seed, period, now)
    sec_villages = secretary_villages(units, valid, seed, period)
    children: dict[str, list[str]] = {}
    for code in valid:
        p = units[code].parent
        if p is not None:
            children.setdefault(p, []).append(code)
    ts_of = {code: reports.submitted(period, rng(seed, "ts", period, code), now) for code in valid}

    def of(code: str) -> dict[str, Rows]:
        return _unit_reports(units[code], seed, period, ts_of[code], code in sec_villages, per_unit)

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
            per_kind: dict[str, Rows] = {k: [] for k in REPORT_KINDS}
            for v in sorted(children.get(town, [])):
                for kind, rows in of(v).items():
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


def _unit_reports(
    u: Unit, seed: int, period: str, ts: datetime, secretary_village: bool, per_unit: bool
) -> dict[str, Rows]:
    """One unit's reports of ``period``, by kind (no projects: an empty list)."""
    r = rng(seed, "nproj", period[:4], u.code)
    if u.level == "county":
        n_sec, n_other = SECRETARY_PER_COUNTY, r.randint(2, 5)
    elif u.level == "township":
        n_sec, n_other = SECRETARY_PER_TOWNSHIP, r.randint(1, 3)
    else:
        n_sec = 1 if secretary_village else 0
        n_other = 1 if r.random() < 0.08 + 0.4 * n_sec else 0
        if per_unit and n_sec + n_other == 0:
            n_other = 1
    return {
        "supervision": [reports.supervision(u, period, seed, ts)],
        "projects": reports.projects(u, period, seed, ts, n_sec, n_other),
        "economy": [reports.economy(u, period, seed, ts)],
    }


def secretary_villages(
    units: dict[str, Unit], valid: list[str], seed: int, period: str
) -> set[str]:
    """Villages with a secretary project: exactly 51 in Nantong 2016Q4, about that otherwise."""
    year = period[:4]
    by_city: dict[str, list[str]] = {}
    for code in valid:
        if units[code].level == "village":
            by_city.setdefault(code[:4], []).append(code)
    chosen: set[str] = set()
    for city, codes in sorted(by_city.items()):
        order = sorted(codes, key=lambda c: (rng(seed, "secv", year, c).random(), c))
        if city == NANTONG and period == BASE_PERIOD:
            n_county = sum(1 for c in valid if c.startswith(city) and units[c].level == "county")
            n_town = sum(1 for c in valid if c.startswith(city) and units[c].level == "township")
            n = (
                SECRETARY_PROJECTS_2016Q4
                - SECRETARY_PER_COUNTY * n_county
                - SECRETARY_PER_TOWNSHIP * n_town
            )
        else:
            n = round(len(codes) * 0.028 * (1 + 0.02 * quarters.quarter_number(period))) + rng(
                seed, "secn", period, city
            ).randint(-3, 3)
        chosen.update(order[: max(0, n)])
    return chosen
