"""The 通报 document's page and styles after GB/T 9704-2012 (党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a 156 × 225 mm text
block); body 3号 (16 pt) 仿宋_GB2312 on a 28.95 pt line, 22 lines a page; the title
2号 (22 pt) 方正小标宋简体; first-level heads 黑体, run-in second-level heads 楷体_GB2312;
page numbers ``— 1 —`` in 4号 (14 pt) 宋体, odd pages right and even pages left.

Everything is a named style (paragraph, character or table), never direct formatting, so
that the office edits it in WPS or Word as a document of its own. The fonts are those
office PCs have; where one is missing, the font table names what to take instead (仿宋
for 仿宋_GB2312 …), and the server's LibreOffice maps them to Noto CJK
(:mod:`reports.office`).
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
# what Word and WPS take where an office PC lacks the font (the font table's altName)
ALTERNATES = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体", HEITI: "SimHei"}

BODY_PT = 16.0  # 3号
LINE_PT = 28.95  # 225 mm / 22 lines
TITLE_PT = 22.0  # 2号
MARK_PT = 30.0  # 发文机关标志
TABLE_PT = 10.5  # 5号
PAGE_NO_PT = 14.0  # 4号
RED = RGBColor(0xFF, 0x00, 0x00)
TEXT_WIDTH_MM = 156.0


@dataclass(frozen=True)
class Styles:
    """The names of the document's styles (what WPS and Word list)."""

    body: str = "公文正文"
    mark: str = "发文机关标志"
    number: str = "发文字号"
    title: str = "公文标题"
    addressee: str = "主送机关"
    heading: str = "一级标题"
    subhead: str = "二级标题"  # a character style: the run-in （一）…
    annex_list: str = "附件说明"
    annex_more: str = "附件说明（续）"
    signature: str = "发文机关署名"
    date: str = "成文日期"
    annex_mark: str = "附件标记"
    annex_title: str = "附件标题"
    table_text: str = "表格文字"
    table_head: str = "表头文字"
    table_note: str = "表格注释"
    page_odd: str = "页码（单页）"
    page_even: str = "页码（双页）"
    table: str = "通报表格"
    record: str = "版记"


S = Styles()
_AFTER_BORDER = (
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE"
    " autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents"
    " suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId"
    " cnfStyle rPr sectPr pPrChange"
)
PPR_AFTER_BORDER = tuple(f"w:{t}" for t in _AFTER_BORDER.split())
"""What follows ``w:pBdr`` in a paragraph's properties (ECMA-376 CT_PPrBase)."""


def _fonts(style: BaseStyle, east_asia: str, latin: str = LATIN) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia)):
        fonts.set(qn(f"w:{attr}"), value)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(
    doc: Document,
    name: str,
    style_id: str,
    font: str,
    size: float,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: float = 0,
    line: float | None = LINE_PT,
    bold: bool = False,
    color: RGBColor | None = None,
    before: float = 0,
    after: float = 0,
    outline: int | None = None,
    keep_next: bool = False,
    page_break_before: bool = False,
) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    _fonts(style, font)
    f = style.font
    f.size = Pt(size)
    f.bold = bold
    if color is not None:
        f.color.rgb = color
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
        # also in characters, so that Word and WPS keep two characters at any size
        ind = style.element.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
    pf.keep_with_next = keep_next
    pf.page_break_before = page_break_before
    pf.widow_control = True
    if outline is not None:  # in Word's navigation pane
        style.element.get_or_add_pPr().get_or_add_outlineLvl().val = outline


def add_styles(doc: Document) -> None:
    """The document's defaults (仿宋 3号, zh-CN) and every named style it uses."""
    normal = doc.styles["Normal"]
    _fonts(normal, FANGSONG)
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    npf = normal.paragraph_format
    npf.space_after = Pt(0)
    npf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    npf.line_spacing = Pt(LINE_PT)
    _paragraph(doc, S.body, "GongwenBody", FANGSONG, BODY_PT, indent_chars=2)
    _paragraph(
        doc, S.mark, "GongwenMark", XIAOBIAOSONG, MARK_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER, line=None, color=RED, before=6, after=18,
    )  # fmt: skip
    _paragraph(doc, S.number, "GongwenNumber", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(doc, S.number)
    _paragraph(
        doc, S.title, "GongwenTitle", XIAOBIAOSONG, TITLE_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER, line=36, before=LINE_PT, after=LINE_PT / 2,
    )  # fmt: skip
    _paragraph(doc, S.addressee, "GongwenAddressee", FANGSONG, BODY_PT)
    _paragraph(doc, S.heading, "GongwenHeading1", HEITI, BODY_PT, indent_chars=2, outline=0,
               keep_next=True)  # fmt: skip
    sub = doc.styles.add_style(S.subhead, WD_STYLE_TYPE.CHARACTER)
    sub.style_id = "GongwenHeading2"
    _fonts(sub, KAITI)
    _paragraph(doc, S.annex_list, "GongwenAnnexList", FANGSONG, BODY_PT, indent_chars=2,
               before=LINE_PT)  # fmt: skip
    _paragraph(doc, S.annex_more, "GongwenAnnexMore", FANGSONG, BODY_PT)
    doc.styles[S.annex_more].paragraph_format.left_indent = Pt(BODY_PT * 5)  # under the 1．
    _paragraph(doc, S.signature, "GongwenSignature", FANGSONG, BODY_PT,
               align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE_PT * 2)  # fmt: skip
    _paragraph(doc, S.date, "GongwenDate", FANGSONG, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for name in (S.signature, S.date):  # 右空四字
        doc.styles[name].paragraph_format.right_indent = Pt(BODY_PT * 4)
    _paragraph(doc, S.annex_mark, "GongwenAnnexMark", HEITI, BODY_PT,
               align=WD_ALIGN_PARAGRAPH.LEFT, page_break_before=True, outline=0)  # fmt: skip
    _paragraph(doc, S.annex_title, "GongwenAnnexTitle", XIAOBIAOSONG, TITLE_PT - 4,
               align=WD_ALIGN_PARAGRAPH.CENTER, line=None, before=6, after=12)  # fmt: skip
    _paragraph(doc, S.table_text, "GongwenTableText", FANGSONG, TABLE_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, line=None)  # fmt: skip
    _paragraph(doc, S.table_head, "GongwenTableHead", HEITI, TABLE_PT,
               align=WD_ALIGN_PARAGRAPH.CENTER, line=None)  # fmt: skip
    _paragraph(doc, S.table_note, "GongwenTableNote", FANGSONG, TABLE_PT + 1.5,
               align=WD_ALIGN_PARAGRAPH.LEFT, line=None, before=6)  # fmt: skip
    _paragraph(doc, S.page_odd, "GongwenPageOdd", SONGTI, PAGE_NO_PT, line=None,
               align=WD_ALIGN_PARAGRAPH.RIGHT)  # fmt: skip
    doc.styles[S.page_odd].paragraph_format.right_indent = Pt(PAGE_NO_PT)  # 右空一字
    _paragraph(doc, S.page_even, "GongwenPageEven", SONGTI, PAGE_NO_PT, line=None,
               align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    doc.styles[S.page_even].paragraph_format.left_indent = Pt(PAGE_NO_PT)  # 左空一字
    _table_style(doc)
    _paragraph(doc, S.record, "GongwenRecord", FANGSONG, PAGE_NO_PT, line=None,
               align=WD_ALIGN_PARAGRAPH.LEFT, before=LINE_PT)  # fmt: skip
    record = doc.styles[S.record].paragraph_format
    record.left_indent = record.right_indent = Pt(PAGE_NO_PT)  # 左右各空一字
    record.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(PAGE_NO_PT * 2), WD_TAB_ALIGNMENT.RIGHT)
    _border(doc.styles[S.record], "top", "000000", 4)
    _border(doc.styles[S.record], "bottom", "000000", 4)


def _table_style(doc: Document) -> None:
    """通报表格: every cell ruled with a thin black line, a little room inside."""
    style = doc.styles.add_style(S.table, WD_STYLE_TYPE.TABLE)
    style.style_id = "GongwenTable"
    style.base_style = doc.styles["Normal Table"]
    edges = "".join(
        f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for e in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    margins = "".join(
        f'<w:{e} w:w="{w}" w:type="dxa"/>'
        for e, w in (("top", 20), ("left", 60), ("bottom", 20), ("right", 60))
    )
    style.element.append(
        parse_xml(
            f'<w:tblPr {nsdecls("w")}><w:jc w:val="center"/>'
            f"<w:tblBorders>{edges}</w:tblBorders>"
            f"<w:tblCellMar>{margins}</w:tblCellMar></w:tblPr>"
        )
    )


def _border(style: BaseStyle, side: str, color: str, eighths: int) -> None:
    ppr = style.element.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:  # where the schema puts it: Word refuses elements out of order
        bdr = OxmlElement("w:pBdr")
        ppr.insert_element_before(bdr, *PPR_AFTER_BORDER)
    line = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(eighths)), ("space", "4"), ("color", color)):
        line.set(qn(f"w:{k}"), v)
    bdr.append(line)


def _red_rule(doc: Document, name: str) -> None:
    """The red rule (红色分隔线) under the 发文字号: the style's bottom border."""
    _border(doc.styles[name], "bottom", "FF0000", 18)


def setup_page(doc: Document) -> None:
    """A4 portrait with the GB/T 9704 margins; odd and even footers for the page numbers."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(24)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], S.page_odd)
    _page_number(section.even_page_footer.paragraphs[0], S.page_even)


def _page_number(paragraph: Paragraph, style: str) -> None:
    """``— N —`` (a PAGE field between two 一字线)."""
    paragraph.style = style
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for xml in (
        f'<w:fldChar {nsdecls("w")} w:fldCharType="begin"/>',
        f'<w:instrText {nsdecls("w")} xml:space="preserve"> PAGE </w:instrText>',
        f'<w:fldChar {nsdecls("w")} w:fldCharType="separate"/>',
        f"<w:t {nsdecls('w')}>1</w:t>",
        f'<w:fldChar {nsdecls("w")} w:fldCharType="end"/>',
    ):
        run._r.append(parse_xml(xml))
    paragraph.add_run(" —")


def add_font_alternates(doc: Document) -> None:
    """Name, in the font table, what to take where a font is missing (仿宋 for 仿宋_GB2312)."""
    part = next(
        (p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None
    )
    if part is None:
        return
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"swiss" if name == HEITI else "modern"}"/><w:pitch w:val="fixed"/>'
        "</w:font>"
        for name, alt in ALTERNATES.items()
    )
    blob = part.blob.decode("utf-8")
    at = blob.rindex("</w:fonts>")
    part._blob = (blob[:at] + entries + blob[at:]).encode("utf-8")  # a plain Part: its bytes
