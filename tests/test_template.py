"""Tests for etl.template: write real .xlsx files and read them back with openpyxl and python-calamine.

Issue 14 §5: 填报说明 first; a 市州's dropdown offers only that 市州 (and its 县市区 where the catalogue has county
indicators); 填表人 / 联系电话 / 审核人 are fillable cells stored with the submission; the version names the year
and the catalogue revision; a read-only 上年数 column beside each input; headers locked, inputs open, no password.
"""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from etl import catalog
from etl.cli import main
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from etl.template import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    META_KEYS,
    META_SHEET,
    indicator_columns,
    template_bytes,
    write_template,
)
from tests.conftest import filled_template, stored

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def four_domains() -> catalog.Catalogue:
    """The shipped catalogue's first four 类别, every indicator reported by 市州 only: the template's mechanics are
    tested on it (the shipped 县市区 rows and 省级单位 in test_levels.py)."""
    shipped = catalog.shipped()
    keep = {"jobs", "loans", "screening", "ecommerce"}
    return replace(
        shipped,
        domains_all=tuple(d for d in shipped.domains_all if d.code in keep),
        indicators_all=tuple(replace(i, levels=("city",)) for i in shipped.indicators_all if i.domain in keep),
        token="four-domains",
        _memo={},
    )


FOUR = four_domains()
DOMAIN_SHEETS = ["就业创业", "小额担保贷款", "两癌检查", "农村电商"]
DOMAINS = FOUR.edition(None).domains
CITY_NAMES = [r.name for r in catalog.cities()]
ZHUZHOU = "430200"
LAST_ROW = FIRST_DATA_ROW + 13  # 14 市州


@pytest.fixture(scope="module")
def all_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    last_year = {("430100", "job_fairs"): 41.0, ("430200", "loan_amount"): 10211.5}
    return write_template(tmp_path_factory.mktemp("tpl") / "all.xlsx", 2024, last_year=last_year, cat=FOUR)


@pytest.fixture(scope="module")
def zhuzhou_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "zz.xlsx", 2024, ZHUZHOU, sample=True, cat=FOUR)


@pytest.fixture(scope="module")
def all_wb(all_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(all_path)


@pytest.fixture(scope="module")
def zhuzhou_wb(zhuzhou_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(zhuzhou_path)


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def expected_header(domain: catalog.Domain) -> list[str]:
    return ["市州", *(text for i in FOUR.edition(None).domain_indicators(domain.code) for text in (i.label, "上年数"))]


def test_instructions_first_then_one_sheet_per_domain(all_path: Path, all_wb: openpyxl.Workbook) -> None:
    expected = ["填报说明", *DOMAIN_SHEETS, "_meta"]
    assert [d.name for d in DOMAINS] == DOMAIN_SHEETS
    assert all_wb.sheetnames == expected
    assert CalamineWorkbook.from_path(str(all_path)).sheet_names == expected
    assert all_wb.active.title == "填报说明"


def test_meta_names_the_year_and_the_catalogue(zhuzhou_path: Path, zhuzhou_wb: openpyxl.Workbook) -> None:
    ws = zhuzhou_wb[META_SHEET]
    assert ws.sheet_state == "hidden"
    meta = {key: value for key, value in ws.iter_rows(values_only=True)}
    assert list(meta) == list(META_KEYS)
    assert meta["template_version"] == "2024年报表·指标目录第 0 版"  # the shipped catalogue, before any warehouse
    assert (meta["year"], meta["region_code"], meta["sample"], meta["catalog_revision"]) == ("2024", ZHUZHOU, "1", "0")
    assert datetime.fromisoformat(meta["generated_at"]).tzinfo is not None
    book = CalamineWorkbook.from_path(str(zhuzhou_path))
    assert dict(book.get_sheet_by_name(META_SHEET).to_python()) == meta
    visibility = {m.name: m.visible for m in book.sheets_metadata}
    assert visibility[META_SHEET] == SheetVisibleEnum.Hidden
    assert visibility["就业创业"] == SheetVisibleEnum.Visible


@pytest.mark.parametrize("sheet", DOMAIN_SHEETS)
def test_title_unit_and_contact_rows(sheet: str, all_wb: openpyxl.Workbook, zhuzhou_wb: openpyxl.Workbook) -> None:
    ws = zhuzhou_wb[sheet]
    assert ws["A1"].value == f"2024年湖南省妇联{sheet}统计报表"
    assert ws["A1"].font.bold and ws["A1"].font.size > 11
    assert ws["A2"].value == "填报单位：株洲市妇联　　年度：2024"
    assert all_wb[sheet]["A2"].value == "填报单位：　　年度：2024"
    # 填表人, 联系电话, 审核人: a label, then a cell of its own to fill (not text inside a merged title)
    assert [ws.cell(3, c).value for c in range(1, 7)] == ["填表人：", None, "联系电话：", None, "审核人：", None]
    assert [ws.cell(3, c).protection.locked for c in range(1, 7)] == [True, False, True, False, True, False]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert all(not r.endswith("3") and ":" in r and r[1] in "12" for r in merged), merged


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.code)
def test_header_has_a_last_year_column_beside_each_indicator(domain: catalog.Domain, all_wb, all_path: Path) -> None:
    ws = all_wb[domain.name]
    assert [c.value for c in ws[HEADER_ROW]] == expected_header(domain)
    assert calamine_rows(all_path, domain.name)[HEADER_ROW - 1] == expected_header(domain)
    assert ws.cell(HEADER_ROW, 1).comment is None
    indicators = FOUR.edition(None).domain_indicators(domain.code)
    for indicator in indicators:
        value_col, previous_col = indicator_columns(indicators)[indicator.code]
        assert previous_col == value_col + 1
        comment = ws.cell(HEADER_ROW, value_col).comment.text
        assert indicator.definition in comment and f"单位：{indicator.unit}" in comment
        assert ws.cell(HEADER_ROW, previous_col).comment.text == "2023年已审核通过的数，只读，仅供对照。"


def test_last_year_figures_are_read_only(all_wb: openpyxl.Workbook) -> None:
    jobs, loans = all_wb["就业创业"], all_wb["小额担保贷款"]
    assert (jobs["A5"].value, jobs["C5"].value, jobs["C5"].number_format) == ("长沙市", 41, "0")
    assert (loans["A6"].value, loans["E6"].value, loans["E6"].number_format) == ("株洲市", 10211.5, "0.00")
    assert jobs["C6"].value is None  # not reported last year: blank, never 0
    for row in range(FIRST_DATA_ROW, LAST_ROW + 1):
        assert jobs.cell(row, 3).protection.locked and jobs.cell(row, 3).fill.fgColor.rgb.endswith("EDEDED")
        assert not jobs.cell(row, 2).protection.locked  # the figure to fill
        assert not jobs.cell(row, 1).protection.locked  # the 市州 (a dropdown)


@pytest.mark.parametrize("which", ["all", "zhuzhou"])
def test_structure_protected_without_a_password(which: str, request) -> None:
    wb = request.getfixturevalue(f"{which}_wb")
    for sheet in DOMAIN_SHEETS:
        ws = wb[sheet]
        assert ws.protection.sheet and not ws.protection.password
        assert all(c.protection.locked for c in ws[HEADER_ROW])  # headers
        assert ws["A1"].protection.locked


@pytest.mark.parametrize("sheet", DOMAIN_SHEETS)
def test_one_row_per_city_in_official_order(sheet: str, all_wb: openpyxl.Workbook, all_path: Path) -> None:
    ws = all_wb[sheet]
    assert [ws.cell(row, 1).value for row in range(FIRST_DATA_ROW, ws.max_row + 1)] == CITY_NAMES
    rows = calamine_rows(all_path, sheet)[FIRST_DATA_ROW - 1 :]
    assert [r[0] for r in rows] == CITY_NAMES
    assert all(value == "" for r in rows for value in r[1::2])  # inputs blank: 未填报


@pytest.mark.parametrize("sheet", DOMAIN_SHEETS)
def test_region_template_has_one_row(sheet: str, zhuzhou_wb: openpyxl.Workbook, zhuzhou_path: Path) -> None:
    assert zhuzhou_wb[sheet].max_row == FIRST_DATA_ROW
    assert [r[0] for r in calamine_rows(zhuzhou_path, sheet)[FIRST_DATA_ROW - 1 :]] == ["株洲市"]


def validations(ws) -> dict[str, tuple[object, list[int]]]:
    """Column letter → (its validation, the rows it covers); fails if one validation spans two columns."""
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        cells = [cell for cell_range in dv.sqref.ranges for cell in cell_range.cells]  # (row, column)
        (column,) = {column for _, column in cells}
        by_column[openpyxl.utils.get_column_letter(column)] = (dv, sorted(row for row, _ in cells))
    return by_column


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: d.code)
@pytest.mark.parametrize(("which", "last_row", "names"), [("all", LAST_ROW, CITY_NAMES), ("zhuzhou", 5, ["株洲市"])])
def test_data_validations(domain: catalog.Domain, which: str, last_row: int, names: list[str], request) -> None:
    ws = request.getfixturevalue(f"{which}_wb")[domain.name]
    found = validations(ws)
    indicators = FOUR.edition(None).domain_indicators(domain.code)
    assert len(found) == 1 + len(indicators)  # none on 上年数
    data_rows = list(range(FIRST_DATA_ROW, last_row + 1))
    region, rows = found["A"]
    assert rows == data_rows and region.type == "list"
    assert region.formula1 == '"' + ",".join(names) + '"'  # a 市州's template offers that 市州 only
    for indicator in indicators:
        letter = openpyxl.utils.get_column_letter(indicator_columns(indicators)[indicator.code][0])
        dv, rows = found[letter]
        assert rows == data_rows, letter
        assert dv.type == ("whole" if indicator.unit != "万元" else "decimal")
        assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0")
        assert dv.promptTitle == indicator.label and indicator.unit in dv.prompt and len(dv.prompt) <= 255
        assert ("整数" in dv.error) == indicator.is_count


def test_amount_columns_are_decimal_literally(all_wb: openpyxl.Workbook) -> None:
    found = validations(all_wb["两癌检查"])
    assert str(found["L"][0].sqref) == "L5:L18"
    assert found["L"][0].error == "请填写不小于 0 的数字（单位：万元，可保留两位小数），不要写文字或约数。"
    assert found["B"][0].type == "whole"


def county_catalogue() -> catalog.Catalogue:
    """The four 类别 with 宫颈癌检查人数 reported by 县市区 too."""
    counties = tuple(
        replace(i, levels=("city", "county")) if i.code == "cervical_screened" else i for i in FOUR.indicators_all
    )
    return replace(FOUR, indicators_all=counties, token="county-test", _memo={})


def test_county_rows_and_dropdown_where_the_catalogue_has_county_indicators() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(2024, ZHUZHOU, cat=county_catalogue())))
    counties = [c.name for c in catalog.counties_of(ZHUZHOU)]
    screening = wb["两癌检查"]
    assert [screening.cell(r, 1).value for r in range(FIRST_DATA_ROW, screening.max_row + 1)] == ["株洲市", *counties]
    region, rows = validations(screening)["A"]
    assert region.formula1 == '"' + ",".join(["株洲市", *counties]) + '"'
    assert wb["就业创业"].max_row == FIRST_DATA_ROW  # no county indicator there: the 市州 only
    province = openpyxl.load_workbook(io.BytesIO(template_bytes(2024, cat=county_catalogue())))
    region, rows = validations(province["两癌检查"])["A"]
    assert region.formula1.startswith("'_lists'!$A$1:$A$") and province["_lists"].sheet_state == "hidden"
    assert len(rows) == 14 + sum(len(catalog.counties_of(c.code, 2024)) for c in catalog.cities())


def test_no_formulas_anywhere(all_wb: openpyxl.Workbook) -> None:
    for ws in all_wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
    assert all("合计" not in str(c.value or "") for ws in all_wb.worksheets for row in ws.iter_rows() for c in row)


def test_layout(all_wb: openpyxl.Workbook) -> None:
    for sheet in DOMAIN_SHEETS:
        ws = all_wb[sheet]
        assert ws.freeze_panes == f"B{FIRST_DATA_ROW}"
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.column_dimensions["A"].width >= 20
        assert ws.print_title_rows == f"$1:${HEADER_ROW}"


def test_instructions_sheet(all_wb: openpyxl.Workbook, zhuzhou_wb: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for c in all_wb["填报说明"]["A"])
    for phrase in [
        "空白表示未填报（不要填0，除非确为0）",
        "不写“近2000”“700多”",
        "金额以万元计",
        "填表人、联系电话和审核人",
        "“上年数”列是2023年已审核通过的数，只读",
        "不需要密码即可填写",
        "“数据上报”页面上传",
        "模板版本：2024年报表·指标目录第 0 版",
        *(f"“{name}”表" for name in DOMAIN_SHEETS),
    ]:
        assert phrase in text, phrase
    assert "样表" not in text
    assert "样表" in "\n".join(str(c.value) for c in zhuzhou_wb["填报说明"]["A"])


def test_filled_template_loads_with_its_contacts(db_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(filled_template(2016, {("就业创业", "株洲市", "举办招聘会场次"): 44})))
    for sheet in DOMAIN_SHEETS:
        wb[sheet]["B3"], wb[sheet]["D3"], wb[sheet]["F3"] = "李四", "0731-88886666", "王五"
    buffer = io.BytesIO()
    wb.save(buffer)
    report = load_bytes(buffer.getvalue(), "株洲2016.xlsx", db_path, actor=SYSTEM)
    assert report.status == LOADED, [i.describe() for i in report.issues]
    assert stored(db_path)[("株洲市", 2016, "举办招聘会场次")] == 44
    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.execute("select filled_by, phone, checked_by from submissions").fetchall()
    assert found == [("李四", "0731-88886666", "王五")]


def test_old_templates_still_load(db_path: Path) -> None:
    """A return on the template before issue 14 (no 上年数, contacts inside the merged title) loads as before."""
    old = (PROJECT_ROOT / "tests" / "fixtures" / "old_template_2016.xlsx").read_bytes()
    assert calamine_rows_of(old, "就业创业")[2][:2] == ["市州", "举办招聘会场次（场）"]
    report = load_bytes(old, "old.xlsx", db_path, actor=SYSTEM, is_sample=True)
    assert report.status == LOADED, [i.describe() for i in report.issues]
    figures = stored(db_path, 2016)
    assert figures[("株洲市", 2016, "举办招聘会场次")] == 44 and figures[("益阳市", 2016, "发放贷款金额")] == 10211


def calamine_rows_of(data: bytes, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def test_cli_template_fills_last_year_from_published_figures(demo_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "株洲2017.xlsx"
    args = ["template", "--year", "2017", "--region", "株洲市", "--db", str(demo_copy), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = calamine_rows(out, "就业创业")
    assert rows[FIRST_DATA_ROW - 1][:3] == ["株洲市", "", 44.0]  # the review's 2016 figure, published
    assert dict(calamine_rows(out, META_SHEET))["template_version"] == "2017年报表·指标目录第 1 版"


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
