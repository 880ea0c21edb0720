"""Issue 30, class 3: the portal's 回显 of a report that will not load shows (and stores
with the upload) its text as read, personal numbers masked like every other place."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from filers.echo import echo
from tests.support.factories import project_row, write_csv
from warehouse.registry import load_registry
from warehouse.ruleset import load_rules


def test_a_returned_report_s_values_are_shown_and_stored_masked(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "projects_a.csv", [project_row(name="联系人139.1234.5678 村道")])
    found = echo(path, load_registry("city"), datetime(2017, 6, 1), load_rules(None), None)
    [report] = found.reports
    assert report.verdict == "quarantine"
    [name] = [v for v in report.rows[0] if v.column == "name"]
    assert name.value == name.data == "联系人139.****.5678 村道"
    assert "139.1234.5678" not in found.to_json()  # what the portal stores with the upload
