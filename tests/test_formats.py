"""The CSV/Excel downloads of what a page shows."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from etl.cn_format import AMOUNT, COUNT
from etl.export import frame_csv, frame_xlsx
from etl.totals import MARK_NOTES, columns_label, total_label
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
        total={"2016年": 10211, "2017年": 11009.5}, total_label="全省合计", marks={"益阳市": "示例、待审核"},
    )  # fmt: skip
    rows, ws = cells(data)
    assert rows[1][0] == "数据截至 2025-01-31 10:20；页面筛选：年度 2016年"
    assert rows[2] == ["市州", "2016年", "2017年", "备注"]
    assert rows[3] == ["益阳市", 10211, 11000.5, "示例、待审核"]
    assert rows[5] == ["全省合计", 10211, 11009.5, None]  # as given (the marts' figure): the writer adds nothing
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


def test_a_pending_figure_stays_a_number_and_says_so():
    table = shown_table()
    pending = pd.DataFrame(False, index=table.index, columns=table.columns)
    pending.iloc[0, 1] = True  # 益阳市 2017年
    pending.iloc[1, 0] = True  # a blank stays blank, with nothing to mark
    rows, ws = cells(
        frame_xlsx(table, title="t", source="s", kinds={"2016年": AMOUNT, "2017年": AMOUNT}, pending=pending)
    )
    assert rows[3] == ["益阳市", 10211, 11000.5] and rows[4][1] is None
    assert ws["C4"].number_format == '#,##0.00"（待审核）"' and ws["B4"].number_format == "#,##0.00"
    assert ws["B5"].number_format == "#,##0.00"
    assert rows[-1][0] == MARK_NOTES["待审核"]  # what the mark means, under the table
    assert ws.column_dimensions["C"].width >= display_width("11,000.50（待审核）") + 2


@pytest.mark.parametrize(
    ("reported", "label"),
    [([14], "全省合计"), ([13, 13], "已报 13 个市州合计"), ([13, 12], "已报市州合计"), ([], "已报市州合计")],
)
def test_the_province_row_says_what_it_adds_up(reported, label):
    assert columns_label(reported) == label
    assert total_label(14) == "全省合计" and total_label(2) == "已报 2 个市州合计"
