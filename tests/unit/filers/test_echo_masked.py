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


def test_a_sheet_named_with_a_number_is_shown_masked_where_a_value_came_from(
    tmp_path: Path,
) -> None:
    import xlsxwriter

    from tests.support.factories import supervision_row

    row = supervision_row()
    path = tmp_path / "supervision_a.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("联系13912340108")
    sheet.write_row(0, 0, list(row))
    sheet.write_row(1, 0, list(row.values()))
    book.close()
    found = echo(path, load_registry("city"), datetime(2017, 6, 1), load_rules(None), None)
    places = {v.at for r in found.reports for line in r.rows for v in line}
    assert places and all(p.startswith("联系139****0108") for p in places), places
    assert "13912340108" not in found.to_json()


def test_validate_names_a_sheet_with_a_number_masked_in_what_it_left_out() -> None:
    from filers.check import _left_out

    [said] = _left_out([{"sheet": "联系13912340108", "below": "8-10"}])
    assert said.startswith("工作表“联系139****0108”第8-10行在表格下方")
