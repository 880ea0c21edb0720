"""Run a kind's GX suite on a parsed batch and group rows into report verdicts.

Input is the *parsed batch* of docs/design.md (one Polars frame per kind, many files);
output is :class:`Verdicts`. GX validates a pandas frame converted from Polars (GX 1.x has
no Polars engine) in two passes: the whole suite with ``result_format`` BOOLEAN_ONLY says
which expectations fail, then only those run again with COMPLETE and ``_id`` as the
unexpected-index column, so every failed expectation names its rows. GX's cost is per
expectation and metric, not per row; a clean batch costs the first pass only.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import polars as pl

from expectations.cells import hidden_hits, pii_hits
from expectations.names import name_hits
from expectations.problems import HITS_SCHEMA, PROBLEM_SCHEMA, Places, report_problems
from expectations.suites import (
    IN_REGISTRY,
    LATEST,
    LEVEL,
    NOW,
    PERIOD_START,
    REASON_KEY,
    VALID_IN_PERIOD,
    runner,
)
from expectations.window import Window, latest
from transforms.batch import (
    BAD,
    BLANK,
    FILE,
    FLAG_PREFIXES,
    ID,
    KEY_PERIOD,
    KEY_UNIT,
    RECORD,
    ROW,
    flags,
    parsed_schema,
)
from transforms.columns import ReportKind, roles
from transforms.periods import period_expr, start_expr
from transforms.pii import mask_expr
from transforms.reasons import REASONS_EN as EXPLANATIONS

# Registry columns (CONTRACT §1: the registry file's own schema).
REG_UNIT = "unit_code"
REG_LEVEL = "level"
REG_FROM = "valid_from"
REG_TO = "valid_to"

REASONS = "reasons"

# Report timestamps are naive China time (transforms/parse.py); an aware "now" is
# converted to it.
CHINA = timezone(timedelta(hours=8))

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "source_sha256": pl.String(),
    "kind": pl.String(),
    "unit_code": pl.String(),
    "period": pl.String(),
    "row_numbers": pl.List(pl.Int64()),
    "reasons": pl.List(pl.String()),
    "record": pl.String(),
}
ROW_REASONS_SCHEMA: dict[str, pl.DataType] = {ID: pl.Int64(), REASONS: pl.List(pl.String())}

REG_NAME = "name"


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation (a bug or a malformed batch, not bad data)."""


@dataclass(frozen=True)
class Verdicts:
    """Report verdicts of one parsed batch (docs/design.md, "Report verdicts")."""

    accepted: pl.DataFrame  # declared typed columns + _file, _row of accepted reports
    quarantined: pl.DataFrame  # one row per quarantined report (QUARANTINE_SCHEMA)
    row_reasons: pl.DataFrame  # _id, reasons for rows with any reason
    # one row per problem of a quarantined report (expectations.problems.PROBLEM_SCHEMA)
    problems: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))


def explain(reasons: Iterable[str]) -> str:
    """One short English phrase per reason code, joined with "; "."""
    return "; ".join(EXPLANATIONS.get(r, r) for r in reasons)


def report_keys() -> list[str]:
    """The columns that group rows into reports."""
    return [FILE, KEY_UNIT, KEY_PERIOD]


def validate(
    kind: ReportKind,
    batch: pl.DataFrame,
    registry: pl.DataFrame,
    now: datetime,
    header_rows: Mapping[str, Places] | None = None,
    window: Window | None = None,
) -> Verdicts:
    """Validate a parsed batch of ``kind`` and return the report verdicts.

    ``header_rows`` (per file SHA-256, default 1) turns data rows into the rows the
    filer sees in the problems (``expectations.problems.header_rows``). ``window``: when
    a 填报时间 is plausible (None: not judged).
    """
    _check_columns(kind, batch)
    if batch.height == 0:
        hits = pl.DataFrame(schema=HITS_SCHEMA)
    else:
        prepared = with_helpers(kind, batch, registry, now, window)
        found = [
            _hits(kind, prepared),
            name_hits(kind, batch, registry),
            pii_hits(batch),
            hidden_hits(batch),
        ]
        hits = pl.concat(found)
    row_reasons = (
        hits.group_by(ID)
        .agg(pl.col("reason").unique().sort().alias(REASONS))
        .sort(ID)
        .cast(ROW_REASONS_SCHEMA)  # type: ignore[arg-type]
    )
    verdicts = _verdicts(kind, batch, row_reasons)
    names = dict(registry.select(REG_UNIT, REG_NAME).iter_rows()) if REG_NAME in registry else {}
    days = None if window is None else window.correction_days
    problems = report_problems(kind, batch, hits, header_rows, names, days)
    return Verdicts(verdicts.accepted, verdicts.quarantined, row_reasons, problems)


def _check_columns(kind: ReportKind, batch: pl.DataFrame) -> None:
    missing = [c for c in parsed_schema(kind) if c not in batch.columns]
    if missing:
        raise ValueError(f"parsed {kind.name} batch lacks columns: {', '.join(missing)}")


def with_helpers(
    kind: ReportKind,
    batch: pl.DataFrame,
    registry: pl.DataFrame,
    now: datetime,
    window: Window | None = None,
) -> pl.DataFrame:
    """The batch with the context helper columns the suite checks (see expectations.suites)."""
    r = roles(kind)
    reg = registry.select(
        pl.col(REG_UNIT).cast(pl.String).alias("__unit"),
        pl.col(REG_LEVEL).cast(pl.String).alias("__level"),
        period_expr(REG_FROM).alias("__from"),
        period_expr(REG_TO).alias("__to"),
    )
    period = pl.col(r.period)
    ok = (
        period.is_not_null()
        & (pl.col("__from").is_null() | (pl.col("__from") <= period))
        & (pl.col("__to").is_null() | (period <= pl.col("__to")))
    )
    matched = (
        batch.select(ID, r.unit, r.period)
        .filter(pl.col(r.unit).is_not_null())
        .join(reg, left_on=r.unit, right_on="__unit", how="inner")
        .with_columns(ok.alias("__ok"))
        .group_by(ID)
        .agg(
            pl.col(r.period).first().alias("__period"),
            pl.col("__ok").any().alias("__any_ok"),
            # The level of the registry row valid in the period, else of any row.
            pl.col("__level").sort_by("__ok", descending=True).first().alias(LEVEL),
        )
        .select(
            ID,
            LEVEL,
            pl.lit(True).alias(IN_REGISTRY),
            pl.when(pl.col("__period").is_not_null())
            .then(pl.col("__any_ok"))
            .alias(VALID_IN_PERIOD),
        )
    )
    ts_type = batch.schema[r.submitted]
    if not isinstance(ts_type, pl.Datetime):
        ts_type = pl.Datetime("us")
    if now.tzinfo is not None:
        now = now.astimezone(CHINA).replace(tzinfo=None)
    flag_columns = flags(kind)
    return (
        batch.select(ID, FILE, *kind.names, *flag_columns)
        .with_columns(pl.col(flag_columns).fill_null(False))
        .join(matched, on=ID, how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col(r.unit).is_not_null())
            .then(pl.col(IN_REGISTRY).fill_null(False))
            .alias(IN_REGISTRY),
            start_expr(r.period).cast(ts_type).alias(PERIOD_START),
            pl.lit(now).cast(ts_type).alias(NOW),
        )
        .with_columns(latest(window, LEVEL, PERIOD_START).cast(ts_type).alias(LATEST))
    )


def _failed_column(kind: ReportKind, kwargs: Mapping[str, Any]) -> str | list[str]:
    """The declared column a failed expectation is about, from its GX configuration.

    A flag column names its declared column; a registry helper is about the unit code;
    a pair rule is about its lesser side (``column_B``) unless that is a helper; a
    uniqueness rule about the key column that is not unit or period (else the unit).
    A list: flag columns to be narrowed per row (one expectation over many flags).
    """
    r = roles(kind)

    def declared(name: str) -> str:
        for prefix in (BLANK, BAD):
            if name.startswith(prefix):
                return name[len(prefix) :]
        if name in (IN_REGISTRY, VALID_IN_PERIOD):
            return r.unit
        if name == PERIOD_START:
            return r.period
        return name

    if "column" in kwargs:
        return declared(str(kwargs["column"]))
    if "column_B" in kwargs:
        b = str(kwargs["column_B"])
        return declared(b) if b != PERIOD_START else r.period
    columns = [str(c) for c in kwargs.get("column_list", [])]
    if columns and all(c.startswith(FLAG_PREFIXES) for c in columns):
        return columns
    extra = [c for c in columns if c in kind.names and c not in (r.unit, r.period)]
    return extra[-1] if extra else r.unit


def _hits(kind: ReportKind, prepared: pl.DataFrame) -> pl.DataFrame:
    """Run the suite once; one row per (failing row, reason, column) (HITS_SCHEMA)."""
    run = runner(kind.name)
    frame = prepared.to_pandas()
    with run.lock:
        batch = run.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        # Two passes: which expectations fail (BOOLEAN_ONLY: a third of the metrics, and
        # GX's cost is per metric, not per row), then the rows of those only (COMPLETE).
        # Most batches fail few expectations, so the second pass is small or skipped.
        first = batch.validate(run.suite, result_format={"result_format": "BOOLEAN_ONLY"})
        _check_ran(kind, first.results)
        failed = {r.expectation_config.id for r in first.results if not r.success}  # type: ignore[union-attr]  # checked by _check_ran
        results = []
        if failed:
            import great_expectations as gx

            # a failed wide expectation is run as the narrow ones it stands for
            again = gx.ExpectationSuite(
                name=f"{run.suite.name}_failed",
                expectations=[
                    copy.copy(n)
                    for e in run.suite.expectations
                    if e.id in failed
                    for n in run.members.get(str(e.id), [e])
                ],
            )
            results = batch.validate(
                again,
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ID]},
            ).results
    _check_ran(kind, results)
    parts: list[pl.DataFrame] = []
    for res in results:
        config = res.expectation_config
        assert config is not None  # checked by _check_ran
        if res.success:
            continue
        reason = str((config.meta or {})[REASON_KEY])
        found = [int(d[ID]) for d in res.result.get("unexpected_index_list") or []]
        if not found and res.result.get("unexpected_count"):
            raise ValidationError(f"{kind.name}: {config.type} failed without naming its rows")
        if not found:
            continue
        rows = prepared.filter(pl.col(ID).is_in(found)).select(
            ID, pl.col(LEVEL).alias("level"), *_flag_list(config)
        )
        column = _failed_column(kind, config.kwargs)
        if isinstance(column, str):
            part = rows.select(ID, pl.lit(column).alias("column"), "level")
        else:  # which of the flags is set, row by row
            part = (
                rows.unpivot(index=[ID, "level"], on=column, variable_name="column")
                .filter(pl.col("value"))
                .select(ID, pl.col("column").str.replace(r"^_(blank|bad)__", ""), "level")
            )
        parts.append(part.with_columns(pl.lit(reason).alias("reason")))
    if not parts:
        return pl.DataFrame(schema=HITS_SCHEMA)
    return pl.concat(parts, how="diagonal").select(list(HITS_SCHEMA)).cast(HITS_SCHEMA)  # type: ignore[arg-type]


def _check_ran(kind: ReportKind, results: Sequence[Any]) -> None:
    """Raise :class:`ValidationError` if GX could not evaluate an expectation."""
    for res in results:
        config = res.expectation_config
        if config is None:  # pragma: no cover - GX always sets it
            raise ValidationError("GX returned a result without its expectation")
        if _raised(res.exception_info):
            raise ValidationError(
                f"{kind.name}: expectation {config.type} on {config.kwargs} failed to run: "
                f"{_exception_message(res.exception_info)}"
            )


def _flag_list(config: Any) -> list[str]:
    columns = [str(c) for c in config.kwargs.get("column_list", [])]
    return [c for c in columns if c.startswith(FLAG_PREFIXES)]


def _exception_infos(info: Any) -> Iterator[dict[str, Any]]:
    """GX reports ``exception_info`` either flat or keyed by metric id."""
    if isinstance(info, dict):
        if "raised_exception" in info:
            yield info
        else:
            for v in info.values():
                yield from _exception_infos(v)


def _raised(info: Any) -> bool:
    return any(i.get("raised_exception") for i in _exception_infos(info))


def _exception_message(info: Any) -> str:
    return "; ".join(
        str(i.get("exception_message")) for i in _exception_infos(info) if i.get("raised_exception")
    )


def _verdicts(kind: ReportKind, batch: pl.DataFrame, row_reasons: pl.DataFrame) -> Verdicts:
    keys = report_keys()
    rows = (
        batch.select(ID, ROW, RECORD, *keys, *kind.names)
        .join(row_reasons, on=ID, how="left", maintain_order="left")
        .with_columns(
            (pl.col(REASONS).list.len().fill_null(0).sum().over(keys, order_by=ID) > 0).alias(
                "__quarantined"
            )
        )
    )
    accepted = rows.filter(~pl.col("__quarantined")).sort(ID).select(*kind.names, FILE, ROW)
    quarantined = (
        rows.filter(pl.col("__quarantined"))
        .sort(ROW, ID)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col(ID).min().alias("__first"),
            pl.col(ROW).cast(pl.Int64).alias("row_numbers"),
            pl.col(REASONS)
            .list.explode(keep_nulls=False, empty_as_null=False)
            .drop_nulls()
            .unique()
            .sort()
            .alias("reasons"),
            pl.format("[{}]", pl.col(RECORD).fill_null("null").str.join(",")).alias("record"),
        )
        .sort("__first")
        .select(
            pl.col(FILE).alias("source_sha256"),
            pl.lit(kind.name).alias("kind"),
            # the keys as received, shown and stored: masked like the record (transforms.pii)
            mask_expr(pl.col(KEY_UNIT)).alias("unit_code"),
            mask_expr(pl.col(KEY_PERIOD)).alias("period"),
            "row_numbers",
            "reasons",
            "record",
        )
        .cast(QUARANTINE_SCHEMA)  # type: ignore[arg-type]
    )
    return Verdicts(accepted=accepted, quarantined=quarantined, row_reasons=row_reasons)


__all__: Sequence[str] = (
    "EXPLANATIONS",
    "ValidationError",
    "Verdicts",
    "Window",
    "explain",
    "report_keys",
    "validate",
    "with_helpers",
)
