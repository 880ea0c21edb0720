"""What the quarterly assessment (季度通报) shows, read once from the published warehouse.

Every figure comes from the marts (or, for the names and filing lists, from ``core`` and
``quarantine``) through the SQL files in ``reports/sql``; the renderers only lay it
out. Under the 2018 rules only complete units (CONTRACT §4) carry C, F, a quadrant and
ranks; the report shows what the marts hold and computes no score of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from transforms.periods import parse_period, previous_period, quarter_number
from warehouse.db import connect_reader, has
from warehouse.ruleset import Rules, load_rules

from .checks import read_checks, unreached_sources
from .labels import (
    KINDS_ZH,
    QUADRANTS_ZH,
    REASONS_ZH,
    REPORT_KINDS_ZH,
    WEAK_STATUS_ZH,
)
from .names import area_name, with_full_names
from .sql_text import sql


@dataclass(frozen=True)
class ReportData:
    """Everything one quarter's assessment shows (frames hold Chinese-ready columns)."""

    period: str
    previous: str
    year_ago: str
    generated_at: datetime
    rules_version: str
    income_line: float
    party_line: float
    deadlines: dict[str, int]  # level → days after the quarter's end (CONTRACT §9)
    summary: dict[str, dict[str, Any] | None]  # period → marts.city_summary row
    units: pl.DataFrame  # every unit valid in the period, scored or not
    linkage: pl.DataFrame  # marts.linkage of the period, one row per level
    weak: pl.DataFrame  # the early-warning villages, with names and lines crossed
    weak_year: int | None  # the year of the latest annual determination
    weak_years: pl.DataFrame  # that determination (empty before the first Q4 is loaded)
    weak_trend: pl.DataFrame  # period, weak_villages
    filing: pl.DataFrame  # marts.filing_status rows with names (and timeliness, §9)
    quarantine: pl.DataFrame  # one row per quarantined report and reason
    quarantine_files: pl.DataFrame
    problems: pl.DataFrame  # quarantine.problems of the quarter, with names
    projects: pl.DataFrame  # current secretary projects with names
    flags: pl.DataFrame = field(default_factory=pl.DataFrame)  # marts.review_flags rows
    # marts.linkage_* (estimates beside marts.linkage), by table name: the quarter's rows
    estimates: dict[str, pl.DataFrame] = field(default_factory=dict)
    # 数据质量 counts from tables that may be absent (reports.checks): None where absent
    checks: dict[str, int | None] = field(default_factory=dict)
    unreached: list[dict[str, Any]] = field(default_factory=list)  # sources not reached

    @property
    def area(self) -> str:
        """南通市 (or the province, at province scale): whose 通报 this is."""
        return area_name(self.level("county")["unit_code"].to_list())

    @property
    def whole(self) -> str:
        """全市, or 全省 at province scale: the ranking's and the totals' word."""
        return "全省" if self.area.endswith("省") else "全市"

    def level(self, level: str) -> pl.DataFrame:
        return self.units.filter(pl.col("level") == level)

    @property
    def counties(self) -> pl.DataFrame:
        return self.level("county").sort(
            pl.col("rank_in_level").is_null(), "rank_in_level", "unit_code"
        )

    @property
    def townships(self) -> pl.DataFrame:
        county_order = {c: i for i, c in enumerate(self.counties["unit_code"].to_list())}
        return (
            self.level("township")
            .with_columns(
                pl.col("county_code")
                .replace_strict(county_order, default=len(county_order))
                .alias("_county_order")
            )
            .sort(
                "_county_order",
                pl.col("rank_in_parent").is_null(),
                "rank_in_parent",
                "unit_code",
            )
            .drop("_county_order")
        )

    @property
    def villages(self) -> pl.DataFrame:
        return self.level("village").sort(
            "county_code",
            "township_code",
            pl.col("rank_in_parent").is_null(),
            "rank_in_parent",
            "unit_code",
        )

    def linkage_row(self, level: str) -> dict[str, Any] | None:
        rows = self.linkage.filter(pl.col("level") == level).to_dicts()
        return rows[0] if rows else None

    def ranked(self, level: str) -> int:
        """Units of the level with a composite score C (the ranked ones)."""
        return int(self.level(level)["composite_score"].is_not_null().sum())

    def complete_units(self, level: str | None = None) -> int:
        """Complete units (CONTRACT §4): a current supervision and economy report."""
        frame = self.units if level is None else self.level(level)
        return int(frame["complete"].fill_null(False).sum())

    def scored_units(self, level: str | None = None) -> int:
        frame = self.units if level is None else self.level(level)
        return int(frame["scored"].sum())


def quarter_of_year_before(period: str) -> str:
    return f"{int(period[:4]) - 1}Q{quarter_number(period)}"


def _frame(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    table = con.sql(sql(name), params=params or None).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _names(units: pl.DataFrame) -> dict[str, str]:
    return dict(zip(units["unit_code"].to_list(), units["name"].to_list(), strict=True))


def read_units(con: duckdb.DuckDBPyConnection, period: str) -> pl.DataFrame:
    """Every unit valid in ``period`` with its scores, names up the tree and rank change."""
    units = _frame(con, "units", period=period, previous=previous_period(period))
    names = _names(units)
    units = units.with_columns(
        pl.col("county_code").replace_strict(names, default=None).alias("county_name"),
        pl.col("township_code").replace_strict(names, default=None).alias("township_name"),
        pl.col("kind").replace_strict(KINDS_ZH, default=pl.col("kind")).alias("kind_zh"),
        pl.col("quadrant").replace_strict(QUADRANTS_ZH, default=None).alias("quadrant_zh"),
        # positive: moved up the ranking since the previous quarter
        (pl.col("previous_rank_in_level") - pl.col("rank_in_level")).alias("rank_change"),
        (pl.col("previous_rank_in_parent") - pl.col("rank_in_parent")).alias(
            "rank_change_in_parent"
        ),
        pl.col("missing_kinds")
        .list.eval(pl.element().replace_strict(REPORT_KINDS_ZH, default=pl.element()))
        .list.join("、")
        .alias("missing_zh"),
    )
    return with_full_names(units)


def read_weak(
    con: duckdb.DuckDBPyConnection, period: str, units: pl.DataFrame, rules: Rules
) -> tuple[pl.DataFrame, int | None, pl.DataFrame]:
    """The early-warning list with the line each village crossed and its determination."""
    weak = _frame(con, "weak_villages", period=period)
    info = units.select(
        "unit_code",
        "name",
        "full_name",
        "county_name",
        "township_name",
        "county_code",
        "township_code",
    )
    income = f"年化集体经营性收入低于{rules.weak_income_line:g}万元"
    party = f"党建得分低于{rules.weak_party_line:g}分"
    weak = weak.join(info, on="unit_code", how="left").with_columns(
        pl.concat_list(
            pl.when(pl.col("low_income")).then(pl.lit(income)),
            pl.when(pl.col("low_party_score")).then(pl.lit(party)),
        )
        .list.drop_nulls()
        .list.join("；")
        .alias("lines_crossed")
    )
    limit = int(period[:4]) - (0 if quarter_number(period) == 4 else 1)
    years = _frame(con, "weak_village_years", year=limit)
    year = int(years["year"][0]) if years.height else None
    years = years.join(info, on="unit_code", how="left").with_columns(
        pl.col("status").replace_strict(WEAK_STATUS_ZH, default=None).alias("status_zh")
    )
    weak = weak.join(
        years.select("unit_code", pl.col("status_zh").alias("determination")),
        on="unit_code",
        how="left",
    )
    return weak.sort("county_code", "township_code", "unit_code"), year, years


def read_estimates(con: duckdb.DuckDBPyConnection, period: str) -> dict[str, pl.DataFrame]:
    """The marts beside marts.linkage (``marts.linkage_*``), the quarter's rows of each
    (all rows of one without a period): what the 联动分析's sentences may quote."""
    cur = con.cursor()
    out = {}
    for name, has_period in cur.execute(sql("linkage_estimates")).fetchall():
        table = f'marts."{name}"'  # a name the catalogue gave, quoted: never a value
        query = f"SELECT * FROM {table}" + (" WHERE period = $period" if has_period else "")
        frame = pl.from_arrow(
            cur.sql(query, params={"period": period} if has_period else None).to_arrow_table()
        )
        assert isinstance(frame, pl.DataFrame)
        out[str(name)] = frame
    return out


def reportable(published: Path, periods: list[str]) -> list[str]:
    """Those of ``periods`` that have marts in the published warehouse (a 通报 can be written)."""
    if not periods or not published.exists():
        return []
    con = connect_reader(published)
    try:
        latest = max(periods)
        have = {r[0] for r in con.execute(sql("periods_loaded"), {"period": latest}).fetchall()}
    finally:
        con.close()
    return [p for p in periods if p in have]


def read_report(published: Path, period: str, rules_path: Path | None = None) -> ReportData:
    """Read everything the assessment of ``period`` shows from the published warehouse."""
    period = parse_period(period)
    rules = load_rules(rules_path)
    con = connect_reader(published)
    try:
        return _read(con, period, rules)
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, period: str, rules: Rules) -> ReportData:
    previous, year_ago = previous_period(period), quarter_of_year_before(period)
    loaded = [r[0] for r in con.execute(sql("periods_loaded"), {"period": period}).fetchall()]
    if period not in loaded:
        raise LookupError(
            f"no marts for {period} in the warehouse: run `ronghe run --period {period}` first"
        )
    before = previous_period(previous)  # for the previous quarter's own amount (当季)
    summary_rows = _frame(
        con, "city_summary", period=period, previous=previous, year_ago=year_ago, before=before
    ).to_dicts()
    summary: dict[str, dict[str, Any] | None] = {
        p: None for p in (period, previous, year_ago, before)
    }
    for row in summary_rows:
        summary[row["period"]] = row
    units = read_units(con, period)
    versions = units["rules_version"].drop_nulls().unique().sort().to_list()
    weak, weak_year, weak_years = read_weak(con, period, units, rules)
    names = _names(units)
    full = dict(zip(units["unit_code"].to_list(), units["full_name"].to_list(), strict=True))

    def named(frame: pl.DataFrame) -> pl.DataFrame:
        """``unit_name`` (as the registry has it) and ``unit_full`` (掘港镇瑞丰村)."""
        if "unit_code" not in frame.columns:
            return frame
        return frame.with_columns(
            pl.col("unit_code")
            .replace_strict(names, default=pl.col("unit_code"))
            .alias("unit_name"),
            pl.col("unit_code")
            .replace_strict(full, default=pl.col("unit_code"))
            .alias("unit_full"),
        )

    quarantine = named(_frame(con, "quarantine_reasons", period=period)).with_columns(
        pl.col("reason").replace_strict(REASONS_ZH, default=pl.col("reason")).alias("reason_zh"),
        pl.col("kind").replace_strict(REPORT_KINDS_ZH, default=pl.col("kind")).alias("kind_zh"),
    )
    quarantine_files = _frame(con, "quarantine_files").with_columns(
        pl.col("reason").replace_strict(REASONS_ZH, default=pl.col("reason")).alias("reason_zh")
    )
    parents = units.select("unit_code", "county_code", "township_code", "level")
    filing = named(_frame(con, "filing_status", period=period)).join(
        parents, on="unit_code", how="left"
    )
    problems = named(_frame(con, "problems", period=period))
    flags = (
        named(_frame(con, "review_flag_list", period=period))
        if has(con.cursor(), "marts.review_flags")  # its own cursor: has() leaves a result
        else pl.DataFrame()
    )
    projects = named(_frame(con, "secretary_projects", period=period)).join(
        units.select("unit_code", "county_code", "county_name", "township_name"),
        on="unit_code",
        how="left",
    )
    return ReportData(
        period=period,
        previous=previous,
        year_ago=year_ago,
        generated_at=datetime.now().replace(microsecond=0),
        rules_version="、".join(versions) or rules.version,
        income_line=rules.weak_income_line,
        party_line=rules.weak_party_line,
        deadlines=dict(rules.filing_round.deadline_days),
        summary=summary,
        units=units,
        linkage=_frame(con, "linkage", period=period),
        weak=weak,
        weak_year=weak_year,
        weak_years=weak_years,
        weak_trend=_frame(con, "weak_trend", period=period),
        filing=filing,
        quarantine=quarantine,
        quarantine_files=quarantine_files,
        checks=read_checks(con, period),
        unreached=unreached_sources(con),
        problems=problems,
        projects=projects,
        flags=flags,
        estimates=read_estimates(con, period),
    )


def filing_counts(data: ReportData, level: str) -> pl.DataFrame:
    """Per county (level ``county``) or township: loaded, quarantined and missing reports.

    A county counts its own reports and those of every unit under it; a township its own
    and its villages'.
    """
    key = "county_code" if level == "county" else "township_code"
    f = data.filing
    if level == "township":
        # a township's own reports count under itself
        f = f.with_columns(
            pl.when(pl.col("level") == "township")
            .then(pl.col("unit_code"))
            .otherwise(pl.col("township_code"))
            .alias("township_code")
        )
    f = f.filter(pl.col(key).is_not_null())
    counts = f.group_by(key).agg(
        (pl.col("status") == "loaded").sum().alias("loaded"),
        (pl.col("status") == "quarantined").sum().alias("quarantined"),
        (pl.col("status") == "missing").sum().alias("missing"),
    )
    targets = data.level(level).select(
        "unit_code", "name", "county_name", pl.col("county_code").alias("_county")
    )
    return (
        targets.join(counts, left_on="unit_code", right_on=key, how="left")
        .with_columns(pl.col("loaded", "quarantined", "missing").fill_null(0))
        .sort("_county", "unit_code")
        .drop("_county")
    )
