"""The annual briefing as a 公文 in Word, laid out by GB/T 9704-2012 (党政机关公文格式).

- A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 156 × 225 mm text block.
- Body 三号 (16 pt) 仿宋_GB2312, 28 characters × 22 lines a page: a character grid of 15.79 pt
  (w:charSpace −849 on a 16 pt font) and a fixed line pitch of 28.95 pt (w:linePitch 579).
- Title 二号 (22 pt) 方正小标宋简体, centred; 一级 headings 黑体 (一、二、…), 二级 楷体_GB2312 (（一）（二）…).
- Page numbers "— 1 —" in 四号 (14 pt) 宋体, a PAGE field, below the text block: odd pages on the right and
  even pages on the left, one character in from the edge of the text block.
- 落款: the issuing body and the date (Arabic numerals), after the body; 7.3.5.2 (no seal): the name two
  characters in from the right, the date under it starting two characters further right.

Fonts are named, not embedded (方正小标宋 and the _GB2312 fonts are licensed per machine). Each is listed in the
document's font table with the face Word, WPS and LibreOffice fall back to where it is missing:
方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体 (黑体 and 宋体 ship with every Chinese Windows;
LibreOffice on Linux maps all of them to Noto Serif/Sans CJK). Charts are PNG images (etl.chart_images).

The title's fallback cannot be 宋体 *bold* by itself: bold is a property of the run, not of the face, and neither
Word nor WPS nor LibreOffice lets a substitution (w:altName, or their own replacement tables) change it. A bold run
in 方正小标宋简体 is drawn with a synthetic bold where the face exists — heavier than the standard's title — and a
regular run falls back to plain 宋体. So the file names 方正小标宋简体, regular, by default; an office whose PCs lack
it sets HNFL_BRIEFING_TITLE_FONT=宋体 on the server and the title is written in 宋体 bold (any face other than
方正小标宋简体 is set in bold: GB/T 9704's fallback).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from etl.briefing import Briefing, say, table_parts, table_rows

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
)  # fmt: skip
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", SUBHEADING_FONT: "楷体"}
TITLE_FONT_SETTING = "HNFL_BRIEFING_TITLE_FONT"  # e.g. 宋体: where the readers' PCs have no 方正小标宋简体
TITLE_SIZE, BODY_SIZE, PAGE_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(14), Pt(10.5)  # 二号, 三号, 四号, 五号
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
GRID_LINE_PITCH, GRID_CHAR_SPACE = "579", "-849"  # twips; 1/4096 pt off a 16 pt character: 15.79 pt
MARGINS = {"top_margin": Mm(37), "bottom_margin": Mm(35), "left_margin": Mm(28), "right_margin": Mm(26)}
FOOTER_DISTANCE = Mm(21)  # the page number's top sits about 7 mm under the text block
TEXT_WIDTH = Mm(156)
NUMBERS = "一二三四五六七八九十"
DASH = "—"  # 一字线 either side of the page number


# ---------------------------------------------------------------- page, grid and fonts


def _set_page(doc) -> None:  # noqa: ANN001 - a python-docx Document
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(11906), Twips(16838)  # A4 as Word stores it
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), GRID_LINE_PITCH)
    grid.set(qn("w:charSpace"), GRID_CHAR_SPACE)


def _fonts(element, name: str) -> None:  # noqa: ANN001 - a style or run element
    """One face for Chinese and Latin alike; a theme font would override a named one, so none is left."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)


def _style(doc, name: str, font: str, size, *, bold: bool = False) -> None:  # noqa: ANN001
    style = doc.styles[name]
    border = style.element.get_or_add_pPr().find(qn("w:pBdr"))
    if border is not None:  # the template rules a line under Title; a 公文 has none
        border.getparent().remove(border)
    _fonts(style.element, font)
    style.font.size, style.font.bold, style.font.italic = size, bold, False
    style.font.color.rgb = RGBColor(0, 0, 0)  # official documents print black
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH


def _set_up_styles(doc) -> None:  # noqa: ANN001
    _style(doc, "Normal", BODY_FONT, BODY_SIZE)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:eastAsia"), "zh-CN")
    doc.styles["Normal"].element.get_or_add_rPr().append(lang)
    title = title_font()
    _style(doc, "Title", title, TITLE_SIZE, bold=title != TITLE_FONT)
    doc.styles["Title"].paragraph_format.line_spacing = Pt(36)  # a wrapped 二号 title keeps its lines apart
    _style(doc, "Heading 1", HEADING_FONT, BODY_SIZE)
    _style(doc, "Heading 2", SUBHEADING_FONT, BODY_SIZE)
    _font_table(doc)


def title_font() -> str:
    """方正小标宋简体, or the face the server's HNFL_BRIEFING_TITLE_FONT names (then set in bold)."""
    return os.environ.get(TITLE_FONT_SETTING, "").strip() or TITLE_FONT


def _font_table(doc) -> None:  # noqa: ANN001
    """Name each face with the one to use where it is missing (w:altName)."""
    table = next(p for p in doc.part.package.parts if p.partname == "/word/fontTable.xml")
    from docx.oxml import parse_xml

    root = parse_xml(table.blob)
    for name in (TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT):
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        if name in FALLBACKS:
            alt = OxmlElement("w:altName")
            alt.set(qn("w:val"), FALLBACKS[name])
            font.append(alt)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    from lxml import etree

    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- paragraphs


def _indent_chars(paragraph, *, first: int = 0, left: int = 0, right: int = 0) -> None:  # noqa: ANN001
    """Indents in characters of the grid (w:firstLineChars …), with the same in points for other readers."""
    fmt = paragraph.paragraph_format
    fmt.first_line_indent, fmt.left_indent, fmt.right_indent = BODY_SIZE * first, BODY_SIZE * left, BODY_SIZE * right
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for key, chars in (("w:firstLineChars", first), ("w:leftChars", left), ("w:rightChars", right)):
        if chars:
            ind.set(qn(key), str(chars * 100))


def _body(doc, text: str):  # noqa: ANN001, ANN202
    paragraph = doc.add_paragraph(text)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _indent_chars(paragraph, first=2)
    return paragraph


def _heading(doc, text: str, level: int, number: int):  # noqa: ANN001, ANN202
    prefix = f"{_chinese_number(number)}、" if level == 1 else f"（{_chinese_number(number)}）"
    paragraph = doc.add_heading(prefix + text, level=level)
    _indent_chars(paragraph, first=2)
    return paragraph


def _chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (enough for 14 市州)."""
    if n <= 10:
        return NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMBERS[tens - 1]) + "十" + (NUMBERS[ones - 1] if ones else "")


def _loose(paragraph) -> None:  # noqa: ANN001
    """Out of the 28.95 pt grid: pictures, captions of tables and cells need their own height."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)


def _figure(doc, caption: str, png: bytes) -> None:  # noqa: ANN001
    picture = doc.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _loose(picture)
    picture.add_run().add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    label = doc.add_paragraph(caption)
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    label.runs[0].font.size = PAGE_SIZE


# ---------------------------------------------------------------- tables


def _repeat_as_header(row) -> None:  # noqa: ANN001 - a python-docx row
    """The header row repeats on every page a long table runs onto."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _fill(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:  # noqa: ANN001
    paragraph = cell.paragraphs[0]  # a new cell holds one empty paragraph
    _loose(paragraph)
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = TABLE_SIZE, bold


def _table(doc, b: Briefing, domain: str, caption: str) -> None:  # noqa: ANN001
    label = doc.add_paragraph(caption)
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(label.runs[0]._r, HEADING_FONT)
    label.runs[0].font.size = PAGE_SIZE
    part = b.table[domain]
    table = doc.add_table(rows=1, cols=len(part.columns) + 1)
    table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ["市州", *part.columns], strict=True):
        _fill(cell, text, bold=True)
    _repeat_as_header(table.rows[0])
    for name, cells, is_total in table_rows(b, domain):
        row = table.add_row().cells
        _fill(row[0], name, bold=is_total)
        for cell, text in zip(row[1:], cells, strict=True):
            _fill(cell, text, bold=is_total, align=WD_ALIGN_PARAGRAPH.RIGHT)


# ---------------------------------------------------------------- page numbers and 落款


def _page_field(paragraph) -> None:  # noqa: ANN001
    """— PAGE — : Word fills in the number of each page."""

    def run(text: str | None = None, field: str | None = None, instruction: str | None = None) -> None:
        r = paragraph.add_run(text or "")
        _fonts(r._r, PAGE_FONT)
        r.font.size = PAGE_SIZE
        if field:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), field)
            r._r.append(char)
        if instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            r._r.append(instr)

    run(f"{DASH} ")
    run(field="begin")
    run(instruction=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(f" {DASH}")


def _page_numbers(doc) -> None:  # noqa: ANN001
    """Odd pages on the right, even pages on the left, one 四号 character in from the text block's edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        setattr(paragraph.paragraph_format, side, PAGE_SIZE)
        _loose(paragraph)
        _page_field(paragraph)


def _width(text: str) -> float:
    """Characters of the grid a text takes: Arabic digits are half-width."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def _signature(doc, issuer: str, signed_on: date) -> None:  # noqa: ANN001
    """GB/T 9704 7.3.5.2: one blank line, the name two characters from the right, the date on the next line
    starting two characters right of the name's start (or two from the right edge, if it is longer)."""
    day = f"{signed_on.year}年{signed_on.month}月{signed_on.day}日"
    name_right = 2.0
    date_right = name_right + _width(issuer) - 2 - _width(day)
    if date_right < 2:
        date_right = 2.0
        name_right = date_right + _width(day) + 2 - _width(issuer)
    doc.add_paragraph()
    for text, right in ((issuer, name_right), (day, date_right)):
        paragraph = doc.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(16 * right)
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:rightChars"), str(round(right * 100)))


# ---------------------------------------------------------------- the document


def write_docx(b: Briefing, images: Sequence[tuple[str, bytes]] = (), signed_on: date | None = None) -> bytes:
    """`images`: (指标 name, PNG) of the charts to show under 全省概况; `signed_on`: the 落款 date (today)."""
    doc = Document()
    _set_page(doc)
    _set_up_styles(doc)
    _page_numbers(doc)
    doc.core_properties.title = b.title
    doc.add_heading(b.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if b.note:
        _body(doc, b.note)
    _heading(doc, b.headings["summary"], 1, 1)
    _body(doc, b.summary)
    for number, (subject, png) in enumerate(images, start=1):
        _figure(doc, say(b.headings["figure"], count=number, subject=subject), png)
    _heading(doc, b.headings["cities"], 1, 2)
    for number, (name, text) in enumerate(b.sections, start=1):
        _heading(doc, name, 2, number)
        _body(doc, text)
    if b.missing:
        _body(doc, b.missing)
    _heading(doc, b.headings["table"], 1, 3)
    _body(doc, b.headings["table_note"])
    for number, (domain, _) in enumerate(table_parts(b.table), start=1):
        _table(doc, b, domain, say(b.headings["table_caption"], count=number, subject=domain))
    _signature(doc, b.issuer, signed_on or date.today())
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
