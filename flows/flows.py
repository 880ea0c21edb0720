"""The Prefect flows of a run: thin on purpose.

Each flow hands its parameters to its body (:mod:`flows.runs`) through
:func:`flows.engine.delegate`: in the warm engine when ``ronghe serve`` runs one, else in
the flow run's own process. Importing this module imports Prefect and nothing heavy (no
pipeline, no Great Expectations, no Altair): a served flow run's process starts quickly,
and so does any command that only names a flow.

A writer run ends at publish; what it owes then (its files' events, the receipts and the
通报) follows in a ``ronghe-outputs`` flow run of its own (:mod:`flows.outputs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow

from flows import engine
from flows.keyword_params import keyword_signature

if TYPE_CHECKING:
    from pipeline.result import RunResult

Rules = str | int | None
"""A rules file, or a packaged version: ``--param rules=2017`` arrives as the number 2017
(Prefect reads ``--param`` values as JSON), and is taken as the version ``"2017"``."""


def rules_path(params: dict[str, Any]) -> Path | None:
    return Path(str(params["rules"])) if params.get("rules") else None


def _delegate(name: str, **params: Any) -> RunResult:
    result: RunResult = engine.delegate(name, params)
    return result


@flow(name="ronghe-ingest", log_prints=False)
def ingest_flow(paths: list[str], home: str | None = None, rules: Rules = None) -> RunResult:
    """Ingest the given files or folders now; rebuild the marts of the quarters they touch."""
    return _delegate("ingest", paths=paths, home=home, rules=rules)


@flow(name="ronghe-ingest", log_prints=False)
def received_flow(
    path: str = "",
    occurred: str | None = None,
    burst_seconds: float = 0.0,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest the files of a burst of ``ronghe.report.received`` events (the event trigger).

    The trigger fires on the first event of a burst and passes its path and time;
    the run also ingests every file named by the events of the next ``burst_seconds``.
    """
    return _delegate(
        "received",
        path=path,
        occurred=occurred,
        burst_seconds=burst_seconds,
        home=home,
        rules=rules,
    )


@flow(name="ronghe-quarterly", log_prints=False)
def quarter_flow(
    period: str | None = None,
    inbox: str | None = None,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of the quarter.

    Without a period, the quarter that ended most recently. Quarters touched by
    late reports in the same run are rebuilt too.
    """
    return _delegate("quarterly", period=period, inbox=inbox, home=home, rules=rules)


@flow(name="ronghe-backfill", log_prints=False)
def backfill_flow(
    start: str,
    end: str,
    inbox: str | None = None,
    home: str | None = None,
    rules: Rules = None,
) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter in range."""
    return _delegate("backfill", start=start, end=end, inbox=inbox, home=home, rules=rules)


@keyword_signature(
    "backfill_deployment_flow",
    [
        ("from", str),
        ("to", str),
        ("rules", Rules),
        ("inbox", str | None),
        ("home", str | None),
    ],
    "RunResult",
)
def _backfill_params(**params: Any) -> RunResult:
    """Ingest what is new in the inbox, then rebuild the marts of every quarter from … to."""
    return _delegate(
        "backfill",
        start=params["from"],
        end=params["to"],
        inbox=params.get("inbox"),
        home=params.get("home"),
        rules=params.get("rules"),
    )


# deployments load the flow by module path (flows.flows.backfill_deployment_flow)
backfill_deployment_flow = flow(name="ronghe-backfill", log_prints=False)(_backfill_params)
"""The backfill as operators start it: parameters ``from``, ``to`` and optional ``rules``."""
