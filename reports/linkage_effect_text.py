"""The 联动分析's sentence on the lagged effect of party building on development
(``marts.linkage_effect``, CONTRACT §12): one self-contained sentence for the 通报.

:func:`lagged_effect` reads the quarter's township row of the mart
(``ReportData.estimates["linkage_effect"]``) and says in words what the estimate and its
95% interval mean: a significant effect, a significant negative one, or none found.
``None`` where the mart has no estimate for the quarter. It is one of the 联动分析's
sentences (:data:`reports.linkage_text.SENTENCES`: the brief's lead and the document's
总体情况) and stands below the workbook's 联动分析 table.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from .data import ReportData
from .labels import LEVEL_UNITS_ZH, quarter_zh

LEVEL = "township"  # the level with units enough and one figure per unit and quarter


def lagged_effect(d: ReportData) -> str | None:
    """The sentence for the quarter's 联动分析 (module docstring)."""
    frame = d.estimates.get("linkage_effect")
    if frame is None or "level" not in frame.columns:
        return None
    rows = frame.filter(pl.col("level") == LEVEL).to_dicts()
    return effect_sentence(rows[0]) if rows else None


def effect_sentence(row: dict[str, Any]) -> str | None:
    """The sentence of one ``marts.linkage_effect`` row."""
    b, low, high = row.get("effect"), row.get("ci_low"), row.get("ci_high")
    if b is None or low is None or high is None:
        return None
    units = LEVEL_UNITS_ZH[row["level"]]
    span = f"{quarter_zh(row['first_period'])}至{quarter_zh(row['period'])}"
    basis = (
        f"以{span}{int(row['units']):,}个{units}的{int(row['observations']):,}组"
        "相邻季度得分测算，剔除各单位自身差异和各季度共同因素后，"
    )
    interval = f"95%置信区间{low:.2f}～{high:.2f}"
    if low > 0:
        return (
            f"{basis}上季度党建得分每高1分，本季度发展得分平均高{b:.2f}分（{interval}），"
            "党建对发展的带动作用明显。"
        )
    if high < 0:
        return (
            f"{basis}上季度党建得分每高1分，本季度发展得分平均低{-b:.2f}分（{interval}），"
            "未见党建对发展的带动作用。"
        )
    return f"{basis}未发现上季度党建得分对本季度发展得分有显著影响（估计值{b:.2f}，{interval}）。"
