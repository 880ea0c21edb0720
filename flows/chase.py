"""The chase (催报) after each level's deadline: a thin flow over :mod:`filers.chase`.

``ronghe-chase/chase`` (``ronghe serve``) runs at 09:00 the morning after each level's
deadline (rules ``[round.deadline_days]``: villages, then townships, then counties). It
first brings the quarter up to date (a ``ronghe-quarterly`` run of the quarter just
ended: new files ingested, the marts rebuilt), then writes the chase lists into
``$RONGHE_HOME/chase/<period>/`` and emits one ``ronghe.unit.overdue`` event per report
still owed. Each event's id is deterministic (unit, period and kind), so the chase of a
later deadline, or a re-run, does not announce the same missing report twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow

from config.settings import Settings
from filers.chase import ChaseResult, Overdue, chase, chase_dir, summary
from flows.events import OVERDUE_EVENT, event_id
from flows.flows import quarter_flow
from flows.outputs import follow
from flows.tasks import as_task
from pipeline import progress
from transforms.periods import last_complete, parse_period
from warehouse.modes import share_outputs
from warehouse.ruleset import load_rules

LEVELS_BY_DEADLINE = ("village", "township", "county")


def overdue_event(item: Overdue, period: str) -> dict[str, Any]:
    """The ``ronghe.unit.overdue`` event of one owed report (arguments of ``emit_event``)."""
    resource = f"ronghe.unit.{item.unit_code}"
    related = [
        {"prefect.resource.id": f"ronghe.unit.{code}", "prefect.resource.role": role}
        for code, role in ((item.township_code, "township"), (item.county_code, "county"))
        if code is not None and code != item.unit_code
    ]
    return {
        "event": OVERDUE_EVENT,
        "resource": {"prefect.resource.id": resource, "prefect.resource.name": item.name},
        "related": related,
        "payload": {
            "period": period,
            "kind": item.kind,
            "level": item.level,
            "status": item.status,
            "due_at": item.due_at.isoformat(),
            "days_overdue": item.days_overdue,
        },
        "id": event_id(OVERDUE_EVENT, resource, f"{period}|{item.kind}"),
    }


def tell_overdue(settings: Settings, result: ChaseResult) -> int:
    """One notice (and ``ronghe.unit.overdue`` event) per owed report not told before."""
    from dataclasses import replace

    from flows.notices import names_of, tell
    from notify.produce import overdue

    items = result.items
    notices = overdue(items, result.period, names_of(settings))
    events = [overdue_event(i, result.period) for i in items]
    paired = [replace(n, event=e) for n, e in zip(notices, events, strict=True)]
    return len(tell(settings, paired, result.now))


@flow(name="ronghe-chase", log_prints=False)
def chase_flow(
    period: str | None = None,
    level: str | None = None,
    home: str | None = None,
    rules: str | None = None,
    inbox: str | None = None,
    now: str | None = None,
) -> list[str]:
    """Bring the quarter up to date, write its chase lists, emit the overdue events.

    Without a period, the quarter that ended most recently; ``level`` names the deadline
    that scheduled the run (for the log); ``now`` (ISO time) defaults to the clock.
    """
    at = datetime.fromisoformat(now) if now else datetime.now()
    p = parse_period(period) if period else last_complete(at)
    follow(quarter_flow(period=p, inbox=inbox, home=home, rules=rules), home)
    settings = Settings.load(home)
    window = load_rules(
        Path(rules) if rules else settings.rules
    ).filing_round.correction_window_days
    result = as_task(
        "write-chase-lists", chase, settings.published_path, p, chase_dir(settings.home, p), at,
        window,
    )  # fmt: skip
    written = [lst.path for lst in result.lists if lst.path is not None]
    folder = chase_dir(settings.home, p)  # the receipts' modes, whatever the umask
    share_outputs(settings.home / "chase", [folder, *written], settings.warehouse_mode)
    for line in summary(result):
        progress.step(line)
    n = tell_overdue(settings, result)
    progress.step(
        f"chase after the {level or 'current'} deadline: {len(result.items)} reports owed,"
        f" {n} of them told now (the others were told before)"
    )
    return [str(lst.path) for lst in result.lists if lst.path is not None]
