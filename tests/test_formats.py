"""The CSV/Excel downloads of what a page shows."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from etl.cn_format import AMOUNT, COUNT, PERCENT
from etl.export import frame_csv, frame_xlsx
from etl.totals import MARK_NOTES, total_row
from etl.workbook import display_width


def shown_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"2016年": [10211.0, None], "2017年": [11000.5, 9.0]},
        index=pd.Index(["益阳市", "=cmd|'/C calc'!A0"], name="市州"),
    )


def test_frame_csv_is_exactly_the_table():
    text = frame_csv(shown_table()).decode("utf-8")
    assert text == "\ufeff市州,2016年,2017年\r\n益阳市,10211,11000.5\r\n'=cmd|'/C calc'!A0,,9\r\n"


def cells(data: bytes, sheet: int = 0) -> tuple[list[list[object]], object]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)], ws


def test_frame_xlsx_has_title_figures_and_source():
    rows, ws = cells(frame_xlsx(shown_table(), title="发放贷款金额（万元）", source="测试"))
    assert rows[0][0] == "发放贷款金额（万元）"
    assert rows[2] == ["市州", "2016年", "2017年"]
    assert rows[3] == ["益阳市", 10211, 11000.5]
    assert rows[4] == ["'=cmd|'/C calc'!A0", None, 9]  # blank = 未填报, never 0; the name cannot run
    assert rows[-1][0] == "数据来源：测试；空白表示未填报。"
    assert ws.freeze_panes == "B4"  # header rows and the 市州 column stay in view


def test_a_handed_on_table_carries_date_filters_formats_total_and_marks():
    table = shown_table()
    kinds = {"2016年": AMOUNT, "2017年": AMOUNT}
    notes = ["数据截至 2025-01-31 10:20", "页面筛选：年度 2016年"]
    data = frame_xlsx(
        table, title="发放贷款金额（万元）", source="测试", notes=notes, kinds=kinds,
        total=total_row(table, kinds), total_label="全省合计", marks={"益阳市": "示例、待审核"},
    )  # fmt: skip
    rows, ws = cells(data)
    assert rows[1][0] == "数据截至 2025-01-31 10:20；页面筛选：年度 2016年"
    assert rows[2] == ["市州", "2016年", "2017年", "备注"]
    assert rows[3] == ["益阳市", 10211, 11000.5, "示例、待审核"]
    assert rows[5] == ["全省合计", 10211, 11009.5, None]  # the blank 2016 is left out, not counted as 0
    assert [ws.cell(r, 2).number_format for r in (4, 5, 6)] == ["#,##0.00"] * 3
    assert ws.cell(6, 1).font.b and ws.cell(6, 2).border.top.style == "thin"
    assert rows[-2:] == [[MARK_NOTES["示例"], None, None, None], [MARK_NOTES["待审核"], None, None, None]]
    header = ws.cell(3, 1)
    assert header.font.b and header.fill.fgColor.rgb.endswith("F2F2F2")
    assert (int(ws.page_setup.paperSize), ws.print_title_rows) == (int(ws.PAPERSIZE_A4), "$3:$3")  # A4, header repeats


@pytest.mark.parametrize(
    ("text", "width"), [("市州", 4), ("2016年", 6), ("发放贷款金额（万元）", 20), ("SHA-256", 7), ("", 0)]
)
def test_chinese_characters_count_double(text, width):
    assert display_width(text) == width


def test_columns_fit_the_widest_shown_text():
    table = pd.DataFrame(
        {"实现就业妇女人数（人）": [123456789.0]}, index=pd.Index(["湘西土家族苗族自治州"], name="市州")
    )
    _, ws = cells(frame_xlsx(table, title="t", source="s", kinds={"实现就业妇女人数（人）": COUNT}))
    assert ws.column_dimensions["A"].width == display_width("湘西土家族苗族自治州") + 2
    assert ws.column_dimensions["B"].width == display_width("实现就业妇女人数（人）") + 2  # wider than 123,456,789


@pytest.mark.parametrize(
    ("unit", "value", "number_format"),
    [("人", 75700, "#,##0"), ("万元", 10211.5, "#,##0.00"), ("%", 45.2, '0.0"%"'), ("每万人", 3.1, "#,##0.0")],
)
def test_long_tables_format_each_row_by_its_unit(unit, value, number_format):
    table = pd.DataFrame({"年度": [2016], "单位": [unit], "数值": [value]})
    rows, ws = cells(frame_xlsx(table, title="t", source="s", unit_column="单位", plain=("年度",)))
    assert rows[3] == [2016, unit, value]
    assert (ws["A4"].number_format, ws["C4"].number_format) == ("0", number_format)


def test_rows_of_mixed_units_get_their_own_format():
    table = pd.DataFrame(
        {"2016年": [75700.0, 10211.5]}, index=pd.Index(["提供就业岗位数（个）", "发放贷款金额（万元）"], name="指标")
    )
    _, ws = cells(frame_xlsx(table, title="t", source="s", row_kinds=[COUNT, AMOUNT]))
    assert (ws["B4"].number_format, ws["B5"].number_format) == ("#,##0", "#,##0.00")


def test_no_total_for_figures_that_do_not_add_up():
    table = pd.DataFrame({"平均每笔贷款（万元）": [5.0, 7.0], "岗位转化率（%）": [10.0, 20.0]})
    kinds = {"平均每笔贷款（万元）": AMOUNT, "岗位转化率（%）": PERCENT}
    assert total_row(table, kinds) == {"平均每笔贷款（万元）": 12.0}
    assert total_row(table, {"岗位转化率（%）": PERCENT}) == {}
    assert total_row(pd.DataFrame({"x": [None, float("nan")]}), {"x": COUNT}) == {"x": None}  # nothing reported
