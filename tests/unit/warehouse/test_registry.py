"""The unit registry: counts of the 2016 statistical codes, codes, validity, province scale."""

from __future__ import annotations

import time
from collections import Counter

import polars as pl
import pytest

from synthetic import registry_build
from warehouse.registry import COLUMNS, load_registry, valid_units

COUNTIES_2016 = {
    # code: (name, streets, towns, others)
    "320602000000": ("崇川区", 10, 0, 1),
    "320611000000": ("港闸区", 6, 0, 1),
    "320612000000": ("通州区", 4, 12, 1),
    "320621000000": ("海安县", 0, 10, 1),
    "320623000000": ("如东县", 0, 14, 6),
    "320681000000": ("启东市", 0, 8, 8),
    "320682000000": ("如皋市", 1, 11, 10),
    "320684000000": ("海门市", 0, 6, 17),
}
ZONE = "320671000000"


@pytest.fixture(scope="module")
def reg() -> pl.DataFrame:
    return load_registry()


def test_schema(reg: pl.DataFrame) -> None:
    assert tuple(reg.columns) == COLUMNS
    assert reg.schema["synthetic"] == pl.Boolean
    assert all(reg.schema[c] == pl.String for c in COLUMNS if c != "synthetic")
    assert reg["unit_code"].is_unique().all()
    assert set(reg["level"].unique()) == {"county", "township", "village"}


def test_counties_are_real(reg: pl.DataFrame) -> None:
    counties = valid_units(reg, "2016Q4").filter(pl.col("level") == "county")
    assert dict(zip(counties["unit_code"], counties["name"], strict=True)) == {
        c: v[0] for c, v in COUNTIES_2016.items()
    }
    assert not counties["synthetic"].any()
    assert counties["parent_code"].is_null().all()


def test_townships_2016(reg: pl.DataFrame) -> None:
    t = valid_units(reg, "2016Q4").filter(pl.col("level") == "township")
    assert t.height == 127
    split = Counter(
        (p, {"street": 0, "town": 1}.get(k, 2))
        for p, k in zip(t["parent_code"], t["kind"], strict=True)
    )
    for code, (_name, *counts) in COUNTIES_2016.items():
        assert [split[(code, i)] for i in range(3)] == counts, code
    names = dict(zip(t["name"], t["kind"], strict=True))
    assert names["和平桥街道"] == "street" and names["曲塘镇"] == "town"


def test_villages_2016(reg: pl.DataFrame) -> None:
    v16 = valid_units(reg, "2016Q4")
    kinds = dict(zip(v16["unit_code"], v16["kind"], strict=True))
    v = v16.filter(pl.col("level") == "village")
    assert 1700 <= v.height <= 1900
    comm = v.filter(pl.col("kind") == "community")
    assert comm.height == 229
    assert {kinds[p] for p in comm["parent_code"]} == {"street"}
    streets_with_comm = comm["parent_code"].n_unique()
    assert streets_with_comm == 21
    assert v["synthetic"].all()


def test_codes_nest(reg: pl.DataFrame) -> None:
    assert reg["unit_code"].str.contains(r"^3206\d{8}$").all()
    by_code = {r["unit_code"]: r for r in reg.iter_rows(named=True)}
    for r in by_code.values():
        code, parent = r["unit_code"], r["parent_code"]
        if r["level"] == "county":
            assert code.endswith("000000") and parent is None
        elif r["level"] == "township":
            assert code.endswith("000") and parent == code[:6] + "000000"
        else:
            assert parent == code[:9] + "000"
            assert by_code[parent]["level"] == "township"
            ok = 1 <= int(code[9:]) <= 99 if r["kind"] == "community" else int(code[9:]) >= 200
            assert ok, code


def test_validity(reg: pl.DataFrame) -> None:
    for p in ("2016Q1", "2016Q2", "2016Q3", "2016Q4"):
        codes = set(valid_units(reg, p)["unit_code"])
        assert set(COUNTIES_2016) <= codes and ZONE not in codes
    zone = reg.filter(pl.col("unit_code") == ZONE).row(0, named=True)
    assert zone["valid_from"] == "2017Q1" and zone["kind"] == "zone"
    v17 = valid_units(reg, "2017年第一季度")
    assert ZONE in set(v17["unit_code"])
    assert set(COUNTIES_2016) <= set(valid_units(reg, "2017Q4")["unit_code"])
    # 海安县 ends with 2017Q4 and its children with it; 海安市 takes over
    v18 = set(valid_units(reg, "2018Q1")["unit_code"])
    assert "320621000000" not in v18 and "320685000000" in v18
    assert not any(c.startswith("320621") for c in v18)
    # every unit valid in 2016Q4 has a valid parent then
    v16 = valid_units(reg, "2016Q4")
    codes = set(v16["unit_code"])
    assert set(v16["parent_code"].drop_nulls()) <= codes


def test_csv_is_reproducible(reg: pl.DataFrame) -> None:
    from importlib import resources

    shipped = resources.files("warehouse").joinpath("data", "units.csv").read_text("utf-8")
    assert registry_build.render(registry_build.build_rows()) == shipped


def test_province() -> None:
    t = time.perf_counter()
    prov = load_registry("province")
    assert time.perf_counter() - t < 2
    v = valid_units(prov, "2016Q4")
    assert set(v["unit_code"].str.slice(0, 4)) == {f"32{i:02d}" for i in range(1, 14)}
    villages = v.filter(pl.col("level") == "village").height
    assert 19_000 <= villages <= 21_000
    assert prov["unit_code"].is_unique().all()
    assert prov["unit_code"].str.contains(r"^32\d{10}$").all()
    city = load_registry()
    nantong = prov.filter(pl.col("unit_code").str.starts_with("3206"))
    assert nantong.equals(city)
    assert prov.filter(~pl.col("unit_code").str.starts_with("3206"))["synthetic"].all()
    assert load_registry("province").equals(prov)  # deterministic


def test_bad_scale() -> None:
    with pytest.raises(ValueError):
        load_registry("country")  # type: ignore[arg-type]


def test_aliases_are_other_names_of_a_few_units(reg: pl.DataFrame) -> None:
    named = dict(reg.filter(pl.col("aliases").is_not_null()).select("unit_code", "aliases").rows())
    assert named["320685000000"] == "海安县"  # 海安市's former name
    assert named["320623100000"] == "如东县掘港镇"
    assert "南通开发区" in named[ZONE].split("|")
    assert len(named) < 10  # most units have none


def test_village_names_are_unique_within_a_township_and_repeat_across_some(
    reg: pl.DataFrame,
) -> None:
    v = valid_units(reg, "2016Q4").filter(pl.col("level") == "village")
    assert v.select("parent_code", "name").is_unique().all()
    per_county = v.group_by(pl.col("unit_code").str.slice(0, 6), "name").len()
    shared = per_county.filter(pl.col("len") > 1)["len"].sum()
    assert 0 < shared < 0.25 * v.height  # now and then, as real ones do


def test_kinds_match_names(reg: pl.DataFrame) -> None:
    t = reg.filter(pl.col("level") == "township")
    kinds = dict(zip(t["name"], t["kind"], strict=True))
    parks = [n for n in kinds if any(w in n for w in ("开发区", "园", "新区", "港区", "保税区"))]
    assert parks and {kinds[n] for n in parks} == {"zone"}
    assert {k for n, k in kinds.items() if n.endswith("农场")} == {"farm"}
    assert {k for n, k in kinds.items() if n.endswith("街道")} == {"street"}
    assert {k for n, k in kinds.items() if n.endswith("镇")} == {"town"}
