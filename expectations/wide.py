"""Wide expectations: one GX expectation for a whole group of columns' declared bounds.

GX's cost is per expectation and metric, not per row: a supervision suite with one
``ExpectColumnValuesToBeBetween`` per bounded column (23 of them) spends most of its
time building 23 metric graphs for a few thousand rows. One
:class:`ExpectColumnValuesWithinBounds` checks every bounded column of a row at once.

It stands for the narrow expectations of its group (one per column, the same
bounds): :mod:`expectations.validate` runs the wide one on every batch and, only when
it fails, the narrow ones of its group, which say which rows and columns. GX decides
either way. Imported only where the suites are built (it imports GX).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (  # noqa: E501
    multicolumn_condition_partial,
)

Bound = tuple[float | None, float | None]


def _outside(values: pd.Series, low: float | None, high: float | None) -> pd.Series:
    """True where a present value is below ``low`` or above ``high`` (a blank never is)."""
    present = values.notna()
    out = pd.Series(False, index=values.index)
    if not present.any():
        return out
    v = values[present]
    bad = pd.Series(False, index=v.index)
    if low is not None:
        bad |= (v < low).astype(bool)
    if high is not None:
        bad |= (v > high).astype(bool)
    out[present] = bad
    return out


class MulticolumnValuesWithinBounds(MulticolumnMapMetricProvider):
    """Row by row: every column of ``column_list`` within its ``bounds`` (blank is within)."""

    condition_metric_name = "multicolumn_values.within_bounds"
    condition_domain_keys = (
        "batch_id",
        "table",
        "column_list",
        "row_condition",
        "condition_parser",
        "ignore_row_if",
    )
    condition_value_keys = ("bounds",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        ok = pd.Series(True, index=column_list.index)
        for name, (low, high) in zip(column_list.columns, kwargs["bounds"], strict=True):
            ok &= ~_outside(column_list[name], low, high)
        return ok


class ExpectColumnValuesWithinBounds(MulticolumnMapExpectation):
    """Every value of each column in ``column_list`` lies within its ``[low, high]`` (inclusive;
    a None bound is open; blank values are not checked)."""

    bounds: list[tuple[float | None, float | None]]
    map_metric = "multicolumn_values.within_bounds"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "bounds")
    args_keys = ("column_list", "bounds")
