"""The 通报 document (通报-P.docx) read back as the office's WPS or Word reads it
(python-docx on the file), and the leaders' pages of the brief and the workbook.

The figures and names in the document are checked against the warehouse, queried here
directly; its structure is that of a 公文 (the four sections, the list of annexes, the
issuer and date, the annexed tables with their header rows repeated); every paragraph
has a named style and no run is formatted by hand; and no path, table name or English
word reaches a page a leader reads. Printing it is tested in test_print.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from reports.document_styles import S
from reports.labels import QUADRANTS_ZH
from tests.support.report_warehouse import (
    INCOMPLETE_UNIT,
    PERIOD,
    Built,
    query,
    sample_report,
    sample_warehouse,
)

__all__ = ["sample_report", "sample_warehouse"]  # fixtures

SECTIONS = ("一、总体情况", "二、先进与后进", "三、存在问题", "四、下步工作")
ENGLISH = re.compile(r"[A-Za-z]{2,}")
TABLE_NAME = re.compile(r"\b(core|marts|meta|quarantine|raw)\.[a-z_]+")
PATH = re.compile(r"(^|[\s（(：:])(/[^\s/]+){2,}|[A-Za-z]:\\\\")
LEADER_SHEETS = ("概况", "县区排名", "镇街排名", "村社区", "薄弱村", "联动分析", "报送情况")


@pytest.fixture(scope="module")
def document(sample_report: Any) -> Any:
    return docx.Document(str(sample_report.document))


def body_text(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def all_text(document: Any) -> str:
    parts = body_text(document)
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    for section in document.sections:
        for part in (section.footer, section.even_page_footer, section.header):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


def body(document: Any) -> str:
    """The body: from the title to the date, before the annexes."""
    text = body_text(document)
    end = next(i for i, t in enumerate(text) if re.fullmatch(r"附件1", t))
    return "\n".join(text[:end])


def test_the_form_of_a_public_document(document: Any) -> None:
    text = body_text(document)
    assert text[0] == "中共南通市委组织部文件"
    assert re.fullmatch(r"通组〔\d{4}〕\u3000\u3000号", text[1])  # the number left to the office
    assert text[2] == "关于2017年第四季度全市融合党建工作情况的通报"
    heads = [t for t in text if t in SECTIONS]
    assert heads == list(SECTIONS)
    annex_list = next(i for i, t in enumerate(text) if t.startswith("附件："))
    assert text[annex_list] == "附件：1．县（市、区）融合党建综合得分排名表"
    assert text[annex_list + 1 : annex_list + 3] == [
        "2．镇（街道）融合党建综合得分排名表",
        "3．薄弱村预警名单",
    ]
    assert text[annex_list + 3] == "中共南通市委组织部"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", text[annex_list + 4])
    marks = [t for t in text if re.fullmatch(r"附件\d", t)]
    assert marks == ["附件1", "附件2", "附件3"]
    footer = "".join(p.text for p in document.sections[0].footer.paragraphs)
    assert footer.startswith("— ") and footer.endswith(" —")  # — 1 —
    assert document.settings.odd_and_even_pages_header_footer


def test_styles_not_direct_formatting(document: Any) -> None:
    """Every paragraph has one of the document's named styles; no run is formatted by
    hand (a run may only name a character style: the run-in heads in 楷体)."""
    names = set(vars(S).values())
    for p in document.paragraphs:
        assert p.style.name in names, (p.style.name, p.text[:20])
        assert p._p.pPr is None or set(c.tag for c in p._p.pPr) <= {qn("w:pStyle")}, p.text
        for r in p.runs:
            rpr = r._r.rPr
            assert rpr is None or set(c.tag for c in rpr) <= {qn("w:rStyle")}, r.text
    styles = {s.name: s for s in document.styles}
    fonts = styles[S.body].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert styles[S.title].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert styles[S.heading].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert styles[S.subhead].element.rPr.rFonts.get(qn("w:eastAsia")) == "楷体_GB2312"
    assert styles[S.body].font.size.pt == 16  # 3号
    section = document.sections[0]
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_annexes_are_word_tables_with_a_repeated_header(
    document: Any, sample_warehouse: Built
) -> None:
    assert len(document.tables) == 3
    for t in document.tables:
        assert t.style.name == S.table
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    counties = query(
        sample_warehouse.published,
        "SELECT u.name, s.* FROM marts.unit_scores s JOIN core.units u USING (unit_code)"
        " WHERE s.period = ? AND s.level = 'county' ORDER BY s.rank_in_level NULLS LAST",
        [PERIOD],
    )
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows[1:]]
    assert [r[1] for r in rows] == [c["name"] for c in counties]
    for r, c in zip(rows, counties, strict=True):
        if c["rank_in_level"] is None:
            assert r[0] == "未排名" and r[4] == ""
            continue
        assert r[0] == str(c["rank_in_level"])
        assert r[2:5] == [f"{c[k]:.2f}" for k in ("party_score", "development_score",
                                                    "composite_score")]  # fmt: skip
        assert r[6] == QUADRANTS_ZH[c["quadrant"]]
    weak = query(
        sample_warehouse.published,
        "SELECT v.name AS village, t.name AS township FROM marts.weak_villages w"
        " JOIN core.units v USING (unit_code) JOIN core.units t ON t.unit_code = v.parent_code"
        " WHERE w.period = ?",
        [PERIOD],
    )
    listed = {(r.cells[2].text, r.cells[3].text) for r in document.tables[2].rows[1:]}
    assert listed == {(w["township"], w["village"]) for w in weak}


def test_figures_and_names_are_the_warehouses(document: Any, sample_warehouse: Built) -> None:
    text = body(document)
    pub = sample_warehouse.published
    cs = query(pub, "SELECT * FROM marts.city_summary WHERE period = ?", [PERIOD])[0]
    assert f"党员{cs['party_members']:,}名" in text
    assert f"基层党组织{cs['party_orgs']:,}个" in text
    ranked = {
        r["level"]: r
        for r in query(
            pub,
            "SELECT level, count(rank_in_level) AS n FROM marts.unit_scores WHERE period = ?"
            " GROUP BY level",
            [PERIOD],
        )
    }
    assert f"{ranked['village']['n']:,}个村（社区）参与综合排名" in text
    top = query(
        pub,
        "SELECT u.name, s.composite_score, s.level FROM marts.unit_scores s"
        " JOIN core.units u USING (unit_code) WHERE s.period = ? AND s.rank_in_level = 1",
        [PERIOD],
    )
    for level in ("county", "township", "village"):  # each level's first, with its score
        firsts = [t for t in top if t["level"] == level]
        assert any(f"{t['name']}（{t['composite_score']:.2f}分）" in text for t in firsts), level
    incomplete = query(pub, "SELECT name FROM core.units WHERE unit_code = ?", [INCOMPLETE_UNIT])
    assert f"{incomplete[0]['name']}缺报经济指标季报，未参与排名" in text
    weak = query(pub, "SELECT count(*) AS n FROM marts.weak_villages WHERE period = ?", [PERIOD])
    assert f"本季度预警薄弱村{weak[0]['n']}个" in text
    filing = query(
        pub,
        "SELECT count(*) AS owed, count(*) FILTER (status = 'loaded') AS loaded"
        " FROM marts.filing_status WHERE period = ? AND kind IN ('supervision', 'economy')",
        [PERIOD],
    )[0]
    assert f"季报{filing['owed']:,}份，已入库{filing['loaded']:,}份" in text
    flags = query(pub, "SELECT count(*) AS n FROM marts.review_flags WHERE period = ?", [PERIOD])
    assert f"需核实的数据{flags[0]['n']}条" in text
    reports = query(
        pub,
        "SELECT count(DISTINCT (kind, unit_code, source_sha256)) AS n FROM quarantine.reports"
        " WHERE period = ?",
        [PERIOD],
    )
    assert f"{reports[0]['n']}份报表因数据问题被退回" in text
    # 下步工作 quotes the next quarter's deadlines from the rules
    assert (
        "2018年第一季度季报请村（社区）于2018年4月5日、镇（街道）于4月8日、县（市、区）于4月10日前报送"
        in text
    )


def test_villages_are_named_with_their_township(document: Any, sample_warehouse: Built) -> None:
    """掘港镇瑞丰村, never 瑞丰村 alone: 如东县 has several."""
    villages = query(
        sample_warehouse.published,
        "SELECT v.name AS village, t.name AS township FROM core.units v"
        " JOIN core.units t ON t.unit_code = v.parent_code WHERE v.level = 'village'",
    )
    full = {
        v["village"] if v["village"].startswith(v["township"]) else v["township"] + v["village"]
        for v in villages
    }
    text = body(document)
    ranking = next(p for p in text.split("\n") if p.startswith("（三）村（社区）。"))
    named = re.findall(r"(?:为|、)([^、，；。（]+?)（\d+\.\d\d分）", ranking)
    weak = re.search(r"连续两年认定的有(.+?)(?:等[\d,]+个)?。", text)
    assert weak is not None
    named += weak.group(1).split("、")
    assert len(named) >= 3
    for name in named:
        assert name in full, name


class _Text(HTMLParser):
    """The brief's words a reader sees before its annexes (no style, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.skip = 0
        self.annex = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "head"):
            self.skip += 1
        if tag == "section" and "annex" in (dict(attrs).get("class") or ""):
            self.annex = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "head"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.annex:
            self.out.append(data)


def test_no_path_table_name_or_english_on_a_leaders_page(document: Any, sample_report: Any) -> None:
    pages = {"document": all_text(document)}
    parser = _Text()
    parser.feed(Path(sample_report.brief).read_text(encoding="utf-8"))
    pages["brief"] = " ".join(parser.out)
    book = openpyxl.load_workbook(sample_report.workbook, read_only=True)
    try:
        for name in LEADER_SHEETS:
            pages[name] = "\n".join(
                str(v) for r in book[name].iter_rows(values_only=True) for v in r if v
            )
    finally:
        book.close()
    for page, text in pages.items():
        assert not ENGLISH.findall(text), (page, ENGLISH.findall(text)[:5])
        assert not TABLE_NAME.search(text), (page, TABLE_NAME.search(text))
        assert not PATH.search(text), (page, PATH.search(text))
        assert "inbox" not in text and "home" not in text


def test_an_estimate_beside_the_linkage_takes_one_more_sentence(
    sample_warehouse: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mart beside marts.linkage (marts.linkage_*) is read for the quarter, and a
    sentence added to reports.linkage_text.SENTENCES reaches the 总体情况, the body
    still fitted to its four pages."""
    import shutil

    import duckdb

    from reports import linkage_text, write_report
    from reports.data import read_report

    published = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.published, published)
    con = duckdb.connect(str(published))
    con.execute(
        "CREATE TABLE marts.linkage_lagged AS SELECT * FROM (VALUES"
        " ('2017Q3', 'township', 0.21), ('2017Q4', 'township', 0.18)) t(period, level, effect)"
    )
    con.close()
    d = read_report(published, PERIOD)
    assert [float(v) for v in d.estimates["linkage_lagged"]["effect"]] == [0.18]

    def lagged(d: Any) -> str | None:
        rows = d.estimates.get("linkage_lagged")
        if rows is None or rows.height == 0:
            return None
        return f"党建得分每高10分，下一季度发展得分约高{float(rows['effect'][0]) * 10:.1f}分。"

    monkeypatch.setattr(linkage_text, "SENTENCES", (*linkage_text.SENTENCES, lagged))
    written = write_report(published, PERIOD, tmp_path / "out")
    text = body(docx.Document(str(written.document)))
    assert "党建得分每高10分，下一季度发展得分约高1.8分。" in text


def test_the_lagged_effect_is_said_in_the_linkage(sample_warehouse: Built, tmp_path: Path) -> None:
    """marts.linkage_effect's township estimate of the quarter becomes one of the 联动分析's
    sentences (the document's 总体情况 and the brief's lead take them all)."""
    import shutil

    import duckdb

    from reports.brief import render_brief
    from reports.data import read_report
    from reports.linkage_text import linkage_sentences

    published = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse.published, published)
    con = duckdb.connect(str(published))
    con.execute("DELETE FROM marts.linkage_effect")  # the fixture's quarters give no pairs
    con.execute(
        "INSERT INTO marts.linkage_effect VALUES ('2017Q4', 'township', '2016Q1', 130, 1008,"
        " 8, 0.2412, 0.021, 0.196, 0.28, 1e-15, '2018')"
    )
    con.close()
    d = read_report(published, PERIOD)
    said = [s for s in linkage_sentences(d) if "相邻季度得分测算" in s]
    assert said == [
        "以2016年第一季度至2017年第四季度130个镇（街道）的1,008组相邻季度得分测算，"
        "剔除各单位自身差异和各季度共同因素后，上季度党建得分每高1分，本季度发展得分"
        "平均高0.24分（95%置信区间0.20～0.28），党建对发展的带动作用明显。"
    ]
    assert said[0] in render_brief(d)


def test_every_sentence_has_a_figure_or_a_name(document: Any, sample_warehouse: Built) -> None:
    """No boilerplate: each sentence of the four sections carries a figure or names a unit."""
    names = {r["name"] for r in query(sample_warehouse.published, "SELECT name FROM core.units")}
    text = body_text(document)
    start = text.index(SECTIONS[0])
    end = next(i for i, t in enumerate(text) if t.startswith("附件："))
    heads = re.compile(r"^（[一二三四五六七八九十]）[^。]*。")  # the run-in heads
    sentences = [
        s
        for p in text[start:end]
        if p not in SECTIONS
        for s in re.split(r"[。；]", heads.sub("", p))
        if s.strip()
    ]
    assert len(sentences) > 20
    for s in sentences:
        assert re.search(r"\d", s) or any(n in s for n in names), s
