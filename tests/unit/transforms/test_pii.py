"""The one mask of personal numbers (issue 14): what it keeps, and that it agrees with
the ``pii`` rule's detection."""

from __future__ import annotations

import re

import polars as pl
import pytest

from transforms.columns import PII_PATTERNS
from transforms.pii import has_pii, mask, mask_expr, mask_series

CASES = [
    ("13912345678", "139****5678"),
    ("320602198001011234", "320602********1234"),
    ("32060219800101123X", "320602********123X"),
    ("32060219800101123x", "320602********123x"),
    ("联系人13912345678 村道拓宽", "联系人139****5678 村道拓宽"),
    ("负责人320602198001011234", "负责人320602********1234"),
    ("电话:13912345678/身份证32060219800101123X。", "电话:139****5678/身份证320602********123X。"),
    ("13912345678,13912345679,15012345670", "139****5678,139****5679,150****5670"),
    ('{"name":"张三13912345678"}', '{"name":"张三139****5678"}'),
    ("项目季报_联系人13912345678.csv", "项目季报_联系人139****5678.csv"),
]
UNTOUCHED = [
    "",
    "村道拓宽",
    "320602000000",  # a unit code: 12 digits
    "1391234567",  # 10 digits
    "139123456789",  # 12 digits
    "21391234567",  # starts with 2
    "12345678901",  # 1 then 2: no mainland mobile
    "320602198001011234A",  # a letter follows: not an ID
    "3206021980010112345",  # 19 digits
    "2017-04-10 09:30",
    "1,391,234,567.8",
]


@pytest.mark.parametrize(("text", "masked"), CASES)
def test_mask_keeps_3_and_4_of_a_mobile_and_6_and_4_of_an_id(text: str, masked: str) -> None:
    assert has_pii(text)
    assert mask(text) == masked
    assert mask(masked) == masked  # idempotent: a masked text holds no number
    assert not has_pii(masked)


@pytest.mark.parametrize("text", UNTOUCHED)
def test_text_without_a_personal_number_is_untouched(text: str) -> None:
    assert not has_pii(text)
    assert mask(text) == text


def test_mask_changes_exactly_what_the_pii_rule_detects() -> None:
    texts = [t for t, _ in CASES] + UNTOUCHED + ["a13912345678b", "x320602198001011234-"]
    for t in texts:
        detected = any(re.search(p, t) for p in PII_PATTERNS)
        assert detected == (mask(t) != t), t
        assert not any(re.search(p, mask(t)) for p in PII_PATTERNS), t


def test_series_and_expression_mask_only_the_values_holding_a_number() -> None:
    s = pl.Series("name", ["联系人13912345678 村道拓宽", None, "村道拓宽", "320602198001011234"])
    expected = ["联系人139****5678 村道拓宽", None, "村道拓宽", "320602********1234"]
    assert mask_series(s).to_list() == expected
    assert s[0] == "联系人13912345678 村道拓宽"  # the input is not changed in place
    assert s.to_frame().select(mask_expr(pl.col("name"))).to_series().to_list() == expected
    clean = pl.Series("name", ["a", "b"])
    assert mask_series(clean) is clean
