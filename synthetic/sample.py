"""Deterministic sample report files (CONTRACT §6 ``ronghe sample``, §7).

:func:`write_sample` writes, for each requested quarter, the files that the city's
units would send in, laid out as::

    out/<period>/<county code>/county/…              the county-level unit's own reports
    out/<period>/<county code>/<township code>/…     a township's own reports and, in the
                                                     same folder, its villages' reports

Mostly one file per unit per kind (``supervision_320602001000_2016Q4.xlsx``,
``党建督导_….csv``, ``项目_….json``, ``经济指标_….csv``); for about one township in five a
single file per kind holds all its villages' rows. At ``scale="province"`` the
villages of every township are always grouped into one file per township per kind,
to keep the file count sane (≈ 9,300 files per quarter; the city scale writes 3,350 to
3,800). Formats and spellings are mixed as real submissions are (:mod:`synthetic.render`).

Figures: for the Nantong units valid in 2016Q4 the current reports add up exactly to
the published figures of CONTRACT §7 (:mod:`synthetic.published`, calibrated in
:mod:`synthetic.profiles`); other quarters vary around them (:mod:`synthetic.reports`).
Development follows party building with a lagged effect (:mod:`synthetic.story`,
docs/sample.md): ``effect`` points of D per point of the previous quarter's P.
Quarters other than 2016Q4 carry a few bad reports (well under 1%); 2016Q4 carries a few
bad or wrong reports each followed by a corrected resubmission, so its totals come out
right after supersession (:mod:`synthetic.faults`). Everything injected is listed in
:class:`SampleStats`.

Same seed → byte-identical files. Quarters that have not ended yet are skipped. Each
file's modification time is when it was filed (its latest 填报时间), as if it had
arrived then.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from synthetic import story, weak_2015
from synthetic.faults import Injected, inject
from synthetic.plan import Plan, plan_period, village_economy
from synthetic.profiles import unit_profiles
from synthetic.render import File, render
from transforms import periods as quarters
from transforms.columns import REPORT_KINDS
from warehouse.registry import load_registry, valid_units


@dataclass
class SampleStats:
    out: Path
    periods: list[str]
    skipped_periods: list[str] = field(default_factory=list)
    files: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REPORT_KINDS, 0))
    formats: dict[str, int] = field(default_factory=dict)
    injected: list[Injected] = field(default_factory=list)
    seconds: float = 0.0


def write_sample(
    out: Path,
    periods: Sequence[str],
    seed: int = 2017,
    scale: str = "city",
    registry: pl.DataFrame | None = None,
    *,
    now: datetime | None = None,
    per_unit: bool = False,
    kinds: Collection[str] | None = None,
    effect: float = story.LAGGED_EFFECT,
) -> SampleStats:
    """Write sample report files for ``periods`` under ``out`` (see the module docstring).

    ``per_unit=True`` writes one file per unit per kind (villages are never grouped,
    and every village also reports one project), as a city whose every unit files all
    three reports: about 5,800 files per city quarter. Used by ``benchmarks``.

    ``now`` (default: the real now) decides which quarters have ended: later ones are
    skipped and listed in ``skipped_periods``; no ``submitted_at`` is later than it.
    Files are written serially: a process pool measured slower (creating files, not
    rendering them, dominates).

    ``kinds`` (default: all three) writes only those report kinds' files; the others are
    still planned, so the figures of the ones written are the same either way.

    ``effect``: the lagged effect of party building on development the sample is drawn
    with (:data:`synthetic.story.LAGGED_EFFECT`; 0 draws a city where it has none).
    """
    t0 = time.perf_counter()
    if scale not in ("city", "province"):
        raise ValueError(f"unknown scale {scale!r} (city or province)")
    reg = (
        registry
        if registry is not None
        else load_registry("province" if scale == "province" else "city")
    )
    now = now or datetime.now()
    wanted = [quarters.parse_period(p) for p in periods]
    stats = SampleStats(out=Path(out), periods=[])
    units = unit_profiles(reg, seed)
    plans: list[Plan] = []
    party: dict[str, float] | None = None  # the quarter before's P, if it was just planned
    for p in wanted:
        if quarters.start_of(quarters.next_period(p)) > now:
            stats.skipped_periods.append(p)
            continue
        stats.periods.append(p)
        valid = sorted(valid_units(reg, p)["unit_code"].to_list())
        before = sorted(valid_units(reg, quarters.previous_period(p))["unit_code"].to_list())
        if plans and plans[-1].period != quarters.previous_period(p):
            party = None
        plan = plan_period(
            units, valid, before, seed, p, scale == "province", now, per_unit, effect, party
        )
        party = plan.party
        injected = inject(plan, units)
        stats.injected.extend(injected)
        if p == weak_2015.PERIOD:  # the year before the published one: 105 rectified in 2016
            bad = {i.file for i in injected}
            spoilt = {r["unit_code"] for f in plan.files if f.rel in bad for r in f.rows}

            def income_2016(code: str) -> float:
                row = village_economy(units, code, seed, weak_2015.NEXT, effect, per_unit)
                return float(row["collective_income"])

            weak_2015.shape_2015q4(plan.files, units, seed, spoilt, income_2016)
        plans.append(plan)
    files = [f for plan in plans for f in plan.files if kinds is None or f.kind in kinds]
    for f in files:
        stats.rows[f.kind] += len(f.rows) + (1 if f.duplicate_row is not None else 0)
        stats.formats[f.style.fmt] = stats.formats.get(f.style.fmt, 0) + 1
    _write(Path(out), files, now)
    stats.files = len(files)
    stats.seconds = time.perf_counter() - t0
    return stats


_ARRIVAL = timedelta(minutes=1)  # a file reaches the department a minute after it is filed


def _write(out: Path, files: list[File], now: datetime) -> None:
    for f in files:
        path = out / f.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(f))
        filed = min(max(row["submitted_at"] for row in f.rows) + _ARRIVAL, now)
        os.utime(path, (filed.timestamp(), filed.timestamp()))
