"""One Great Expectations suite per report kind, derived from ``transforms.columns``.

Every expectation carries the contract reason code it stands for in ``meta["reason"]``
(see :data:`REASON_KEY`), so a failed expectation maps to exactly one code. Rules that
need context the suite cannot hold (the unit registry, "now") are checked on helper
columns that :mod:`expectations.validate` computes in Polars before validation:

========================  ==========================================================
``_level``                the unit's level from the registry (null if unknown)
``_in_registry``          the 12-digit unit code is in the registry (null if no code)
``_valid_in_period``      the unit is valid in the row's period (null if unknown/no period)
``_period_start``         the first instant of the row's period (null if no period)
``_now``                  the validation's "now"
========================  ==========================================================

The suites are built once per process and cached; so is the (ephemeral) GX context
with its pandas datasource, one dataframe asset per kind and a whole-dataframe batch
definition.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from transforms.batch import FILE, bad_flag, blank_flag
from transforms.columns import PII_PATTERNS, REPORT_KINDS, ReportKind, roles

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# Great Expectations is imported where it is used, not here: the import alone takes
# 3 s or more, and ``pipeline.steps`` starts it in a background thread (see
# ``import_gx``) so that it overlaps the Prefect server's start-up.
if TYPE_CHECKING:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.core.batch_definition import BatchDefinition

REASON_KEY = "reason"

# Helper columns computed by expectations.validate before validation.
LEVEL = "_level"
IN_REGISTRY = "_in_registry"
VALID_IN_PERIOD = "_valid_in_period"
PERIOD_START = "_period_start"
NOW = "_now"
# The latest plausible 填报时间 of the row's report: the deadline of its unit's level plus
# the round's correction window (CONTRACT §3); null where unknown (no rules, no level).
LATEST = "_latest"
HELPERS = (LEVEL, IN_REGISTRY, VALID_IN_PERIOD, PERIOD_START, NOW, LATEST)

# Contract reason codes (CONTRACT §3) that concern reports.
REPORT_REASONS = (
    "bad_value",
    "missing_required_value",
    "out_of_range",
    "inconsistent",
    "unknown_unit",
    "unit_not_valid_in_period",
    "bad_period",
    "future_submission",
    "duplicate_in_file",
    "pii",
)

logging.getLogger("great_expectations").setLevel(logging.WARNING)


def import_gx() -> None:
    """Import the Great Expectations modules the suites use (idempotent, thread-safe)."""
    import great_expectations
    import great_expectations.expectations  # noqa: F401
    from great_expectations.expectations import row_conditions  # noqa: F401


def _meta(reason: str) -> dict[str, Any]:
    assert reason in REPORT_REASONS, reason
    return {REASON_KEY: reason}


def _flag_is(flag: str, value: bool, reason: str, **kw: Any) -> gxe.Expectation:
    """The boolean flag column must be ``value`` (nulls are ignored)."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[value], meta=_meta(reason), **kw)


def _flags_false(flags: list[str], reason: str, **kw: Any) -> gxe.Expectation:
    """Every one of the boolean flag columns must be False (they hold no nulls)."""
    import great_expectations.expectations as gxe

    if len(flags) == 1:
        return _flag_is(flags[0], False, reason, **kw)
    return gxe.ExpectMulticolumnSumToEqual(
        column_list=flags, sum_total=0, ignore_row_if="never", meta=_meta(reason), **kw
    )


def _by_levels(kind: ReportKind) -> dict[tuple[str, ...], list[str]]:
    """Level-dependent required columns, grouped by their set of levels."""
    out: dict[tuple[str, ...], list[str]] = {}
    for c in kind.columns:
        if c.required_levels:
            out.setdefault(tuple(c.required_levels), []).append(c.name)
    return out


def expectations_for(kind: ReportKind) -> list[gxe.Expectation]:
    """The expectations of one kind, each tagged with its reason code."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as Col

    r = roles(kind)
    out: list[gxe.Expectation] = []
    # Flags: one expectation per reason over all the columns it concerns (GX's cost is
    # per expectation, not per column). A blank optional column with a default was
    # filled by the parser; its blank flag is not checked.
    out.append(
        _flags_false(
            [blank_flag(c.name) for c in kind.columns if c.required], "missing_required_value"
        )
    )
    for levels, names in _by_levels(kind).items():
        cond = Col(LEVEL) == levels[0] if len(levels) == 1 else Col(LEVEL).is_in(levels)
        out.append(
            _flags_false(
                [blank_flag(n) for n in names], "missing_required_value", row_condition=cond
            )
        )
    # Present but unparseable (includes a code not of 12 digits, a text not matching its
    # pattern, an unknown enum label); an unparseable quarter is bad_period.
    out.append(
        _flags_false([bad_flag(c.name) for c in kind.columns if c.name != r.period], "bad_value")
    )
    out.append(_flags_false([bad_flag(r.period)], "bad_period"))
    for c in kind.columns:
        if c.enum:
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=c.name, value_set=[code for code, _ in c.enum], meta=_meta("bad_value")
                )
            )
        if c.pattern and c.type in ("code", "text"):
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=c.name, regex=c.pattern, meta=_meta("bad_value")
                )
            )
        if c.min is not None or c.max is not None:
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.name, min_value=c.min, max_value=c.max, meta=_meta("out_of_range")
                )
            )
        if c.max_length is not None:
            out.append(
                gxe.ExpectColumnValueLengthsToBeBetween(
                    column=c.name, max_value=c.max_length, meta=_meta("out_of_range")
                )
            )
        if c.type == "text":
            out.append(
                gxe.ExpectColumnValuesToNotMatchRegexList(
                    column=c.name,
                    regex_list=list(PII_PATTERNS),
                    meta=_meta("pii"),
                )
            )
    for rule in kind.rules:
        out.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=rule.greater,
                column_B=rule.lesser,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta("inconsistent"),
            )
        )
    out.append(
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[FILE, *kind.key],
            ignore_row_if="any_value_is_missing",
            meta=_meta("duplicate_in_file"),
        )
    )
    out.append(_flag_is(IN_REGISTRY, True, "unknown_unit"))
    out.append(_flag_is(VALID_IN_PERIOD, True, "unit_not_valid_in_period"))
    # Period after the quarter of submitted_at <=> submitted before the period starts.
    out.append(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=r.submitted,
            column_B=PERIOD_START,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("bad_period"),
        )
    )
    out.append(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=NOW,
            column_B=r.submitted,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("future_submission"),
        )
    )
    # A 填报时间 later than the deadline plus the correction window is implausible (a
    # date typed without a year became this year's): it never loads (CONTRACT §3).
    out.append(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=LATEST,
            column_B=r.submitted,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta("out_of_range"),
        )
    )
    return out


def _is_bounds(e: gxe.Expectation) -> bool:
    return type(e).__name__ == "ExpectColumnValuesToBeBetween"


def wide_expectations(
    kind: ReportKind,
) -> tuple[list[gxe.Expectation], dict[int, list[gxe.Expectation]]]:
    """The suite as it runs: :func:`expectations_for` with the declared bounds of all
    columns as one wide expectation (:mod:`expectations.wide`), and, by its position,
    the narrow expectations it stands for (run only when it fails, to name the rows)."""
    from expectations.wide import ExpectColumnValuesWithinBounds

    narrow = expectations_for(kind)
    bounds: list[Any] = [e for e in narrow if _is_bounds(e)]  # ExpectColumnValuesToBeBetween
    if len(bounds) < 2:
        return narrow, {}
    wide = ExpectColumnValuesWithinBounds(
        column_list=[e.column for e in bounds],
        bounds=[(e.min_value, e.max_value) for e in bounds],
        meta=_meta("out_of_range"),
    )
    out = [e for e in narrow if not _is_bounds(e)]
    out.append(wide)
    return out, {len(out) - 1: bounds}


@dataclass(frozen=True)
class Runner:
    """What validating a kind needs: the suite and the batch definition to run it on, and
    the narrow expectations a wide one of the suite stands for (by its GX id)."""

    suite: gx.ExpectationSuite
    batch_definition: BatchDefinition
    lock: threading.Lock
    members: dict[str, list[gxe.Expectation]]


_CONTEXT_LOCK = threading.Lock()


@cache
def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from tqdm import tqdm

    # GX makes a tqdm bar for every validation, disabled or not, and tqdm's first bar
    # makes a multiprocessing lock: a named semaphore the resource tracker must see
    # unlinked. The validation process, stopped by Ctrl-C, never unlinks it, and the
    # tracker warned of "leaked semaphore objects" under the run's last line. A thread
    # lock is all a bar that is never shown needs.
    tqdm.set_lock(threading.RLock())

    # set again at use: Prefect's logging set-up may run after this module's import
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.variables.analytics_enabled = False
    ctx.data_sources.add_pandas("ronghe")
    return ctx


def runner(kind_name: str) -> Runner:
    """The cached suite and batch definition of a kind (built on first use)."""
    with _CONTEXT_LOCK:
        return _runner(kind_name)


@cache
def _runner(kind_name: str) -> Runner:
    import great_expectations as gx

    kind = REPORT_KINDS[kind_name]
    ctx = _context()
    suite = gx.ExpectationSuite(name=f"ronghe_{kind.name}")
    expectations, groups = wide_expectations(kind)
    added = [suite.add_expectation(e) for e in expectations]
    suite = ctx.suites.add(suite)
    asset = ctx.data_sources.get("ronghe").add_dataframe_asset(name=kind.name)
    bd = asset.add_batch_definition_whole_dataframe("whole")
    members = {str(added[i].id): narrow for i, narrow in groups.items()}
    return Runner(suite=suite, batch_definition=bd, lock=threading.Lock(), members=members)
