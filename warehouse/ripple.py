"""Which quarters a correction ripples to: what a quarter's figures feed.

A quarter's 通报 shows figures of other quarters: the rank change and the
quarter-on-quarter comparison read the quarter before, the year-on-year comparison the
quarter a year before, the lagged correlation (``corr_party_development_next``) the
development scores of the quarter after, the early-warning list the annual
determination of the latest fourth quarter (and the fourth quarter's status the year
before it), and the weak-village trend the count of every earlier quarter. So when the
figures of quarter t change, the 通报 of these quarters is stale too:

- t + 1 (rank change, quarter on quarter) and t + 4 (year on year);
- t − 1 (its lagged correlation uses t's D; :func:`warehouse.marts.build_marts`
  refreshes that column of t − 1's marts whenever t is rebuilt);
- when t is a fourth quarter of year Y: the four quarters of Y + 1 (they show Y's
  determination; Y + 1's statuses are relative to it and refreshed with it);
- t + 1 … t + 8: their lagged effect (``marts.linkage_effect``, in the 联动分析) is
  estimated over a two-year window that holds t (``build_marts`` re-estimates them);
- every later quarter, when t's number of early-warning villages changed (the trend).

The marts that hold other quarters' figures are refreshed by ``build_marts`` itself;
the comparisons are computed when the 通报 is written, so the dependent quarters need
their 通报 written again, not their marts rebuilt. Only quarters with marts count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import duckdb

from transforms.periods import from_index, index, quarter_number
from warehouse.linkage_effect import WINDOW


def feeds(period: str) -> set[str]:
    """The quarters whose 通报 show figures of ``period`` (besides its own, the trend aside)."""
    i = index(period)
    out = {from_index(i + 1), from_index(i + 4), from_index(i - 1)}
    out.update(from_index(i + k) for k in range(1, WINDOW + 1))
    if quarter_number(period) == 4:
        out.update(from_index(i + k) for k in range(1, 5))
    return out


def weak_counts(con: duckdb.DuckDBPyConnection, periods: Iterable[str]) -> dict[str, int]:
    """The number of early-warning villages of each of ``periods`` that has marts."""
    rows = con.execute(
        "SELECT s.period, count(DISTINCT w.unit_code) FROM marts.unit_scores AS s"
        " LEFT JOIN marts.weak_villages AS w ON w.period = s.period"
        " WHERE s.period IN ? GROUP BY s.period",
        [sorted(set(periods))],
    ).fetchall()
    return {p: int(n) for p, n in rows}


def dependents(
    con: duckdb.DuckDBPyConnection,
    changed: Iterable[str],
    weak_before: Mapping[str, int] | None = None,
) -> tuple[str, ...]:
    """The quarters with marts, other than ``changed``, whose 通报 the change makes stale.

    ``weak_before``: :func:`weak_counts` of ``changed`` before the rebuild; a quarter
    whose count differs now (or was not there) makes every later quarter stale.
    """
    changed = set(changed)
    if not changed:
        return ()
    have = {r[0] for r in con.execute("SELECT DISTINCT period FROM marts.unit_scores").fetchall()}
    wanted = {q for p in changed for q in feeds(p)}
    if weak_before is not None:
        after = weak_counts(con, changed)
        moved = [p for p in changed if after.get(p) != weak_before.get(p)]
        if moved:
            wanted.update(q for q in have if q > min(moved))
    return tuple(sorted((wanted & have) - changed))
