"""CONTRACT §11 through the real server (``ronghe portal`` in a subprocess), by its JSON API.

The village's whole path (upload, 回显, fix, confirm into the inbox), the approval chain
up the hierarchy (the parent rule, the lock, a reason on every return), the status call,
and the portal answering while a run holds the warehouse's writer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from tests.support.portal import (
    COUNTY,
    OTHER_TOWN,
    TOWN,
    VILLAGE,
    Visitor,
    add_account,
    portal_server,
    report_csv,
)

OFFICE = Path(__file__).parents[2] / "fixtures" / "office"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("portal") / "home"
    h.mkdir()
    for unit in (COUNTY, TOWN, VILLAGE, OTHER_TOWN):
        add_account(h, unit)
    return h


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server: the portal announces confirmations and decisions to it."""
    from tests.support.prefect_server import serving

    with serving(tmp_path_factory.mktemp("prefect")) as u:
        yield u


@pytest.fixture(scope="module")
def url(home: Path, api: str) -> Iterator[str]:
    with portal_server(home, PREFECT_API_URL=api, PREFECT_HOME=str(home / "prefect")) as u:
        yield u


def visitor(url: str, unit: str) -> Visitor:
    v = Visitor(url)
    assert v.login(unit).status_code == 200
    return v


def test_the_village_reads_what_was_read_fixes_it_and_confirms(
    url: str, home: Path, tmp_path: Path
) -> None:
    v = visitor(url, VILLAGE)
    template = v.get("/template", params={"kind": "supervision", "period": "2017年第一季度"})
    assert template.status_code == 200 and template.content[:2] == b"PK"  # an xlsx
    assert "filename*=UTF-8''320623402200_2017Q1_" in template.headers["content-disposition"]
    bad = report_csv(tmp_path / "bad", "supervision", VILLAGE, party_members="二百")
    r = v.send_file(bad)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["receipt_no"] and not got["confirmable"]
    (rep,) = got["reports"]
    assert (rep["kind"], rep["unit_code"], rep["period"], rep["verdict"]) == (
        "supervision", VILLAGE, "2017Q1", "quarantine",
    )  # fmt: skip
    assert any("党员数" in p["message_zh"] and "二百" in p["message_zh"] for p in rep["problems"])
    assert v.confirm(got["receipt_no"]).status_code == 409  # 强制性错误 block the 报送

    good = report_csv(tmp_path / "good", "supervision", VILLAGE, party_members=131)
    got = v.send_file(good).json()
    (rep,) = got["reports"]
    assert rep["verdict"] == "load" and got["confirmable"]
    assert rep["values"]["party_members"] == 131 and rep["values"]["list_published"] is True
    cells = {c["column"]: c["at"] for c in rep["rows"][0]}
    assert cells["party_members"] == "第2行「党员数」"
    before = datetime.now()
    ok = v.confirm(got["receipt_no"])
    assert ok.json() == {"receipt_no": got["receipt_no"], "state": "submitted"}
    assert v.confirm(got["receipt_no"]).status_code == 409  # once only

    inbox = Settings(home=home).inbox_dir / "portal" / VILLAGE
    (filed,) = [p for p in inbox.iterdir() if got["receipt_no"] in p.name]
    assert filed.read_bytes() == good.read_bytes()  # the upload, byte for byte
    # its time of arrival (CONTRACT §9) is the confirmation's: the file's mtime
    assert abs(filed.stat().st_mtime - before.timestamp()) < 60
    status = v.get("/api/status", params={"period": "2017Q1"}).json()
    states = {(s["unit_code"], s["kind"]): s["state"] for s in status}
    assert states == {(VILLAGE, "supervision"): "submitted", (VILLAGE, "economy"): "overdue"}


def test_a_workbook_saved_by_an_office_program_shows_each_cell(url: str) -> None:
    """掘港镇's consolidated file for its villages, one sheet per village, saved by
    LibreOffice: each value beside its sheet and cell."""
    t = visitor(url, OTHER_TOWN)
    got = t.send_file(OFFICE / "党建督导季报_各村.xlsx").json()
    assert len(got["reports"]) == 4
    first = got["reports"][0]
    at = {c["column"]: c["at"] for c in first["rows"][0]}
    assert at["unit_code"].startswith(f"{first['unit_name']}!A")
    assert at["party_members"].split("!")[1][-1] == "2"  # row 2 of the village's sheet


def test_approval_waits_for_the_children_and_a_return_needs_a_reason(
    url: str, tmp_path: Path
) -> None:
    v, t, c = visitor(url, VILLAGE), visitor(url, TOWN), visitor(url, COUNTY)
    receipts = []
    for kind in ("supervision", "economy"):
        got = v.send_file(report_csv(tmp_path / kind, kind, VILLAGE)).json()
        assert v.confirm(got["receipt_no"]).status_code == 200
        receipts.append(got["receipt_no"])
    for kind in ("supervision", "economy"):
        got = t.send_file(report_csv(tmp_path / f"t{kind}", kind, TOWN)).json()
        assert got["confirmable"], got
        assert t.confirm(got["receipt_no"]).status_code == 200

    # the village cannot approve itself, the county cannot approve the village's report
    assert v.act("supervision", VILLAGE, "approve").status_code == 403
    assert c.act("supervision", VILLAGE, "approve").status_code == 403
    # the county waits for the township's village (DHIS2: a parent only after its children)
    early = c.act("supervision", TOWN, "approve")
    assert early.status_code == 409 and "下级" in early.json()["detail"]

    assert t.act("supervision", VILLAGE, "approve").json() == {"state": "approved"}
    assert t.act("economy", VILLAGE, "return").status_code == 422  # a reason is required
    assert t.act("economy", VILLAGE, "return", "集体收入与上季度不符").json() == {
        "state": "returned"
    }
    grid = {
        (s["unit_code"], s["kind"]): s["state"]
        for s in t.get("/api/status", params={"period": "2017Q1"}).json()
    }
    assert grid[(VILLAGE, "economy")] == "returned" and grid[(TOWN, "economy")] == "submitted"
    assert c.act("economy", TOWN, "approve").status_code == 409  # still waiting

    fixed = v.send_file(report_csv(tmp_path / "fix", "economy", VILLAGE, collective_income=36))
    assert v.confirm(fixed.json()["receipt_no"]).status_code == 200
    assert t.act("economy", VILLAGE, "approve").json() == {"state": "approved"}
    assert c.act("economy", TOWN, "approve").json() == {"state": "approved"}
    assert c.act("supervision", TOWN, "approve").json() == {"state": "approved"}

    # approved is locked: the village's correction waits, and the township cannot return
    # the approved version while the county has approved the township's own reports
    newer = v.send_file(report_csv(tmp_path / "newer", "supervision", VILLAGE, party_members=99))
    assert v.confirm(newer.json()["receipt_no"]).status_code == 200
    grid = {
        (s["unit_code"], s["kind"]): s["state"]
        for s in t.get("/api/status", params={"period": "2017Q1"}).json()
    }
    assert grid[(VILLAGE, "supervision")] == "pending_approval"
    old = v.get(f"/api/uploads/{receipts[0]}").json()["sha256"]
    body = {"kind": "supervision", "unit_code": VILLAGE, "period": "2017Q1", "action": "return",
            "reason": "撤回", "source_sha256": old}  # fmt: skip
    locked = t.post("/api/approvals", json=body, headers={"X-CSRF-Token": t.csrf})
    assert locked.status_code == 409 and "上级" in locked.json()["detail"]
    assert t.act("supervision", VILLAGE, "approve").json() == {"state": "approved"}

    # the county's own reports wait for all of its townships (others have filed nothing)
    assert c.act("supervision", COUNTY, "approve").status_code == 409


def _events(name: str) -> list[Any]:
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter

    with get_client(sync_client=True) as client:
        page = client.read_events(filter=EventFilter(event=EventNameFilter(name=[name])), limit=50)
    return list(page.events)


def test_confirmations_and_decisions_are_announced(url: str, home: Path) -> None:
    """``ronghe.report.received`` for each confirmed file (as ``ronghe watch`` announces an
    inbox file: the served ingest deployment's trigger), ``ronghe.report.approved`` and
    ``ronghe.report.returned`` for each decision, with deterministic ids."""
    from flows.events import APPROVED_EVENT, RECEIVED_EVENT, RETURNED_EVENT, event_id
    from tests.support.prefect_server import wait_for

    inbox = Settings(home=home).inbox_dir / "portal"
    filed = {str(p) for p in inbox.rglob("*") if p.is_file()}
    # the server stores events a moment after they arrive: wait until every file's is there
    wait_for(
        "every confirmed file's received event",
        lambda: {e.payload["path"] for e in _events(RECEIVED_EVENT)} >= filed,
    )
    returned = wait_for("the returned event", lambda: _events(RETURNED_EVENT))
    (back,) = [e for e in returned if e.resource.id == f"ronghe.unit.{VILLAGE}"]
    assert back.payload["reason"] == "集体收入与上季度不符" and back.payload["by_unit"] == TOWN
    key = f"economy|2017Q1|{back.payload['sha256']}|"
    assert any(
        back.id == event_id(RETURNED_EVENT, back.resource.id, key + str(n)) for n in range(1, 9)
    )
    approved = wait_for("the approved events", lambda: len(_events(APPROVED_EVENT)) >= 5)
    assert approved


def test_every_transition_is_kept_with_who_when_and_why(url: str, home: Path) -> None:
    from sqlalchemy import create_engine, select

    from approval.store import approvals

    engine = create_engine(Settings(home=home).portal_store_url)
    with engine.connect() as con:
        rows = con.execute(select(approvals).order_by(approvals.c.id)).all()
    engine.dispose()
    returned = [r for r in rows if r.state == "returned"]
    assert returned and all(r.reason and r.by_unit == TOWN and r.at for r in returned)
    approved = {(r.kind, r.unit_code, r.by_unit) for r in rows if r.state == "approved"}
    assert ("supervision", TOWN, COUNTY) in approved
    assert ("supervision", VILLAGE, TOWN) in approved
    seqs = [(r.kind, r.unit_code, r.seq) for r in rows]
    assert len(seqs) == len(set(seqs))


def test_the_portal_answers_while_a_run_holds_the_writer(
    url: str, home: Path, tmp_path: Path
) -> None:
    """A run (the backfill's own sequence over several quarters) holds the warehouse's
    writer and works; meanwhile the portal reads, uploads and confirms."""
    from pipeline.run import run as ingest
    from tests.support.realistic import supervision_row, write_gbk_csv
    from transforms.columns import SUPERVISION
    from warehouse.registry import load_registry, valid_units
    from warehouse.workspace import Workspace

    box = tmp_path / "backfill"
    units = valid_units(load_registry(), "2016Q1")
    villages = units.filter(units["level"] == "village")["unit_code"].to_list()[:8]
    for q, label in (("2016Q1", "2016年第一季度"), ("2016Q2", "2016年第二季度")):
        for u in villages:
            row = supervision_row(u, period=label, submitted_at=f"{q[:4]}-0{int(q[-1]) * 3 + 1}-03")
            write_gbk_csv(box / q / f"党建督导_{u}.csv", SUPERVISION, [row])
    running = threading.Event()
    done = threading.Event()
    answers: list[int] = []

    settings = Settings(home=home)

    def backfill() -> None:
        with Workspace.open(settings) as ws:
            running.set()
            # the backfill's quarters, and the inbox the portal confirmed files into
            ingest(ws, [box, settings.inbox_dir], datetime.now(), quarters=["2016Q1", "2016Q2"])
            ws.publish()
        done.set()

    worker = threading.Thread(target=backfill)
    worker.start()
    try:
        assert running.wait(60)
        v = visitor(url, VILLAGE)
        while not done.is_set():
            status = v.get("/api/status").status_code
            got = v.send_file(report_csv(tmp_path / "during", "economy", VILLAGE))
            answers.append((status, got.status_code, not done.is_set()))
    finally:
        worker.join(600)
    assert answers and {(a, b) for a, b, _ in answers} == {(200, 200)}
    assert any(during for _, _, during in answers)  # answered while the run held the writer
    # the confirmed uploads were inbox files like any other: read, archived, loaded, and the
    # approvals came with them (meta.approvals, marts.filing_status.approval)
    from warehouse.db import connect_reader

    con = connect_reader(settings.published_path)
    try:
        portal_files = con.execute(
            "SELECT count(*), count(*) FILTER (status = 'loaded' AND archive_path IS NOT NULL)"
            " FROM meta.file_manifest WHERE path LIKE '%/portal/%'"
        ).fetchall()[0]
        approval = dict(
            con.execute(
                "SELECT kind, approval FROM marts.filing_status"
                " WHERE period = '2017Q1' AND unit_code = ?",
                [TOWN],
            ).fetchall()
        )
        kept = con.execute("SELECT count(*) FROM meta.approvals").fetchall()[0][0]
    finally:
        con.close()
    assert portal_files[0] >= 5 and portal_files[0] == portal_files[1]
    assert approval == {"supervision": "approved", "economy": "approved"} and kept >= 10
