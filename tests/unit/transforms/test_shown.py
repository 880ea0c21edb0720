"""The one sanitiser of text shown to people (issue 30, class 2): a filer's or a server's
words are seen, never obeyed, wherever they land."""

from __future__ import annotations

import json
import re

import pytest

from transforms.cells import document_cell
from transforms.shown import escaped, json_escaped, legible, log_text, markdown_text

HOSTILE = "\u202e" + "gpj.exe\x1b[2J\u200b\r\nline\u2066x\u2069\x07"


def test_a_document_cell_has_no_bidi_control_no_invisible_and_no_raw_control() -> None:
    text = legible(HOSTILE)
    assert text == "gpj.exe\\x1b[2J\nlinex\\x07"
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u200b\u202a-\u202e\u2066-\u2069]", text)
    assert legible("第2行\t合计") == "第2行\t合计"  # tabs and line breaks stay


@pytest.mark.parametrize("value", ["=1+1", "+1", "-5", "@SUM(A1)", "\u202e=1+1", " =1"])
def test_a_document_cell_never_starts_a_formula(value: str) -> None:
    cell = document_cell(value)
    assert cell.startswith("'"), cell
    assert "\u202e" not in cell


def test_document_cell_leaves_plain_text_and_none() -> None:
    assert document_cell("村道拓宽") == "村道拓宽"
    assert document_cell(None) == ""
    assert document_cell(12) == "12"


def test_markdown_text_makes_no_link_image_html_or_cell() -> None:
    text = markdown_text(
        "[点此更新](http://evil.example/x) ![i](https://t/p.png) <a href=x>y</a> | a\nb"
    )
    # every bracket, parenthesis, angle bracket and bar is escaped; no "://" is left
    assert not re.search(r"(?<!\\)[\[\]()<>|!]", text), text
    assert "://" not in text and "\n" not in text
    assert markdown_text("www.example.com") == "www\\.example\\.com"


def test_a_log_line_has_no_escape_sequence_and_no_link() -> None:
    line = log_text("source down: \x1b[31m530 see http://evil.example\x1b[0m\nforged")
    assert "\x1b" not in line and "\n" not in line
    assert "://" not in line and "http[:]//evil.example" in line
    assert escaped("a\u202eb") == "a\\u202eb"


def test_a_document_cell_past_what_a_spreadsheet_holds_is_cut_and_says_so() -> None:
    cell = document_cell("x" * 40_000)
    assert len(cell) < 32_767 and cell.endswith("（共40,000字，已截断）")


def test_json_on_a_terminal_is_the_same_value_with_nothing_to_obey() -> None:
    value = {"名称": "a\x1b]52;c;eA==\x07\u202egnp.exe\x9b\U000e0041", "n": [1, "x\ty"]}
    text = json.dumps(value, ensure_ascii=False, indent=1)
    shown = json_escaped(text)
    assert json.loads(shown) == value
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\U000e0041]", shown)
    assert "\n" in shown and "名称" in shown  # the layout and the Chinese stay
