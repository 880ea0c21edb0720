"""`ronghe.unit.overdue` on a real Prefect server: one event per owed report, with its
unit, township and county, and one notice in the outbox in Chinese; the chase of a
later deadline (or a re-run) adds none, and the server's event store loses nothing
(Prefect 3.9 dropped whole batches when sent ids it already held)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from filers.chase import chase
from flows.chase import tell_overdue
from flows.events import OVERDUE_EVENT, event_id
from notify.outbox import Outbox
from pipeline.run import run as ingest
from tests.support.prefect_server import start_server, stop_server, wait_for
from tests.support.realistic import CITY, TOWN, economy_row, write_xlsx
from transforms.columns import ECONOMY

pytestmark = pytest.mark.integration
VA = "320602001001"


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prefect-server")


@pytest.fixture(scope="module")
def api(server_log: Path) -> Iterator[str]:
    server, url = start_server(server_log)
    from flows.prefect_env import configure

    configure(None)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=30, at_exit=False)
        stop_server(server)


def overdue_events() -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter

    flt = EventFilter(event=EventNameFilter(name=[OVERDUE_EVENT]))
    found: list[Any] = []
    with get_client(sync_client=True) as client:
        page = client.read_events(filter=flt, limit=50)
        while True:
            found.extend(page.events)
            if not page.next_page:
                return found
            page = client.read_events_page(str(page.next_page))


def test_overdue_events_once_per_report(
    api: str, server_log: Path, session: Any, tmp_path: Path
) -> None:
    from prefect.events.worker import EventsWorker

    f = write_xlsx(tmp_path / "in" / "经济指标_城北社区.xlsx", ECONOMY,
                   [economy_row("village", VA, submitted_at="2017-04-03 09:00")])  # fmt: skip
    ingest(session, [f], datetime(2017, 4, 3, 10))
    session.publish()
    whole = chase(
        session.settings.published_path, "2017Q1", tmp_path / "c", datetime(2017, 4, 6, 9)
    )
    town = next(lst for lst in whole.lists if lst.unit_code == TOWN)
    result = dataclasses.replace(whole, lists=(town,))  # one township's share of the city
    assert tell_overdue(session.settings, result) == len(town.items)
    assert tell_overdue(session.settings, result) == 0  # the same chase again: nothing
    EventsWorker.drain_all(timeout=30, at_exit=False)
    events = wait_for(
        "the overdue events", lambda: (e := overdue_events()) and len(e) >= len(town.items) and e
    )
    assert len(events) == len(town.items)
    assert (VA, "economy") not in {(i.unit_code, i.kind) for i in town.items}
    mine = next(e for e in events if e.resource.id == f"ronghe.unit.{VA}")
    assert mine.payload["kind"] == "supervision" and mine.payload["period"] == "2017Q1"
    assert mine.id == event_id(OVERDUE_EVENT, f"ronghe.unit.{VA}", "2017Q1|supervision")
    assert {r.id for r in mine.related} == {f"ronghe.unit.{TOWN}", f"ronghe.unit.{CITY}"}
    # the township chase three days later: the villages that still owe are not announced
    # again; only the township's own reports, due since, are new
    later = chase(
        session.settings.published_path, "2017Q1", tmp_path / "c", datetime(2017, 4, 9, 9)
    )
    town_later = next(lst for lst in later.lists if lst.unit_code == TOWN)
    new = [i for i in town_later.items if i.level == "township"]
    assert new and len(town_later.items) == len(town.items) + len(new)
    told = tell_overdue(session.settings, dataclasses.replace(later, lists=(town_later,)))
    assert told == len(new)
    EventsWorker.drain_all(timeout=30, at_exit=False)
    want = len(events) + len(new)
    wait_for("the new events", lambda: len(overdue_events()) >= want)
    time.sleep(6)  # the server's event persister flushes every 5 s: a drop would show now
    assert len(overdue_events()) == want
    log = (server_log / "server.log").read_text(errors="replace")
    assert "NOT NULL constraint failed" not in log and "dropping" not in log
    # the outbox: one notice per report, in Chinese
    with Outbox.of(session.settings.home) as box:
        keys = box.known([f"overdue:{VA}|2017Q1|supervision", f"overdue:{VA}|2017Q1|economy"])
        texts = {r[0]: r[1] for r in box.con.execute("SELECT key, text_zh FROM notices")}
    assert keys == {f"overdue:{VA}|2017Q1|supervision"}  # its economy report was filed
    assert len(texts) == want
    assert texts[f"overdue:{VA}|2017Q1|supervision"] == (
        "崇川区城东街道城北社区：2017年第一季度党建督导季报未报送，截止2017年4月5日，"
        "已逾期1天，请尽快报送。"
    )
