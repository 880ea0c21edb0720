"""What a run takes from the portal's store (CONTRACT §11): approvals, 说明, what counts.

A real SQLite store in the home (as the portal writes it), real files, the run's own
sequence (no Prefect): ``meta.approvals``, ``marts.filing_status.approval``, the 说明
typed in the portal on the loaded report, and the scores under ``[approval] required``.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from approval.store import approvals, explanations, open_store
from config.settings import Settings
from pipeline.approvals import copy_approvals
from pipeline.run import run as ingest
from tests.support.realistic import (
    CITY,
    TOWN,
    VILLAGE,
    VILLAGE2,
    economy_row,
    supervision_row,
    write_gbk_csv,
)
from transforms.columns import ECONOMY, SUPERVISION
from warehouse.ruleset import packaged_rules_path
from warehouse.workspace import Workspace

NOW = datetime(2017, 6, 1)
P = "2017Q1"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    for unit, level in ((CITY, "county"), (TOWN, "township"), (VILLAGE, "village")):
        write_gbk_csv(box / unit / f"党建督导_{unit}.csv", SUPERVISION, [supervision_row(unit)])
        write_gbk_csv(box / unit / f"经济指标_{unit}.csv", ECONOMY, [economy_row(level, unit)])
    write_gbk_csv(box / "v2" / "经济指标_v2.csv", ECONOMY, [economy_row("village", VILLAGE2)])
    v2 = supervision_row(VILLAGE2, party_members=90, supervisions_held=1, explanation=None)
    write_gbk_csv(box / "portal" / VILLAGE2 / "党建督导_v2.csv", SUPERVISION, [v2])
    return box


def _required(tmp_path: Path) -> Path:
    text = packaged_rules_path("2018").read_text(encoding="utf-8")
    path = tmp_path / "required.toml"
    path.write_text(text.replace("required = false", "required = true"), encoding="utf-8")
    return path


def _log(settings: Settings, *rows: tuple[str, str, int, Path, str]) -> None:
    engine = open_store(settings.portal_store_url)
    with engine.begin() as con:
        for unit, kind, seq, path, state in rows:
            con.execute(
                insert(approvals).values(
                    kind=kind, unit_code=unit, period=P, seq=seq, source_sha256=_sha(path),
                    state=state, by_unit=TOWN, at=datetime(2017, 4, 11, 9, seq),
                    reason="数据有误" if state == "returned" else None,
                )
            )  # fmt: skip
    engine.dispose()


def _scores(ws: Workspace) -> list[tuple[Any, ...]]:
    return ws.con.execute(
        "SELECT unit_code, party_score, development_score, composite_score, rank_in_level"
        " FROM marts.unit_scores WHERE period = ? ORDER BY unit_code",
        [P],
    ).fetchall()


@pytest.fixture
def run_with(home: Path, inbox: Path, tmp_path: Path) -> Iterator[Any]:
    settings = Settings(home=home)

    def go(required: bool) -> tuple[list[tuple[Any, ...]], dict[tuple[str, str], Any]]:
        rules = _required(tmp_path) if required else None
        with Workspace.open(settings, rules) as ws:
            ingest(ws, [inbox], NOW, quarters=[P])
            scores = _scores(ws)
            approval = {
                (u, k): a
                for u, k, a in ws.con.execute(
                    "SELECT unit_code, kind, approval FROM marts.filing_status WHERE period = ?",
                    [P],
                ).fetchall()
            }
            ws.publish()
        return scores, approval

    yield go


def test_approvals_reach_the_warehouse_and_decide_what_counts(
    run_with: Any, home: Path, inbox: Path
) -> None:
    settings = Settings(home=home)
    v2 = inbox / "portal" / VILLAGE2 / "党建督导_v2.csv"
    today, approval = run_with(required=False)  # no store yet: nothing changes
    assert set(approval.values()) == {None}
    by_unit = {r[0]: r for r in today}
    assert by_unit[VILLAGE2][1] is not None  # its supervision report counts today

    _log(settings, (VILLAGE2, "supervision", 1, v2, "submitted"))
    scores, approval = run_with(required=False)
    assert approval[(VILLAGE2, "supervision")] == "submitted"
    assert approval[(VILLAGE, "supervision")] is None  # a deposit's file needs no approval
    assert scores == today  # shown, never counted, when approval is not required

    scores, _ = run_with(required=True)
    held = {r[0]: r for r in scores}
    # submitted, not approved: its supervision report does not count (no P, incomplete)
    assert VILLAGE2 not in held or held[VILLAGE2][1] is None
    assert held[VILLAGE] == by_unit[VILLAGE]

    _log(settings, (VILLAGE2, "supervision", 2, v2, "approved"))
    scores, approval = run_with(required=True)
    assert approval[(VILLAGE2, "supervision")] == "approved"
    assert scores == today  # everything approved: the scores are today's


def test_an_approved_report_stays_counted_while_its_correction_waits(
    run_with: Any, home: Path, inbox: Path
) -> None:
    settings = Settings(home=home)
    v2 = inbox / "portal" / VILLAGE2 / "党建督导_v2.csv"
    _log(
        settings,
        (VILLAGE2, "supervision", 1, v2, "submitted"),
        (VILLAGE2, "supervision", 2, v2, "approved"),
    )
    approved, _ = run_with(required=True)
    newer = supervision_row(
        VILLAGE2, party_members=10, supervisions_held=0, submitted_at="2017-04-20 09:00"
    )
    fixed = write_gbk_csv(inbox / "portal" / VILLAGE2 / "党建督导_v3.csv", SUPERVISION, [newer])
    _log(settings, (VILLAGE2, "supervision", 3, fixed, "submitted"))
    locked, approval = run_with(required=True)
    assert approval[(VILLAGE2, "supervision")] == "submitted"  # the current version waits
    assert locked == approved  # the approved version is the one that counts
    loose, _ = run_with(required=False)
    assert {r[0]: r for r in loose}[VILLAGE2] != {r[0]: r for r in approved}[VILLAGE2]


def test_the_portal_explanation_reaches_the_loaded_report(home: Path, inbox: Path) -> None:
    settings = Settings(home=home)
    v2 = inbox / "portal" / VILLAGE2 / "党建督导_v2.csv"
    engine = open_store(settings.portal_store_url)
    with engine.begin() as con:
        con.execute(
            insert(explanations).values(
                sha256=_sha(v2), kind="supervision", unit_code=VILLAGE2, period=P,
                text="本季度有3名党员转出",
            )
        )  # fmt: skip
    engine.dispose()
    with Workspace.open(settings) as ws:
        ingest(ws, [inbox], NOW, quarters=[P])
        got = ws.con.execute(
            "SELECT unit_code, explanation FROM core.supervision WHERE period = ? ORDER BY 1",
            [P],
        ).fetchall()
    assert dict(got)[VILLAGE2] == "本季度有3名党员转出"
    assert dict(got)[VILLAGE] == "3"  # a file's own 说明 stays (and takes a portal's after it)


def test_a_run_never_waits_for_the_portal(home: Path, inbox: Path) -> None:
    """The portal in the middle of a write (an exclusive transaction on its SQLite store):
    the run reads what was committed all the same (WAL: readers never wait), and goes on."""
    settings = Settings(home=home)
    v2 = inbox / "portal" / VILLAGE2 / "党建督导_v2.csv"
    _log(settings, (VILLAGE2, "supervision", 1, v2, "submitted"))
    writer = sqlite3.connect(settings.portal_dir / "portal.db", timeout=0)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute(
        "INSERT INTO approvals (kind, unit_code, period, seq, source_sha256, state, by_unit, at)"
        " VALUES ('supervision', ?, ?, 2, 'x', 'approved', ?, '2017-04-11 10:00:00')",
        [VILLAGE2, P, TOWN],
    )
    try:
        with Workspace.open(settings) as ws:
            assert copy_approvals(ws) == (P,)  # the committed transition, not the open one
            rows = ws.con.execute("SELECT state FROM meta.approvals").fetchall()
        assert rows == [("submitted",)]
    finally:
        writer.rollback()
        writer.close()
