"""下载标注后的报表: the statistician's own workbook back with error cells red, warning cells yellow and a comment
on each; every other value, formula, style, sheet, name, validation, chart and macro as it was."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlwt
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from etl import annotate, cli, pipeline
from etl.annotate import RED, YELLOW
from etl.issues import RefusedFile, make_issue
from tests.conftest import filled_template, header_of
from tests.test_accepted_variants import as_xlsm

ERRORS_AND_A_WARNING = {
    ("就业创业", "衡阳市", "举办招聘会场次"): "近2000",
    ("两癌检查", "岳阳市", "救助资金"): -3,
    ("就业创业", "株洲市", "提供就业岗位数"): 8000,
    ("就业创业", "株洲市", "实现就业妇女人数"): 9000,
}


def marked(data: bytes, file_name: str = "长沙.xlsx") -> tuple[annotate.Annotated, pipeline.FileReport]:
    report = pipeline.check_bytes(data, file_name)
    return annotate.annotate(data, file_name, report.issues), report


def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def values(wb: openpyxl.Workbook) -> dict[str, list[tuple]]:
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def fill(cell) -> str:  # noqa: ANN001 - an openpyxl cell
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else ""


def looks(cell) -> str:  # noqa: ANN001 - an openpyxl cell
    """Number format, font, border, alignment, protection (openpyxl's style objects compare by identity)."""
    return repr((cell.number_format, cell.font, cell.border, cell.alignment, cell.protection))


def test_template_marks_error_cells_red_and_warnings_yellow_with_the_messages(tmp_path):
    data = filled_template(2024, ERRORS_AND_A_WARNING)
    result, report = marked(data)
    assert [(i.location, i.level) for i in report.issues] == [
        ("就业创业!B8", "error"), ("两癌检查!L57", "error"), ("就业创业!F6", "warning"),
    ]  # fmt: skip
    assert (result.file_name, result.marked, result.elsewhere) == ("长沙（标注）.xlsx", 3, 0)
    before, after = book(data), book(result.data)
    jobs, screening = after["就业创业"], after["两癌检查"]
    assert (fill(jobs["B8"]), jobs["B8"].comment.text) == (
        RED,
        "错误：“近2000”是约数，是估计的数字。统计报表需要准确数字，"
        "请填写准确的举办招聘会场次（如 1987，而不是“近2000”）；确实无法统计请留空。",
    )  # fmt: skip
    negative = "错误：“-3”是负数，统计数不能为负。请更正。"
    assert (fill(screening["L57"]), screening["L57"].comment.text) == (RED, negative)
    assert (fill(jobs["F6"]), jobs["F6"].comment.text) == (
        YELLOW, "警告：实现就业妇女人数（9000）大于提供就业岗位数（8000），请核实。"
    )  # fmt: skip
    assert jobs["F6"].comment.author == "湖南省妇联统计平台"
    # Everything else as it was: every value of every sheet, the other cells' look, the template's own comments,
    # and the marked cells' number format and borders (only the fill is new).
    assert values(after) == values(before)
    unmarked = [(ws.title, c.coordinate) for ws in before.worksheets for row in ws.iter_rows() for c in row]
    marks = {("就业创业", "B8"), ("两癌检查", "L57"), ("就业创业", "F6")}
    for sheet, ref in unmarked:
        old, new = before[sheet][ref], after[sheet][ref]
        if (sheet, ref) not in marks:
            assert (fill(new), new.comment and new.comment.text) == (fill(old), old.comment and old.comment.text)
        assert looks(new) == looks(old)
    assert after["就业创业"]["B4"].comment.text.startswith("本年度各级妇联举办或联合举办的专场招聘会场次。")
    assert repr(after["就业创业"].data_validations) == repr(before["就业创业"].data_validations)
    assert after.sheetnames == before.sheetnames and after["_meta"].sheet_state == "hidden"
    # The sheets without marks are the very same bytes.
    old_parts, new_parts = parts(data), parts(result.data)
    assert {n for n in old_parts if old_parts[n] != new_parts[n]} == {
        "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml", "xl/comments/comment1.xml",  # 就业创业, 两癌检查
        "xl/comments/comment3.xml", "xl/drawings/commentsDrawing1.vml", "xl/drawings/commentsDrawing3.vml",
        "xl/styles.xml",
    }  # fmt: skip
    assert set(new_parts) == set(old_parts)
    # Fixed and sent again, the annotated file is an ordinary return: the marks are only looks.
    fixed = book(result.data)
    fixed["就业创业"]["B8"], fixed["两癌检查"]["L57"] = 1987, 3
    buffer = io.BytesIO()
    fixed.save(buffer)
    again = pipeline.check_bytes(buffer.getvalue(), "长沙（标注）.xlsx")
    assert [i.code for i in again.issues] == ["employed-exceeds-jobs"]


def a_workbook_with_everything() -> bytes:
    """Formulas, a defined name, a data validation, a chart and a second sheet: what openpyxl's own round trip
    would lose or rewrite is kept by the patch."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "就业创业"
    ws.append(["年度：2024"])
    ws.append(header_of("jobs"))
    ws.append(["长沙市", 10, "abc", 30, None, 5, 6])
    ws.append(["株洲市", 11, 12, 13, 14, 15, 16])
    ws.append([None, 5])  # a row without its 市州: the error is on A5, a cell never written
    ws["H3"] = "=B3+D3"
    rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    rule.add("B3:G4")
    ws.add_data_validation(rule)
    wb.defined_names["合计区"] = DefinedName("合计区", attr_text="就业创业!$B$3:$G$4")
    notes = wb.create_sheet("备注")
    notes["A1"], notes["B2"] = "其他内容", "=1+1"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=3, max_row=4))
    ws.add_chart(chart, "J2")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_formulas_names_validations_charts_and_other_sheets_stay():
    data = a_workbook_with_everything()
    result, report = marked(data, "就业.xlsx")
    assert [i.location for i in report.errors] == ["就业创业!C3", "就业创业!A5", "就业创业!H3", "备注!B2"]
    after = book(result.data)
    assert values(after) == values(book(data))  # formulas included: =B3+D3 is still a formula
    assert [fill(after["就业创业"][ref]) for ref in ("C3", "A5", "H3", "D4")] == [RED, RED, RED, YELLOW]
    assert after["就业创业"]["A5"].comment.text == "错误：这一行有数据，但没有填写市州。请填写市州名称。"
    assert fill(after["备注"]["B2"]) == RED and after["备注"]["A1"].comment is None
    assert after.defined_names["合计区"].attr_text == "就业创业!$B$3:$G$4"
    assert str(after["就业创业"].data_validations.dataValidation[0].sqref) == "B3:G4"
    old_parts, new_parts = parts(data), parts(result.data)
    for name in ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/workbook.xml", "docProps/core.xml"):
        assert new_parts[name] == old_parts[name]
    sheet = new_parts["xl/worksheets/sheet1.xml"].decode()
    # The comments' drawing goes after the chart's, where the schema wants it.
    assert re.search(r'<drawing [^>]*r:id="rId1"/><legacyDrawing [^>]*/></worksheet>$', sheet)


def test_macros_are_kept_and_the_file_stays_an_xlsm():
    jobs = filled_template(2024, {("就业创业", "衡阳市", "举办招聘会场次"): "近2000"})
    data = as_xlsm(jobs)
    result, _ = marked(data, "衡阳.xlsm")
    assert result.file_name == "衡阳（标注）.xlsm"
    new_parts = parts(result.data)
    assert new_parts["xl/vbaProject.bin"] == parts(data)["xl/vbaProject.bin"]
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in new_parts["[Content_Types].xml"]
    assert fill(openpyxl.load_workbook(io.BytesIO(result.data), keep_vba=True)["就业创业"]["B8"]) == RED


def prefixed_without_refs(data: bytes) -> bytes:
    """The first sheet as some generators write it: an `x:` prefix on every element, rows and cells without `r`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = text.replace('xmlns="http://schemas', 'xmlns:x="http://schemas')
                text = re.sub(r"<(/?)(?!\?)([a-zA-Z])", r"<\1x:\2", text)
                text = re.sub(r' r="[A-Z]*\d+"', "", text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_prefixed_sheet_with_implicit_positions():
    data = prefixed_without_refs(
        openpyxl_bytes([["年度：2024"], header_of("jobs"), ["长沙市", 10, "abc", 30], ["株洲市", 1, 2, -1]])
    )
    result, report = marked(data, "无引用.xlsx")
    assert [i.location for i in report.errors] == ["S!C3", "S!D4"]
    after = book(result.data)
    assert values(after) == values(book(data))
    assert [fill(after["S"][ref]) for ref in ("C3", "D4", "B3", "D3")] == [RED, RED, "", ""]
    sheet = parts(result.data)["xl/worksheets/sheet1.xml"].decode()
    assert "<x:legacyDrawing " in sheet and "<legacyDrawing" not in sheet


def openpyxl_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_csv_and_xls_come_back_as_an_xlsx_of_the_table():
    text = "年度：2024\n市州,举办招聘会场次（场）,提供就业岗位数（个）\n长沙市,近2000,=1+1\n株洲市,12,13\n"
    result, report = marked(text.encode("gbk"), "长沙.csv")
    assert [i.location for i in report.errors] == ["B3", "C3"]
    assert result.file_name == "长沙（标注）.xlsx"
    sheet = book(result.data)["报表"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["年度：2024", None, None], ["市州", "举办招聘会场次（场）", "提供就业岗位数（个）"],
        ["长沙市", "近2000", "=1+1"], ["株洲市", 12, 13],
    ]  # fmt: skip
    assert sheet["C3"].data_type == "s"  # typed in a CSV, it stays text: never a formula
    assert [fill(sheet[ref]) for ref in ("B3", "C3", "B4")] == [RED, RED, ""]
    assert sheet["C3"].comment.text == "错误：“=1+1”不是数字。请填写数字；未开展或未统计请留空。"

    legacy = xlwt.Workbook(encoding="utf-8")
    ws = legacy.add_sheet("就业创业")
    for r, row in enumerate([["年度：2024"], header_of("jobs"), ["株洲市", -4]]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    buffer = io.BytesIO()
    legacy.save(buffer)
    result, _ = marked(buffer.getvalue(), "株洲.xls")
    assert result.file_name == "株洲（标注）.xlsx"
    assert fill(book(result.data)["就业创业"]["B3"]) == RED


def test_only_cells_are_marked_and_a_lock_is_not_a_cell_error():
    data = filled_template(2024, {("就业创业", "衡阳市", "举办招聘会场次"): 5})
    issues = [
        make_issue("slice-locked", file="a.xlsx", sheet="就业创业", cell="B7", detail="衡阳市2024年的数据已审核锁定"),
        make_issue("year-conflict", file="a.xlsx", sheet="就业创业", value=2023, expected=2024),
        make_issue("negative-value", file="a.xlsx", sheet="就业创业", cell="B7", value="\x1b[31m-5"),
    ]
    result = annotate.annotate(data, "a.xlsx", issues)
    assert (result.marked, result.elsewhere) == (1, 2)
    assert book(result.data)["就业创业"]["B7"].comment.text == "错误：“\\x1b[31m-5”是负数，统计数不能为负。请更正。"


def test_a_refused_hostile_file_is_not_opened_again():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (65 * 1024 * 1024))
    with pytest.raises(RefusedFile, match="疑似压缩炸弹"):
        annotate.annotate(bomb.getvalue(), "炸弹.xlsx", [])


def test_cli_check_annotate(tmp_path, db_path):
    source = tmp_path / "衡阳.xlsx"
    source.write_bytes(filled_template(2024, {("就业创业", "衡阳市", "举办招聘会场次"): "近2000"}))
    out = tmp_path / "标注.xlsx"
    result = CliRunner().invoke(cli.main, ["check", str(source), "--annotate", str(out), "--db", str(db_path)])
    assert result.exit_code == 1
    assert f"已写出标注后的报表 {out}：1 个单元格标红或标黄，批注中是问题和改正方法。" in result.output
    assert fill(book(out.read_bytes())["就业创业"]["B8"]) == RED

    macro = tmp_path / "衡阳.xlsm"
    macro.write_bytes(as_xlsm(source.read_bytes()))
    result = CliRunner().invoke(cli.main, ["check", str(macro), "--annotate", str(out), "--db", str(db_path)])
    assert f"已写出标注后的报表 {tmp_path / '标注.xlsm'}（含宏的工作簿须用 .xlsm 扩展名）" in result.output
    assert (tmp_path / "标注.xlsm").exists()

    two = CliRunner().invoke(cli.main, ["check", str(source), str(macro), "--annotate", str(out)])
    assert two.exit_code == 2 and "--annotate 只能用于一个文件" in two.output
