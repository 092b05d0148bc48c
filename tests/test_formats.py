"""Chinese number style, and the CSV/Excel downloads of what a page shows."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from etl.cn_format import cn_number, cn_quantity, exact
from etl.export import frame_csv, frame_xlsx


@pytest.mark.parametrize(
    ("value", "number", "with_unit"),
    [
        (0, "0", "0个"),
        (9999, "9999", "9999个"),
        (10000, "1万", "1万个"),
        (75700, "7.57万", "7.57万个"),
        (102110000, "1.02亿", "1.02亿个"),
        (5890, "5890", "5890个"),
        (None, "未填报", "未填报"),
        (float("nan"), "未填报", "未填报"),
    ],
)
def test_chinese_numbers(value, number, with_unit):
    assert cn_number(value) == number
    assert cn_quantity(value, "个") == with_unit


@pytest.mark.parametrize(
    ("value", "text"), [(10211, "1.02亿元"), (700.5, "700.5万元"), (0.25, "0.25万元"), (9999.99, "9999.99万元")]
)
def test_amounts_in_wan_yuan_read_as_yi_yuan(value, text):
    assert cn_quantity(value, "万元") == text


@pytest.mark.parametrize(("value", "unit", "text"), [(99_999_999, "人", "1亿人"), (9999.996, "万元", "1亿元")])
def test_rounding_up_to_the_next_step(value, unit, text):
    assert cn_quantity(value, unit) == text


def test_tables_keep_exact_figures():
    assert [exact(v) for v in (75700.0, 10211.5, None, float("nan"), 0.0)] == [
        "75700",
        "10211.5",
        "未填报",
        "未填报",
        "0",
    ]


def shown_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"2016年": [10211.0, None], "2017年": [11000.5, 9.0]},
        index=pd.Index(["益阳市", "=cmd|'/C calc'!A0"], name="市州"),
    )


def test_frame_csv_is_exactly_the_table():
    text = frame_csv(shown_table()).decode("utf-8")
    assert text == "\ufeff市州,2016年,2017年\r\n益阳市,10211,11000.5\r\n'=cmd|'/C calc'!A0,,9\r\n"


def test_frame_xlsx_has_title_figures_and_source():
    wb = openpyxl.load_workbook(io.BytesIO(frame_xlsx(shown_table(), title="发放贷款金额（万元）", source="测试")))
    rows = [[c.value for c in row] for row in wb.active.iter_rows()]
    assert rows[0][0] == "发放贷款金额（万元）"
    assert rows[1] == ["市州", "2016年", "2017年"]
    assert rows[2] == ["益阳市", 10211, 11000.5]
    assert rows[3] == ["'=cmd|'/C calc'!A0", None, 9]  # blank = 未填报, never 0; the name cannot run
    assert rows[-1][0] == "数据来源：测试；空白表示未填报。"
