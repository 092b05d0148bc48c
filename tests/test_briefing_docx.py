"""The Word briefing as a 公文 (GB/T 9704-2012), read back with python-docx: page, grid, fonts, page numbers,
charts, tables with 全省合计, 落款."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from etl import briefing_figures, catalog, charts, warehouse
from etl.briefing import build_briefing, read_figures, to_docx
from etl.cn_format import cn_quantity
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import xlsx_bytes

CITY_NAMES = [c.name for c in catalog.cities()]
SIGNED = date(2025, 1, 31)


def png(width: int = 8, height: int = 4) -> bytes:
    """A real (grey) PNG without drawing anything: the layout tests need no browser."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def figures(demo_db: Path):  # noqa: ANN201 - etl.briefing.Figures: the marts' figures of 2016
    with warehouse.connect(demo_db, read_only=True) as con:
        return read_figures(con, 2016, as_of=SIGNED)


@pytest.fixture(scope="module")
def b2016(figures):
    return build_briefing(figures)


@pytest.fixture(scope="module")
def document(b2016):
    images = [("实现就业妇女人数", png()), ("发放贷款金额", png())]
    return docx.Document(io.BytesIO(to_docx(b2016, images, signed_on=SIGNED)))


def rfonts(element) -> dict[str, str]:  # noqa: ANN001
    fonts = element.rPr.rFonts
    return {key: fonts.get(qn(f"w:{key}")) for key in ("ascii", "hAnsi", "eastAsia", "eastAsiaTheme")}


def mm(length: int) -> float:
    return round(length / Mm(1), 1)  # Word stores twips: 210 mm is 11906 twips, 209.99 mm


def test_a4_with_the_standard_margins(document):
    section = document.sections[0]
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [mm(m) for m in margins] == [37, 35, 28, 26]


def test_28_characters_by_22_lines(document):
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch")), grid.get(qn("w:charSpace"))) == (
        "linesAndChars", "579", "-849",
    )  # fmt: skip
    width = (Mm(210) - Mm(28) - Mm(26)) / Pt(1)  # the text block in points
    assert int(width // (16 - 849 / 4096)) == 28  # 三号 characters on the grid
    height = (Mm(297) - Mm(37) - Mm(35)) / Pt(1)
    assert int(height // (579 / 20)) == 22
    normal = document.styles["Normal"]
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(28.95)


@pytest.mark.parametrize(
    ("style", "font", "size"),
    [("Normal", "仿宋_GB2312", 16), ("Title", "方正小标宋简体", 22), ("Heading 1", "黑体", 16),
     ("Heading 2", "楷体_GB2312", 16)],
)  # fmt: skip
def test_fonts_by_level(document, style, font, size):
    found = document.styles[style]
    assert rfonts(found.element) == {"ascii": font, "hAnsi": font, "eastAsia": font, "eastAsiaTheme": None}
    assert found.font.size == Pt(size)
    assert found.element.pPr.find(qn("w:pBdr")) is None  # no rule under the title


def test_an_office_without_the_title_face_gets_a_bold_songti_title(b2016, monkeypatch):
    def title() -> docx.styles.style.ParagraphStyle:
        return docx.Document(io.BytesIO(to_docx(b2016, [], signed_on=SIGNED))).styles["Title"]

    assert not title().font.bold  # 方正小标宋简体 is drawn regular
    monkeypatch.setenv("HNFL_BRIEFING_TITLE_FONT", "宋体")
    songti = title()
    assert rfonts(songti.element)["eastAsia"] == "宋体" and songti.font.bold and songti.font.size == Pt(22)


def test_fonts_are_named_with_their_fallbacks(document):
    table = next(p for p in document.part.package.parts if p.partname == "/word/fontTable.xml")
    root = docx.oxml.parse_xml(table.blob)
    alt = {
        f.get(qn("w:name")): (f.find(qn("w:altName")).get(qn("w:val")) if f.find(qn("w:altName")) is not None else None)
        for f in root.findall(qn("w:font"))
    }
    assert {k: alt[k] for k in ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体")} == {
        "方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "黑体": None, "宋体": None,
    }  # fmt: skip


def test_title_headings_and_one_sentence_for_silent_cities(document, b2016):
    paragraphs = document.paragraphs
    title = paragraphs[0]
    assert (title.text, title.style.name, title.alignment) == (b2016.title, "Title", WD_ALIGN_PARAGRAPH.CENTER)
    level1 = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert level1 == ["一、全省概况", "二、各市州工作", "三、2016年各市州主要指标"]
    level2 = [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert level2[:3] == ["（一）长沙市", "（二）株洲市", "（三）湘潭市"]
    assert level2[-1] == "（十四）湘西土家族苗族自治州"
    body = next(p for p in paragraphs if p.text == b2016.summary)
    assert body._p.pPr.ind.get(qn("w:firstLineChars")) == "200"  # 首行缩进二字
    assert "本年度未报送统计数据" not in "".join(p.text for p in paragraphs)  # 2016: every 市州 reported


def test_silent_cities_are_one_sentence(db_path):
    rows = [["年度", "市州", "指标", "数值"], [2024, "长沙市", "实现就业妇女人数", 100]]
    report = load_bytes(xlsx_bytes({"长表": rows}), "v.xlsx", db_path, published=True, actor=SYSTEM)
    assert report.status == LOADED
    with warehouse.connect(db_path, read_only=True) as con:
        made = build_briefing(read_figures(con, 2024, as_of=SIGNED))
    text = [p.text for p in docx.Document(io.BytesIO(to_docx(made))).paragraphs]
    assert [t for t in text if t.startswith("（")] == ["（一）长沙市"]
    assert "、".join(CITY_NAMES[1:]) + "本年度未报送统计数据。" in text


def test_page_numbers_outside_with_a_page_field(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"
        assert paragraph.alignment == align and getattr(paragraph.paragraph_format, side) == Pt(14)
        assert [t.text for t in paragraph._p.iter(qn("w:instrText"))] == [" PAGE "]
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}
        assert {rfonts(r._r)["eastAsia"] for r in paragraph.runs} == {"宋体"}


def test_charts_are_embedded_with_captions(document):
    assert len(document.inline_shapes) == 2
    assert {shape.width for shape in document.inline_shapes} == {Mm(156)}
    captions = [p.text for p in document.paragraphs if p.text.startswith("图")]
    assert captions == ["图1　2016年各市州实现就业妇女人数", "图2　2016年各市州发放贷款金额"]


def test_tables_end_with_the_province_total(document, b2016):
    jobs = document.tables[0]
    header = [c.text for c in jobs.rows[0].cells]
    assert header[:3] == ["市州", "举办招聘会场次（场）", "提供就业岗位数（个）"]
    zhuzhou = next(row for row in jobs.rows if row.cells[0].text == "株洲市")
    assert [c.text for c in zhuzhou.cells][1:4] == ["44", "75,700", "5,890"]
    total = jobs.rows[-1]
    assert total.cells[0].text == b2016.total_labels["就业创业"] == "全省合计"
    assert total.cells[0].paragraphs[0].runs[0].font.bold
    employed = header.index("实现就业妇女人数（人）")
    assert total.cells[employed].text == "90,253"  # the overview card's 9.03万人
    loans = document.tables[1]
    amount = [c.text for c in loans.rows[0].cells].index("发放贷款金额（万元）")
    assert next(r for r in loans.rows if r.cells[0].text == "岳阳市").cells[amount].text == "未填报"
    summed = b2016.table[("小额担保贷款", "发放贷款金额（万元）")].sum()  # 岳阳 left out, never 0
    assert loans.rows[-1].cells[amount].text == f"{summed:,.2f}"  # mart_province's total: the same figure
    assert loans.rows[-1].cells[0].text == "已报市州合计"  # 13 市州 reported the amount, 14 the rest
    assert cn_quantity(summed, "万元") in b2016.summary  # the summary says the same total
    assert document.paragraphs[-4].text.startswith(f"表{len(catalog.domains())}")


def test_signature_and_date(document):
    name, day = document.paragraphs[-2], document.paragraphs[-1]
    assert (name.text, day.text) == ("湖南省妇女联合会", "2025年1月31日")
    assert name.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # 7.3.5.2: the date (6.5 characters: digits are half-width) two from the right; the name (8) starts two
    # characters left of the date's start, so it ends 2.5 characters from the right.
    assert (name._p.pPr.ind.get(qn("w:rightChars")), day._p.pPr.ind.get(qn("w:rightChars"))) == ("250", "200")
    assert document.paragraphs[-3].text == ""


@pytest.mark.browser
def test_the_pages_charts_drawn_by_chromium_go_into_the_word_file(figures, b2016):
    """kaleido draws etl.charts' own figures (the domain pages' bars) in Debian's Chromium."""
    from tests.browser import require_chromium

    require_chromium()
    images, reason = briefing_figures.images(figures)
    assert reason is None
    heads = [catalog.indicator_by_code()[d.headline_indicator].name for d in catalog.domains()]
    assert heads[:4] == ["实现就业妇女人数", "发放贷款金额", "两癌检查人数", "村级电商服务站数"]
    assert [name for name, _ in images] == heads  # one chart per 类别 of the catalogue
    for _, image in images:  # 780 × the figure's own height (14 rows of bars, the line's label) CSS px, × 2.5
        assert image.startswith(b"\x89PNG") and struct.unpack(">II", image[16:24]) == (1950, 2.5 * (14 * 26 + 118))
    document = docx.Document(io.BytesIO(to_docx(b2016, images, signed_on=SIGNED)))
    assert len(document.inline_shapes) == len(heads)


def test_without_a_browser_the_briefing_says_why_and_has_no_charts(figures, monkeypatch):
    from etl import chart_images

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert chart_images.unavailable_reason() == "服务器未安装 Chromium（运行 scripts/install_browser.sh 安装）"
    assert briefing_figures.images(figures) == ([], "服务器未安装 Chromium（运行 scripts/install_browser.sh 安装）")


def test_the_charts_are_the_domain_pages_bars_with_the_province_average(figures):
    """The same builder as the 类别 pages (etl.charts.year_bar), the average line from mart_province."""
    drawn = dict(briefing_figures.figures(figures))
    bar = drawn["实现就业妇女人数"]
    assert (bar.layout.title.text, bar.layout.title.subtitle.text) == ("2016年实现就业妇女人数", "各市州从高到低")
    average = figures.province["women_employed"]["average"]
    assert bar.layout.shapes[0].x0 == average
    assert bar.layout.annotations[0].text == f"全省平均（已报 14 个市州）<br>{average:.1f}人"
    assert dict(zip(bar.data[0].y, bar.data[0].x, strict=True))["株洲市"] == 5890
    assert bar.data[0].marker.color == charts.BAR  # one colour: no 市州 is chosen in a briefing
