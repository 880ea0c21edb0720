"""What a run takes from the portal's store (CONTRACT §11): approvals and explanations.

The run reads the store read-only, with a short timeout (:mod:`approval.store`): a
store it cannot read now is said and the run goes on with what it copied before, so a
run never waits for the portal.

- :func:`copy_approvals`: the approval log into ``meta.approvals``; the periods whose
  transitions changed (their marts are rebuilt).
- :func:`with_explanations`: the 说明 a unit typed in the portal when it confirmed a
  file, applied to that file's reports as they load: a report whose own 说明 column is
  blank takes it, one with its own 说明 gets it appended. So the loaded report's
  ``explanation`` (``core.*``, ``raw.*``) holds it and its review flags are explained.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import polars as pl

from approval.store import StoreUnavailable, read_explanations, read_log
from config.settings import Settings
from pipeline import progress
from warehouse.approvals import newest_transition, replace_approvals
from warehouse.store import KindLoad
from warehouse.workspace import Workspace

Notes = Mapping[tuple[str, str, str, str], str]
"""说明 by (file SHA-256, kind, unit code, period)."""


def copy_approvals(ws: Workspace) -> tuple[str, ...]:
    """Copy the portal's approval log into ``meta.approvals``; the periods that changed."""
    try:
        rows = read_log(ws.settings.portal_store_url)
    except StoreUnavailable as e:
        progress.step(f"the portal's store cannot be read now ({e}): approvals kept as before")
        return ()
    if rows is None:
        return ()
    periods = replace_approvals(ws.con, rows)
    if periods:
        progress.step(f"approvals copied from the portal: {', '.join(periods)} changed")
    return tuple(periods)


def approvals_pending(settings: Settings, published_con: object) -> bool:
    """Whether the portal's log holds transitions the published warehouse lacks (the
    lock-free poll check of :func:`pipeline.run.nothing_new`)."""
    try:
        rows = read_log(settings.portal_store_url)
    except StoreUnavailable:
        return False
    if not rows:
        return False
    n, at = newest_transition(published_con)  # type: ignore[arg-type]
    return len(rows) != n or max(r["at"] for r in rows) != at


def portal_notes(settings: Settings, shas: Sequence[str]) -> Notes:
    """The 说明 typed in the portal for the files ``shas`` (none if the store is away)."""
    try:
        return read_explanations(settings.portal_store_url, shas)
    except StoreUnavailable as e:
        progress.step(f"the portal's store cannot be read now ({e}): its 说明 not applied")
        return {}


def with_explanations(kinds: Sequence[KindLoad], notes: Notes) -> list[KindLoad]:
    """Each kind's accepted rows with the portal's 说明 of their report applied."""
    if not notes:
        return list(kinds)
    out = []
    for k in kinds:
        mine = [(s, u, p, t) for (s, kind, u, p), t in notes.items() if kind == k.kind]
        if not mine or k.accepted.is_empty() or "explanation" not in k.accepted.columns:
            out.append(k)
            continue
        typed = pl.DataFrame(mine, schema=["_file", "unit_code", "period", "_typed"], orient="row")
        own = pl.col("explanation").str.strip_chars()
        accepted = (
            k.accepted.join(
                typed, on=["_file", "unit_code", "period"], how="left", maintain_order="left"
            )
            .with_columns(
                pl.when(pl.col("_typed").is_null())
                .then(pl.col("explanation"))
                .when(own.is_null() | (own == ""))
                .then(pl.col("_typed"))
                .otherwise(pl.concat_str([pl.col("explanation"), pl.col("_typed")], separator="；"))
                .alias("explanation")
            )
            .drop("_typed")
        )
        out.append(replace(k, accepted=accepted))
    return out
