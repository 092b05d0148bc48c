"""回执: a Word document a statistician keeps as proof of what was submitted — the submission number and time, the
file and its SHA-256 (or 在线填报), the values per 类别, the warnings and 上报说明, and the review state."""

from __future__ import annotations

import io
from itertools import groupby

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from etl import online
from etl.audit import printable
from etl.cn_format import table_text

TITLE = "湖南省妇联统计数据上报回执"
FONT, HEADING_FONT = "宋体", "黑体"
SOURCES = {"app": "网页上传文件", "cli": "命令行导入", "online": "在线填报", "demo": "示例数据", "restore": "恢复版本"}
STATES = {"pending": "待审核", "published": "已审核通过", "returned": "已退回", "superseded": "已被更新的上报取代"}


def file_name(submission_id: int) -> str:
    return f"上报回执_第{submission_id}号.docx"


def receipt_docx(found: dict, printed_at: str) -> bytes:
    """The receipt of one submission, from etl.warehouse.receipt; `printed_at` is when it was made."""
    doc = Document()
    _page(doc)
    sub = found["submission"]
    _paragraph(doc, TITLE, size=Pt(18), font=HEADING_FONT, centre=True)
    _paragraph(doc, f"上报编号：第 {sub['submission_id']} 号", centre=True)
    _key_values(doc, _facts(sub, found["slices"]))
    _heading(doc, "一、上报的数据")
    values = found["values"]
    if not values:
        _paragraph(doc, "这次上报没有数值。")
    for (year, region, domain), rows in groupby(values, key=lambda v: (v["year"], v["region_name"], v["domain_name"])):
        _paragraph(doc, f"{region}{year}年{domain}", font=HEADING_FONT)
        _table(doc, ["指标", "单位", "数值", "来源"], [_value_row(v) for v in rows])
    _heading(doc, "二、警告与上报说明")
    issues = found["issues"]
    if issues:
        for n, issue in enumerate(issues, start=1):
            where = online.place(issue["sheet"], issue["cell"]) if issue["cell"] else "整个文件"
            _paragraph(doc, f"{n}. {where}：{issue['message']}")
    else:
        _paragraph(doc, "上报时没有警告。")
    _paragraph(doc, f"上报说明：{sub['note'] or '无'}")
    _heading(doc, "三、审核状态")
    for line in _review_lines(found["slices"]):
        _paragraph(doc, line)
    made = f"本回执由湖南省妇联统计平台生成于 {printed_at}（北京时间）。数据经省妇联审核通过后发布。"
    _paragraph(doc, made, size=Pt(9))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _facts(sub: dict, slices: list[dict]) -> list[tuple[str, str]]:
    is_online = sub["source"] == online.SOURCE
    held = "、".join(f"{s['region_name']}{s['year']}年{s['domain_name']}" for s in slices) or "（无）"
    facts = [
        ("上报编号", str(sub["submission_id"])),
        ("上报时间", f"{sub['submitted_at']:%Y-%m-%d %H:%M:%S}（北京时间）"),
        ("上报人", sub["submitted_by"]),
        ("上报方式", SOURCES.get(sub["source"], sub["source"])),
        ("文件名", online.ONLINE if is_online else sub["file_name"]),
        ("SHA-256", "在线填报，无文件" if is_online or sub["file_kind"] == "restore" else sub["file_sha256"]),
        ("所含数据", held),
    ]
    if sub["is_sample"]:
        facts.append(("示例数据", "是：虚构数字，仅供演示"))
    return facts


def _value_row(v: dict) -> list[str]:
    return [v["indicator_name"], v["unit"], table_text(v["value"], v["unit"]), online.place(v["sheet"], v["cell"])]


def _review_lines(slices: list[dict]) -> list[str]:
    lines = []
    for s in slices:
        line = f"{s['region_name']}{s['year']}年{s['domain_name']}（第 {s['version']} 版）：{STATES.get(s['status'])}"
        if s["status"] in ("published", "returned") and s["reviewed_by"]:
            line += f"（{s['reviewed_by']}，{s['reviewed_at']:%Y-%m-%d %H:%M}）"
        if s["status"] == "returned":
            line += f"，退回原因：{s['review_note'] or '（未写原因）'}"
        lines.append(line + "。")
    return lines or ["这次上报没有生成新版本。"]


# ---------------------------------------------------------------- layout


def _page(doc) -> None:  # noqa: ANN001 - a python-docx Document
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _face(normal.element, FONT)


def _face(element, name: str) -> None:  # noqa: ANN001 - a style or run element
    """One face for Chinese and Latin text: Word otherwise picks a Latin face for digits and names."""
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)


def _paragraph(doc, text: str, *, size=None, font: str | None = None, centre: bool = False) -> None:  # noqa: ANN001
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(printable(text))  # file names and notes may hold control characters
    if size is not None:
        run.font.size = size
    if font is not None:
        _face(run._element, font)  # noqa: SLF001 - python-docx has no public East Asian font setting
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _heading(doc, text: str) -> None:  # noqa: ANN001
    _paragraph(doc, text, size=Pt(14), font=HEADING_FONT)


def _key_values(doc, rows: list[tuple[str, str]]) -> None:  # noqa: ANN001
    _table(doc, None, [list(row) for row in rows])


def _table(doc, header: list[str] | None, rows: list[list[str]]) -> None:  # noqa: ANN001
    width = len(header) if header else len(rows[0])
    table = doc.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for row in ([header] if header else []) + rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = printable(text)
    if header:
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
