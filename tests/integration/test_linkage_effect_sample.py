"""The analysis tells the sample's story apart from none (CONTRACT §12): two samples, one
drawn with the documented lagged effect of party building on development and one drawn
with none, each through the real pipeline into a warehouse of its own; the township
estimate in ``marts.linkage_effect`` finds the first and not the second.

Small but sufficient: the townships of three counties (65, and their counties' own
reports) over the four quarters of 2017, so three quarter pairs each: the intervals
come out about ±0.12 wide, the effect drawn is 0.3.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from config.settings import Settings
from pipeline.run import run
from synthetic.sample import write_sample
from synthetic.story import LAGGED_EFFECT
from transforms.periods import period_range
from warehouse.registry import load_registry
from warehouse.workspace import Workspace

COUNTIES = ("320623", "320682", "320684")  # 如东县, 如皋市, 海门市
PERIODS = period_range("2017Q1", "2017Q4")
NOW = datetime(2018, 3, 1)

Row = tuple[float | None, float | None, float | None, int, int]


def _estimate(tmp_path: Path, effect: float) -> Row:
    reg = load_registry().filter(
        pl.col("unit_code").str.slice(0, 6).is_in(COUNTIES) & (pl.col("level") != "village")
    )
    inbox, home = tmp_path / f"inbox-{effect}", tmp_path / f"home-{effect}"
    home.mkdir()
    write_sample(inbox, PERIODS, seed=2017, registry=reg, now=NOW, effect=effect)
    with Workspace.open(Settings(home=home)) as ws:
        run(ws, [inbox], NOW, quarters=PERIODS)
        row = ws.con.execute(
            "SELECT effect, ci_low, ci_high, units, observations FROM marts.linkage_effect"
            " WHERE period = '2017Q4' AND level = 'township'"
        ).fetchone()
    assert row is not None
    return row


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> dict[float, Row]:
    tmp = tmp_path_factory.mktemp("effect")
    return {effect: _estimate(tmp, effect) for effect in (LAGGED_EFFECT, 0.0)}


def test_the_documented_effect_is_found(estimates: dict[float, Row]) -> None:
    effect, low, high, units, pairs = estimates[LAGGED_EFFECT]
    assert units >= 60 and pairs >= 3 * 55
    assert effect is not None and low is not None and high is not None
    assert low > 0, estimates  # significant at 5%
    assert abs(effect - LAGGED_EFFECT) < 1.5 * (high - low) / 2, estimates  # and near it


def test_no_effect_is_not_found(estimates: dict[float, Row]) -> None:
    effect, low, high, _, _ = estimates[0.0]
    assert effect is not None and low is not None and high is not None
    assert low <= 0 <= high, estimates
    assert high < estimates[LAGGED_EFFECT][0], estimates  # told apart from the effect
