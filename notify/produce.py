"""The notices of what happened, from the warehouse: plain functions, no Prefect.

- :func:`outcomes`: the reports quarantined and the files rejected whole among some
  files (a run's new ones, or every file received since a time: the delivery flow's
  look for what a run died before telling);
- :func:`sources`: a source that could not be reached (once per outage: keyed by when
  it was last reached) and, when it is reached again, that it is back;
- :func:`overdue`: each report still owed after its deadline (once per report and
  quarter: the chase of a later deadline, or a re-run, tells nothing again).

Each notice's ``about`` is the discriminator of the Prefect event that goes with it
(``flows/announce.py``, ``flows/chase.py``), so the two always agree on "the same".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

import duckdb

from filers.owners import Registry, owning_unit
from notify import texts
from notify.notice import Notice
from transforms.paths import masked_text

SQL_DIR = Path(__file__).with_name("sql")


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def names_of(con: duckdb.DuckDBPyConnection) -> texts.Names:
    """The registry's names (``core.units``) for the texts."""
    return texts.Names.of(
        con.execute("SELECT unit_code, name, level, parent_code FROM core.units").fetchall()
    )


def _file(path: str) -> str:
    return masked_text(PurePath(path).name)


def outcomes(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    shas: Sequence[str] | None = None,
    since: datetime | None = None,
) -> list[Notice]:
    """The notices of the reports quarantined and files rejected among the files
    ``shas`` (or received after ``since``)."""
    if not shas and since is None:
        return []
    params: dict[str, Any] = {"shas": list(shas) if shas else None, "since": since}
    names = names_of(con)
    out: list[Notice] = []
    for sha, kind, unit, period, reasons, path, sentences, due_at in con.execute(
        _sql("quarantined.sql"), params
    ).fetchall():
        text = texts.quarantined(
            names.full(unit), kind, period, _file(path), sentences, reasons, due_at, now
        )
        out.append(Notice("quarantined", f"{sha}|{kind}|{unit}|{period}", text, unit, period))
    rows = con.execute(_sql("rejected.sql"), params).fetchall()
    if rows:
        registry = Registry.of((c, n, p) for c, (n, _, p) in names.rows.items())
        for sha, reasons, path, source_unit, sentences in rows:
            unit = owning_unit(path, registry, source_unit)
            text = texts.rejected(names.full(unit), _file(path), sentences, reasons)
            out.append(Notice("rejected", sha, text, unit))
    return out


def outage_about(name: str, since: datetime | None) -> str:
    """What an outage is: the source, and when it was last reached before it."""
    return f"{name}|down-since:{since or 'never'}"


def sources(
    pulls: Iterable[Any],
    last_reached: dict[str, datetime | None],
    names: texts.Names,
    told: set[str],
) -> list[Notice]:
    """The notices of one pull's sources (``sources.pull.SourcePull``).

    ``last_reached``: when each was reached before this pull; ``told``: the keys among
    :func:`down_keys` the outbox already holds (an outage told, its end not yet).
    """
    out: list[Notice] = []
    for p in pulls:
        name, unit = p.source.name, p.source.unit
        since = last_reached.get(name)
        down = Notice("source_unreachable", outage_about(name, since), "", unit)
        if not p.reached:
            text = texts.source_unreachable(name, names.full(unit), p.error or "", since)
            out.append(Notice(down.kind, down.about, text, unit))
        elif down.key in told:  # reached now, and its outage was told: it is back
            text = texts.source_back(name, names.full(unit), p.attempted_at)
            out.append(Notice("source_back", down.about, text, unit))
    return out


def down_keys(pulls: Iterable[Any], last_reached: dict[str, datetime | None]) -> list[str]:
    """The keys of the outages each reached source may have had (for :func:`sources`)."""
    return [
        f"source_unreachable:{outage_about(p.source.name, last_reached.get(p.source.name))}"
        for p in pulls
        if p.reached
    ]


def overdue(items: Iterable[Any], period: str, names: texts.Names) -> list[Notice]:
    """One notice per report still owed (``filers.chase.Overdue``)."""
    return [
        Notice(
            "overdue",
            f"{i.unit_code}|{period}|{i.kind}",
            texts.overdue(
                names.full(i.unit_code),
                i.kind,
                period,
                i.status,
                i.due_at,
                i.days_overdue,
                i.wrong,
            ),
            i.unit_code,
            period,
        )
        for i in items
    ]


def approvals(con: duckdb.DuckDBPyConnection, since: datetime) -> list[Notice]:
    """One notice per report approved or returned (``meta.approvals``) at or after
    ``since`` (the outbox's birth: what came before it is history, not news)."""
    rows = con.execute(
        "SELECT kind, unit_code, period, source_sha256, state, by_unit, reason"
        " FROM meta.approvals WHERE state IN ('approved', 'returned') AND \"at\" >= ?"
        ' ORDER BY "at", kind, unit_code, period, seq',
        [since],
    ).fetchall()
    if not rows:
        return []
    names = names_of(con)
    return [
        approval(names, kind, unit, period, sha, state == "approved", by, reason)
        for kind, unit, period, sha, state, by, reason in rows
    ]


def approval(
    names: texts.Names,
    kind: str,
    unit_code: str,
    period: str,
    source_sha256: str,
    approved: bool,
    by_unit: str,
    reason: str | None = None,
) -> Notice:
    """A report approved or returned up the hierarchy (CONTRACT §11): one per transition."""
    text = texts.approval(
        names.full(unit_code), kind, period, approved, names.full(by_unit), reason
    )
    return Notice(
        "approved" if approved else "returned",
        f"{unit_code}|{period}|{kind}|{source_sha256}",
        text,
        unit_code,
        period,
    )
