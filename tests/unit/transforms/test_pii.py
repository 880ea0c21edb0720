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
    # issue 30: every form a person or a phone keyboard produces
    ("139.1234.0007", "139.****.0007"),
    ("139。1234。0007", "139。****。0007"),
    ("139\u00a01234\u00a00008", "139\u00a0****\u00a00008"),
    ("139  1234  0009", "139  ****  0009"),
    ("139–1234—0010", "139–****—0010"),
    ("139/1234/0011", "139/****/0011"),
    ("1391 2340 013", "139* ***0 013"),
    ("139\u200b1234\u200b0014", "139\u200b****\u200b0014"),
    ("1\u202e39 1234 0015", "1\u202e39 **** 0015"),
    ("320602 1990 0101 001X", "320602 **** **** 001X"),
    ("320602.19900101.0022", "320602.********.0022"),
    ("+86 139 1234 0016", "+86 139 **** 0016"),
    ("8613912340018", "86139****0018"),
    ("联系13912340108", "联系139****0108"),
    # the third pass: a tab, brackets, an underscore, the 0 dialled from another city
    ("139\t1234\t0019", "139\t****\t0019"),
    ("电话(139)1234-0020", "电话(139)****-0020"),
    ("+86 (139) 1234 0021", "+86 (139) **** 0021"),
    ("手机:139_1234_0022", "手机:139_****_0022"),
    ("Tel:013912340023", "Tel:0139****0023"),
    ("（0）13912340024", "（0）139****0024"),
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
    # amounts and codes written near the new forms are left alone
    "1391234567.8",  # one dot: an amount
    "13912345.678",
    "139.12345678",
    "320602001001 320602001002",  # two unit codes
    "第1 320602001001",
    "6222 0213 9123 4567 890",  # a card in groups of four
    "320602300001011234",  # 18 digits, but no birth date (year 3000): an order number
    "2013912340007",  # a 0 inside a longer number is no prefix
    "0320602199001010014",  # nor before an ID: 19 digits
    "第(1)期",
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
