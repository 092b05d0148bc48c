"""The CSV/Excel downloads of what a page shows."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from etl.export import frame_csv, frame_xlsx


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
