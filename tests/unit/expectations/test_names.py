"""Unit names are kept as typed (free text) and compared with the registry's without
spaces and with full-width forms as half-width (issue 29)."""

from __future__ import annotations

import json

import polars as pl

from expectations.names import name_hits
from tests.support.batches import COUNTY, batch, registry, valid_row
from transforms.batch import RECORD
from transforms.columns import SUPERVISION


def _named(*names: str) -> pl.DataFrame:
    b = batch(SUPERVISION, [valid_row(SUPERVISION) for _ in names])
    records = [json.dumps({"unit_code": COUNTY, "单位名称": n}, ensure_ascii=False) for n in names]
    return b.with_columns(pl.Series(RECORD, records))


def test_a_name_typed_with_full_width_forms_or_spaces_is_the_registrys() -> None:
    reg = registry().with_columns(
        pl.when(pl.col("unit_code") == COUNTY).then(pl.lit("崇川区（城区）")).otherwise("name")
        .alias("name")
    )  # fmt: skip
    hits = name_hits(SUPERVISION, _named("崇川区(城区)", "崇川区　（城区）", "崇川区（郊区）"), reg)
    assert hits.get_column("_id").to_list() == [3]  # only the other name
