"""Build ``warehouse/data/units.csv``, the Nantong unit registry (CONTRACT §1).

Deterministic and not needed at run time: ``python -m synthetic.registry_build``
rewrites the committed CSV byte for byte.

What is real and what is made up (column ``synthetic``):

* County-level rows carry the real statistical codes and names, with the real later
  changes: 海安县 became 海安市 (320685) from 2018Q1, 港闸区 merged into 崇川区 after
  2020Q2, 海门市 became 海门区 (320614) from 2020Q3. 南通经济技术开发区 (320671) is valid
  from 2017Q1. These rows are ``synthetic=false``.
* Township rows: the per-county counts of streets / towns / other bodies follow the 2016
  statistical codes (127 in all). Names are real where known, but the 3-digit township
  codes are assigned in order (streets 001…, towns 100…, others 400…), not copied from
  the official list, so every township row is marked ``synthetic=true``.
* Township-level bodies other than streets and towns are typed by their names
  (:func:`synthetic.registry_names.township_kind`): parks and zones ``zone``, farms ``farm``.
* Village rows (村 and 社区) are generated: 229 communities under the 21 streets, the
  rest villages, 1,836 in 2016; all ``synthetic=true``. Names are unique within a
  township and repeat across townships now and then, as real ones do; the few that tests
  and docs name are fixed (:data:`synthetic.registry_names.FIXED_NAMES`).
* When a county-level unit ends, its children end with it; the successor gets copies
  of them under its own code (valid from the next quarter).
* ``aliases``: the other names a few units go by in filers' files (a short name, the
  name with its county's, the name before a change of status), ``|``-separated, from
  :data:`synthetic.registry_names.ALIASES`; empty for the others.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

from synthetic.registry_names import (
    ALIASES,
    COMMUNITIES_PER_COUNTY,
    COMMUNITY_WORDS,
    COMMUNITY_WORDS_MORE,
    COUNTIES,
    FIXED_NAMES,
    NAME_HEADS,
    NAME_TAILS,
    OTHER_SUFFIXES,
    SUCCESSORS,
    TOTAL_VILLAGES_2016,
    TOWNSHIPS,
    VILLAGE_WORDS,
    ZONE,
    township_kind,
)
from warehouse.registry import COLUMNS


@dataclass
class Row:
    unit_code: str
    name: str
    level: str
    kind: str
    parent_code: str
    valid_from: str
    valid_to: str
    synthetic: bool
    aliases: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.unit_code,
            self.name,
            self.level,
            self.kind,
            self.parent_code,
            self.valid_from,
            self.valid_to,
            "true" if self.synthetic else "false",
            self.aliases,
        )


def build_rows(seed: int = 2016) -> list[Row]:
    """Every unit, sorted by code. One generator, drawn from in this order throughout."""
    rng = random.Random(seed)
    counties = {code6: _county_row(code6, *rest) for code6, *rest in COUNTIES}
    townships = {c: _township_rows(counties[c], *spec) for c, spec in TOWNSHIPS.items()}
    rows = [*counties.values(), *(t for ts in townships.values() for t in ts)]
    rows += _village_rows(rng, townships)
    rows += _successor_rows(rows)
    codes = [r.unit_code for r in rows]
    assert len(codes) == len(set(codes)), "duplicate unit codes"
    assert set(ALIASES) <= set(codes), "an alias of no unit"
    for r in rows:
        r.aliases = ALIASES.get(r.unit_code, "")
    rows.sort(key=lambda r: r.unit_code)
    return rows


def _county_row(code6: str, name: str, kind: str, valid_from: str, valid_to: str) -> Row:
    return Row(code6 + "000000", name, "county", kind, "", valid_from, valid_to, False)


def _township_rows(
    county: Row,
    street_names: tuple[str, ...],
    town_names: tuple[str, ...],
    other_names: tuple[str, ...],
    counts: tuple[int, int, int],
) -> list[Row]:
    """Streets numbered from 001, towns from 100, other bodies from 400; valid as the county."""
    code6 = county.unit_code[:6]
    short = county.name[:-1] if len(county.name) <= 3 else county.name[:2]
    groups = (
        ("street", street_names, 1, "街道"),
        ("town", town_names, 100, "镇"),
        ("farm", other_names, 400, ""),
    )
    rows = []
    for (kind, names, start, suffix), n in zip(groups, counts, strict=True):
        for i in range(n):
            if i < len(names):
                name = names[i]
            elif kind == "farm":
                name = short + OTHER_SUFFIXES[i % len(OTHER_SUFFIXES)]
            else:
                name = f"{short}第{i + 1}{suffix}"
            code = f"{code6}{start + i:03d}000"
            rows.append(
                Row(
                    code,
                    name,
                    "township",
                    township_kind(name) if kind == "farm" else kind,
                    county.unit_code,
                    county.valid_from,
                    county.valid_to,
                    True,
                )
            )
    return rows


def _village_rows(rng: random.Random, townships: dict[str, list[Row]]) -> list[Row]:
    """The villages and communities of 2016, then those of the 开发区 (from 2017Q1)."""
    base_counties = [c for c in TOWNSHIPS if c != ZONE]
    communities = _communities_per_street(rng, townships, base_counties)
    villages = _villages_per_township(rng, townships, base_counties)
    rows = []
    for c in base_counties:
        for t in townships[c]:
            rows += _children(rng, t, communities.get(t.unit_code, 0), villages[t.unit_code])
    # 开发区 streets from 2017Q1: a few villages each (kind village, so the 229 stay 229).
    for t in townships[ZONE]:
        rows += _children(rng, t, 0, rng.randint(3, 6))
    return rows


def _communities_per_street(
    rng: random.Random, townships: dict[str, list[Row]], base_counties: list[str]
) -> dict[str, int]:
    """Each county's communities (COMMUNITIES_PER_COUNTY) shared among its streets."""
    assert sum(COMMUNITIES_PER_COUNTY.get(c, 0) for c in base_counties) == 229
    per_street: dict[str, int] = {}
    for c in base_counties:
        streets = [t for t in townships[c] if t.kind == "street"]
        if streets:
            shares = _distribute(rng, COMMUNITIES_PER_COUNTY.get(c, 0), len(streets), 5, 20)
            for t, k in zip(streets, shares, strict=True):
                per_street[t.unit_code] = k
    return per_street


def _villages_per_township(
    rng: random.Random, townships: dict[str, list[Row]], base_counties: list[str]
) -> dict[str, int]:
    """Streets outside 崇川 have a few villages, parks and farms a few, towns the rest."""
    per_township: dict[str, int] = {}
    for c in base_counties:
        for t in townships[c]:
            if t.kind == "street":
                per_township[t.unit_code] = 0 if c == "320602" else rng.randint(2, 8)
            elif t.kind in ("zone", "farm"):
                per_township[t.unit_code] = rng.choice((0, 0, 1, 2, 3, 4, 5))
    towns = [t for c in base_counties for t in townships[c] if t.kind == "town"]
    rest = TOTAL_VILLAGES_2016 - 229 - sum(per_township.values())
    for t, k in zip(towns, _distribute(rng, rest, len(towns), 15, 32), strict=True):
        per_township[t.unit_code] = k
    return per_township


def _children(rng: random.Random, t: Row, n_communities: int, n_villages: int) -> list[Row]:
    """Township ``t``'s communities (codes 001…) and villages (codes 200…), valid as it is."""
    rows = []
    ccodes = [t.unit_code[:9] + f"{i + 1:03d}" for i in range(n_communities)]
    cwords = COMMUNITY_WORDS + COMMUNITY_WORDS_MORE
    for code, name in zip(ccodes, _names(rng, t.name, ccodes, cwords, "社区"), strict=True):
        rows.append(
            Row(code, name, "village", "community", t.unit_code, t.valid_from, t.valid_to, True)
        )
    vcodes = [t.unit_code[:9] + f"{200 + i:03d}" for i in range(n_villages)]
    for code, name in zip(vcodes, _names(rng, t.name, vcodes, VILLAGE_WORDS, "村"), strict=True):
        rows.append(
            Row(code, name, "village", "village", t.unit_code, t.valid_from, t.valid_to, True)
        )
    return rows


def _successor_rows(rows: list[Row]) -> list[Row]:
    """Copies of each ended county's townships and villages under its successor's code."""
    township_kind = {r.unit_code: r.kind for r in rows if r.level == "township"}
    return [
        _successor(r, new6, offsets, valid_from, township_kind)
        for old6, new6, offsets, valid_from in SUCCESSORS
        for r in rows
        if r.unit_code.startswith(old6) and r.level != "county"
    ]


def _successor(
    r: Row, new6: str, offsets: dict[str, int], valid_from: str, township_kind: dict[str, str]
) -> Row:
    """``r`` under county ``new6``, its township code shifted by ``offsets`` of the kind."""
    kind = r.kind if r.level == "township" else township_kind[r.parent_code]
    t3 = int(r.unit_code[6:9]) + offsets.get(kind, 0)
    code = f"{new6}{t3:03d}{r.unit_code[9:]}"
    parent = new6 + "000000" if r.level == "township" else f"{new6}{t3:03d}000"
    return Row(code, r.name, r.level, r.kind, parent, valid_from, "", True)


def _names(
    rng: random.Random, township: str, codes: list[str], words: tuple[str, ...], suffix: str
) -> list[str]:
    """A name for each of ``codes``, distinct within the township: the fixed ones where
    given, the others drawn from the words, the words with the township's short name in
    front, and (villages) the head–tail compounds."""
    short = township.removesuffix("街道").removesuffix("镇")
    fixed = {c: FIXED_NAMES[c] for c in codes if c in FIXED_NAMES}
    pool = [w + suffix for w in words] + [f"{short}{w}{suffix}" for w in words]
    if suffix == "村":
        pool += [h + t + suffix for h in NAME_HEADS for t in NAME_TAILS if h != t]
    pool = sorted(set(pool) - set(fixed.values()))
    rng.shuffle(pool)
    drawn = iter(pool)
    names = [fixed.get(c) or next(drawn) for c in codes]
    assert len(set(names)) == len(names), f"a name twice in {township}"
    return names


def _distribute(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """``n`` integers in [low, high] (roughly) summing to ``total``."""
    xs = [rng.randint(low, high) for _ in range(n)]
    i = 0
    while sum(xs) != total:
        j = i % n
        if sum(xs) < total:
            xs[j] += 1
        elif xs[j] > 1:
            xs[j] -= 1
        i += 7 if n % 7 else 1
    return xs


def render(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(r.cells())
    return buf.getvalue()


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "warehouse" / "data" / "units.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(build_rows())
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({text.count(chr(10)) - 1} units)")


if __name__ == "__main__":
    main()
