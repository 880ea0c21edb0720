"""The unit registry (CONTRACT §1).

``warehouse/data/units.csv`` holds Nantong's county-, township- and village-level
units (built by :mod:`synthetic.registry_build`). ``load_registry("province")``
extends it in memory, deterministically and synthetically, to the 13 cities of
Jiangsu (codes 3201 南京 … 3213 宿迁; only Nantong 3206 comes from the file), about
20,000 villages and communities in all.
"""

from __future__ import annotations

import io
import random
from importlib import resources
from typing import Literal

import polars as pl

from transforms import periods

COLUMNS = (
    "unit_code",
    "name",
    "level",
    "kind",
    "parent_code",
    "valid_from",
    "valid_to",
    "synthetic",
    "aliases",  # other names (former, short), |-separated: the unit-name check takes them
)
SCHEMA: dict[str, pl.DataType] = {c: pl.String() for c in COLUMNS} | {"synthetic": pl.Boolean()}

NANTONG = "3206"
JIANGSU_CITIES: tuple[tuple[str, str], ...] = (
    ("3201", "南京"),
    ("3202", "无锡"),
    ("3203", "徐州"),
    ("3204", "常州"),
    ("3205", "苏州"),
    ("3206", "南通"),
    ("3207", "连云港"),
    ("3208", "淮安"),
    ("3209", "盐城"),
    ("3210", "扬州"),
    ("3211", "镇江"),
    ("3212", "泰州"),
    ("3213", "宿迁"),
)
PROVINCE_VILLAGES = 20_000  # villages + communities valid in 2016, all cities

_cache: dict[str, pl.DataFrame] = {}


def _read_city() -> pl.DataFrame:
    data = resources.files("warehouse").joinpath("data", "units.csv").read_bytes()
    df = pl.read_csv(io.BytesIO(data), schema={c: pl.String() for c in COLUMNS})
    return df.with_columns(pl.col("synthetic").str.to_lowercase().eq("true").fill_null(False))


def _synthetic_city(prefix: str, city: str, n_villages: int) -> list[tuple[str, ...]]:
    """One made-up city: a handful of counties, townships and ``n_villages`` villages."""
    rng = random.Random(f"province:{prefix}")
    rows: list[tuple[str, ...]] = []
    n_counties = rng.randint(6, 10)
    per_county = [
        n_villages // n_counties + (1 if i < n_villages % n_counties else 0)
        for i in range(n_counties)
    ]
    for ci in range(n_counties):
        c6 = f"{prefix}{ci * 2 + 2:02d}"
        ccode = c6 + "000000"
        kind = "district" if ci < n_counties // 2 else rng.choice(("city", "county"))
        suffix = {"district": "区", "city": "市", "county": "县"}[kind]
        rows.append((ccode, f"{city}第{ci + 1}{suffix}", "county", kind, "", "", "", "true"))
        left = per_county[ci]
        n_streets = rng.randint(2, 6) if kind == "district" else rng.randint(0, 2)
        n_towns = rng.randint(8, 14)
        n_parks = rng.randint(0, 3)
        tkinds = ["street"] * n_streets + ["zone"] * n_parks + ["town"] * n_towns
        counters = {"street": 1, "town": 100, "zone": 400}
        for ti, tkind in enumerate(tkinds):
            t3 = counters[tkind]
            counters[tkind] += 1
            tcode = f"{c6}{t3:03d}000"
            tname = (
                f"{city}第{ci + 1}{suffix}"
                + {"street": f"第{t3}街道", "town": f"第{t3 - 99}镇", "zone": f"第{t3 - 399}园区"}[
                    tkind
                ]
            )
            rows.append((tcode, tname, "township", tkind, ccode, "", "", "true"))
            remaining_townships = len(tkinds) - ti
            if tkind == "zone":
                n = min(left, rng.randint(0, 3))
            elif remaining_townships == 1:
                n = left
            else:
                n = min(left, max(0, round(left / remaining_townships * rng.uniform(0.7, 1.3))))
            left -= n
            n_comm = min(n, rng.randint(5, 15)) if tkind == "street" else 0
            for vi in range(n):
                if vi < n_comm:
                    rows.append(
                        (
                            f"{tcode[:9]}{vi + 1:03d}",
                            f"{tname}第{vi + 1}社区",
                            "village",
                            "community",
                            tcode,
                            "",
                            "",
                            "true",
                        )
                    )
                else:
                    v3 = 200 + vi - n_comm
                    rows.append(
                        (
                            f"{tcode[:9]}{v3:03d}",
                            f"{tname}第{v3 - 199}村",
                            "village",
                            "village",
                            tcode,
                            "",
                            "",
                            "true",
                        )
                    )
    return rows


def load_registry(scale: Literal["city", "province"] = "city") -> pl.DataFrame:
    """The registry as a frame: ``synthetic`` Boolean, other columns String.

    ``city``: the shipped Nantong registry. ``province``: Nantong plus 12 synthetic
    cities of Jiangsu, about 20,000 villages and communities in all.
    """
    if scale not in ("city", "province"):
        raise ValueError(f"unknown scale {scale!r} (city or province)")
    if scale not in _cache:
        city = _read_city()
        if scale == "city":
            _cache[scale] = city
        else:
            nantong_villages = (
                valid_units(city, "2016Q4").filter(pl.col("level") == "village").height
            )
            others = [c for c in JIANGSU_CITIES if c[0] != NANTONG]
            total = PROVINCE_VILLAGES - nantong_villages
            rows: list[tuple[str, ...]] = []
            for i, (prefix, name) in enumerate(others):
                n = total // len(others) + (1 if i < total % len(others) else 0)
                rows.extend(_synthetic_city(prefix, name, n))
            made_up = [c for c in COLUMNS if c != "aliases"]  # a made-up unit has no other name
            extra = pl.DataFrame(rows, schema=made_up, orient="row").with_columns(
                pl.col("synthetic").eq("true"),
                pl.lit(None, pl.String).alias("aliases"),
                *(pl.col(c).replace("", None) for c in ("parent_code", "valid_from", "valid_to")),
            )
            _cache[scale] = pl.concat([city, extra]).sort("unit_code")
    return _cache[scale].clone()


def valid_units(registry: pl.DataFrame, period: str) -> pl.DataFrame:
    """Units valid in ``period`` (any accepted spelling): valid_from ≤ period ≤ valid_to."""
    i = periods.index(periods.parse_period(period))
    vf = pl.col("valid_from")
    vt = pl.col("valid_to")

    def idx(col: pl.Expr) -> pl.Expr:
        return col.str.slice(0, 4).cast(pl.Int64) * 4 + col.str.slice(5, 1).cast(pl.Int64) - 1

    return registry.filter(
        (vf.is_null() | (idx(vf) <= i)) & (vt.is_null() | (idx(vt) >= i)),
    )
