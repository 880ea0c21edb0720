"""Delivering the outbox through Apprise to a real webhook listener (no Prefect needed).

A robot's webhook on loopback (:mod:`tests.support.webhook`) that is down and comes
back; many messages to one channel folded into digests; the channel's rate limit;
a channel that cannot send as configured; two deliveries at once never send a row twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from notify.channels import parse_channels
from notify.deliver import deliver
from notify.notice import Notice
from notify.outbox import Outbox
from tests.support.prefect_server import wait_for
from tests.support.webhook import Webhook, webhook

pytestmark = pytest.mark.integration
T0 = datetime(2017, 4, 6, 9, 0)


def overdue(i: int) -> Notice:
    text = (
        f"如东县掘港镇第{i}村：2017年第一季度党建督导季报未报送，截止2017年4月5日，"
        "已逾期1天，请尽快报送。"
    )
    return Notice("overdue", f"3206231002{i:02d}|2017Q1|supervision", text, "320623000000")


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook() as h:
        yield h


def _channel(hook: Webhook, **extra: object) -> str:
    lines = ["[[channel]]", 'name = "rudong"', f'url = "{hook.apprise}"']
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def test_down_then_back_every_message_once_in_one_digest(tmp_path: Path, hook: Webhook) -> None:
    channels = parse_channels(_channel(hook), set())
    box = Outbox.of(tmp_path / "home")
    assert len(box.add([overdue(i) for i in range(31)], lambda n: ["rudong"], T0)) == 31
    assert box.add([overdue(i) for i in range(31)], lambda n: ["rudong"], T0) == []  # told once
    hook.down = True
    report = deliver(box, channels, now=lambda: T0, waits=(0.05, 0.05))
    assert hook.refused == 3 and hook.taken == []  # tried three times, kept
    assert report.channels[0].waiting == 31 and "503" in (report.channels[0].error or "")
    pending = box.rows("pending")
    assert len(pending) == 31 and {r.attempts for r in pending} == {1}
    assert all("503" in (r.last_error or "") for r in pending)
    # backing off: a delivery a moment later does not knock again
    deliver(box, channels, now=lambda: T0 + timedelta(seconds=20), waits=())
    assert hook.refused == 3
    hook.down = False
    later = T0 + timedelta(minutes=2)
    report = deliver(box, channels, now=lambda: later, waits=())
    assert report.sent == 31 and len(hook.taken) == 1  # 31 reports, one message
    text = hook.messages()[0]
    assert text.startswith("共31条：\n1. 如东县掘港镇第0村：2017年第一季度党建督导季报未报送")
    assert hook.taken[0]["title"] == "融合党建报送提醒"
    assert {r.state for r in box.rows()} == {"sent"}
    assert deliver(box, channels, now=lambda: later + timedelta(hours=1)).sent == 0
    assert len(hook.taken) == 1


def test_the_rate_limit_and_the_digest_size(tmp_path: Path, hook: Webhook) -> None:
    # 企业微信's robot takes 20 messages a minute of at most 2,048 bytes: here 2 and 700
    channels = parse_channels(_channel(hook, per_minute=2, max_bytes=700), set())
    box = Outbox.of(tmp_path / "home")
    box.add([overdue(i) for i in range(12)], lambda n: ["rudong"], T0)
    first = deliver(box, channels, now=lambda: T0, waits=())
    assert len(hook.taken) == 2 and first.channels[0].waiting > 0
    assert all(len(m.encode("utf-8")) <= 700 for m in hook.messages())
    # within the same minute: nothing more
    deliver(box, channels, now=lambda: T0 + timedelta(seconds=30), waits=())
    assert len(hook.taken) == 2
    when = T0
    while box.rows("pending"):
        when += timedelta(seconds=61)
        deliver(box, channels, now=lambda at=when: at, waits=())
    told = "\n".join(hook.messages())
    assert all(f"掘港镇第{i}村" in told for i in range(12))  # each once, none lost
    assert sum(told.count(f"掘港镇第{i}村：") for i in range(12)) == 12


def test_a_channel_that_cannot_send_fails_its_rows_until_fixed(
    tmp_path: Path, hook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '[[channel]]\nname = "rudong"\nurl_env = "RONGHE_TEST_ROBOT"\n'
    channels = parse_channels(text, set())
    box = Outbox.of(tmp_path / "home")
    box.add([overdue(1)], lambda n: ["rudong"], T0)
    monkeypatch.delenv("RONGHE_TEST_ROBOT", raising=False)
    report = deliver(box, channels, now=lambda: T0)
    assert report.channels[0].failed == 1
    (row,) = box.rows("failed")
    assert "RONGHE_TEST_ROBOT is not set" in (row.last_error or "")
    monkeypatch.setenv("RONGHE_TEST_ROBOT", hook.apprise)
    assert box.retry_failed() == 1
    assert deliver(box, channels, now=lambda: T0).sent == 1 and len(hook.taken) == 1


def test_two_deliveries_at_once_send_each_row_once(tmp_path: Path, hook: Webhook) -> None:
    channels = parse_channels(_channel(hook, max_bytes=300), set())
    home = tmp_path / "home"
    with Outbox.of(home) as box:
        box.add([overdue(i) for i in range(8)], lambda n: ["rudong"], T0)

    def one() -> None:
        with Outbox.of(home) as mine:  # its own connection, as another process has
            deliver(mine, channels, now=lambda: T0, waits=())

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    told = "\n".join(hook.messages())
    assert sum(told.count(f"掘港镇第{i}村：") for i in range(8)) == 8


def test_notices_kept_while_the_channels_file_was_wrong_go_out_once_it_is_right(
    tmp_path: Path, hook: Webhook
) -> None:
    box = Outbox.of(tmp_path / "home")
    assert len(box.add([overdue(1), overdue(2)], None, T0)) == 2  # a broken channels file
    assert box.add([overdue(1)], lambda n: ["rudong"], T0) == []  # still told once
    assert box.counts()["unrouted"] == 2 and box.rows() == []
    assert box.reroute(lambda n: ["rudong"], T0) == 2
    assert box.reroute(lambda n: ["rudong"], T0) == 0
    channels = parse_channels(_channel(hook), set())
    assert deliver(box, channels, now=lambda: T0).sent == 2 and len(hook.taken) == 1


def test_a_delivery_waits_out_the_rate_limit_within_its_patience(
    tmp_path: Path, hook: Webhook
) -> None:
    channels = parse_channels(_channel(hook, per_minute=2, max_bytes=340), set())
    box = Outbox.of(tmp_path / "home")
    box.add([overdue(i) for i in range(16)], lambda n: ["rudong"], T0)  # 8 messages of 2
    clock = [T0]

    def sleep(seconds: float) -> None:  # the waits pass on the delivery's own clock
        clock[0] += timedelta(seconds=seconds)

    report = deliver(box, channels, now=lambda: clock[0], waits=(), sleep=sleep, patience=130)
    assert len(hook.taken) == 6 and clock[0] - T0 == timedelta(seconds=122)  # 2, 2, 2
    assert report.channels[0].waiting == 4


DELIVER = """
import sys
from pathlib import Path
from notify.channels import parse_channels
from notify.deliver import deliver
from notify.outbox import Outbox
deliver(Outbox.of(Path(sys.argv[1])), parse_channels(sys.argv[2], set()), waits=())
"""


def test_a_delivery_killed_mid_send_loses_nothing_and_sends_once(
    tmp_path: Path, hook: Webhook
) -> None:
    home = tmp_path / "home"
    with Outbox.of(home) as box:
        box.add([overdue(i) for i in range(5)], lambda n: ["rudong"], datetime.now())
    hook.hold = threading.Event()  # the robot reads the message and never answers
    proc = subprocess.Popen([sys.executable, "-c", DELIVER, str(home), _channel(hook)])
    try:
        wait_for("the message in flight", lambda: hook.held == 1, 60)
        os.kill(proc.pid, signal.SIGKILL)  # kill -9, mid-send
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        hook.hold.set()
    channels = parse_channels(_channel(hook), set())
    with Outbox.of(home) as box:
        rows = box.rows()
        assert len(rows) == 5 and {r.state for r in rows} == {"pending"}  # nothing lost
        # its claim holds for the lease (another delivery meanwhile sends nothing) ...
        assert deliver(box, channels, waits=()).sent == 0 and hook.taken == []
        # ... then the rows are free: each sent once
        later = datetime.now() + timedelta(minutes=11)
        assert deliver(box, channels, now=lambda: later, waits=()).sent == 5
        assert deliver(box, channels, now=lambda: later, waits=()).sent == 0
    assert len(hook.taken) == 1 and hook.messages()[0].startswith("共5条：")


def test_channels_sharing_one_robot_share_its_rate_limit(tmp_path: Path, hook: Webhook) -> None:
    text = "".join(
        f'[[channel]]\nname = "{name}"\nurl = "{hook.apprise}"\nkinds = ["{kind}"]\n'
        "per_minute = 3\nmax_bytes = 300\n"
        for name, kind in (("late", "overdue"), ("wrong", "rejected"))
    )
    channels = parse_channels(text, set())
    box = Outbox.of(tmp_path / "home")
    wrong = [
        Notice("rejected", f"f{i}", f"如东县：文件“{i}.csv”整份退回。", None) for i in range(6)
    ]
    box.add([overdue(i) for i in range(6)], lambda n: ["late"], T0)
    box.add(wrong, lambda n: ["wrong"], T0)
    deliver(box, channels, now=lambda: T0, waits=())
    assert len(hook.taken) == 3  # one robot: 3 a minute between both channels
    when = T0
    while box.rows("pending"):
        when += timedelta(seconds=61)
        before = len(hook.taken)
        deliver(box, channels, now=lambda at=when: at, waits=())
        assert len(hook.taken) - before <= 3
    told = "\n".join(hook.messages())
    assert all(told.count(f"掘港镇第{i}村：") == 1 for i in range(6))
    assert all(told.count(f"文件“{i}.csv”") == 1 for i in range(6))
