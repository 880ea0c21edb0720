"""What the 通报's words say, picked from :class:`ReportData`: who leads and lags, who
moved, the "两张皮" units, what is late or missing, returned or to be confirmed.

Each function selects; none computes a score (the marts did). The sentences that say
these facts are in :mod:`reports.document_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from .data import ReportData

OWED_KINDS = ("supervision", "economy")  # what every unit owes each quarter (CONTRACT §9)


def ranked(d: ReportData, level: str) -> pl.DataFrame:
    """The level's ranked units, best first (ties by code)."""
    return (
        d.level(level)
        .filter(pl.col("rank_in_level").is_not_null())
        .sort("rank_in_level", "unit_code")
    )


def extremes(
    d: ReportData, level: str, n: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first ``n`` and the last ``n`` of the level's ranking (no unit in both)."""
    rows = ranked(d, level).to_dicts()
    n = min(n, len(rows) // 2)
    return rows[:n], rows[len(rows) - n :] if n else []


def movers(
    d: ReportData, level: str, n: int, least: int = 1
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Up to ``n`` units that rose most and ``n`` that fell most in the level's ranking
    since the previous quarter, by at least ``least`` places."""
    rows = ranked(d, level).filter(pl.col("rank_change").is_not_null())
    up = rows.filter(pl.col("rank_change") >= least).sort(
        "rank_change", "rank_in_level", descending=[True, False]
    )
    down = rows.filter(pl.col("rank_change") <= -least).sort("rank_change", "rank_in_level")
    return up.head(n).to_dicts(), down.head(n).to_dicts()


def unranked(d: ReportData, level: str) -> list[dict[str, Any]]:
    """Units of the level that filed something but are not ranked (they lack a report)."""
    return (
        d.level(level)
        .filter(pl.col("scored") & pl.col("rank_in_level").is_null())
        .sort("unit_code")
        .to_dicts()
    )


def two_skins(d: ReportData, level: str) -> dict[str, pl.DataFrame]:
    """The "两张皮" units: ``party_leads`` and ``economy_leads``, the widest gap first."""
    units = d.level(level).with_columns(
        (pl.col("party_score") - pl.col("development_score")).abs().alias("gap")
    )
    return {
        q: units.filter(pl.col("quadrant") == q).sort("gap", "unit_code", descending=[True, False])
        for q in ("party_leads", "economy_leads")
    }


@dataclass(frozen=True)
class Filing:
    """The quarter's filing of the reports every unit owes (党建督导, 经济指标)."""

    owed: int
    loaded: int
    on_time: int
    late: int  # loaded after the deadline
    not_in: pl.DataFrame  # owed and not loaded: missing or quarantined (with unit names)
    returned: pl.DataFrame  # returned corrections: a newer version quarantined, the older counts

    @property
    def overdue(self) -> int:
        return self.not_in.height


def filing(d: ReportData) -> Filing:
    f = d.filing.filter(pl.col("kind").is_in(OWED_KINDS))
    loaded = f.filter(pl.col("status") == "loaded")
    return Filing(
        owed=f.height,
        loaded=loaded.height,
        on_time=int((loaded["timeliness"] == "on_time").sum()),
        late=int((loaded["timeliness"] == "late").sum()),
        not_in=f.filter(pl.col("status") != "loaded").sort("level", "unit_code", "kind"),
        returned=d.filing.filter(pl.col("returned_correction").fill_null(False)).sort(
            "unit_code", "kind"
        ),
    )


def quarantined_reports(d: ReportData) -> pl.DataFrame:
    """One row per quarantined report (kind, unit, file) with its reasons: what the
    数据质量 count counts and its list lists."""
    q = d.quarantine
    if q.height == 0:
        return pl.DataFrame(
            schema={
                "kind": pl.String,
                "kind_zh": pl.String,
                "unit_code": pl.String,
                "unit_name": pl.String,
                "unit_full": pl.String,
                "source_sha256": pl.String,
                "reason_zh": pl.String,
                "record": pl.String,
                "source_path": pl.String,
            }
        )
    return (
        q.group_by("kind", "kind_zh", "unit_code", "unit_name", "unit_full", "source_sha256")
        .agg(
            pl.col("reason_zh").unique().sort().str.join("、"),
            pl.col("record").first(),
            pl.col("source_path").first(),
        )
        .sort("kind", "unit_code", "source_sha256")
    )


def reason_counts(d: ReportData) -> list[tuple[str, int]]:
    """Each reason with the number of quarantined reports it applies to, most first."""
    if d.quarantine.height == 0:
        return []
    counts = (
        d.quarantine.group_by("reason_zh")
        .agg(pl.struct("kind", "unit_code", "source_sha256").n_unique().alias("n"))
        .sort("n", "reason_zh", descending=[True, False])
    )
    return [(r["reason_zh"], int(r["n"])) for r in counts.to_dicts()]


@dataclass(frozen=True)
class Flags:
    total: int
    explained: int
    unexplained: pl.DataFrame  # one row per unit with unexplained flags: unit_full, n

    @property
    def open(self) -> int:
        return int(self.unexplained["n"].sum()) if self.unexplained.height else 0


def flags(d: ReportData) -> Flags:
    f = d.flags
    if f.height == 0:
        return Flags(
            0,
            0,
            pl.DataFrame(schema={"unit_code": pl.String, "unit_full": pl.String, "n": pl.UInt32}),
        )
    open_ = (
        f.filter(~pl.col("explained").fill_null(False))
        .group_by("unit_code", "unit_full")
        .agg(pl.len().alias("n"))
        .sort("n", "unit_code", descending=[True, False])
    )
    return Flags(f.height, int(f["explained"].fill_null(False).sum()), open_)


def per_county(frame: pl.DataFrame, n: int) -> list[tuple[str, int]]:
    """The ``n`` counties with most rows of ``frame`` (needs ``county_name``), most first."""
    if frame.height == 0:
        return []
    counts = (
        frame.group_by("county_name")
        .len()
        .sort("len", "county_name", descending=[True, False])
        .head(n)
    )
    return [(r["county_name"], int(r["len"])) for r in counts.to_dicts()]


def names(rows: Sequence[dict[str, Any]], key: str = "full_name") -> list[str]:
    return [str(r[key]) for r in rows]
