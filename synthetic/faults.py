"""Bad input written into the sample on purpose, each listed as an :class:`Injected`.

Quarters other than 2016Q4 carry a few bad reports (well under 1%) that validation must
catch. 2016Q4 carries a few bad or wrong reports, each followed by a corrected
resubmission (later ``submitted_at``, another file), so that its totals still come out
right after supersession.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from synthetic.plan import Plan, Rows
from synthetic.profiles import Unit, rng
from synthetic.published import BASE_PERIOD, NANTONG
from synthetic.render import File


@dataclass(frozen=True)
class Injected:
    """A deliberately bad (or wrong) report written into the sample."""

    period: str
    kind: str
    unit_code: str
    problem: str  # the contract reason code it should produce, or "superseded"
    file: str  # path relative to ``out``
    corrected_by: str | None = None  # file holding the corrected resubmission


def inject(plan: Plan, units: dict[str, Unit]) -> list[Injected]:
    """Spoil a few of ``plan``'s files (adding corrections in 2016Q4); what was done."""
    r = rng(plan.seed, "inject", plan.period)
    if plan.period == BASE_PERIOD:
        return _inject_corrected(plan, units, r)
    return _inject_caught(plan, units, r)


def _inject_corrected(plan: Plan, units: dict[str, Unit], r: random.Random) -> list[Injected]:
    done = []
    # 1. a village's supervision with done > planned, then corrected
    f = _find(plan, "supervision", "village", units, r)
    if f is not None:
        i = r.randrange(len(f.rows))
        good = dict(f.rows[i])
        bad = dict(good)
        bad["tasks_done_care"] = bad["tasks_planned_care"] + 2
        f.rows[i] = bad
        done.append(_correct(plan, f, good["unit_code"], [good], "inconsistent"))
    # 2. a county's economy with GDP typed ten times too large (valid), then corrected
    f = _find(plan, "economy", "county", units, r)
    if f is not None:
        good = dict(f.rows[0])
        f.rows[0] = dict(good, gdp=good["gdp"] * 10)
        done.append(_correct(plan, f, good["unit_code"], [good], "superseded"))
    # 3. a township's projects with a phone number in a name, then corrected
    f = _find(plan, "projects", "township", units, r)
    if f is not None:
        good_rows = [dict(x) for x in f.rows]
        f.rows[0] = dict(
            f.rows[0], name=f"{f.rows[0]['name']}（联系人 139{r.randint(10**7, 10**8 - 1)}）"
        )
        done.append(_correct(plan, f, good_rows[0]["unit_code"], good_rows, "pii"))
    # 4. a township's supervision with a mistyped member count (valid), then corrected
    f = _find(plan, "supervision", "township", units, r)
    if f is not None:
        good = dict(f.rows[0])
        f.rows[0] = dict(good, party_members=good["party_members"] * 10 + 7)
        done.append(_correct(plan, f, good["unit_code"], [good], "superseded"))
    return done


def _inject_caught(plan: Plan, units: dict[str, Unit], r: random.Random) -> list[Injected]:
    done = []

    def record(f: File, code: str, problem: str) -> None:
        done.append(Injected(plan.period, f.kind, code, problem, f.rel))

    f = _find(plan, "supervision", "village", units, r, grouped=False, nantong=False)
    if f is not None:
        f.rows[0] = dict(f.rows[0], tasks_done_service=f.rows[0]["tasks_planned_service"] + 1)
        record(f, f.rows[0]["unit_code"], "inconsistent")
    f = _find(plan, "projects", "township", units, r, nantong=False)
    if f is not None:
        f.rows[-1] = dict(
            f.rows[-1],
            name=f"{f.rows[-1]['name']} 联系电话13{r.randint(5, 9)}{r.randint(10**7, 10**8 - 1)}",
        )
        record(f, f.rows[-1]["unit_code"], "pii")
    f = _find(plan, "supervision", "village", units, r, grouped=True, nantong=False)
    if f is None:
        f = _find(plan, "supervision", "village", units, r, nantong=False)
    if f is not None:
        f.duplicate_row = r.randrange(len(f.rows))
        record(f, f.rows[f.duplicate_row]["unit_code"], "duplicate_in_file")
    f = _find(plan, "economy", "village", units, r, nantong=False)
    if f is not None:
        code = f.rows[0]["unit_code"][:9] + "899"
        f.rows.append(dict(f.rows[0], unit_code=code))
        record(f, code, "unknown_unit")
    f = _find(plan, "economy", "township", units, r, nantong=False)
    if f is not None:
        f.rows[0] = dict(f.rows[0], gdp_growth_pct=f.rows[0]["gdp_growth_pct"] + 60)
        record(f, f.rows[0]["unit_code"], "out_of_range")
    return done


def _find(
    plan: Plan,
    kind: str,
    level: str,
    units: dict[str, Unit],
    r: random.Random,
    grouped: bool | None = None,
    nantong: bool = True,
) -> File | None:
    """A random file of ``kind`` from a unit of ``level`` (``grouped``: holding several units)."""
    cands = [
        f
        for f in plan.files
        if f.kind == kind
        and units[f.rows[0]["unit_code"]].level == level
        and (grouped is None or (len({x["unit_code"] for x in f.rows}) > 1) == grouped)
        and (not nantong or f.rows[0]["unit_code"].startswith(NANTONG))
    ]
    return r.choice(cands) if cands else None


def _correct(plan: Plan, f: File, code: str, good: Rows, problem: str) -> Injected:
    """Resubmit ``code``'s report from ``f`` correctly, two days later, in another file."""
    later = [dict(x, submitted_at=x["submitted_at"] + timedelta(days=2, hours=3)) for x in good]
    later = [dict(x, submitted_at=min(x["submitted_at"], plan.now)) for x in later]
    folder = f.rel.rsplit("/", 1)[0].split("/", 1)[1]
    fix = plan.add(folder, f.kind, code, later, suffix="_更正")
    return Injected(plan.period, f.kind, code, problem, f.rel, fix.rel)
