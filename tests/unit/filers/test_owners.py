"""Which unit owns a file that names none: its source's unit, else its inbox folder's."""

from __future__ import annotations

from datetime import datetime

import pytest

from filers.owners import Registry, owning_unit
from filers.receipts import receipt_periods
from warehouse.registry import load_registry
from warehouse.store import FileOutcome, LoadSummary

RUDONG, JUEGANG = "320623000000", "320623100000"
HEHUA_JUEGANG = "320623100207"  # 荷花村 under 掘港镇; a dozen other 荷花村 elsewhere
HELIN_JUEGANG = "320623100216"  # 和林村 under 掘港镇; another under a township of 如东县
XUEFU_HEPING = "320602002011"  # 学府社区 under 和平桥街道; also under 任港街道 and others


@pytest.fixture(scope="module")
def registry() -> Registry:
    reg = load_registry().select("unit_code", "name", "parent_code")
    return Registry.of(reg.iter_rows())


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        (f"/home/r/inbox/{RUDONG}/党建督导_坏.xlsx", RUDONG),
        ("/home/r/inbox/如东县/党建督导_坏.xlsx", RUDONG),
        ("/home/r/inbox/如东县/掘港镇/x.xlsx", JUEGANG),  # the deepest folder wins
        (f"/home/r/inbox/{JUEGANG}_掘港镇/x.xlsx", JUEGANG),
        ("/home/r/inbox/（掘港镇）/x.xlsx", JUEGANG),
        ("/home/r/inbox/如东县/掘港镇/荷花村/x.xlsx", HEHUA_JUEGANG),  # shared name, placed
        ("/home/r/inbox/和平桥街道/学府社区/x.csv", XUEFU_HEPING),
        ("/home/r/inbox/学府社区/x.csv", None),  # shared name, nothing to place it
        ("/home/r/inbox/荷花村/x.csv", None),
        ("/home/r/inbox/x.xlsx", None),
        ("D:\\上报\\如东县\\掘港镇\\x.xlsx", JUEGANG),  # a Windows path
        ("/home/r/inbox/320699999999/x.xlsx", None),  # a code not in the registry
        # the file's own name, as clerks name files (issue 29)
        ("/home/r/inbox/掘港镇2017年一季度党建督导季报.xlsx", JUEGANG),
        ("/home/r/inbox/如东县掘港镇2017年一季度党建督导季报.xlsx", JUEGANG),  # the one under
        (f"/home/r/inbox/{JUEGANG}_党建督导.xlsx", JUEGANG),
        ("/home/r/inbox/掘港镇/荷花村党建督导季报.xlsx", HEHUA_JUEGANG),  # placed by its folder
        ("/home/r/inbox/如东县/和林村党建督导季报.xlsx", RUDONG),  # shared: the folder's unit
        ("/home/r/inbox/掘港镇/和林村党建督导季报.xlsx", HELIN_JUEGANG),
        ("/home/r/inbox/党建督导季报.xlsx", None),
    ],
)
def test_the_folder_names_the_owner(registry: Registry, path: str, owner: str | None) -> None:
    assert owning_unit(path, registry) == owner


def test_the_source_unit_wins_over_the_folder(registry: Registry) -> None:
    assert owning_unit("/inbox/如东县/x.xlsx", registry, source_unit=JUEGANG) == JUEGANG
    assert owning_unit("/inbox/如东县/x.xlsx", registry, source_unit="320699999999") == RUDONG


def _file(reasons: tuple[str, ...], received: datetime) -> FileOutcome:
    return FileOutcome(
        "sha", "/inbox/x.xlsx", None, "xlsx", received, "rejected", 0, 0, 0, None, 1, reasons, ""
    )


def test_a_file_rejected_whole_has_its_runs_quarter_on_the_receipts() -> None:
    bad = _file(("unreadable_file",), datetime(2017, 7, 3))
    load = LoadSummary(files=(bad,), periods=("2017Q1",))
    assert receipt_periods(load, ["2017Q1", "2017Q2"]) == ["2017Q1", "2017Q2"]  # a backfill: last
    assert receipt_periods(load) == ["2017Q1", "2017Q2"]  # no run quarter: ended before July
    fine = LoadSummary(files=(_file((), datetime(2017, 7, 3)),), periods=("2017Q1",))
    assert receipt_periods(fine, ["2017Q3"]) == ["2017Q1"]
