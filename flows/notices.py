"""Telling people: the outbox and its delivery flow (CONTRACT §8), thin over :mod:`notify`.

:func:`tell` keeps the notices never told before in the outbox (each routed to the
channels of ``channels.toml`` that want it) and emits the Prefect event of each new
one only: the server never receives an event id twice. (Prefect 3.9's SQLite event
writer fails on a batch made only of ids it already holds, ``INSERT INTO events
DEFAULT VALUES`` → "NOT NULL constraint failed: events.occurred", and after five tries
drops the whole batch, good events with it: that is how re-sent overdue events took
other events down. docs/operations.md «Notifications».)

:func:`notify_flow` (``ronghe-notify``; ``ronghe serve`` runs it when the outbox gets
something and every few minutes; ``ronghe notify`` by hand) sends what is pending
(:func:`notify.deliver.deliver`). A run tells before it publishes
(:func:`flows.announce.before_publish`): a run that dies before telling has published
nothing, and the next run reads its files again and tells them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any

from prefect import flow

from config.settings import Settings
from flows.tasks import as_task, say
from notify.channels import Channel, ChannelsError, channels_path, load_channels
from notify.deliver import Report, deliver
from notify.notice import Notice
from notify.outbox import Outbox
from warehouse.registry import load_registry

PATIENCE = 180.0
"""Seconds a served delivery waits on a channel's rate limit (20 a minute for a 企业微信
robot) before leaving the rest to the next delivery."""
QUEUED_EVENT = "ronghe.notification.queued"
"""Emitted once by a :func:`tell` that queued something for a channel: the served
``ronghe-notify/deliver`` deployment sends it within a minute."""


def ancestors_of(settings: Settings) -> Callable[[str], Collection[str]]:
    """A unit's ancestors, from the registry of the home's scale."""
    rows = load_registry(settings.scale).select("unit_code", "parent_code").iter_rows()
    parents = dict(rows)

    def up(code: str) -> list[str]:
        out: list[str] = []
        parent = parents.get(code)
        while parent is not None and parent not in out:
            out.append(parent)
            parent = parents.get(parent)
        return out

    return up


def channels_of(settings: Settings) -> list[Channel]:
    units = set(load_registry(settings.scale)["unit_code"].to_list())
    return load_channels(channels_path(settings.home), units)


def names_of(settings: Settings) -> Any:
    from notify.texts import Names

    frame = load_registry(settings.scale).select("unit_code", "name", "level", "parent_code")
    return Names.of(frame.iter_rows())


def router(settings: Settings) -> Callable[[Notice], list[str]]:
    """Each notice's channels (those of ``channels.toml`` that want it)."""
    channels = channels_of(settings)
    up = ancestors_of(settings)

    def route(n: Notice) -> list[str]:
        return [c.name for c in channels if c.wants(n, up)]

    return route


def tell(
    settings: Settings, notices: Sequence[Notice], now: datetime | None = None
) -> list[Notice]:
    """Keep the new ``notices`` in the outbox and emit their events; the new ones."""
    if not notices:
        return []
    try:
        route: Callable[[Notice], list[str]] | None = router(settings)
    except ChannelsError as exc:  # never fails a run: the notices wait for a good file
        say(f"notifications kept, not yet routed: {exc}")
        route = None
    with Outbox.of(settings.home) as box:
        new = box.add(notices, route, now or datetime.now())
    events = [n.event for n in new if n.event is not None]
    routed = [n for n in new if route is None or route(n)]
    if events or routed:
        from prefect.events import emit_event

        for e in events:
            emit_event(**e)
        if routed:
            emit_event(
                event=QUEUED_EVENT,
                resource={"prefect.resource.id": f"ronghe.outbox.{settings.home.name}"},
                payload={"notifications": len(routed)},
            )
    return new


def send_pending(settings: Settings) -> Report:
    """Send what is pending through the channels of ``channels.toml``."""
    channels = channels_of(settings)  # a broken file fails the delivery, saying why
    with Outbox.of(settings.home) as box:
        late = box.reroute(router(settings), datetime.now())
        if late:
            say(f"{late} notices kept while the channels file was wrong are routed now")
        return deliver(box, channels, patience=PATIENCE)


@flow(name="ronghe-notify", log_prints=False)
def notify_flow(home: str | None = None) -> int:
    """Send what the outbox holds pending; the notifications sent."""
    settings = Settings.load(home)
    report = as_task("deliver", send_pending, settings)
    with Outbox.of(settings.home) as box:
        counts = box.counts()
    for line in report.lines():
        say(line)
    say(
        "outbox: "
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pending", "sent", "failed", "unrouted"))
    )
    return report.sent
