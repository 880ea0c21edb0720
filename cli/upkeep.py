"""The operators' upkeep commands: ``notify`` (the outbox) and ``rebuild`` (a warehouse
from the archive alone). Their grammar is :mod:`cli.upkeep_parser`."""

from __future__ import annotations

import argparse
from typing import Any

from cli.common import err, out, start_prefect
from cli.errors import UsageError
from cli.layout import WIDTH, table, wrap
from config.settings import Settings


def _channels(settings: Settings) -> list[Any]:
    from notify.channels import ChannelsError, channels_path, load_channels
    from warehouse.registry import load_registry

    units = set(load_registry(settings.scale)["unit_code"].to_list())
    try:
        return load_channels(channels_path(settings.home), units)
    except ChannelsError as exc:
        raise UsageError(str(exc)) from None


def check_channels(settings: Settings) -> list[Any]:
    """The channels (a wrong file is a usage error); says each channel, and a channel
    whose URL variable is unset (its messages would fail)."""
    from notify.channels import ChannelsError, channels_path

    found = _channels(settings)
    path = channels_path(settings.home)
    if not found:
        err.print(f"no channels ({path} does not exist or is empty): nobody is notified")
    for c in found:
        try:
            c.address()
            ready = "ready"
        except ChannelsError as exc:
            ready = f"not ready: {exc}"
        units = ", ".join(c.units) or "every unit"
        kinds = ", ".join(c.kinds) or "every kind"
        err.print(f"channel {c.name}: {units}; {kinds}; {ready}", markup=False)
    return found


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    from notify.outbox import Outbox

    if args.check:
        check_channels(settings)
        return 0
    if args.retry_failed:
        with Outbox.of(settings.home) as box:
            n = box.retry_failed()
        err.print(f"{n} failed notifications are pending again")
        return 0
    if args.list:
        return _list(settings, args.state, args.limit)
    check_channels(settings)  # a wrong file: exit 2 before any server
    start_prefect(settings)
    from cli.common import reporting
    from flows.notices import notify_flow

    with reporting():
        sent = notify_flow(home=str(settings.home))
    err.print(f"sent {sent} notifications")
    return 0


def _list(settings: Settings, state: str | None, limit: int) -> int:
    from notify.outbox import Outbox, outbox_path

    if not outbox_path(settings.home).exists():
        out.print("the outbox is empty (nothing has been told yet)")
        return 0
    with Outbox.of(settings.home) as box:
        rows = box.rows(state, limit)
        counts = box.counts()
    summary = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("pending", "sent", "failed"))
    out.print(f"outbox: {summary}", markup=False, crop=False)
    for line in wrap(f"({outbox_path(settings.home)})", WIDTH):
        out.print(line, markup=False, crop=False)
    if counts.get("unrouted"):
        out.print(f"({counts['unrouted']} notices went to no channel)", markup=False)
    for r in rows:
        head = [r.state, r.created_at[:16], r.channel, f"{r.attempts} tries"]
        out.print("", markup=False)
        for line in table([head], [7, 16, 40, 10]):  # a channel name is at most 40
            out.print(line, markup=False, crop=False)
        body = r.text_zh + (f"\n(last error: {r.last_error})" if r.last_error else "")
        for line in wrap(body, WIDTH - 2):
            out.print("  " + line, markup=False, crop=False)
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    archive = args.archive.resolve()
    if not (archive / "packs").is_dir():
        raise UsageError(f"no archive here: {args.archive} has no packs/ folder")
    if archive == settings.archive_dir.resolve():
        raise UsageError(
            f"{args.archive} is this home's own archive: copy or move it elsewhere first"
            " (the rebuild writes this home's archive anew)"
        )
    for taken in (settings.published_path, settings.working_path):
        if taken.exists():
            raise UsageError(
                f"{settings.home} already has a warehouse ({taken.name}): rebuild into an"
                " empty home (--home DIR), or move its warehouse aside"
            )
    start_prefect(settings)
    from cli.common import reporting
    from flows.rebuild import rebuild_flow

    with reporting():
        rebuild_flow(
            archive=str(archive),
            home=str(settings.home),
            rules=str(args.rules) if args.rules else None,
        )
    return 0
