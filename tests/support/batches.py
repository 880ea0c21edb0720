"""Build *parsed batches* (docs/design.md) and registries for tests, without the parser.

A row is a dict of *typed* values for declared columns, starting from a valid row of the
kind (:func:`valid_row`). Special keys:

- ``_file`` (default ``"sha-a"``), ``_row`` (default: 1, 2, … within the file);
- ``_bad``: names of columns whose raw cell was present but unparseable (value → null);
- ``_raw``: raw text per column for ``_record`` / ``_key_unit`` / ``_key_period``;
- ``_pii``: the columns outside the text columns whose cell holds a personal number;
- ``_hidden``: the clerk hid the row in its sheet.

A declared column given as ``None`` (and not in ``_bad``) is blank: ``_blank__c`` is set
and an optional column with a default gets the default, as the parser does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import polars as pl

from transforms.batch import (
    FILE,
    HIDDEN,
    ID,
    KEY_PERIOD,
    KEY_UNIT,
    PII,
    RECORD,
    ROW,
    bad_flag,
    blank_flag,
    parsed_schema,
)
from transforms.columns import ReportKind, roles

COUNTY = "320602000000"  # 崇川区
TOWNSHIP = "320602001000"
VILLAGE = "320602001001"
ZONE = "320671000000"  # 南通经济技术开发区, valid from 2017Q1
MERGED = "320611000000"  # 港闸区, valid until 2019Q4 (example)
UNKNOWN = "320699999999"

NOW = datetime(2018, 6, 30, 12, 0)


def registry() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit_code": [COUNTY, TOWNSHIP, VILLAGE, ZONE, MERGED],
            "name": ["崇川区", "某街道", "某村", "南通经济技术开发区", "港闸区"],
            "level": ["county", "township", "village", "county", "county"],
            "kind": ["district", "street", "village", "zone", "district"],
            "parent_code": [None, COUNTY, TOWNSHIP, None, None],
            "valid_from": [None, None, None, "2017Q1", None],
            "valid_to": [None, None, None, None, "2019Q4"],
        },
        schema_overrides={"parent_code": pl.String, "valid_from": pl.String, "valid_to": pl.String},
    )


def valid_row(kind: ReportKind, **overrides: Any) -> dict[str, Any]:
    """A row of ``kind`` that passes every rule (county unit, 2018Q1)."""
    row: dict[str, Any] = {}
    for c in kind.columns:
        if c.type == "code":
            v: Any = COUNTY
        elif c.type == "period":
            v = "2018Q1"
        elif c.type == "timestamp":
            v = datetime(2018, 4, 10, 9, 30)
        elif c.type == "int":
            v = 5
        elif c.type == "decimal":
            v = 10.0
        elif c.type == "bool":
            v = True
        elif c.type == "enum":
            v = c.enum[0][0]
        else:
            v = "P-001" if c.pattern else "村道改造"
        row[c.name] = v
    row.update(overrides)
    return row


def _raw(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def batch(kind: ReportKind, rows: Iterable[Mapping[str, Any]], start_id: int = 1) -> pl.DataFrame:
    """A parsed batch of ``kind`` from typed rows (see the module doc)."""
    schema = parsed_schema(kind)
    data: dict[str, list[Any]] = {k: [] for k in schema}
    per_file: dict[str, int] = {}
    unit_col, period_col = roles(kind).unit, roles(kind).period
    for i, given in enumerate(rows):
        file = str(given.get(FILE, "sha-a"))
        per_file[file] = per_file.get(file, 0) + 1
        bad = set(given.get("_bad", ()))
        raw: dict[str, Any] = dict(given.get("_raw", {}))
        record: dict[str, str | None] = {}
        for c in kind.columns:
            value = given.get(c.name)
            is_bad = c.name in bad
            is_blank = value is None and not is_bad and c.name not in raw
            text = raw.get(c.name, "x?" if is_bad else _raw(value))
            record[c.name] = text
            if is_bad:
                value = None
            elif is_blank and c.default is not None:
                value = int(c.default) if c.type == "int" else c.default
            data[c.name].append(value)
            data[bad_flag(c.name)].append(is_bad)
            data[blank_flag(c.name)].append(is_blank)
        data[ID].append(start_id + i)
        data[FILE].append(file)
        data[ROW].append(int(given.get(ROW, per_file[file])))
        data[RECORD].append(json.dumps(record, ensure_ascii=False))
        data[KEY_UNIT].append((record[unit_col] or "").strip() or None)
        data[PII].append(list(given.get(PII, ())))
        data[HIDDEN].append(bool(given.get(HIDDEN, False)))
        data[KEY_PERIOD].append(given.get(period_col) or (record[period_col] or "").strip() or None)
    return pl.DataFrame(data, schema=schema)
