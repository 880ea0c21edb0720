"""Reading and validating in several batches per kind gives the warehouse of one batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pipeline.run as pipeline
from config.settings import Settings
from tests.support.compare import contents, differences
from tests.support.factories import (
    COUNTY,
    COUNTY2,
    economy_row,
    project_row,
    supervision_row,
    write_csv,
    write_json,
)
from warehouse.workspace import Workspace

T = TypeVar("T")
NOW = datetime(2017, 5, 1)


def in_order(
    name: str, fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], labels: Sequence[str]
) -> list[T]:
    return [fn(*args) for args in calls]


def write_inbox(inbox: Path) -> None:
    for i in range(7):
        ts = f"2017-04-0{i + 1} 09:00"
        write_csv(inbox / f"supervision_{i}.csv", [supervision_row(submitted_at=ts)])
        project = project_row(COUNTY, pid=f"P{i}", submitted_at=ts)
        write_json(inbox / f"projects_{i}.json", [project])
        write_csv(inbox / f"经济指标_{i}.csv", [economy_row(COUNTY2, submitted_at=ts)])
    # faults: a report twice in one file, a bad value, an unknown kind, an empty file
    write_csv(inbox / "supervision_dup.csv", [supervision_row(COUNTY2)] * 2)
    write_csv(inbox / "projects_bad.csv", [project_row(pid="X", progress_pct=130)])
    write_csv(inbox / "notes.csv", [supervision_row()])
    (inbox / "经济指标_empty.csv").write_text("", encoding="utf-8")


def ingest(home: Path, inbox: Path, fan_out: pipeline.FanOut | None) -> Path:
    settings = Settings(home=home, settle_seconds=0)
    with Workspace.open(settings) as ws:
        with ws.run("r", "backfill", {}):
            pipeline.run(ws, [inbox], NOW, quarters=["2017Q1"], run_id="r", fan_out=fan_out)
        ws.publish()
    return settings.published_path


def test_split_keeps_order_and_bounds_the_batches() -> None:
    files = [Path(str(i)) for i in range(10)]
    parts = pipeline.split(files, 4)
    assert [f for p in parts for f in p] == files
    assert len(parts) == 4 and {len(p) for p in parts} == {2, 3}
    assert pipeline.split(files[:2], 4) == [[files[0]], [files[1]]]
    assert pipeline.split(files, 1) == [files]


def test_batches_per_kind_give_the_same_warehouse(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_inbox(inbox)
    one = ingest(tmp_path / "one", inbox, None)
    many = ingest(tmp_path / "many", inbox, pipeline.FanOut(3, in_order))
    assert differences(one, many) == []
    tables = contents(one)
    assert tables["quarantine.reports"], "the faults were not quarantined"
    assert tables["core.supervision"] and tables["marts.unit_scores"]
