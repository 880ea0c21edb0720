"""Bad input written into the sample on purpose, each listed as an :class:`Injected`.

Quarters other than 2016Q4 carry a few bad reports (well under 1%) that validation must
catch: each kind of slip in :data:`SLIPS` a drawn number of times (none in most quarters,
now and then two or three), so quarters differ in how many faults they carry and of
which kinds. 2016Q4 carries a few bad or wrong reports, each followed by a corrected
resubmission (later ``submitted_at``, another file), so that its totals still come out
right after supersession.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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


Row = dict[str, Any]


def _done_over_planned(row: Row, r: random.Random) -> Row:
    area = r.choice(("coverage", "service", "team", "vanguard", "care", "support"))
    return dict(row, **{f"tasks_done_{area}": row[f"tasks_planned_{area}"] + r.randint(1, 3)})


def _new_members_over_members(row: Row, r: random.Random) -> Row:
    return dict(row, new_members=row["party_members"] + r.randint(1, 50))


def _phone_in_name(row: Row, r: random.Random) -> Row:
    return dict(row, name=f"{row['name']} 联系电话13{r.randint(5, 9)}{r.randint(10**7, 10**8 - 1)}")


def _growth_typo(row: Row, r: random.Random) -> Row:
    return dict(row, gdp_growth_pct=round(row["gdp_growth_pct"] * 10, 1) + 60)


def _progress_over_100(row: Row, r: random.Random) -> Row:
    return dict(row, progress_pct=float(r.choice((110, 120, 150, 850))))


def _code_typo(row: Row, r: random.Random) -> Row:
    return dict(row, unit_code=row["unit_code"][:9] + str(r.randint(850, 899)))


def _members_in_words(row: Row, r: random.Random) -> Row:
    return dict(row, party_members=r.choice(("二百三十", "约200", "230人")))


def _income_left_blank(row: Row, r: random.Random) -> Row:
    return dict(row, collective_income=None)


# (reason it should produce, report kind, level of the unit, the slip)
SLIPS: tuple[tuple[str, str, str, Callable[[Row, random.Random], Row]], ...] = (
    ("inconsistent", "supervision", "village", _done_over_planned),
    ("inconsistent", "supervision", "township", _new_members_over_members),
    ("pii", "projects", "township", _phone_in_name),
    ("out_of_range", "economy", "township", _growth_typo),
    ("out_of_range", "projects", "county", _progress_over_100),
    ("unknown_unit", "economy", "village", _code_typo),
    ("bad_value", "supervision", "village", _members_in_words),
    ("missing_required_value", "economy", "village", _income_left_blank),
    ("duplicate_in_file", "supervision", "village", lambda row, r: row),  # see _inject_caught
)
_TIMES = (0, 1, 2, 3)  # how many times a slip is made in a quarter …
_TIMES_WEIGHTS = (0.45, 0.35, 0.15, 0.05)  # … with these chances


def inject(plan: Plan, units: dict[str, Unit]) -> list[Injected]:
    """Spoil a few of ``plan``'s files (adding corrections in 2016Q4); what was done."""
    r = rng(plan.seed, "inject", plan.period)
    if plan.period == BASE_PERIOD:
        return _inject_corrected(plan, units, r)
    return _inject_caught(plan, units, r)


def _inject_corrected(plan: Plan, units: dict[str, Unit], r: random.Random) -> list[Injected]:
    done: list[Injected] = []
    used: set[str] = set()

    def times() -> int:
        return r.choices((1, 2, 3), weights=(0.6, 0.3, 0.1))[0]

    # a village's supervision with done > planned, then corrected
    for _ in range(times()):
        f = _find(plan, "supervision", "village", units, r, used)
        if f is not None:
            i = r.randrange(len(f.rows))
            good = dict(f.rows[i])
            f.rows[i] = _done_over_planned(good, r)
            done.append(_correct(plan, f, good["unit_code"], [good], "inconsistent"))
    # a county's economy with GDP typed ten times too large (valid), then corrected
    f = _find(plan, "economy", "county", units, r, used)
    if f is not None:
        good = dict(f.rows[0])
        f.rows[0] = dict(good, gdp=good["gdp"] * 10)
        done.append(_correct(plan, f, good["unit_code"], [good], "superseded"))
    # a township's projects with a phone number in a name, then corrected
    for _ in range(times()):
        f = _find(plan, "projects", "township", units, r, used)
        if f is not None:
            good_rows = [dict(x) for x in f.rows]
            f.rows[0] = _phone_in_name(f.rows[0], r)
            done.append(_correct(plan, f, good_rows[0]["unit_code"], good_rows, "pii"))
    # a township's supervision with a mistyped member count (valid), then corrected
    for _ in range(times()):
        f = _find(plan, "supervision", "township", units, r, used)
        if f is not None:
            good = dict(f.rows[0])
            f.rows[0] = dict(good, party_members=good["party_members"] * 10 + 7)
            done.append(_correct(plan, f, good["unit_code"], [good], "superseded"))
    return done


def _inject_caught(plan: Plan, units: dict[str, Unit], r: random.Random) -> list[Injected]:
    done: list[Injected] = []
    used: set[str] = set()
    for problem, kind, level, slip in SLIPS:
        for _ in range(r.choices(_TIMES, weights=_TIMES_WEIGHTS)[0]):
            grouped = True if problem == "duplicate_in_file" else None
            f = _find(plan, kind, level, units, r, used, grouped=grouped, nantong=False)
            if f is None and problem == "duplicate_in_file":
                f = _find(plan, kind, level, units, r, used, nantong=False)
            if f is None:
                continue
            i = r.randrange(len(f.rows))
            if problem == "duplicate_in_file":
                f.duplicate_row = i
            else:
                f.rows[i] = slip(f.rows[i], r)
            done.append(Injected(plan.period, f.kind, f.rows[i]["unit_code"], problem, f.rel))
    return done


def _find(
    plan: Plan,
    kind: str,
    level: str,
    units: dict[str, Unit],
    r: random.Random,
    used: set[str],
    grouped: bool | None = None,
    nantong: bool = True,
) -> File | None:
    """A random file not ``used`` yet of ``kind`` from a unit of ``level`` (``grouped``:
    holding several units); marked used."""
    cands = [
        f
        for f in plan.files
        if f.kind == kind
        and f.rel not in used
        and units[f.rows[0]["unit_code"]].level == level
        and (grouped is None or (len({x["unit_code"] for x in f.rows}) > 1) == grouped)
        and (not nantong or f.rows[0]["unit_code"].startswith(NANTONG))
    ]
    if not cands:
        return None
    f = r.choice(cands)
    used.add(f.rel)
    return f


def _correct(plan: Plan, f: File, code: str, good: Rows, problem: str) -> Injected:
    """Resubmit ``code``'s report from ``f`` correctly, two days later, in another file."""
    later = [dict(x, submitted_at=x["submitted_at"] + timedelta(days=2, hours=3)) for x in good]
    later = [dict(x, submitted_at=min(x["submitted_at"], plan.now)) for x in later]
    folder = f.rel.rsplit("/", 1)[0].split("/", 1)[1]
    fix = plan.add(folder, f.kind, code, later, suffix="_更正")
    return Injected(plan.period, f.kind, code, problem, f.rel, fix.rel)
