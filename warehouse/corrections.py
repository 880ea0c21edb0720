"""A later correction supersedes only when its 填报时间 is plausible (docs/warehouse.md).

A version of a report (kind, unit, period) that arrives when the warehouse already holds
one from another file is a correction. It supersedes (CONTRACT §3: newer 填报时间 wins)
only when its 填报时间 is not before the first version's (the earliest received that
loaded): a correction cannot have been filled in before the report it corrects;
otherwise it would silently lose.

A 填报时间 later than the round's correction limit (the level's deadline plus the rules'
``round.correction_window_days``, default a year) is implausible in any version: it is
``out_of_range`` in validation (``expectations.window``), so it never loads; a version
that loaded before that rule, with such a date, does not count as the first version, so
it never stands in the way of a correction. (Not later than its receipt is the rule
``future_submission``.) A correction that fails is returned whole with reason
``inconsistent`` on 填报时间 and a sentence saying why; the version that stands keeps
counting. :func:`hold_implausible` moves such reports from a kind's accepted rows to its
quarantined reports and problems before the load, so the manifest's reconciliation
(rows read = loaded + quarantined) holds as for any report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import duckdb
import polars as pl

from expectations.problems import PROBLEM_SCHEMA, Places, office_row
from transforms.columns import REPORT_KINDS
from warehouse.db import registered, sql_file
from warehouse.ruleset import Rules
from warehouse.store import KindLoad

REASON = "inconsistent"


def _stamp(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M")


def sentence(row: int, value: datetime, first: datetime) -> tuple[str, str]:
    """The Chinese and English sentences of a correction filled in before the first version."""
    return (
        f"第{row}行「填报时间」为{_stamp(value)}，早于该报表首次报送版本的填报时间"
        f"{_stamp(first)}：更正版本的填报时间不能早于原版本，请核实填报时间后重新报送",
        f"Row {row}: 填报时间 {_stamp(value)} is before the first version's"
        f" ({_stamp(first)}); a correction cannot predate the report it corrects",
    )


def hold_implausible(
    con: duckdb.DuckDBPyConnection,
    kinds: Sequence[KindLoad],
    rules: Rules,
    header_rows: Mapping[str, Places],
    ranks: Mapping[str, int],
) -> list[KindLoad]:
    """``kinds`` with the implausible corrections moved from accepted to quarantined.

    ``header_rows``: per file SHA-256, the rows above its first data row (sheet row =
    ``_row`` + that), as :func:`expectations.problems.header_rows` gives them. ``ranks``:
    each file's position in the run (its receipt order): versions of one report in the
    same run are compared in that order, so a run gives what its chunks loaded one after
    the other would.
    """
    return [_hold(con, k, rules, header_rows, ranks) for k in kinds]


def _windows(periods: Sequence[str], rules: Rules) -> pl.DataFrame:
    r = rules.filing_round
    rows = [(p, lv, r.correction_until(p, lv)) for p in periods for lv in r.deadline_days]
    return pl.DataFrame(
        rows, schema={"period": pl.String, "level": pl.String, "until": pl.Datetime("us")},
        orient="row",
    )  # fmt: skip


def _hold(
    con: duckdb.DuckDBPyConnection,
    k: KindLoad,
    rules: Rules,
    header_rows: Mapping[str, Places],
    ranks: Mapping[str, int],
) -> KindLoad:
    if k.accepted.is_empty() or k.kind not in REPORT_KINDS:
        return k
    incoming = k.accepted.group_by("unit_code", "period", "_file").agg(
        pl.col("submitted_at").max(), pl.col("_row").min().alias("first_row")
    )
    incoming = incoming.with_columns(
        pl.col("_file").replace_strict(dict(ranks), default=0, return_dtype=pl.Int64).alias("rank")
    )
    periods = sorted(incoming.get_column("period").drop_nulls().unique().to_list())
    # an identifier from the declaration, never input: tables cannot be bound parameters
    query = sql_file("core_corrections.sql").replace("{kind}", k.kind)
    with (
        registered(con, "incoming", incoming),
        registered(con, "windows", _windows(periods, rules)),
    ):
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        bad = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    if not bad:
        return k
    keys = pl.DataFrame(
        [(b["unit_code"], b["period"], b["source_sha256"]) for b in bad],
        schema={"unit_code": pl.String, "period": pl.String, "_file": pl.String},
        orient="row",
    )
    held = k.accepted.join(keys, on=["unit_code", "period", "_file"], how="semi")
    reports, problems = [], []
    for b in bad:
        rows = held.filter(
            (pl.col("unit_code") == b["unit_code"])
            & (pl.col("period") == b["period"])
            & (pl.col("_file") == b["source_sha256"])
        ).sort("_row")
        record = json.dumps(rows.drop("_file", "_row").to_dicts(), ensure_ascii=False, default=str)
        reports.append(
            {
                "source_sha256": b["source_sha256"],
                "kind": k.kind,
                "unit_code": b["unit_code"],
                "period": b["period"],
                "row_numbers": rows.get_column("_row").cast(pl.Int64).to_list(),
                "reasons": [REASON],
                "record": record,
            }
        )
        row = office_row(header_rows.get(b["source_sha256"], 1), int(b["first_row"]))
        zh, en = sentence(row, b["submitted_at"], b["first_submitted"])
        problems.append(
            {
                "source_sha256": b["source_sha256"],
                "kind": k.kind,
                "unit_code": b["unit_code"],
                "period": b["period"],
                "sheet_row": row,
                "column": "submitted_at",
                "column_zh": REPORT_KINDS[k.kind].column("submitted_at").zh,
                "value": _stamp(b["submitted_at"]),
                "reason": REASON,
                "message_zh": zh,
                "message_en": en,
            }
        )
    quarantined = pl.concat(
        [k.quarantined, pl.DataFrame(reports, schema=k.quarantined.schema)], how="vertical"
    )
    found = pl.DataFrame(problems, schema=PROBLEM_SCHEMA)
    old = k.problems
    merged = (
        found
        if old is None or old.is_empty()
        else pl.concat([old, found.select(old.columns)], how="vertical_relaxed")
    )
    return replace(
        k,
        accepted=k.accepted.join(keys, on=["unit_code", "period", "_file"], how="anti"),
        quarantined=quarantined,
        problems=merged,
    )
