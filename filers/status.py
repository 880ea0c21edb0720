"""``ronghe status --period P``: who has filed, per county-level unit, at 80 columns.

Counts of ``marts.filing_status`` (the published warehouse) for the unit itself and
every unit under it: loaded (已入库), quarantined (被退回) and missing (未报送), for
supervision and economy reports, with the units' names; and how many of the loaded
ones had a correction returned while the older version still counts (更正退回,
``returned_correction``). A quarter no run has touched
yet has no filing status: every registered unit valid in it is missing until it files
(``warehouse/sql/status_unfiled.sql``). Read-only: it never needs a writer run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from filers.receipts import Filing, filings, unfiled
from filers.template import period_zh
from transforms.periods import parse_period
from warehouse.db import connect_reader

KINDS = ("supervision", "economy")
STATUSES = ("loaded", "quarantined", "missing")


def counts(rows: Sequence[Filing]) -> list[dict[str, Any]]:
    """One entry per county-level unit (in code order): name, units, counts per kind."""
    names = {f.unit_code: f.name for f in rows if f.level == "county"}
    out: dict[str, dict[str, Any]] = {}
    for f in rows:
        if f.kind not in KINDS or f.county_code is None:
            continue
        c = out.setdefault(
            f.county_code,
            {"county_code": f.county_code, "name": names.get(f.county_code, f.county_code),
             "units": set(), "corrections": 0}
            | {f"{k}_{s}": 0 for k in KINDS for s in STATUSES},
        )  # fmt: skip
        c["units"].add(f.unit_code)
        c[f"{f.kind}_{f.status}"] += 1
        c["corrections"] += f.returned_correction
    result = []
    for code in sorted(out):
        c = out[code]
        result.append(c | {"units": len(c["units"])})
    return result


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - cell_len(text))
    return gap + text if right else text + gap


def render(period: str, table: Sequence[dict[str, Any]]) -> list[str]:
    """Lines of at most 80 columns."""
    lines = [
        f"{period_zh(period)}（{period}）报送情况：县级单位及其下属乡、村",
        "入库 = 已入库, 退回 = 被退回（收到但未入库）, 未报 = 未报送",
        "更正退回 = 已入库的旧版本仍在计分，更新的版本被退回（两类报表合计）",
        "",
        _pad("", 29) + _pad("党建督导", 21, True) + _pad("经济指标", 21, True)
        + _pad("更正", 9, True),
        _pad("单位", 20) + _pad("单位数", 7, True) + "  "
        + _pad("入库/退回/未报", 21, True) * 2 + _pad("退回", 9, True),
    ]  # fmt: skip
    total = {"name": "合计", "units": 0, "corrections": 0} | {
        f"{k}_{s}": 0 for k in KINDS for s in STATUSES
    }
    for c in [*table, None]:
        if c is None:
            lines.append("-" * 80)
            c = total
        else:
            for key in total:
                if key != "name":
                    total[key] += c[key]
        cells = ["/".join(str(c[f"{k}_{s}"]) for s in STATUSES) for k in KINDS]
        lines.append(
            _pad(str(c["name"]), 20) + _pad(str(c["units"]), 7, True) + "  "
            + _pad(cells[0], 21, True) + _pad(cells[1], 21, True)
            + _pad(str(c["corrections"]), 9, True)
        )  # fmt: skip
    return lines


def filing_counts(published: Path, period: str) -> list[dict[str, Any]]:
    p = parse_period(period)
    con = connect_reader(published)
    try:
        rows = filings(con, p) or unfiled(con, p)
    finally:
        con.close()
    if not rows:
        raise ValueError(f"no unit of the registry is valid in {p}")
    return counts(rows)
