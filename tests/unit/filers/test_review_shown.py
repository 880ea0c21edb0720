"""Review flags (需核实) where filers see them: `ronghe validate` (apart from the problems,
exit 0 when only flags remain, thresholds from --rules) and the receipts (回执)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cli.main import main
from filers.receipts import write_receipts
from pipeline.run import run as ingest
from tests.support.realistic import TOWN, VILLAGE, economy_row, write_xlsx
from transforms.columns import ECONOMY
from warehouse.ruleset import default_rules_path

Q2 = "2017年第二季度"
FLAG = (
    "需核实：「村集体经营性收入(万元)」本季度为120，低于上季度累计的150，"
    "请核实并在「说明」中注明原因"
)


@pytest.fixture
def last_quarter(session: Any, tmp_path: Path) -> Any:
    q1 = write_xlsx(tmp_path / "q1" / "经济指标_城北社区.xlsx", ECONOMY,
                    [economy_row("village", VILLAGE, collective_income=150)])  # fmt: skip
    ingest(session, [q1], datetime(2017, 4, 12))
    session.publish()
    return session


def q2_file(folder: Path, **over: Any) -> Path:
    row = economy_row("village", VILLAGE, period=Q2, submitted_at="2017-07-03 09:00")
    return write_xlsx(folder / "经济指标_城北社区_二季度.xlsx", ECONOMY,
                      [row | {"collective_income": 120} | over])  # fmt: skip


def test_validate_prints_flags_apart_and_exits_0(
    last_quarter: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(last_quarter.settings.home)
    f = q2_file(tmp_path / "q2")
    assert main(["--home", home, "validate", str(f)]) == 0
    out = capsys.readouterr()
    assert f"    {FLAG} [ytd_decrease]" in out.out.splitlines()
    assert "需核实1处（其中未说明1处" in out.err
    # explained: still shown, marked
    g = q2_file(tmp_path / "q2b", explanation="二季度退还一季度多计的租金")
    assert main(["--home", home, "validate", str(g)]) == 0
    assert "需核实（已说明）：「村集体经营性收入(万元)」" in capsys.readouterr().out
    # a blocking problem still exits 1, and its report has no flags
    bad = q2_file(tmp_path / "q2c", collective_income=-1)
    assert main(["--home", home, "validate", str(bad)]) == 1
    assert "需核实" not in capsys.readouterr().out


def test_validate_takes_the_thresholds_of_rules(
    last_quarter: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    lenient = text.replace(
        '"fiscal_revenue", "gdp"]\nthreshold = 0', '"fiscal_revenue", "gdp"]\nthreshold = 50'
    )
    assert lenient != text
    rules = tmp_path / "lenient.toml"
    rules.write_text(lenient, encoding="utf-8")
    f = q2_file(tmp_path / "q2")
    home = str(last_quarter.settings.home)
    assert main(["--home", home, "validate", str(f), "--rules", str(rules)]) == 0
    assert "需核实" not in capsys.readouterr().out  # a fall of 30 is within 50
    assert main(["--home", home, "validate", str(f)]) == 0
    assert FLAG in capsys.readouterr().out


def test_receipts_show_unexplained_flags(last_quarter: Any, tmp_path: Path) -> None:
    ingest(last_quarter, [q2_file(tmp_path / "q2")], datetime(2017, 7, 4))
    last_quarter.publish()
    paths = write_receipts(last_quarter.settings.published_path, "2017Q2", tmp_path / "r")
    town = next(p for p in paths if TOWN in p.name)
    ws = load_workbook(town)["回执"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6)]
    mine = [r for r in rows if r[0] == VILLAGE and r[2] == "经济指标"]
    assert mine[0][3] == "已入库"
    # the flag is a line of its own right after the report: status 需核实 and its sentence
    assert mine[1][3] == "需核实"
    assert any(FLAG.removeprefix("需核实：") in str(v) for v in mine[1] if v)
