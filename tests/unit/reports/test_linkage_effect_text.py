"""The 联动分析's sentence on the lagged effect (marts.linkage_effect) in its three cases."""

from __future__ import annotations

from typing import Any

from reports.linkage_effect_text import effect_sentence

ROW: dict[str, Any] = {  # a marts.linkage_effect row
    "period": "2017Q4",
    "level": "township",
    "first_period": "2016Q1",
    "units": 130,
    "observations": 1008,
}


def test_a_significant_effect_is_said_with_its_size_and_interval() -> None:
    s = effect_sentence(ROW | {"effect": 0.2412, "ci_low": 0.187, "ci_high": 0.296})
    assert s == (
        "以2016年第一季度至2017年第四季度130个镇（街道）的1,008组相邻季度得分测算，"
        "剔除各单位自身差异和各季度共同因素后，上季度党建得分每高1分，"
        "本季度发展得分平均高0.24分（95%置信区间0.19～0.30），党建对发展的带动作用明显。"
    )


def test_an_interval_around_zero_finds_nothing() -> None:
    s = effect_sentence(ROW | {"effect": 0.02, "ci_low": -0.04, "ci_high": 0.08})
    assert s is not None and "未发现上季度党建得分对本季度发展得分有显著影响" in s
    assert "估计值0.02，95%置信区间-0.04～0.08" in s and "带动作用明显" not in s


def test_a_negative_one_says_so_and_no_estimate_says_nothing() -> None:
    s = effect_sentence(ROW | {"effect": -0.1, "ci_low": -0.15, "ci_high": -0.05})
    assert s is not None and "平均低0.10分" in s and "未见党建对发展的带动作用" in s
    assert effect_sentence(ROW | {"effect": None, "ci_low": None, "ci_high": None}) is None
    assert effect_sentence(ROW) is None
