"""The 通报 as the department issues it: ``通报-P.docx`` (python-docx), after GB/T 9704.

版头 (发文机关标志, 发文字号 left for the office to number, the red rule), the title, the
addressees, a body of at most four pages in numbered sections (:mod:`reports.document_text`,
fitted by :func:`fit_body`), the list of annexes, the issuer and the date; then the
annexes, each a real Word table whose header row repeats on every page; last the 版记.
The office edits it in WPS or Word before issuing: every paragraph has a named style
(:mod:`reports.document_styles`), none is formatted by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import docx
import polars as pl
from docx.document import Document
from docx.oxml import OxmlElement
from docx.shared import Mm

from .cells import display_width
from .data import ReportData
from .document_styles import (
    BODY_PT,
    TEXT_WIDTH_MM,
    S,
    add_font_alternates,
    add_styles,
    setup_page,
)
from .document_text import body
from .document_words import CAPS, Section
from .labels import QUADRANTS_ZH, quarter_zh
from .names import issuer

BODY_PAGES = 4
LINES_PER_PAGE = 22
# 27 full-width characters fit a line; line breaking (no 。at a line's start) and numbers
# kept whole leave about one of them empty on average
CHARS_PER_LINE = int(TEXT_WIDTH_MM / (BODY_PT * 25.4 / 72)) - 1
HEAD_LINES = 11  # 版头 and title: mark, number and rule, title (two lines), addressee, 现将…
TAIL_SPACE = 3  # the space above the list of annexes (one line) and the issuer (two)
ABBREVIATIONS = {"南通市": "通组", "江苏省": "苏组"}


@dataclass(frozen=True)
class Annex:
    title: str
    headers: tuple[str, ...]
    rows: list[list[str]]
    note: str = ""


def document_title(d: ReportData) -> str:
    return f"关于{quarter_zh(d.period)}{d.whole}融合党建工作情况的通报"


def file_number(d: ReportData, when: date) -> str:
    """发文字号 with the number left blank for the office: ``通组〔2018〕　　号``."""
    return f"{ABBREVIATIONS.get(d.area, d.area[0] + '组')}〔{when.year}〕\u3000\u3000号"


def date_zh(when: date) -> str:
    return f"{when.year}年{when.month}月{when.day}日"


# ------------------------------------------------------------------ fitting the body


def lines(text: str, indent: int = 2) -> int:
    """Lines a body paragraph takes: CJK characters full width, digits and Latin half."""
    width = display_width(text) + 2 * indent
    return max(1, math.ceil(width / (2 * CHARS_PER_LINE)))


def body_lines(sections: Sequence[Section], extra: Sequence[str]) -> float:
    total = HEAD_LINES + TAIL_SPACE + sum(lines(t, 0) for t in extra)
    for s in sections:
        total += 1 + sum(lines(p.lead + p.text) for p in s.paras)
    return total


def fit_body(d: ReportData, extra: Sequence[str]) -> list[Section]:
    """The body with as many names as four pages hold (after the 版头; ``extra``: the
    paragraphs after the body, one line each at least)."""
    budget = BODY_PAGES * LINES_PER_PAGE
    sections: list[Section] = []
    for caps in CAPS:
        sections = body(d, caps)
        if body_lines(sections, extra) <= budget:
            return sections
    return sections


# ------------------------------------------------------------------ the annexes


def _f2(v: Any) -> str:
    return "" if v is None else f"{v:.2f}"


def _moved(v: Any) -> str:
    if v is None:
        return "—"
    return f"↑{v}" if v > 0 else f"↓{-v}" if v < 0 else "—"


def _rank(r: dict[str, Any], key: str = "rank_in_level") -> str:
    return str(r[key]) if r[key] is not None else "未排名"


def county_annex(d: ReportData) -> Annex:
    rows = [
        [
            _rank(r),
            r["full_name"],
            _f2(r["party_score"]),
            _f2(r["development_score"]),
            _f2(r["composite_score"]),
            _f2(r["fusion"]),
            QUADRANTS_ZH.get(r["quadrant"] or "", ""),
            _moved(r["rank_change"]),
        ]
        for r in d.counties.to_dicts()
    ]
    return Annex(
        "县（市、区）融合党建综合得分排名表",
        ("排名", "县（市、区）", "党建得分", "发展得分", "综合得分", "融合度", "象限", "较上季度"),
        rows,
        _unranked_note(d, "county"),
    )  # fmt: skip


def township_annex(d: ReportData) -> Annex:
    towns = d.level("township").sort(
        pl.col("rank_in_level").is_null(), "rank_in_level", "county_code", "unit_code"
    )
    rows = [
        [
            _rank(r),
            r["county_name"] or "",
            r["name"],
            _f2(r["party_score"]),
            _f2(r["development_score"]),
            _f2(r["composite_score"]),
            _rank(r, "rank_in_parent") if r["rank_in_level"] is not None else "",
            _moved(r["rank_change"]),
        ]
        for r in towns.to_dicts()
    ]
    return Annex(
        "镇（街道）融合党建综合得分排名表",
        (f"{d.whole}排名", "县（市、区）", "镇（街道）", "党建得分", "发展得分", "综合得分",
         "县内排名", "较上季度"),
        rows,
        _unranked_note(d, "township"),
    )  # fmt: skip


def weak_annex(d: ReportData) -> Annex:
    rows = [
        [
            str(i),
            r["county_name"] or "",
            r["township_name"] or "",
            r["name"],
            _f2(r["collective_income_annualised"]),
            _f2(r["party_score"]),
            r["lines_crossed"].replace("年化集体经营性收入", "收入"),
            r["determination"] or "",
        ]
        for i, r in enumerate(d.weak.to_dicts(), start=1)
    ]
    return Annex(
        "薄弱村预警名单",
        ("序号", "县（市、区）", "镇（街道）", "村", "年化集体经营性收入（万元）", "党建得分",
         "预警原因", "年度认定"),
        rows,
        f"预警线：年化村集体经营性收入低于{d.income_line:g}万元，或党建得分低于{d.party_line:g}分；"
        "年度认定为最近一次第四季度的认定。",
    )  # fmt: skip


def _unranked_note(d: ReportData, level: str) -> str:
    units = d.level(level).filter(pl.col("rank_in_level").is_null())
    if not units.height:
        return ""
    parts = [
        f"{r['full_name']}{'未报送季报' if not r['scored'] else '缺报' + r['missing_zh']}"
        for r in units.sort("unit_code").head(8).to_dicts()
    ]
    more = f"等{units.height}个单位" if units.height > 8 else ""
    return "注：" + "、".join(parts) + more + "，不计综合得分、不参与排名。"


def annexes(d: ReportData) -> list[Annex]:
    out = [county_annex(d), township_annex(d)]
    if d.weak.height:
        out.append(weak_annex(d))
    return out


# ------------------------------------------------------------------ writing


def _para(doc: Document, text: str, style: str, lead: str = "") -> None:
    p = doc.add_paragraph(style=style)
    if lead:
        p.add_run(lead, style=S.subhead)
    if text:
        p.add_run(text)


def widths(annex: Annex) -> list[float]:
    """Each column's width in mm: its widest value (a header may wrap onto two lines),
    the whole shared out over the text block's width."""
    want = []
    for j, head in enumerate(annex.headers):
        values = [display_width(r[j]) for r in annex.rows[:2000]]
        want.append(max([math.ceil(display_width(head) / 2), 4, *values]) + 2)
    return [w * TEXT_WIDTH_MM / sum(want) for w in want]


def _cell(cell: Any, text: str, width: Any, style_id: str) -> None:
    """A cell's width, its paragraph's style (by id: python-docx's lookup by name takes
    milliseconds a cell, minutes for a province's tables) and its text."""
    cell.width = width
    p = cell.paragraphs[0]
    p._p.style = style_id
    p.add_run(text)


def _table(doc: Document, annex: Annex) -> None:
    table = doc.add_table(rows=1, cols=len(annex.headers))
    table.style = doc.styles[S.table]
    table.autofit = False
    sizes = [Mm(w) for w in widths(annex)]
    head_id, text_id = doc.styles[S.table_head].style_id, doc.styles[S.table_text].style_id
    head = table.rows[0]
    _repeat(head._tr)
    for cell, text, width in zip(head.cells, annex.headers, sizes, strict=True):
        _cell(cell, text, width, head_id)
    for values in annex.rows:
        row = table.add_row()
        _keep(row._tr)
        for cell, text, width in zip(row.cells, values, sizes, strict=True):
            _cell(cell, text, width, text_id)


def _repeat(tr: Any) -> None:
    """The header row repeats at the top of every page (标题行重复)."""
    pr = tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        el = OxmlElement(tag)
        pr.append(el)


def _keep(tr: Any) -> None:
    tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def write_document(
    d: ReportData,
    path: Path,
    *,
    notice: str = "",
    more: Sequence[Annex] = (),
    when: date | None = None,
) -> Path:
    """Write the 通报 of ``d`` to ``path`` (.docx).

    ``notice``: a sentence after the body (the 更正说明's, :mod:`reports.versions`);
    ``more``: annexes after the ranking tables (the 更正说明's table); ``when``: the
    date it bears (成文日期; default today), which the office changes when it issues it.
    """
    when = when or d.generated_at.date()
    doc = docx.Document()
    add_styles(doc)
    setup_page(doc)
    add_font_alternates(doc)
    props = doc.core_properties
    props.title, props.subject = document_title(d), "融合党建季度通报"
    props.author = props.last_modified_by = issuer(d.area)
    props.comments = f"计分规则 {d.rules_version}"
    props.keywords = d.period

    all_annexes = [*annexes(d), *more]
    listed = [f"{i}．{a.title}" for i, a in enumerate(all_annexes, start=1)]
    tail = [notice, *listed, issuer(d.area), date_zh(when)]
    sections = fit_body(d, [t for t in tail if t])

    _para(doc, issuer(d.area) + "文件", S.mark)
    _para(doc, file_number(d, when), S.number)
    _para(doc, document_title(d), S.title)
    county_word = "各设区市委组织部：" if d.area.endswith("省") else "各县（市、区）委组织部："
    _para(doc, county_word, S.addressee)
    _para(doc, f"现将{quarter_zh(d.period)}融合党建工作情况通报如下。", S.body)
    for section in sections:
        _para(doc, section.title, S.heading)
        for p in section.paras:
            _para(doc, p.text, S.body, p.lead)
    if notice:
        _para(doc, notice, S.body)
    for i, text in enumerate(listed):
        _para(doc, ("附件：" if i == 0 else "") + text, S.annex_list if i == 0 else S.annex_more)
    _para(doc, issuer(d.area), S.signature)
    _para(doc, date_zh(when), S.date)
    for i, annex in enumerate(all_annexes, start=1):
        _para(doc, f"附件{i}", S.annex_mark)
        _para(doc, annex.title, S.annex_title)
        _table(doc, annex)
        if annex.note:
            _para(doc, annex.note, S.table_note)
    _para(doc, f"{issuer(d.area)}办公室\t{date_zh(when)}印发", S.record)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def document_path(out_dir: Path, period: str) -> Path:
    return out_dir / f"通报-{period}.docx"
