"""Issue 30, class 4: a cell that does not decode cleanly in its file's encoding is
``bad_value``, with a sentence on how to save the file; the rest of the file reads."""

from __future__ import annotations

from expectations.sentences import sentences
from transforms.batch import bad_flag
from transforms.columns import PROJECTS
from transforms.parse import parse
from transforms.textfiles import BAD_TEXT, read_csv

HEAD = "单位代码,报告期,项目编号,项目名称\n"


def test_a_utf8_cell_in_a_gbk_file_is_marked_and_the_others_read() -> None:
    data = (HEAD + "320602001001,2017Q1,P1,村道拓宽\n320602001001,2017Q1,P2,").encode("gbk")
    data += "农田水利".encode() + "\n".encode("gbk")
    headers, cols = read_csv(data)
    assert headers == ["单位代码", "报告期", "项目编号", "项目名称"]  # the header reads
    assert cols[3] == ["村道拓宽", BAD_TEXT + "鍐滅敯姘村埄"]  # as Excel shows it


def test_a_gbk_cell_in_a_utf8_file_is_marked_as_what_was_typed() -> None:
    data = (HEAD + "320602001001,2017Q1,P1,村道拓宽\n320602001001,2017Q1,P3,桥梁\n").encode()
    data += b"320602001001,2017Q1,P2," + "农田水利".encode("gbk") + b"\n"
    assert read_csv(data)[1][3] == ["村道拓宽", "桥梁", BAD_TEXT + "农田水利"]


def test_clean_files_are_unchanged() -> None:
    text = HEAD + "320602001001,2017Q1,P1,村道拓宽\n"
    assert (
        read_csv(text.encode("gbk"))
        == read_csv(text.encode())
        == read_csv(text.encode("utf-8-sig"))
    )
    assert BAD_TEXT not in str(read_csv(text.encode("gb18030")))


def test_a_marked_cell_is_bad_value_in_any_column_with_a_sentence_to_save_the_file() -> None:
    import polars as pl

    frame = pl.DataFrame(
        {"name": [BAD_TEXT + "鍐滅敯姘村埄", "村道拓宽"], "progress_pct": [BAD_TEXT + "50", "50"]}
    )
    parsed = parse(PROJECTS, frame)
    assert parsed[bad_flag("name")].to_list() == [True, False]
    assert parsed[bad_flag("progress_pct")].to_list() == [True, False]
    zh, en = sentences(PROJECTS, PROJECTS.column("name"), "bad_value", 3, BAD_TEXT + "鍐滅敯姘村埄")
    assert zh.startswith("第3行「项目名称」的文字编码与文件其他部分不同，收到“鍐滅敯姘村埄”")
    assert "另存为“CSV UTF-8（逗号分隔）”" in zh and "CSV UTF-8" in en


def test_gbk_cells_whose_bytes_happen_to_be_utf8_are_not_taken_for_pasted_ones() -> None:
    # 未 一 千 停 女 元 in GBK are valid UTF-8 (δ, Ò…): Latin or Greek, never Chinese
    data = (HEAD + "320602001001,2017Q1,未,停\n320602001001,2017Q1,一,女\n").encode("gbk")
    assert read_csv(data)[1][2:] == [["未", "一"], ["停", "女"]]


def test_a_gbk_cell_half_pasted_as_utf8_is_marked_and_rare_names_are_not() -> None:
    # 村道 typed (GBK), 拓宽 pasted (UTF-8): GBK reads it 村道鎷撳 without an error
    half = "村道".encode("gbk") + "拓宽".encode()
    data = (HEAD + "320602001001,2017Q1,P1,").encode("gbk") + half + b"\n"
    data += "320602001001,2017Q1,P2,喆赟桥梁\n".encode("gbk")  # rare, but typed in GBK
    assert read_csv(data)[1][3] == [BAD_TEXT + half.decode("gb18030"), "喆赟桥梁"]
