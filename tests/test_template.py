"""Tests for etl.template: write real .xlsx files and read them back with openpyxl and python-calamine."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from etl import catalog, config
from etl.template import COUNTY_INDENT, META_KEYS, META_SHEET, template_bytes, write_template

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOMAIN_SHEETS = [d.name for d in catalog.domains()]
CITY_NAMES = [r.name for r in catalog.cities()]
ZHUZHOU = "430200"


@pytest.fixture(scope="module")
def all_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "all.xlsx", 2024)


@pytest.fixture(scope="module")
def zhuzhou_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "zz.xlsx", 2024, ZHUZHOU, sample=True)


@pytest.fixture(scope="module")
def all_wb(all_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(all_path)


@pytest.fixture(scope="module")
def zhuzhou_wb(zhuzhou_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(zhuzhou_path)


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def city_indicators(domain: catalog.Domain) -> tuple[catalog.Indicator, ...]:
    """The columns of the province's template: what the 14 市州 report (a 县市区- or 省级单位-only one is left out)."""
    return tuple(i for i in catalog.domain_indicators(domain.code) if "city" in i.levels)


def expected_header(domain: catalog.Domain) -> list[str]:
    return ["市州", *(i.label for i in city_indicators(domain))]


def test_sheet_names_and_order(all_path: Path, all_wb: openpyxl.Workbook) -> None:
    expected = [*DOMAIN_SHEETS, "填报说明", "_meta"]
    assert DOMAIN_SHEETS[:4] == ["就业创业", "小额担保贷款", "两癌检查", "农村电商"]
    assert all_wb.sheetnames == expected
    assert CalamineWorkbook.from_path(str(all_path)).sheet_names == expected
    assert all_wb.active.title == "就业创业"


def test_meta_sheet_for_one_region(zhuzhou_path: Path, zhuzhou_wb: openpyxl.Workbook) -> None:
    ws = zhuzhou_wb[META_SHEET]
    assert ws.sheet_state == "hidden"
    meta = {key: value for key, value in ws.iter_rows(values_only=True)}
    assert list(meta) == list(META_KEYS)
    assert META_KEYS == ("template_version", "year", "region_code", "generated_at", "sample")
    assert meta["template_version"] == config.TEMPLATE_VERSION
    assert (meta["year"], meta["region_code"], meta["sample"]) == ("2024", ZHUZHOU, "1")
    assert datetime.fromisoformat(meta["generated_at"]).tzinfo is not None
    # calamine (the upload reader) sees the same text and the hidden state.
    book = CalamineWorkbook.from_path(str(zhuzhou_path))
    assert dict(book.get_sheet_by_name(META_SHEET).to_python()) == meta
    visibility = {m.name: m.visible for m in book.sheets_metadata}
    assert visibility[META_SHEET] == SheetVisibleEnum.Hidden
    assert visibility["就业创业"] == SheetVisibleEnum.Visible


def test_meta_sheet_for_all_regions(all_path: Path) -> None:
    meta = dict(calamine_rows(all_path, META_SHEET))
    assert (meta["year"], meta["region_code"], meta["sample"]) == ("2024", "", "0")


@pytest.mark.parametrize("sheet", DOMAIN_SHEETS)
def test_title_and_unit_rows(
    sheet: str, all_wb: openpyxl.Workbook, zhuzhou_wb: openpyxl.Workbook, zhuzhou_path: Path
) -> None:
    ws = zhuzhou_wb[sheet]
    assert ws["A1"].value == f"2024年湖南省妇联{sheet}统计报表"
    assert ws["A1"].font.bold and ws["A1"].font.size > 11
    assert ws["A1"].alignment.horizontal == "center"
    assert ws["A2"].value == "填报单位：株洲市妇联　　年度：2024　　填表人：　　联系电话："
    assert all_wb[sheet]["A2"].value.startswith("填报单位：　　年度：2024")
    last = openpyxl.utils.get_column_letter(ws.max_column)
    assert {str(r) for r in ws.merged_cells.ranges} == {f"A1:{last}1", f"A2:{last}2"}
    assert "年度：2024" in calamine_rows(zhuzhou_path, sheet)[1][0]


@pytest.mark.parametrize("domain", catalog.domains(), ids=lambda d: d.code)
def test_header_row_matches_catalog(domain: catalog.Domain, all_wb: openpyxl.Workbook, all_path: Path) -> None:
    header = expected_header(domain)
    ws = all_wb[domain.name]
    assert [c.value for c in ws[3]] == header
    assert calamine_rows(all_path, domain.name)[2] == header
    for cell in ws[3]:
        assert cell.font.bold and cell.alignment.wrap_text
        assert cell.fill.fgColor.rgb.endswith("DDEBF7")
        assert cell.border.bottom.style == "thin"


def test_header_literals(all_wb: openpyxl.Workbook) -> None:
    assert [c.value for c in all_wb["就业创业"][3]][:3] == [
        "市州",
        "举办招聘会场次（场）",
        "提供就业岗位数（个）",
    ]
    assert "实现就业妇女人数（人）" in [c.value for c in all_wb["就业创业"][3]]
    assert "救助资金（万元）" in [c.value for c in all_wb["两癌检查"][3]]
    assert "发放贷款金额（万元）" in [c.value for c in all_wb["小额担保贷款"][3]]


@pytest.mark.parametrize("domain", catalog.domains(), ids=lambda d: d.code)
def test_header_comments_hold_definition(domain: catalog.Domain, all_wb: openpyxl.Workbook) -> None:
    ws = all_wb[domain.name]
    assert ws["A3"].comment is None
    for column, indicator in enumerate(city_indicators(domain), start=2):
        comment = ws.cell(3, column).comment
        assert comment is not None, indicator.code
        assert indicator.definition in comment.text
        assert f"单位：{indicator.unit}" in comment.text


@pytest.mark.parametrize("sheet", DOMAIN_SHEETS)
def test_one_row_per_city_in_official_order(sheet: str, all_wb: openpyxl.Workbook, all_path: Path) -> None:
    ws = all_wb[sheet]
    assert len(CITY_NAMES) == 14
    assert [ws.cell(row, 1).value for row in range(4, ws.max_row + 1)] == CITY_NAMES
    rows = calamine_rows(all_path, sheet)[3:]
    assert [r[0] for r in rows] == CITY_NAMES
    assert all(value == "" for r in rows for value in r[1:])  # blank means 未填报


@pytest.mark.parametrize("domain", catalog.domains(), ids=lambda d: d.code)
def test_region_template_has_its_row_and_its_counties(
    domain: catalog.Domain, zhuzhou_wb: openpyxl.Workbook, zhuzhou_path: Path
) -> None:
    counties = any("county" in i.levels for i in catalog.domain_indicators(domain.code))
    expected = ["株洲市", *(COUNTY_INDENT + c.name for c in catalog.counties_of(ZHUZHOU, 2024) if counties)]
    assert zhuzhou_wb[domain.name].max_row == 3 + len(expected)
    assert [r[0] for r in calamine_rows(zhuzhou_path, domain.name)[3:]] == expected


@pytest.mark.parametrize("domain", catalog.domains(), ids=lambda d: d.code)
def test_data_cells_are_empty_with_number_formats(domain: catalog.Domain, all_wb: openpyxl.Workbook) -> None:
    ws = all_wb[domain.name]
    for column, indicator in enumerate(city_indicators(domain), start=2):
        for row in range(4, 18):
            cell = ws.cell(row, column)
            assert cell.value is None
            assert cell.number_format == ("0" if indicator.kind == "count" else "0.00")
            assert cell.border.left.style == "thin"


def validations(ws) -> dict[str, tuple[object, list[int]]]:
    """Column letter → (its validation, the rows it covers); fails if one validation spans two columns."""
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        cells = [cell for cell_range in dv.sqref.ranges for cell in cell_range.cells]  # (row, column)
        (column,) = {column for _, column in cells}
        by_column[openpyxl.utils.get_column_letter(column)] = (dv, sorted(row for row, _ in cells))
    return by_column


@pytest.mark.parametrize("domain", catalog.domains()[:4], ids=lambda d: d.code)
@pytest.mark.parametrize("which", ["all", "zhuzhou"])
def test_data_validations(domain: catalog.Domain, which: str, request) -> None:
    ws = request.getfixturevalue(f"{which}_wb")[domain.name]
    found = validations(ws)
    levels = ("city", "county") if which == "zhuzhou" else ("city",)
    indicators = tuple(i for i in catalog.domain_indicators(domain.code) if set(levels) & set(i.levels))
    assert len(found) == 1 + len(indicators)

    data_rows = list(range(4, ws.max_row + 1))
    region, rows = found["A"]
    assert rows == data_rows
    assert region.type == "list"
    names = [str(ws.cell(r, 1).value).strip("\u3000") for r in data_rows] if len(data_rows) > 1 else CITY_NAMES
    assert region.formula1 == '"' + ",".join(names) + '"'
    assert len(region.formula1) <= 255

    for column, indicator in enumerate(indicators, start=2):
        letter = openpyxl.utils.get_column_letter(column)
        dv, rows = found[letter]
        assert rows == data_rows, letter
        assert dv.type == ("whole" if indicator.unit != "万元" else "decimal")
        assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0")
        assert dv.showInputMessage and dv.showErrorMessage and dv.allow_blank
        assert dv.promptTitle == indicator.label
        assert indicator.unit in dv.prompt and len(dv.prompt) <= 255
        assert dv.error.startswith("请填写不小于 0 的")
        assert ("整数" in dv.error) == indicator.is_count


def test_amount_columns_are_decimal_literally(all_wb: openpyxl.Workbook) -> None:
    found = validations(all_wb["两癌检查"])
    assert str(found["G"][0].sqref) == "G4:G17"
    assert found["G"][0].type == "decimal"
    assert found["B"][0].type == "whole"
    assert found["G"][0].error == "请填写不小于 0 的数字（单位：万元，可保留两位小数），不要写文字或约数。"


@pytest.mark.parametrize("which", ["all", "zhuzhou"])
def test_no_formulas_anywhere(which: str, request) -> None:
    wb = request.getfixturevalue(f"{which}_wb")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                assert not str(cell.value or "").startswith("="), f"{ws.title}!{cell.coordinate}"
    assert all("合计" not in str(c.value or "") for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_layout(all_wb: openpyxl.Workbook) -> None:
    for sheet in DOMAIN_SHEETS[:4]:
        ws = all_wb[sheet]
        assert ws.freeze_panes == "B4"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["A"].width >= 20


def test_instructions_sheet(all_wb: openpyxl.Workbook, zhuzhou_wb: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for c in all_wb["填报说明"]["A"])
    for phrase in [
        "空白表示未填报（不要填0，除非确为0）",
        "不写“近2000”“700多”",
        "金额以万元计",
        "不要改表头",
        "可以删除不涉及的市州行",
        "“数据上报”页面上传",
        f"模板版本：{config.TEMPLATE_VERSION}",
        *(f"“{name}”表" for name in DOMAIN_SHEETS),
    ]:
        assert phrase in text
    assert "样表" not in text
    assert "样表" in "\n".join(str(c.value) for c in zhuzhou_wb["填报说明"]["A"])
    assert all_wb["填报说明"].sheet_state == "visible"


def test_template_bytes_is_the_same_workbook() -> None:
    data = template_bytes(2025, ZHUZHOU)
    assert data[:2] == b"PK"
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == [*DOMAIN_SHEETS, "填报说明", "_meta"]  # every 类别 has 市州 figures
    assert dict(book.get_sheet_by_name(META_SHEET).to_python())["year"] == "2025"
    assert book.get_sheet_by_name("农村电商").to_python()[3][0] == "株洲市"


@pytest.mark.parametrize(
    ("year", "region_code"),
    [(2024, "999999"), (2024, "430000"), (1999, None), ("2024", None), (True, None)],
)
def test_rejects_bad_arguments(year: object, region_code: str | None, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_template(tmp_path / "bad.xlsx", year, region_code)  # type: ignore[arg-type]
    assert not (tmp_path / "bad.xlsx").exists()


def test_import_does_not_load_openpyxl() -> None:
    code = "import sys, etl.template; assert 'openpyxl' not in sys.modules, 'openpyxl imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
