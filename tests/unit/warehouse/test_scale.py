"""The home remembers its scale; RONGHE_SCALE cannot quietly disagree with it; a city run
of the province's files says what was probably meant."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cli.main import main
from config.settings import Settings
from pipeline import progress
from pipeline.run import run as ingest
from tests.support.factories import supervision_row, write_csv
from warehouse.scale import ScaleMismatch, remembered
from warehouse.workspace import Workspace

NOW = datetime(2017, 4, 12)


def test_the_first_run_writes_the_scale_and_later_ones_take_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("RONGHE_SCALE", "province")
    with Workspace.open(Settings.load(home)):
        pass
    assert remembered(home) == "province"
    monkeypatch.delenv("RONGHE_SCALE")
    assert Settings.load(home).scale == "province"  # unset: the home's
    monkeypatch.setenv("RONGHE_SCALE", "city")
    with pytest.raises(ScaleMismatch, match="RONGHE_SCALE=province"):
        Settings.load(home)
    with pytest.raises(ScaleMismatch):  # settings made by hand meet it at the writer
        Workspace.open(Settings(home=home, scale="city")).__enter__()
    assert main(["--home", str(home), "status"]) == 2  # one line, a usage error


def test_a_home_from_before_the_marker_is_judged_by_its_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("RONGHE_SCALE", "province")
    with Workspace.open(Settings.load(home)) as ws:
        ws.publish()
    (home / "scale").unlink()
    monkeypatch.delenv("RONGHE_SCALE")
    assert Settings.load(home).scale == "province"


def test_a_city_run_of_province_files_asks_whether_province_was_meant(
    tmp_path: Path, session: Workspace
) -> None:
    rows = [supervision_row(f"3201{i:08d}") for i in range(60)]  # 南京's codes
    f = write_csv(tmp_path / "inbox" / "supervision_nanjing.csv", rows)
    said: list[str] = []

    class Lines:
        def step(self, message: str) -> None:
            said.append(message)

        def advance(self, label: str, done: int, total: int) -> None:
            pass

    restore = progress.install(Lines())
    try:
        ingest(session, [f], NOW)
    finally:
        restore()
    assert any("did you mean RONGHE_SCALE=province?" in line for line in said), said
