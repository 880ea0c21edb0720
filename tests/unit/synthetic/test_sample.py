"""The sample generator: determinism, published 2016Q4 totals, injected problems, layout."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from synthetic.sample import SampleStats, write_sample
from transforms.columns import REPORT_KINDS, kind_of
from transforms.parse import parse, stack
from transforms.read import read_files
from warehouse.registry import load_registry, valid_units

NOW = datetime(2026, 1, 1)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleStats]:
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out, ["2016Q4"], now=NOW)


@pytest.fixture(scope="module")
def current(base: tuple[Path, SampleStats]) -> dict[str, pl.DataFrame]:
    """2016Q4 rows read back through transforms.read/parse, latest submission per report."""
    out, _ = base
    files = read_files(sorted(p for p in out.rglob("*") if p.is_file()))
    assert not [f.path for f in files if f.reasons]
    result = {}
    for name, kind in REPORT_KINDS.items():
        batch = parse(kind, stack(kind, files))
        bad = [c for c in batch.columns if c.startswith("_bad__") and batch[c].any()]
        assert bad == [], f"{name}: unparseable cells in {bad}"
        latest = batch.group_by("unit_code", "period").agg(pl.col("submitted_at").max())
        result[name] = batch.join(latest, on=["unit_code", "period", "submitted_at"])
    return result


def test_deterministic(base: tuple[Path, SampleStats], tmp_path: Path) -> None:
    out, stats = base
    again = write_sample(tmp_path, ["2016Q4"], now=NOW)
    assert again.files == stats.files == len(_hashes(out))
    assert _hashes(tmp_path) == _hashes(out)
    other = write_sample(tmp_path / "seed", ["2016Q4"], seed=7, now=NOW)
    assert _hashes(tmp_path / "seed") != _hashes(out)
    assert other.files > 0


def test_published_totals_2016q4(current: dict[str, pl.DataFrame]) -> None:
    sup = current["supervision"]
    assert sup.height == valid_units(load_registry(), "2016Q4").height
    assert sup["period"].unique().to_list() == ["2016Q4"]
    sums = {c: sup[c].sum() for c in sup.columns if c in PUBLISHED}
    assert sums == PUBLISHED | {
        "central_households": sums["central_households"],
        "prosperity_communities": sums["prosperity_communities"],
    }
    assert sums["central_households"] >= 5000 and sums["prosperity_communities"] >= 2800
    reg = load_registry()
    kinds = dict(zip(reg["unit_code"], reg["kind"], strict=True))
    with_grid = {u for u, g in zip(sup["unit_code"], sup["grid_branches"], strict=True) if g}
    assert {kinds[u] for u in with_grid} == {"community"} and len(with_grid) <= 229

    prj = current["projects"].filter(pl.col("project_type") == "secretary")
    assert prj.select("unit_code", "project_id").unique().height == 202

    eco = current["economy"].filter(pl.col("unit_code").str.ends_with("000000"))
    assert eco.height == 8
    gdp = eco["gdp"].sum()
    assert gdp == 6768
    assert abs((eco["gdp"] * eco["gdp_growth_pct"]).sum() / gdp - 9.3) < 1e-9
    assert eco["savings_balance"].sum() > 10_000


PUBLISHED = {
    "party_orgs": 25_199,
    "party_members": 465_134,
    "grid_branches": 1_633,
    "building_groups": 2_855,
    "contact_points": 318,
    "central_households": 0,
    "prosperity_communities": 0,
}


def test_villages_and_variety(current: dict[str, pl.DataFrame]) -> None:
    eco = current["economy"].filter(pl.col("collective_income").is_not_null())
    assert 1700 <= eco.height <= 1900
    weak = (eco["collective_income"] < 18).mean()
    assert weak is not None and 0.01 <= float(weak) <= 0.08  # type: ignore[arg-type]
    sup = current["supervision"]
    villages = pl.col("unit_code").str.slice(9) != "000"
    # 2016Q4: more than 1,800 villages and communities had published their lists (the
    # seed), out of how they published over the year: a few had not
    published = sup.filter(villages)["list_published"]
    assert published.sum() >= 1800 and not published.all()
    assert sup.filter(~villages)["list_published"].mean() > 0.9  # type: ignore[operator]
    done = sum(sup[f"tasks_done_{a}"].sum() for a in ("coverage", "care"))
    planned = sum(sup[f"tasks_planned_{a}"].sum() for a in ("coverage", "care"))
    assert 0.6 < done / planned < 0.97


def test_mixed_forms(base: tuple[Path, SampleStats]) -> None:
    out, stats = base
    paths = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in paths} == {".xlsx", ".csv", ".json"}
    assert set(stats.formats) == {
        "xlsx",
        "csv-utf8",
        "csv-bom",
        "csv-gb18030",
        "json-array",
        "json-rows",
    }
    assert all(kind_of(p.name) is not None for p in paths)
    assert any(p.name.startswith("党建督导") for p in paths)
    assert any(p.name.startswith("supervision") for p in paths)
    csvs = [p.read_bytes() for p in paths if p.suffix == ".csv"]
    assert any(b.startswith(b"\xef\xbb\xbf") for b in csvs)
    texts = []
    for b in csvs:
        try:
            texts.append(b.decode("utf-8-sig"))
        except UnicodeDecodeError:
            texts.append(b.decode("gb18030"))  # as Excel on Chinese Windows saves it
    assert len(texts) == len(csvs) > sum(t.startswith("\ufeff") for t in texts)
    assert any(not _is_utf8(b) for b in csvs)
    joined = "\n".join(texts)
    for form in ("2016年第四季度", "是", "（万元）", "竣工", "submitted_at", "单位代码"):
        assert form in joined, form
    # every file sits in <period>/<county>/<township or county>/
    for p in paths:
        period, county, folder, _ = p.relative_to(out).parts
        assert period == "2016Q4" and county.endswith("000000")
        assert folder == "county" or folder[:6] == county[:6]
    # some files hold a whole township's villages
    assert any("_村社区_" in p.name for p in paths)
    assert stats.files == len(paths) > 3000


def test_injected_2016q4_are_corrected(base: tuple[Path, SampleStats]) -> None:
    _, stats = base
    assert len(stats.injected) >= 2
    assert all(i.corrected_by for i in stats.injected)
    assert {i.problem for i in stats.injected} >= {"superseded", "inconsistent", "pii"}


def test_injected_elsewhere_are_caught(tmp_path: Path) -> None:
    from expectations.validate import validate

    stats = write_sample(tmp_path, ["2017Q2"], now=NOW)
    reports = sum(stats.rows.values())
    assert 3 <= len(stats.injected) <= 0.01 * reports
    assert all(i.corrected_by is None for i in stats.injected)
    files = read_files(sorted({tmp_path / i.file for i in stats.injected}))
    reg = load_registry()
    found: set[tuple[str, str]] = set()
    for kind in REPORT_KINDS.values():
        v = validate(kind, parse(kind, stack(kind, files)), reg, NOW)
        for u, reasons in zip(v.quarantined["unit_code"], v.quarantined["reasons"], strict=True):
            found.update((u, r) for r in reasons)
    assert {(i.unit_code, i.problem) for i in stats.injected} <= found


def test_skips_unfinished_quarters(tmp_path: Path) -> None:
    reg = load_registry().filter(pl.col("unit_code").str.starts_with("320602001"))
    stats = write_sample(tmp_path, ["2017Q4", "2018Q1"], now=datetime(2018, 2, 1), registry=reg)
    assert stats.periods == ["2017Q4"] and stats.skipped_periods == ["2018Q1"]
    assert not (tmp_path / "2018Q1").exists()


def test_province_groups_villages(tmp_path: Path) -> None:
    reg = load_registry("province").filter(
        pl.col("unit_code").str.slice(0, 6).is_in(["320102", "320612"])
    )
    stats = write_sample(tmp_path, ["2016Q3"], scale="province", registry=reg, now=NOW)
    townships = reg.filter(pl.col("level") == "township").height
    sup = [p for p in tmp_path.rglob("*") if kind_of(p.name) is REPORT_KINDS["supervision"]]
    # one file per township (own) + one per township (villages) + county files
    assert len(sup) <= 2 * townships + 2 + 3
    assert stats.rows["supervision"] >= valid_units(reg, "2016Q3").height


def _level(code: str) -> str:
    return "village" if code[9:] != "000" else "township" if code[6:9] != "000" else "county"


def test_economy_files_are_level_templates(base: tuple[Path, SampleStats]) -> None:
    """As real units send them: a village's economy file has no GDP or savings column, a
    township's no collective income, a county's its own figures; townships also send
    consolidated files for their villages."""
    out, _ = base
    files = read_files(
        sorted(p for p in out.rglob("*") if kind_of(p.name) is REPORT_KINDS["economy"])
    )
    headers: dict[str, set[frozenset[str]]] = {"county": set(), "township": set(), "village": set()}
    consolidated = 0
    for f in files:
        assert f.frame is not None
        levels = {_level(c) for c in f.frame["unit_code"].drop_nulls() if len(c) == 12}
        if len(levels) != 1:
            continue  # an injected fault's file
        (level,) = levels
        headers[level].add(frozenset(f.frame.columns))
        consolidated += level == "village" and f.frame.height > 1
    village = set().union(*headers["village"])
    township = set().union(*headers["township"])
    county = set().union(*headers["county"])
    assert not village & {"gdp", "gdp_growth_pct", "savings_balance"}
    assert "collective_income" in village
    assert not township & {"gdp", "savings_balance", "collective_income"}
    assert "gdp_growth_pct" in township
    assert {"gdp", "gdp_growth_pct", "savings_balance"} <= county
    assert "collective_income" not in county
    assert consolidated > 0, "no township sent a consolidated file for its villages"


def test_gdp_levels_grow_at_the_rates_the_sample_reports(tmp_path: Path) -> None:
    """2017's city GDP against 2016's (and 2016's against 2015's, the sample's first quarter),
    from the levels, within 0.5 points of the reported rate; the 开发区 is new in 2017."""
    periods = ["2015Q4", "2016Q1", "2016Q4", "2017Q1", "2017Q4"]
    stats = write_sample(tmp_path, periods, now=datetime(2018, 3, 1), kinds={"economy"})
    assert stats.rows["economy"] and not stats.rows["supervision"] and not stats.rows["projects"]
    # the county-level units' own reports (out/<period>/<county>/county/…)
    files = read_files(sorted(p for p in tmp_path.glob("*/*/county/*") if p.is_file()))
    eco = parse(REPORT_KINDS["economy"], stack(REPORT_KINDS["economy"], files))
    eco = (
        eco.filter(pl.col("unit_code").str.ends_with("000000"))
        .sort("submitted_at")
        .group_by("unit_code", "period")
        .last()
    )

    def city(period: str) -> tuple[float, float]:
        e = eco.filter(pl.col("period") == period)
        gdp = float(e["gdp"].sum())
        return gdp, float((e["gdp"] * e["gdp_growth_pct"]).sum()) / gdp

    for before_p, after_p in (("2015Q4", "2016Q4"), ("2016Q1", "2017Q1"), ("2016Q4", "2017Q4")):
        (before, _), (after, reported) = city(before_p), city(after_p)
        assert abs((after / before - 1) * 100 - reported) < 0.5, (after_p, before, after, reported)
    gdp, growth = city("2016Q4")
    assert gdp == 6768 and abs(growth - 9.3) < 1e-9  # the published figures
