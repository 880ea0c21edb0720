"""Sending what is pending: Apprise, retries and backoff, rate limits, digests.

For each channel with pending notifications (:class:`notify.outbox.Outbox`):

1. claim the rows that are due (a lease: two deliveries never send the same row; a
   delivery that dies frees them when the lease ends);
2. fold them into as few messages as the channel's size allows: a **digest** (``共N条：``
   and one numbered line each), so 31 overdue reports are one message, not 31;
3. send at most as many messages as the channel's **rate limit** leaves in the last
   minute (企业微信 robots: 20; channels that share a robot share its minute), waiting
   for the window to move on as long as the delivery's ``patience`` allows; the rest
   wait for the next delivery;
4. a message that fails is tried again (:data:`RETRY_WAITS`), then left pending with
   a **backoff** (1, 2, 4 … 30 minutes): a channel that is down keeps its messages and
   they go out when it is back. Nothing more is sent to it in this delivery.

A channel that cannot send as configured (its URL's variable unset, a URL Apprise does
not know, a channel gone from the file) marks its rows ``failed`` with the reason;
``ronghe notify --retry-failed`` puts them back once it is fixed.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notify import texts
from notify.channels import Channel, ChannelsError
from notify.outbox import Outbox, Row

Send = Callable[[str, str, str], "tuple[bool, str] | None"]
"""(address, title, body) → None when sent, else (cannot ever work?, the error)."""

RETRY_WAITS = (2.0, 5.0)
"""Seconds before the second and third try of one message within a delivery."""
LEASE = timedelta(minutes=10)
MINUTE = 61.0
"""Seconds to wait for a channel's rate-limit window to move on (a minute and a bit)."""
MAX_BACKOFF = timedelta(minutes=30)
CUT = "…（详见回执）"


@dataclass
class ChannelReport:
    """What one delivery did for one channel."""

    channel: str
    messages: int = 0
    sent: int = 0
    waiting: int = 0
    error: str | None = None
    failed: int = 0


@dataclass
class Report:
    channels: list[ChannelReport] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(c.sent for c in self.channels)

    def lines(self) -> list[str]:
        out = []
        for c in self.channels:
            line = f"{c.channel}: {c.sent} sent in {c.messages} messages"
            if c.waiting:
                line += f", {c.waiting} waiting"
            if c.failed:
                line += f", {c.failed} failed"
            if c.error:
                line += f" ({c.error})"
            out.append(line)
        return out


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` bytes: cut, saying the receipt has the rest."""
    if _size(text) <= limit:
        return text
    room = max(0, limit - _size(CUT))
    return text.encode("utf-8")[:room].decode("utf-8", "ignore") + CUT


HEAD_ROOM = len(texts.digest_head(99999, 999, 999).encode("utf-8"))
"""Bytes kept for a digest's first line, whatever its numbers."""


def fold(rows: Sequence[Row], max_bytes: int) -> list[tuple[list[Row], str]]:
    """The rows as messages (each at most ``max_bytes``), in order: digests where many
    fit, numbered on across the messages of one delivery (``共60条（分3次发送，第2次）：``)."""
    if len(rows) == 1:
        return [([rows[0]], _cut(rows[0].text_zh, max_bytes))]
    groups: list[list[tuple[int, Row]]] = []
    used = 0
    for i, r in enumerate(rows, 1):
        line = _size(f"\n{i}. {r.text_zh}")
        if groups and used + line <= max_bytes:
            groups[-1].append((i, r))
            used += line
        else:
            groups.append([(i, r)])
            used = HEAD_ROOM + line
    out = []
    for part, group in enumerate(groups, 1):
        head = texts.digest_head(len(rows), part, len(groups))
        body = head + "".join(f"\n{i}. {r.text_zh}" for i, r in group)
        out.append(([r for _, r in group], _cut(body, max_bytes)))
    return out


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed delivery: 1, 2, 4 … 30 minutes."""
    return min(MAX_BACKOFF, timedelta(minutes=2 ** max(0, attempts - 1)))


def scrub(error: str, address: str) -> str:
    """An error as kept and shown: the address's secrets (key, token, password) hidden."""
    for token in sorted(set(re.split(r"[^A-Za-z0-9_-]+", address)), key=len, reverse=True):
        if len(token) >= 8:
            error = error.replace(token, "***")
    return " ".join(error.split())[:300]


def ledger(address: str) -> str:
    """The rate ledger of the robot at ``address``: channels that share a robot (say,
    one for overdue reports and one for returned ones) share its 20 a minute. A
    digest of the address: no secret is kept."""
    return "robot:" + hashlib.sha256(address.encode("utf-8")).hexdigest()[:24]


def apprise_send(address: str, title: str, body: str) -> tuple[bool, str] | None:
    """Send one message with Apprise; None when the service took it."""
    import logging

    import apprise

    notifier = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING) as log:
        if not notifier.add(address):
            return True, "Apprise does not know this URL: " + _last(log.getvalue())
        ok = notifier.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
    return None if ok else (False, _last(log.getvalue()) or "the service did not take it")


def _last(log: str) -> str:
    lines = [ln.split(" - ", 2)[-1] for ln in log.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def deliver(
    outbox: Outbox,
    channels: Sequence[Channel],
    now: Callable[[], datetime] = datetime.now,
    send: Send = apprise_send,
    waits: Sequence[float] = RETRY_WAITS,
    sleep: Callable[[float], None] = time.sleep,
    patience: float = 0.0,
) -> Report:
    """Send what is pending, channel by channel (see the module's doc). ``patience``:
    seconds a channel's rate limit may keep this delivery waiting for its next minute
    before the rest is left to the next delivery."""
    report = Report()
    by_name = {c.name: c for c in channels}
    for name in outbox.channels_pending():
        channel = by_name.get(name)
        mine = ChannelReport(name)
        report.channels.append(mine)
        rows = outbox.claim(name, now(), LEASE)
        if not rows:
            continue
        keys = [r.key for r in rows]
        try:
            if channel is None:
                raise ChannelsError(f"channel {name} is no longer in the channels file")
            address = channel.address()
        except ChannelsError as exc:
            outbox.tried(name, keys, str(exc), None, give_up=True)
            mine.error, mine.failed = str(exc), len(rows)
            continue
        per_minute, max_bytes = channel.limits(address)
        messages = fold(rows, max_bytes)
        waited = 0.0
        robot = ledger(address)

        def full(robot: str = robot, limit: int = per_minute) -> bool:
            return outbox.sends_since(robot, now() - timedelta(minutes=1)) >= limit

        for i, (group, body) in enumerate(messages):
            group_keys = [r.key for r in group]
            while full() and waited + MINUTE <= patience:
                sleep(MINUTE)  # the rate limit's window moves on
                waited += MINUTE
            if full():  # the rest wait for the next delivery
                rest = [r.key for g, _ in messages[i:] for r in g]
                outbox.release(name, rest, now() + timedelta(minutes=1))
                mine.waiting = len(rest)
                break
            failure = _send(send, address, channel.title, body, waits, sleep)
            if failure is None:
                outbox.sent(name, group_keys, now(), robot)
                mine.messages += 1
                mine.sent += len(group)
                continue
            broken, error = failure
            error = scrub(error, address)
            mine.error = error
            tries = max(r.attempts for r in group) + 1
            outbox.tried(
                name, group_keys, error, None if broken else now() + backoff(tries), broken
            )
            rest = [r.key for g, _ in messages[i + 1 :] for r in g]
            if broken:
                outbox.tried(name, rest, error, None, give_up=True)
                mine.failed = len(group) + len(rest)
            else:  # down: everything else waits with it
                outbox.release(name, rest, now() + backoff(tries))
                mine.waiting = len(group) + len(rest)
            break
    return report


def _send(
    send: Send,
    address: str,
    title: str,
    body: str,
    waits: Sequence[float],
    sleep: Callable[[float], None],
) -> tuple[bool, str] | None:
    failure = send(address, title, body)
    for wait in waits:
        if failure is None or failure[0]:
            break
        sleep(wait)
        failure = send(address, title, body)
    return failure
