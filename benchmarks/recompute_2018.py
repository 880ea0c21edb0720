"""An independent recomputation of CONTRACT §4 under the 2018 rules, checked against the marts.

Written from the contract's text alone, in plain Python with exact arithmetic: every
reported figure is read as the decimal it was written as (``Decimal(repr(x))``) and all
sums and ratios are :class:`fractions.Fraction`, so nothing is float-approximate until
P, D and C are rounded half away from zero (四舍五入) to 2 decimals. It shares no code
with ``warehouse/`` (not the rules loader, not the SQL): the 2018 weights and lines are
written here as the contract states them.

``compare(con, periods)`` recomputes, for each period, every unit's P, D, k, C, F,
complete, missing kinds, quadrant and both ranks, each level's linkage row, the weak
village early warning, and (for fourth quarters) the year's weak-village determination,
and returns the mismatches against ``marts.*`` with the counts compared.

Run as ``python -m benchmarks.recompute_2018 WAREHOUSE.duckdb [PERIOD ...]`` on a
warehouse whose marts were built with the 2018 rules (default: every period in
``marts.unit_scores``); prints what was compared and exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import duckdb

# CONTRACT §4, 2018 rules (the weights and lines of warehouse/rules/2018.toml, restated).
PARTY_WEIGHTS = {
    "checklist": 40,
    "supervision": 10,
    "theme_days": 10,
    "list_published": 10,
    "secretary_projects": 20,
    "project_party_orgs": 10,
}
DEV_WEIGHTS = {"growth": 40, "income": 30, "collective": 30, "investment": 30}
AREAS = ("coverage", "service", "team", "vanguard", "care", "support")
INCOME_LINE = Fraction(18)
PARTY_LINE = Fraction(60)
VERSION = "2018"


def exact(x: Any) -> Fraction | None:
    """A reported figure as the decimal it was written as."""
    if x is None:
        return None
    if isinstance(x, bool | int):
        return Fraction(int(x))
    return Fraction(Decimal(repr(float(x))))


def publish(x: Fraction | None) -> Decimal | None:
    """Round half away from zero to 2 decimals, exactly: sign × floor(|x| × 100 + ½) / 100."""
    if x is None:
        return None
    sign = -1 if x < 0 else 1
    hundredths = math.floor(abs(x) * 100 + Fraction(1, 2))
    return Decimal(sign * hundredths) / Decimal(100)


def clamp(x: Fraction, lo: int = 0, hi: int = 1) -> Fraction:
    return max(Fraction(lo), min(Fraction(hi), x))


def weighted(values: dict[str, Fraction | None], weights: dict[str, int]) -> Fraction | None:
    present = {k: v for k, v in values.items() if v is not None}
    total = sum(weights[k] for k in present)
    if not present or total == 0:
        return None
    return 100 * sum((weights[k] * v for k, v in present.items()), Fraction(0)) / total


@dataclass
class Unit:
    code: str
    level: str
    kind: str
    parent: str | None
    sup: dict[str, Any] | None = None
    eco: dict[str, Any] | None = None
    projects: list[dict[str, Any]] = field(default_factory=list)
    p: Decimal | None = None
    d: Decimal | None = None
    k: Decimal | None = None
    c: Decimal | None = None
    f: Decimal | None = None
    quadrant: str | None = None
    rank_level: int | None = None
    rank_parent: int | None = None

    @property
    def complete(self) -> bool:
        return self.sup is not None and self.eco is not None

    @property
    def missing(self) -> list[str]:
        return [k for k, r in (("supervision", self.sup), ("economy", self.eco)) if r is None]


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def load_units(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, Unit]:
    """Units valid in the period with any current report, with their reports."""
    registry = {
        r["unit_code"]: r
        for r in _dicts(
            con,
            "SELECT * FROM core.units WHERE (valid_from IS NULL OR valid_from <= ?) "
            "AND (valid_to IS NULL OR valid_to >= ?)",
            [period, period],
        )
    }
    units: dict[str, Unit] = {}

    def get(code: str) -> Unit | None:
        if code not in registry:
            return None
        if code not in units:
            r = registry[code]
            units[code] = Unit(code, r["level"], r["kind"], r["parent_code"])
        return units[code]

    for table in ("supervision", "economy", "projects"):
        for row in _dicts(con, f"SELECT * FROM core.{table} WHERE period = ?", [period]):
            u = get(row["unit_code"])
            if u is None:
                continue
            if table == "supervision":
                u.sup = row
            elif table == "economy":
                u.eco = row
            else:
                u.projects.append(row)
    return units


def party_score(u: Unit) -> Fraction | None:
    s = u.sup
    if s is None:
        return None
    planned = sum(s[f"tasks_planned_{a}"] for a in AREAS)
    done = sum(s[f"tasks_done_{a}"] for a in AREAS)
    secretary = [exact(p["progress_pct"]) for p in u.projects if p["project_type"] == "secretary"]
    active = [p for p in u.projects if p["status"] in ("under_construction", "in_production")]
    values: dict[str, Fraction | None] = {
        "checklist": min(Fraction(1), Fraction(done, planned)) if planned > 0 else None,
        "supervision": min(Fraction(1), Fraction(s["supervisions_held"], 1)),
        "theme_days": (
            min(Fraction(1), Fraction(s["theme_days_held"], s["theme_days_planned"]))
            if s["theme_days_planned"] > 0
            else None
        ),
        "list_published": Fraction(1 if s["list_published"] else 0),
        "secretary_projects": (
            sum((x / 100 for x in secretary if x is not None), Fraction(0)) / len(secretary)
            if secretary
            else None
        ),
        "project_party_orgs": (
            Fraction(sum(1 for p in active if p["party_org_established"]), len(active))
            if active
            else None
        ),
    }
    return weighted(values, PARTY_WEIGHTS)


def development_score(u: Unit, q: int) -> Fraction | None:
    e = u.eco or {}
    target = exact(e.get("growth_target_pct"))
    gdp_growth, income_growth = exact(e.get("gdp_growth_pct")), exact(e.get("income_growth_pct"))
    ci, ci_target = exact(e.get("collective_income")), exact(e.get("collective_income_target"))
    completed, plan = Fraction(0), Fraction(0)
    for p in u.projects:
        annual = exact(p.get("annual_planned_investment"))
        if annual is None:
            annual = exact(p["planned_investment"])
        if annual is not None and annual > 0:
            plan += annual
            completed += exact(p["completed_investment"]) or Fraction(0)

    def against_target(x: Fraction | None) -> Fraction | None:
        if x is None or target is None or target <= 0:
            return None
        return clamp(x / target)

    values: dict[str, Fraction | None] = {
        "growth": against_target(gdp_growth),
        "income": against_target(income_growth),
        "collective": (
            min(Fraction(1), ci / (ci_target * q / 4))
            if ci is not None and ci_target is not None and ci_target > 0
            else None
        ),
        "investment": min(Fraction(1), completed / (plan * q / 4)) if plan > 0 else None,
    }
    return weighted(values, DEV_WEIGHTS)


def median(values: Sequence[Decimal]) -> Decimal | None:
    return Decimal(statistics.median(values)) if values else None


def rank(units: list[Unit]) -> dict[str, int]:
    """SQL RANK() by C descending."""
    out: dict[str, int] = {}
    ordered = sorted(units, key=lambda u: u.c or Decimal(0), reverse=True)
    for i, u in enumerate(ordered):
        prev = ordered[i - 1] if i else None
        out[u.code] = out[prev.code] if prev is not None and prev.c == u.c else i + 1
    return out


def pearson(xs: Sequence[Decimal], ys: Sequence[Decimal]) -> float | None:
    if len(xs) < 2:
        return None
    fx, fy = [Fraction(x) for x in xs], [Fraction(y) for y in ys]
    mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
    sxy = sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in fx), sum((b - my) ** 2 for b in fy)
    if sxx == 0 or syy == 0:
        return None
    return float(sxy) / math.sqrt(float(sxx) * float(syy))


def score_period(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, Unit]:
    q = int(period[-1])
    units = load_units(con, period)
    for u in units.values():
        u.p, u.d = publish(party_score(u)), publish(development_score(u, q))
        if u.p is not None:
            u.k = u.p / 100
        if u.complete and u.p is not None and u.d is not None and u.k is not None:
            u.c = publish(Fraction(u.d) * Fraction(u.k))
            u.f = 100 - abs(u.p - u.d)
    by_level: dict[str, list[Unit]] = defaultdict(list)
    for u in units.values():
        by_level[u.level].append(u)
    for members in by_level.values():
        complete = [u for u in members if u.complete]
        med_p = median([u.p for u in complete if u.p is not None])
        med_d = median([u.d for u in complete if u.d is not None])
        ranked = [u for u in complete if u.c is not None]
        for u in ranked:
            assert u.p is not None and u.d is not None and med_p is not None and med_d is not None
            u.quadrant = (
                ("both_strong" if u.d >= med_d else "party_leads")
                if u.p >= med_p
                else ("economy_leads" if u.d >= med_d else "both_weak")
            )
        for code, r in rank(ranked).items():
            units[code].rank_level = r
        siblings: dict[str | None, list[Unit]] = defaultdict(list)
        for u in ranked:
            siblings[u.parent].append(u)
        for group in siblings.values():
            for code, r in rank(group).items():
                units[code].rank_parent = r
    return units


@dataclass
class Report:
    compared: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    mismatches: list[str] = field(default_factory=list)

    def check(self, what: str, key: Any, got: Any, want: Any) -> None:
        self.compared[what] += 1
        if not _same(got, want):
            self.mismatches.append(f"{what} {key}: marts {got!r}, recomputed {want!r}")


def _same(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if isinstance(want, Decimal):
        return isinstance(got, float) and got == float(want)
    if isinstance(want, float):
        return isinstance(got, float) and abs(got - want) <= 1e-9
    return bool(got == want)


SCORE_FIELDS = (
    ("party_score", "p"),
    ("development_score", "d"),
    ("coefficient", "k"),
    ("composite_score", "c"),
    ("fusion", "f"),
    ("quadrant", "quadrant"),
    ("rank_in_level", "rank_level"),
    ("rank_in_parent", "rank_parent"),
)


def compare(con: duckdb.DuckDBPyConnection, periods: Iterable[str]) -> Report:
    report = Report()
    periods = sorted(periods)
    scored = {t: score_period(con, t) for t in periods}
    loaded = {r[0] for r in con.execute("SELECT DISTINCT period FROM core.supervision").fetchall()}
    for t in periods:
        units = scored[t]
        marts = {
            r["unit_code"]: r
            for r in _dicts(con, "SELECT * FROM marts.unit_scores WHERE period = ?", [t])
        }
        report.check("unit rows", t, sorted(marts), sorted(units))
        for code, u in units.items():
            m = marts.get(code, {})
            for column, attr in SCORE_FIELDS:
                report.check(column, (t, code), m.get(column), getattr(u, attr))
            report.check("complete", (t, code), m.get("complete"), u.complete)
            report.check("missing_kinds", (t, code), m.get("missing_kinds"), u.missing)
            report.check("rules_version", (t, code), m.get("rules_version"), VERSION)
        _linkage(con, report, t, units, scored, loaded)
        _weak(con, report, t, units)
    return report


def _linkage(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    t: str,
    units: dict[str, Unit],
    scored: dict[str, dict[str, Unit]],
    loaded: set[str],
) -> None:
    marts = {
        r["level"]: r for r in _dicts(con, "SELECT * FROM marts.linkage WHERE period = ?", [t])
    }
    levels = sorted({u.level for u in units.values()})
    report.check("linkage rows", t, sorted(marts), levels)
    y, q = int(t[:4]), int(t[-1])
    nxt_period = f"{y}Q{q + 1}" if q < 4 else f"{y + 1}Q1"
    nxt = scored.get(nxt_period)
    if nxt is None and nxt_period in loaded:
        nxt = score_period(con, nxt_period)
    for level in levels:
        m = marts.get(level, {})
        both = [
            u
            for u in units.values()
            if u.level == level and u.complete and u.p is not None and u.d is not None
        ]
        complete = [u for u in units.values() if u.level == level and u.complete]
        want: dict[str, Any] = {
            "units": len(both),
            "corr_party_development": pearson(
                [u.p for u in both if u.p is not None], [u.d for u in both if u.d is not None]
            ),
            "median_party_score": median([u.p for u in complete if u.p is not None]),
            "median_development_score": median([u.d for u in complete if u.d is not None]),
            "rules_version": VERSION,
        }
        for quadrant in ("both_strong", "party_leads", "economy_leads", "both_weak"):
            want[quadrant] = sum(1 for u in both if u.quadrant == quadrant)
        pairs = []
        if nxt is not None:
            for u in units.values():
                v = nxt.get(u.code)
                if (
                    v is not None
                    and u.level == level
                    and u.complete
                    and v.complete
                    and u.p is not None
                    and v.d is not None
                ):
                    pairs.append((u.p, v.d))
        want["corr_party_development_next"] = pearson([a for a, _ in pairs], [b for _, b in pairs])
        for column, value in want.items():
            if column.startswith("median") and value is not None:
                value = float(value)  # a mean of two 2-decimal values, compared to 1e-9
            report.check(f"linkage.{column}", (t, level), m.get(column), value)


def _weak(con: duckdb.DuckDBPyConnection, report: Report, t: str, units: dict[str, Unit]) -> None:
    q = int(t[-1])
    want: dict[str, tuple[bool, bool]] = {}
    for u in units.values():
        if u.kind != "village":
            continue
        ci = exact((u.eco or {}).get("collective_income"))
        low_income = ci is not None and ci * 4 / q < INCOME_LINE
        low_party = u.p is not None and u.p < PARTY_LINE
        if low_income or low_party:
            want[u.code] = (low_income, low_party)
    got = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "SELECT unit_code, low_income, low_party_score FROM marts.weak_villages "
            "WHERE period = ?",
            [t],
        ).fetchall()
    }
    report.check("weak_villages", t, got, want)
    if q != 4:
        return
    year = int(t[:4])
    previous = {
        r[0]: r[1]
        for r in con.execute(
            "SELECT unit_code, weak FROM marts.weak_village_years WHERE year = ?", [year - 1]
        ).fetchall()
    }
    determined: dict[str, tuple[Any, ...]] = {}
    for u in units.values():
        if u.kind != "village" or not u.complete:
            continue
        ci = exact((u.eco or {}).get("collective_income"))
        weak = (ci is not None and ci < INCOME_LINE) or (u.p is not None and u.p < PARTY_LINE)
        before = previous.get(u.code)
        status = ("continuing" if before else "new") if weak else ("rectified" if before else None)
        income = None if ci is None else float(ci)
        party = None if u.p is None else float(u.p)
        determined[u.code] = (income, party, weak, status, VERSION)
    got_years = {
        r[0]: tuple(r[1:])
        for r in con.execute(
            "SELECT unit_code, collective_income, party_score, weak, status, rules_version "
            "FROM marts.weak_village_years WHERE year = ?",
            [year],
        ).fetchall()
    }
    report.check("weak_village_years", year, got_years, determined)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("warehouse")
    parser.add_argument("periods", nargs="*")
    args = parser.parse_args(argv)
    con = duckdb.connect(args.warehouse, read_only=True)
    periods = args.periods or [
        r[0] for r in con.execute("SELECT DISTINCT period FROM marts.unit_scores").fetchall()
    ]
    report = compare(con, periods)
    for what, n in sorted(report.compared.items()):
        print(f"{what:40} {n:8} compared")
    print(f"mismatches: {len(report.mismatches)}")
    for line in report.mismatches[:50]:
        print("  " + line)
    return 1 if report.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
