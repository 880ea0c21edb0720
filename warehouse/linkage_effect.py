"""``marts.linkage_effect``: how much a unit's party building moves its next quarter's
development (CONTRACT §12), estimated per period and level with a confidence interval.

For period t and a level, the data are the pairs (D(u, s), P(u, s − 1)) of the units of
that level over the :data:`WINDOW` quarters s ending at t (``marts.unit_scores``, the
rounded scores; under the 2018 rules units complete in both quarters). The model is a
two-way fixed-effects panel regression

    D(u, s) = α(u) + γ(s) + β · P(u, s − 1) + ε(u, s)

α(u) a unit's own level (absorbed by demeaning within the unit), γ(s) the quarter's
(dummies), β the lagged effect: points of D per point of the previous quarter's P.
Standard errors are clustered by unit (robust to any correlation of a unit's errors
over quarters; Stata's small-sample factor G/(G − 1) · (N − 1)/(N − K)), and the 95%
interval uses Student's t with G − 1 degrees of freedom (G units).

Why this and not another: the unit effects take out everything a unit brings to both
scores and keeps (a strong township is often also a rich one), which a cross-sectional
correlation (``marts.linkage``) cannot tell from an effect; the quarter effects take out
what moves every unit at once (the season, a city campaign). D(s − 1) is not among the
regressors: with unit effects and eight quarters it would be biased (Nickell, of order
1/T), and persistence in D is left to the clustered errors instead. What the estimate
assumes: a unit's P in a quarter does not respond to its own earlier D surprises (strict
exogeneity). Units with a single pair carry no within-unit variation and are dropped; with
fewer than :data:`MIN_UNITS` units (the nine county-level units, say) no interval is
trustworthy and the row carries the counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb
import numpy as np
import polars as pl

from transforms.periods import from_index, index, previous_period
from warehouse.db import insert_frame, run_sql_file, sql_file

WINDOW = 8  # quarters of D in a period's estimate (two years), each with P of the one before
MIN_UNITS = 20  # clusters below which no interval is given
CONFIDENCE = 0.95
_SCHEMA = {
    "period": pl.String,
    "level": pl.String,
    "first_period": pl.String,
    "units": pl.Int64,
    "observations": pl.Int64,
    "quarters": pl.Int64,
    **dict.fromkeys(("effect", "std_error", "ci_low", "ci_high", "p_value"), pl.Float64),
    "rules_version": pl.String,
}


@dataclass(frozen=True)
class Estimate:
    """The lagged effect β with its cluster-robust standard error and interval."""

    units: int  # units with at least two pairs (the clusters)
    observations: int  # their pairs
    quarters: int  # distinct quarters of D among them
    effect: float | None = None
    std_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None


def estimate(
    units: Sequence[str], periods: Sequence[str], d: np.ndarray, p: np.ndarray
) -> Estimate:
    """β of ``D = α(unit) + γ(period) + β · P + ε`` (module docstring) from aligned arrays:
    each pair's unit, quarter, D and previous quarter's P."""
    codes, unit_of, counts = np.unique(np.asarray(units), return_inverse=True, return_counts=True)
    keep = counts[unit_of] >= 2
    if not keep.all():
        return estimate(
            [u for u, k in zip(units, keep, strict=True) if k],
            [t for t, k in zip(periods, keep, strict=True) if k],
            d[keep],
            p[keep],
        )
    labels, period_of = np.unique(np.asarray(periods), return_inverse=True)
    n, g, t = len(d), len(codes), len(labels)
    if g < MIN_UNITS or t < 2:
        return Estimate(g, n, t)
    # P and a dummy per quarter but the first, each demeaned within its unit
    x = np.column_stack([p, (period_of[:, None] == np.arange(1, t)).astype(float)])
    x = _within(x, unit_of, counts)
    y = _within(d[:, None].astype(float), unit_of, counts)[:, 0]
    xtx = x.T @ x
    bread = np.linalg.pinv(xtx)
    beta = bread @ (x.T @ y)
    resid = y - x @ beta
    scores = np.zeros((g, x.shape[1]))
    np.add.at(scores, unit_of, x * resid[:, None])
    k = np.linalg.matrix_rank(xtx)
    factor = g / (g - 1) * (n - 1) / (n - k)
    variance = factor * (bread @ (scores.T @ scores) @ bread)[0, 0]
    if not np.isfinite(variance) or variance <= 0:
        return Estimate(g, n, t, float(beta[0]))
    # Student's t quantile and tail (scipy.special, not scipy.stats: a fraction of the import)
    from scipy.special import stdtr, stdtrit

    se = float(np.sqrt(variance))
    half = float(stdtrit(g - 1, 0.5 + CONFIDENCE / 2)) * se
    p_value = float(2 * stdtr(g - 1, -abs(beta[0]) / se))
    b = float(beta[0])
    return Estimate(g, n, t, b, se, b - half, b + half, p_value)


def _within(a: np.ndarray, group: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``a`` less its mean within each group (the within transformation)."""
    sums = np.zeros((len(counts), a.shape[1]))
    np.add.at(sums, group, a)
    return a - (sums / counts[:, None])[group]


def build_linkage_effect(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[str],
    complete_units_only: bool,
    rules_version: str,
) -> int:
    """Rebuild ``marts.linkage_effect`` for ``periods`` (each from the scores now in
    ``marts.unit_scores``); rows written."""
    written = 0
    for period in sorted(set(periods)):
        run_sql_file(con, "marts_linkage_effect_delete.sql", {"period": period})
        i = index(period)
        window = [from_index(j) for j in range(i - WINDOW + 1, i + 1)]
        params = {
            "window": window,
            "before": [previous_period(s) for s in window],
            "complete_units_only": complete_units_only,
        }
        pairs = con.execute(sql_file("marts_linkage_effect_pairs.sql"), params).fetchnumpy()
        rows = []
        for level in sorted(set(pairs["level"].tolist())):
            at = pairs["level"] == level
            e = estimate(
                pairs["unit_code"][at].tolist(),
                pairs["period"][at].tolist(),
                pairs["development_score"][at].astype(float),
                pairs["party_score_before"][at].astype(float),
            )
            rows.append(
                {"period": period, "level": level, "first_period": window[0]}
                | asdict(e)
                | {"rules_version": rules_version}
            )
        if rows:
            insert_frame(con, "marts.linkage_effect", pl.DataFrame(rows, schema=_SCHEMA))
            written += len(rows)
    return written


def periods_to_refresh(con: duckdb.DuckDBPyConnection, rebuilt: Sequence[str]) -> list[str]:
    """The periods with scores whose estimate reads a rebuilt quarter: each rebuilt t and
    the :data:`WINDOW` quarters after it (their windows hold t's D, or t's P as the
    quarter before)."""
    if not rebuilt:
        return []
    lo, hi = min(index(p) for p in rebuilt), max(index(p) for p in rebuilt) + WINDOW
    have = con.execute("SELECT DISTINCT period FROM marts.unit_scores").fetchall()
    return sorted(p for (p,) in have if lo <= index(p) <= hi)
