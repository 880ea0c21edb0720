"""The deployments ``ronghe serve`` registers and serves (docs/operations.md).

- ``ronghe-quarterly/quarterly``: cron, on the quarter just ended;
- ``ronghe-backfill/backfill``: parameters ``from``, ``to``, optional ``rules``;
- ``ronghe-ingest/ingest``: triggered by ``ronghe.report.received``, debounced;
- ``ronghe-ingest/inbox-poll``: every few minutes, whatever is in the inbox (safety net);
- ``ronghe-pull/pull``: every ``RONGHE_PULL_INTERVAL`` minutes (default 15), when a
  sources file exists: pull the units' deposits and ingest what they hold;
- ``ronghe-outputs/outputs``: triggered by ``ronghe.warehouse.published``, which every
  served run emits once it has published: the 通报 and the receipts, in a flow run of
  their own (``RONGHE_OUTPUTS_BY_EVENT=1``, set by :func:`serve`);
- ``ronghe-chase/chase``: cron, 09:00 the morning after each level's deadline (rules
  ``[round.deadline_days]``): the chase lists (催报) and ``ronghe.unit.overdue`` events;
- ``ronghe-notify/deliver``: when a channels file exists, on ``ronghe.notification.queued``
  and every ``RONGHE_NOTIFY_MINUTES`` (default 5): send what the outbox holds pending;
- ``ronghe-crashed/tasks``: on ``prefect.flow-run.Crashed`` of a ronghe run: the task
  runs it left Running are marked Crashed (:mod:`flows.crashed`).

The served flow runs hand their work to the warm engine (:mod:`flows.engine`), a task
worker process that :func:`serve` starts beside them. A run whose process dies shows
Crashed (:mod:`flows.heartbeats`: heartbeats and the
automation that reads them, set up by :func:`serve`). All of them write the warehouse
under the Prefect global concurrency limit ``ronghe-warehouse-writer`` (one slot), which
:func:`ensure_writer_limit` creates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows import login
from flows.chase import LEVELS_BY_DEADLINE, chase_flow
from flows.events import OUTPUTS_BY_EVENT, PUBLISHED_EVENT, RECEIVED_EVENT, WRITER_LIMIT
from flows.flows import (
    backfill_deployment_flow,
    ingest_flow,
    quarter_flow,
    received_flow,
)
from flows.outputs import published_flow
from warehouse.ruleset import load_rules

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

DEFAULT_CRON = "0 2 10 1,4,7,10 *"
"""02:00 on the 10th of January, April, July and October."""
DEFAULT_TIMEZONE = "Asia/Shanghai"
TAGS = ["ronghe"]
RUNNER_POLL_SECONDS = 1.0
"""How often ``ronghe serve`` asks the server for runs to start (Prefect's default, 10 s,
made a served run and its outputs run wait 5 s each on average; ``PREFECT_RUNNER_POLL_FREQUENCY``
set in the environment wins)."""


@dataclass(frozen=True)
class ServeConfig:
    """What ``ronghe serve`` registers: where the data lives and when things run."""

    home: Path
    inbox: Path
    rules: Path | None = None
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE
    poll_seconds: float = 600.0
    burst_seconds: float = 30.0
    settle_seconds: float = 10.0
    sources: Path | None = None
    """The sources file; when it exists, ``ronghe-pull/pull`` is registered too."""
    pull_seconds: float = 900.0
    channels: Path | None = None
    """The channels file; when it exists, ``ronghe-notify/deliver`` is registered too."""
    notify_seconds: float = 300.0

    def parameters(self, **extra: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"home": str(self.home)}
        if self.rules is not None:
            base["rules"] = str(self.rules)
        return {**base, **extra}


def _on_event(
    name: str, description: str, event: str, resources: str, parameters: dict[str, Any], **kw: Any
) -> Any:
    """A reactive trigger that fires on the first ``event`` about ``resources`` (threshold 1)."""
    from prefect.events import DeploymentEventTrigger

    return DeploymentEventTrigger(
        name=name,
        description=description,
        expect={event},
        match={"prefect.resource.id": resources},
        posture="Reactive",  # type: ignore[arg-type]
        threshold=1,
        parameters=parameters,
        **kw,
    )


def received_trigger(cfg: ServeConfig) -> Any:
    """Fire on the first ``ronghe.report.received`` of a burst, run once for the burst.

    A reactive trigger with threshold 1 fires on the first event, then ignores the
    events of the next ``burst_seconds``; the run is scheduled ``settle_seconds``
    after that window closes and collects the paths of every event in it.
    """
    return _on_event(
        "ronghe: reports received",
        "a burst of received report files becomes one ingest run",
        RECEIVED_EVENT,
        "ronghe.file.*",
        cfg.parameters(
            path="{{ event.payload.path }}",
            occurred="{{ event.occurred.isoformat() }}",
            burst_seconds=cfg.burst_seconds,
        ),
        within=timedelta(seconds=cfg.burst_seconds),
        schedule_after=timedelta(seconds=cfg.burst_seconds + cfg.settle_seconds),
    )


def published_trigger(cfg: ServeConfig) -> Any:
    """Every ``ronghe.warehouse.published`` starts one outputs run with its quarters."""
    return _on_event(
        "ronghe: warehouse published",
        "a published run's 通报 and receipts, in a flow run of their own",
        PUBLISHED_EVENT,
        "ronghe.run.*",
        cfg.parameters(
            report_periods="{{ event.payload.report_periods }}",
            receipt_periods="{{ event.payload.receipt_periods }}",
            event_runs="{{ event.payload.event_runs }}",
            rules="{{ event.payload.rules }}",
            # the home of the run that published (a run may be given another home)
            home="{{ event.payload.home }}",
        ),
    )


def _ready(d: object) -> RunnerDeployment:
    """``to_deployment`` is sync-compatible: called from sync code it returns the object."""
    from prefect.deployments.runner import RunnerDeployment

    if not isinstance(d, RunnerDeployment):
        raise TypeError("build_deployments must be called from synchronous code")
    return d


def build_deployments(cfg: ServeConfig) -> list[RunnerDeployment]:
    """The seven deployments (and ``pull`` with a sources file, ``deliver`` with a
    channels file), ready for ``prefect.serve``."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron, Interval

    common: dict[str, Any] = {"tags": TAGS, "entrypoint_type": EntrypointType.MODULE_PATH}
    made = [
        quarter_flow.to_deployment(
            name="quarterly",
            schedules=[Cron(cfg.cron, timezone=cfg.timezone)],
            parameters=cfg.parameters(inbox=str(cfg.inbox)),
            description="Ingest the inbox and rebuild the marts of the quarter just ended.",
            **common,
        ),
        backfill_deployment_flow.to_deployment(
            name="backfill",
            parameters=cfg.parameters(inbox=str(cfg.inbox)),
            description="Ingest the inbox and rebuild the marts of every quarter from … to.",
            **common,
        ),
        received_flow.to_deployment(
            name="ingest",
            triggers=[received_trigger(cfg)],
            parameters=cfg.parameters(),
            description=f"Ingest the files announced by {RECEIVED_EVENT} events (debounced).",
            **common,
        ),
        ingest_flow.to_deployment(
            name="inbox-poll",
            schedules=[Interval(timedelta(seconds=cfg.poll_seconds))],
            parameters=cfg.parameters(paths=[str(cfg.inbox)]),
            description="Safety net: ingest whatever is new in the inbox.",
            **common,
        ),
        published_flow.to_deployment(
            name="outputs",
            triggers=[published_trigger(cfg)],
            parameters=cfg.parameters(),
            description=f"The 通报 and receipts of a run, on its {PUBLISHED_EVENT} event.",
            **common,
        ),
        chase_deployment(cfg),
    ]
    if cfg.sources is not None and cfg.sources.exists():
        from flows.pull import pull_flow

        made.append(
            pull_flow.to_deployment(
                name="pull",
                schedules=[Interval(timedelta(seconds=cfg.pull_seconds))],
                parameters=cfg.parameters(sources=str(cfg.sources)),
                description="Pull new, complete files from the units' deposits; ingest them.",
                **common,
            )
        )
    if cfg.channels is not None and cfg.channels.exists():
        made.append(notify_deployment(cfg))
    made.append(crashed_deployment(cfg))
    return [_ready(d) for d in made]


def crashed_deployment(cfg: ServeConfig) -> Any:
    """``ronghe-crashed/tasks``: a crashed ronghe run's unfinished tasks marked Crashed."""
    from prefect.deployments.runner import EntrypointType

    from flows.crashed import CRASHED_EVENT, crashed_tasks_flow

    trigger = _on_event(
        "ronghe: a crashed run's tasks",
        "the tasks a crashed run left Running are marked Crashed too",
        CRASHED_EVENT,
        "prefect.flow-run.*",
        {"flow_run": "{{ event.resource.id }}"},
        match_related={"prefect.resource.id": "prefect.tag.ronghe"},
    )
    return crashed_tasks_flow.to_deployment(
        name="tasks",
        triggers=[trigger],
        description="Mark the task runs a crashed ronghe run left unfinished Crashed.",
        tags=[],  # not "ronghe": its own crash would start it again
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def notify_deployment(cfg: ServeConfig) -> Any:
    """``ronghe-notify/deliver``: soon after something is queued, and every few minutes
    (what a channel that was down still holds)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Interval

    from flows.notices import QUEUED_EVENT, notify_flow

    trigger = _on_event(
        "ronghe: notifications queued",
        "what the outbox got, sent within a burst's window",
        QUEUED_EVENT,
        "ronghe.outbox.*",
        cfg.parameters(),
        within=timedelta(seconds=cfg.burst_seconds),
        schedule_after=timedelta(seconds=cfg.burst_seconds),
    )
    return notify_flow.to_deployment(
        name="deliver",
        schedules=[Interval(timedelta(seconds=cfg.notify_seconds))],
        triggers=[trigger],
        parameters=cfg.parameters(),
        description="Send the notifications the outbox holds pending (channels.toml).",
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def chase_deployment(cfg: ServeConfig) -> Any:
    """``ronghe-chase/chase``: one cron schedule per level's deadline (09:00 the day after)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    settings = load_rules(cfg.rules).filing_round
    schedules = [
        Cron(
            settings.chase_cron(level),
            timezone=cfg.timezone,
            parameters=cfg.parameters(inbox=str(cfg.inbox), level=level),
        )
        for level in LEVELS_BY_DEADLINE
    ]
    return chase_flow.to_deployment(
        name="chase",
        schedules=schedules,
        parameters=cfg.parameters(inbox=str(cfg.inbox)),
        description="After each level's deadline: the chase lists (催报) and overdue events.",
        tags=TAGS,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def ensure_writer_limit() -> None:
    """Create (or keep) the one-slot global concurrency limit all writing runs share."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(WRITER_LIMIT, limit=1)


def check_api(url: str | None, timeout: float = 5.0, auth: str | None = None) -> str:
    """The Prefect API URL, if it is set, answers and takes our login; else a one-line error.

    ``auth`` is ``PREFECT_API_AUTH_STRING`` (``user:password``). The health check
    needs no login, so a request that does tells a refused login from a server down.
    """
    import base64

    import httpx

    if not url:
        raise RuntimeError(
            "PREFECT_API_URL is not set: start `prefect server start` and"
            " export PREFECT_API_URL=http://127.0.0.1:4200/api (see docs/operations.md)"
        )
    base = url.rstrip("/")
    # as Prefect's client sends it: the whole string, base64, as Basic credentials
    token = base64.b64encode(auth.encode("utf-8")).decode("ascii") if auth else None
    headers = {"Authorization": f"Basic {token}"} if token else {}
    try:
        httpx.get(base + "/health", timeout=timeout).raise_for_status()
        answer = httpx.get(base + "/admin/version", timeout=timeout, headers=headers)
        if answer.status_code == httpx.codes.UNAUTHORIZED:
            raise RuntimeError(login.refused(url))
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        raise RuntimeError(login.unreachable(url, exc)) from None
    return url


def serve(
    cfg: ServeConfig,
    url: str,
    auth: str | None,
    say: Callable[[str], None],
    retry: float = login.RETRY_SECONDS,
) -> None:
    """Register the deployments and run them from this process until interrupted.

    A server that refuses our login (its password was changed) or goes away does not
    end the service: it says so in one line and tries again until it may go on
    (:mod:`flows.login`), then registers and serves again."""
    import os

    from prefect import serve as prefect_serve

    from flows.engine import Engine
    from flows.heartbeats import configure, ensure_crash_automation

    os.environ[OUTPUTS_BY_EVENT] = "1"  # the served runs leave their outputs to the event
    configure()  # the served runs' heartbeats, and the automation that reads them
    # the warm engine: the served flow runs hand it their work (flows.engine)
    engine = Engine()
    engine.start()
    poll = None if os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY") else RUNNER_POLL_SECONDS
    first = True
    try:
        while True:
            try:
                ensure_crash_automation()
                ensure_writer_limit()
                deployments = build_deployments(cfg)
                prefect_serve(*deployments, print_starting_message=first, query_seconds=poll)
                return
            except Exception as exc:
                problem = login.lost(exc, url)
                if problem is None:
                    raise
            first = False
            login.wait_until_accepted(lambda: check_api(url, auth=auth), say, problem, retry)
    finally:
        engine.stop()
