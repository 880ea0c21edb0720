"""Total rows (合计) that disagree with their rows: the reader's findings as rows of
``meta.total_mismatches`` (docs/design.md «Total rows»), for the review flags (§9).

The reader (:mod:`transforms.workbooks`) knows the sheet, the total row and the figures;
which unit and quarter a total speaks for comes from the rows it totals: the rows of the
same file and sheet above it that loaded. Their quarter is the most common one; the unit
is their common parent in the registry (a township's villages → the township), else the
first row's unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import polars as pl

from transforms.read import RawFile

SCHEMA = {
    "source_sha256": pl.String,
    "kind": pl.String,
    "period": pl.String,
    "unit_code": pl.String,
    "sheet": pl.String,
    "sheet_row": pl.Int64,
    "column": pl.String,
    "total_value": pl.Float64,
    "rows_sum": pl.Float64,
}


def totals_frame(
    kind: str, files: Sequence[RawFile], accepted: pl.DataFrame, registry: pl.DataFrame
) -> pl.DataFrame:
    """Every total-row mismatch of ``files`` whose totalled rows loaded, one row each."""
    found = [f for f in files if f.total_mismatches]
    if not found or accepted.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    parents = dict(registry.select("unit_code", "parent_code").iter_rows())
    rows: list[dict[str, object]] = []
    for f in found:
        mine = accepted.filter(pl.col("_file") == f.sha256).select("_row", "unit_code", "period")
        for m in f.total_mismatches:
            above = [
                (unit, period)
                for row, unit, period in mine.iter_rows()
                if f.places is None
                or (f.places[row - 1][0] == m.sheet and f.places[row - 1][1] < m.sheet_row)
            ]
            if not above:
                continue
            period = Counter(p for _, p in above).most_common(1)[0][0]
            units = {u for u, _ in above}
            common = {parents.get(u) for u in units}
            unit = next(iter(common)) if len(common) == 1 and None not in common else above[0][0]
            rows.append(
                {
                    "source_sha256": f.sha256,
                    "kind": kind,
                    "period": period,
                    "unit_code": unit,
                    "sheet": m.sheet,
                    "sheet_row": m.sheet_row,
                    "column": m.column,
                    "total_value": float(m.total),
                    "rows_sum": float(m.sum),
                }
            )
    return pl.DataFrame(rows, schema=SCHEMA)
