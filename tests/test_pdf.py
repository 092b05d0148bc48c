"""下载 PDF of a 类别 page and of the 市州画像, built on the server (etl.pdf_report): read back with pypdf — A4
portrait, the page's title, filters, figures and charts (their text is vector text in the PDF), page numbers —,
audited as an export; without Chromium the page says why instead of offering it."""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
import pytest
from pypdf import PdfReader

from etl import audit, config, pdf_report
from tests.apptest import new_app, open_page, texts
from tests.browser import require_chromium

A4 = (595.3, 841.9)  # points
NO_BROWSER = (
    "暂不能生成 PDF：服务器未安装 Chromium（运行 scripts/install_browser.sh 安装）。"
    "可用浏览器的“打印”打印本页（A4 纵向）。"
)
# Chromium's PDF text names a glyph Noto CJK shares between a character and a radical by the radical's code
# point (页 → ⻚, 面 → ⾯): NFKC folds the Kangxi radicals back, these three of the supplement it does not.
RADICALS = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FE0)} | {
    "⻄": "西", "⻓": "长", "⻚": "页",
}  # fmt: skip


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages).translate(str.maketrans(RADICALS))


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, text_of(reader)


def assert_a4_portrait(reader: PdfReader) -> None:
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == pytest.approx(A4, abs=1)


def test_the_report_is_escaped_html_with_no_script_and_nothing_from_outside():
    grid = pd.DataFrame({"2016年": ["<b>1</b>"]}, index=pd.Index(["<script>alert(1)</script>"], name="市州"))
    report = pdf_report.Report("标题 <i>", ["筛选 & 条件"], [pdf_report.Grid(grid), pdf_report.Chart({"data": []})])
    page = pdf_report.to_html(report, [b"<svg/>"])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;1&lt;/b&gt;" in page and "标题 &lt;i&gt;" in page and "筛选 &amp; 条件" in page
    assert 'src="data:image/svg+xml;base64,PHN2Zy8+"' in page  # the chart, inside the page
    assert "http" not in page


def test_a_wide_table_is_split_so_its_figures_stay_legible():
    frame = pd.DataFrame([[str(y) for y in range(2005, 2025)]], columns=[f"{y}年" for y in range(2005, 2025)],
                         index=pd.Index(["长沙市"], name="市州"))  # fmt: skip
    page = pdf_report.to_html(pdf_report.Report("t", [], [pdf_report.Grid(frame)]), [])
    assert page.count("<table>") == 2 and page.count("<td>长沙市</td>") == 2


@pytest.mark.browser
def test_domain_page_and_city_profile_download_a_pdf_with_their_charts(app, downloads):
    require_chromium()
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("women_employed").run()
    reader, text = read(downloads["2016年就业创业_实现就业妇女人数.pdf"]())
    assert_a4_portrait(reader)
    assert 2 <= len(reader.pages) <= 4
    assert f"第 1 页，共 {len(reader.pages)} 页" in text
    assert "就业创业：实现就业妇女人数（人）" in text  # the title
    assert "页面筛选：年度 2016年；市州 全部 14 个市州；已审核通过的数据" in text
    assert "2016年全省合计 9.03万人" in text  # the page's own sentence, from the marts
    assert "各市州从高到低" in text and "全省平均（已报 14 个市州）" in text  # the bar chart, drawn as vector text
    assert "每格一个市州" in text  # the trend's small multiples
    assert "株洲市" in text and "5,890" in text  # the 市州 × 年度 table, in the one number style
    assert "下载" not in text and "当前用户" not in text  # no controls, no sidebar
    exports = audit.entries(config.warehouse_path(), actions=["export"])
    assert [(e["detail"], e["file_name"]) for e in exports][:1] == [("下载 PDF", "2016年就业创业_实现就业妇女人数.pdf")]

    at = open_page(app, "app_pages/city_profile.py", year=2016)
    reader, text = read(downloads["长沙市2016年市州画像.pdf"]())
    assert_a4_portrait(reader)
    assert len(reader.pages) <= 6  # a share bar and a table over the 14 类别
    assert "市州画像：长沙市（2016年）" in text and "占全省合计的比重" in text
    assert "两癌检查" in text and "第 1 名（共 14 个市州填报）" in text


def test_without_chromium_the_pages_say_why_there_is_no_pdf(app, monkeypatch, downloads):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    for page in ("app_pages/loans.py", "app_pages/city_profile.py"):
        at = open_page(app, page, year=2016)
        assert NO_BROWSER in texts(at.caption)
        assert not [name for name in downloads if name.endswith(".pdf")]


def test_a_statistician_is_offered_no_pdf_of_every_city(demo_db, monkeypatch, downloads):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(demo_db))
    open_page(new_app("cs"), "app_pages/jobs.py", year=2016)
    assert not [name for name in downloads if name.endswith(".pdf")]
