"""Told once, in Chinese, never lost: the outbox on a real Prefect server (CONTRACT §8).

A real ``prefect server start`` (restarted on its port mid-way), a robot's webhook on
loopback that is down and comes back (:mod:`tests.support.webhook`), real runs and
pulls. A quarantined report and a file rejected whole reach the county's channel once,
in one digest, after the webhook is back; re-runs and the restart add nothing; each
event is stored once. A source that is down is told once per outage, and once when it
is back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from subprocess import Popen
from typing import Any

import pytest

from tests.support.factories import supervision_row, write_csv
from tests.support.prefect_server import start_server, stop_server, wait_for
from tests.support.webhook import Webhook, webhook

pytestmark = pytest.mark.integration
VILLAGE, COUNTY = "320602001001", "320602000000"


@dataclass
class Server:
    folder: Path
    url: str
    proc: Popen[bytes]

    def restart(self) -> None:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=30, at_exit=False)
        stop_server(self.proc)
        port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        self.proc, _ = start_server(self.folder, port=port)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("prefect")
    proc, url = start_server(folder)
    from flows.prefect_env import configure

    configure(None)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    running = Server(folder, url, proc)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield running
    finally:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=30, at_exit=False)
        stop_server(running.proc)


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook() as h:
        yield h


def _stored(name: str) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter

    with get_client(sync_client=True) as client:
        page = client.read_events(filter=EventFilter(event=EventNameFilter(name=[name])), limit=50)
    return list(page.events)


def _channels(home: Path, hook: Webhook) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "channels.toml").write_text(
        f'[[channel]]\nname = "chongchuan"\nurl = "{hook.apprise}"\nunits = ["{COUNTY}"]\n'
        'kinds = ["quarantined", "rejected", "overdue"]\n\n'
        f'[[channel]]\nname = "ops"\nurl = "{hook.apprise}"\n'
        'kinds = ["source_unreachable", "source_back"]\n',
        encoding="utf-8",
    )


def test_told_once_in_chinese_through_an_outage_and_a_restart(
    server: Server, hook: Webhook, tmp_path: Path
) -> None:
    from flows import announce
    from flows.flows import ingest_flow
    from flows.notices import notify_flow
    from notify.channels import channels_path, load_channels
    from notify.deliver import deliver
    from notify.outbox import Outbox

    home = tmp_path / "home"
    _channels(home, hook)
    inbox = tmp_path / "inbox" / "崇川区"
    write_csv(inbox / "城北社区党建督导季报.csv", [supervision_row(VILLAGE, party_members=-5)])
    (inbox / "随便.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")  # no kind: rejected whole
    hook.down = True
    first = ingest_flow(paths=[str(inbox)], home=str(home))
    assert first.reports_quarantined == 1
    assert notify_flow(home=str(home)) == 0  # the webhook is down: kept, tried again later
    with Outbox.of(home) as box:
        pending = box.rows("pending")
    assert len(pending) == 2 and {r.attempts for r in pending} == {1}
    assert hook.refused == 3  # one message (a digest of both), tried three times

    server.restart()  # the server forgets nothing we rely on: the outbox is ronghe's
    again = ingest_flow(paths=[str(inbox)], home=str(home))  # the same files: nothing new
    assert again.load.files == ()
    from config.settings import Settings
    from warehouse.db import connect_reader

    con = connect_reader(home / "warehouse.duckdb")
    try:  # a run telling the same again
        announce.outcomes(con, Settings.load(home), first.load.files, print)
    finally:
        con.close()
    assert notify_flow(home=str(home)) == 0  # backing off: the webhook is not knocked again
    assert hook.refused == 3

    hook.down = False
    channels = load_channels(channels_path(home), {COUNTY, VILLAGE})
    with Outbox.of(home) as box:  # the backoff has passed
        later = datetime.now() + timedelta(minutes=2)
        assert deliver(box, channels, now=lambda: later).sent == 2
        assert {r.state for r in box.rows()} == {"sent"}
    assert notify_flow(home=str(home)) == 0
    assert len(hook.taken) == 1  # once, both in one digest
    text = hook.messages()[0]
    assert text.startswith("共2条：\n1. ")
    assert (
        "崇川区城东街道城北社区：2017年第一季度党建督导季报被退回（文件“城北社区党建督导季报.csv”）："
        in text
    )
    assert "「党员数」" in text and "请按回执改正后" in text
    assert "崇川区：文件“随便.csv”整份退回（无法识别报表类型）" in text
    assert not re.search(r"[A-Za-z]{3,}", text.replace(".csv", ""))  # no English, no code
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=30, at_exit=False)
    wait_for("the stored events", lambda: _stored("ronghe.file.rejected"), 60)
    assert len(_stored("ronghe.report.quarantined")) == 1
    assert len(_stored("ronghe.file.rejected")) == 1
    # meta.notifications: the outbox as of the last run that wrote the warehouse
    from tests.support.warehouse import published

    rows = published(home, "SELECT kind, channel, state FROM meta.notifications ORDER BY 1")
    assert rows == [("quarantined", "chongchuan", "pending"), ("rejected", "chongchuan", "pending")]

    # backed up and restored as docs/operations.md §12 says: the restored home tells nothing again
    restored = tmp_path / "restored"
    (restored / "notify").mkdir(parents=True)
    shutil.copy2(home / "warehouse.duckdb", restored)
    shutil.copytree(home / "archive", restored / "archive")
    shutil.copy2(home / "channels.toml", restored)
    copy = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))"
    outbox = Path("notify") / "outbox.sqlite"
    subprocess.run([sys.executable, "-c", copy, home / outbox, restored / outbox], check=True)
    assert ingest_flow(paths=[str(inbox)], home=str(restored)).load.files == ()
    con = connect_reader(restored / "warehouse.duckdb")
    try:
        announce.outcomes(con, Settings.load(restored), first.load.files, print)
    finally:
        con.close()
    with Outbox.of(restored) as box:
        assert [r.state for r in box.rows()] == ["sent", "sent"] and box.counts()["pending"] == 0


def test_a_source_down_is_told_once_per_outage_and_once_back(
    server: Server, hook: Webhook, tmp_path: Path
) -> None:
    from flows.notices import notify_flow
    from flows.pull import pull_flow
    from notify.outbox import Outbox

    home = tmp_path / "home"
    _channels(home, hook)
    deposit = tmp_path / "deposit"
    sources = home / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "chongchuan-share"\nunit = "{COUNTY}"\nurl = "file://{deposit}"\n',
        encoding="utf-8",
    )
    for _ in range(2):  # the folder is not there: the source is down, twice
        assert pull_flow(sources=str(sources), home=str(home)).unreached
    deposit.mkdir()
    assert not pull_flow(sources=str(sources), home=str(home)).unreached  # back
    assert not pull_flow(sources=str(sources), home=str(home)).unreached
    assert notify_flow(home=str(home)) == 2
    with Outbox.of(home) as box:
        kinds = sorted(r.kind for r in box.rows())
    assert kinds == ["source_back", "source_unreachable"]
    down, back = hook.messages()[0].split("\n")[1:]
    assert down.startswith("1. 报送点“chongchuan-share”（崇川区）无法连接：")
    assert "无法连接：找不到存放报表的文件夹或共享" in down  # in Chinese; then for its IT:
    assert "从未连通" in down and "恢复后将另行通知。（技术信息：FileNotFoundError" in down
    assert back.startswith("2. 报送点“chongchuan-share”（崇川区）已于") and "恢复连接" in back
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=30, at_exit=False)
    stored = wait_for("the stored event", lambda: _stored("ronghe.source.unreachable"), 60)
    assert len(stored) == 1
