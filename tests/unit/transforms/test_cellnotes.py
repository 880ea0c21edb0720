"""What calamine does not say, per format (transforms.cellnotes): formats and merges."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.office import make_fixtures
from transforms.cellnotes import PCT, YEARLESS, classify, notes

OFFICE = Path(make_fixtures.__file__).parent


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_merged_ranges_and_percent_cells_of_each_format(fmt: str) -> None:
    name = {"xlsx": "merged_units", "ods": "merged_units_ods", "xls": "merged_units_xls"}[fmt]
    got = notes((OFFICE / make_fixtures.NAMES[name]).read_bytes(), fmt)
    # LibreOffice saved it: unit code, name, period and time merged over rows 2-4 (A2:D4),
    # 40% typed in 形象进度(%) (column J) of row 2
    assert got["项目"].merges == [(1, c, 3, c) for c in range(4)]
    assert got["项目"].formats == {(1, 9): PCT}


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_a_date_shown_without_a_year(fmt: str) -> None:
    name = f"date_without_year_{fmt}"
    got = notes((OFFICE / make_fixtures.NAMES[name]).read_bytes(), fmt)
    assert got["报表"].formats == {(1, 3): YEARLESS} and got["报表"].merges == []


@pytest.mark.parametrize(
    ("fid", "code", "want"),
    [
        (9, "", PCT),
        (0, "0.0%", PCT),
        (0, '"%"0', None),  # a quoted % is text, not a percentage
        (0, 'm"月"d"日"', YEARLESS),
        (0, "[$-804]m月d日", YEARLESS),
        (14, "m/d/yy", None),
        (0, 'yyyy"年"m"月"d"日"', None),
        (0, "General", None),
    ],
)
def test_classify(fid: int, code: str, want: str | None) -> None:
    assert classify(fid, code) == want


_ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:automatic-styles>
<number:percentage-style style:name="N11"><number:number/><number:text>%</number:text>
</number:percentage-style>
<style:style style:name="ce2" style:family="table-cell" style:data-style-name="N11"/>
</office:automatic-styles><office:body><office:spreadsheet><table:table table:name="S">
<table:table-column table:number-columns-repeated="2" table:default-cell-style-name="ce2"/>
<table:table-column table:default-cell-style-name="Default"/>
<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p>
</table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell
 table:number-columns-repeated="2" office:value-type="percentage" office:value="0.4"/>
<table:table-cell office:value-type="float" office:value="1"/></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="0.5"/>
<table:table-cell table:style-name="Default" office:value-type="float" office:value="7"/>
<table:table-cell table:number-rows-spanned="2" office:value-type="string"/>
</table:table-row>
<table:table-row table:number-rows-repeated="1048570"><table:table-cell
 table:number-columns-repeated="1024"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""


def test_ods_repeats_and_column_styles_as_libreoffice_writes_them() -> None:
    """LibreOffice writes identical neighbours once, repeated; a column's % format as the
    column's default cell style; and a million empty rows at the end."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", _ODS_CONTENT)
    got = notes(buf.getvalue(), "ods")["S"]
    pct = {(1, 0), (1, 1), (2, 0), (2, 1), (3, 0)}  # repeated rows and cells; column default
    assert got.formats == dict.fromkeys(pct, PCT)  # (3, 1) has its own style: Default
    assert got.merges == [(3, 2, 4, 2)]
