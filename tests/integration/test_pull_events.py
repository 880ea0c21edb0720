"""Integration: the events out reach a real Prefect automation, once.

A real ``prefect server start``; an automation on ``ronghe.report.quarantined`` for one
county's units (matched by the event's related county) whose action posts through a
webhook notification block (``CustomWebhookNotificationBlock``, shaped as a 企业微信
robot's message) to an HTTP receiver on 127.0.0.1. A quarantined report makes exactly
one POST; announcing the same run again, and a re-run of the same file, make none.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.result import RunResult
from tests.support.factories import supervision_row, write_csv
from tests.support.prefect_server import serving, wait_for
from tests.support.servers import closed_port

pytestmark = pytest.mark.integration
VILLAGE, TOWNSHIP, COUNTY = "320602001001", "320602001000", "320602000000"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("prefect")) as url:
        yield url


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    got: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.append(json.loads(body or b"{}"))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send", got
    finally:
        server.shutdown()


def _automation(url: str, event: str, match_related: dict[str, str], name: str) -> None:
    from prefect.automations import Automation
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import EventTrigger, Posture

    block = CustomWebhookNotificationBlock(
        name=name,
        url=url,
        json_data={"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}},
        allow_private_urls=True,
    )
    block_id = block.save(name, overwrite=True)
    from prefect.client.orchestration import get_client

    # as docs/operations.md's script does: run twice, still one automation (not two posts)
    with get_client(sync_client=True) as client:
        for old in client.read_automations_by_name(name):
            client.delete_automation(old.id)
    Automation(
        name=name,
        trigger=EventTrigger(
            expect={event},
            match={"prefect.resource.id": "ronghe.*"},
            match_related=match_related,
            posture=Posture.Reactive,
            threshold=1,
            within=timedelta(0),
        ),
        actions=[
            SendNotification(
                block_document_id=block_id,
                subject="融合党建报表被退回",
                body="{{ event.resource.id }} {{ event.payload.kind }} {{ event.payload.period }}"
                " {{ event.payload.file }} 问题 {{ event.payload.problems }} 条",
            )
        ],
    ).create()


def _stored(event_name: str) -> list[object]:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter

    with get_client(sync_client=True) as client:
        page = client.read_events(
            filter=EventFilter(event=EventNameFilter(name=[event_name])), limit=50
        )
    return list(page.events)


def test_a_quarantined_report_posts_once_and_a_rerun_posts_nothing(
    api: str, tmp_path: Path, receiver: tuple[str, list[dict[str, object]]]
) -> None:
    url, posts = receiver
    related = {"prefect.resource.role": "county", "prefect.resource.id": f"ronghe.unit.{COUNTY}"}
    for _ in range(2):  # the script run twice
        _automation(url, "ronghe.report.quarantined", related, "chongchuan-wecom")
    time.sleep(5)  # the triggers service loads new automations every few seconds
    from prefect.events.worker import EventsWorker

    from flows import announce
    from flows.flows import ingest_flow as writer
    from flows.outputs import follow

    def ingest_flow(paths: list[str], home: str) -> RunResult:
        # as the commands run it: the events follow the run in a flow run of their own
        return follow(writer(paths=paths, home=home), home)

    home = tmp_path / "home"
    bad = write_csv(
        tmp_path / "inbox" / "supervision_320602001001_13912345678.csv",
        [supervision_row(VILLAGE, party_members=-5)],
    )
    first = ingest_flow(paths=[str(bad)], home=str(home))
    assert first.reports_quarantined == 1
    # a re-run announces the same occurrence again: the same id, stored once
    shas = [f.sha256 for f in first.load.files]
    again = announce.outcome_events(home / "warehouse.duckdb", shas)
    announce.emit(again)
    ingest_flow(paths=[str(bad)], home=str(home))  # the same file: nothing new, no event
    EventsWorker.drain_all(timeout=30, at_exit=False)

    wait_for("the automation's POST", lambda: posts, timeout=120)
    time.sleep(15)  # a second POST, if any, would come within this
    assert len(posts) == 1
    text = str(posts[0]["text"])
    assert "ronghe.unit.320602001001 supervision 2017Q1" in text
    assert "139****5678" in text and "13912345678" not in text  # the file name masked
    stored = wait_for("the stored event", lambda: _stored("ronghe.report.quarantined"), 60)
    assert len(stored) == 1
    event = stored[0]
    assert str(event.id) == str(again[0]["id"])  # type: ignore[attr-defined]
    roles = {r.role: r.id for r in event.related}  # type: ignore[attr-defined]
    assert (
        roles["township"] == f"ronghe.unit.{TOWNSHIP}"
        and roles["county"] == f"ronghe.unit.{COUNTY}"
    )
    assert event.payload["problems"] >= 1  # type: ignore[attr-defined]


def test_an_unreachable_source_is_announced_once_per_outage(api: str, tmp_path: Path) -> None:
    from prefect.events.worker import EventsWorker

    from flows.pull import pull_flow

    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "gone"\nunit = "{COUNTY}"\nurl = "ftp://u@127.0.0.1:{closed_port()}/"\n',
        encoding="utf-8",
    )
    home = tmp_path / "home"
    for _ in range(2):  # still down at the next pull: the same outage, the same event id
        result = pull_flow(sources=str(sources), home=str(home))
        assert [p.source.name for p in result.unreached] == ["gone"]
    EventsWorker.drain_all(timeout=30, at_exit=False)
    stored = wait_for("the stored event", lambda: _stored("ronghe.source.unreachable"), 60)
    time.sleep(3)
    stored = _stored("ronghe.source.unreachable")
    assert len(stored) == 1
    assert stored[0].resource.id == "ronghe.source.gone"  # type: ignore[attr-defined]
    assert stored[0].payload["unit"] == COUNTY  # type: ignore[attr-defined]
