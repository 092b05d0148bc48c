"""Every error refuses the whole file, names sheet and cell in Chinese, and leaves the warehouse unchanged."""

from __future__ import annotations

import io

import openpyxl
import pytest

from etl.pipeline import LOADED, REFUSED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import filled_template, fingerprint, header_of, xlsx_bytes

JOBS = header_of("jobs")
SCREENING = header_of("screening")


def jobs_sheet(*rows: list[object]) -> dict[str, list[list[object]]]:
    return {"就业创业": [["年度：2016"], JOBS, *rows]}


def screening_sheet(*rows: list[object]) -> dict[str, list[list[object]]]:
    return {"两癌检查": [["年度：2016"], SCREENING, *rows]}


CASES = {
    "unknown region": (jobs_sheet(["株洲市", 44], ["长株潭", 1]), [("就业创业!A4", "unknown-region")]),
    "region cell blank": (jobs_sheet([None, 44]), [("就业创业!A3", "missing-region")]),
    "same region twice": (
        jobs_sheet(["株洲市", 44], ["株洲", 45]),
        [("就业创业!A4", "duplicate-region")],
    ),
    "year missing": ({"就业创业": [JOBS, ["株洲市", 44]]}, [("就业创业!A2", "missing-year")]),
    "year too early": ({"S": [["年度", *JOBS], [1999, "株洲市", 44]]}, [("S!A2", "year-out-of-range")]),
    "year in the future": ({"S": [["年度", *JOBS], [2099, "株洲市", 44]]}, [("S!A2", "year-out-of-range")]),
    "year not a year": ({"S": [["年度", *JOBS], ["去年", "株洲市", 44]]}, [("S!A2", "year-out-of-range")]),
    "text": (jobs_sheet(["株洲市", "四十四"]), [("就业创业!B3", "not-a-number")]),
    "NaN text": (jobs_sheet(["株洲市", "NaN"]), [("就业创业!B3", "not-a-number")]),
    "inf text": (jobs_sheet(["株洲市", "inf"]), [("就业创业!B3", "not-a-number")]),
    "a date": (jobs_sheet(["株洲市", "2016-01-01"]), [("就业创业!B3", "not-a-number")]),
    "excel error as text": (jobs_sheet(["株洲市", "#VALUE!"]), [("就业创业!B3", "excel-error")]),
    "negative": (jobs_sheet(["株洲市", -44]), [("就业创业!B3", "negative-value")]),
    "negative text": (jobs_sheet(["株洲市", "-44"]), [("就业创业!B3", "negative-value")]),
    "fraction in count": (jobs_sheet(["株洲市", 44.5]), [("就业创业!B3", "fraction-in-count")]),
    "fraction after 万": (jobs_sheet(["株洲市", None, "7.57321万"]), [("就业创业!C3", "fraction-in-count")]),
    "元 in a 万元 column": (
        {"S": [["2016年"], ["市州", "发放贷款金额（万元）"], ["益阳市", "5000元"]]},
        [("S!B3", "yuan-in-wan")],
    ),
    "unit of the header differs": (
        {"S": [["2016年"], ["市州", "发放贷款金额（元）"], ["益阳市", 5000]]},
        [("S!B2", "unit-mismatch")],
    ),
    "approximate 近": (jobs_sheet(["株洲市", "近2000"]), [("就业创业!B3", "approximate-value")]),
    "approximate 余": (jobs_sheet(["株洲市", "2000余"]), [("就业创业!B3", "approximate-value")]),
    "approximate 多": (jobs_sheet(["株洲市", "700多"]), [("就业创业!B3", "approximate-value")]),
    "approximate 约": (jobs_sheet(["株洲市", "约300"]), [("就业创业!B3", "approximate-value")]),
    "approximate 700多万元": (
        {"S": [["2016年"], ["市州", "发放贷款金额（万元）"], ["岳阳市", "700多万元"]]},
        [("S!B3", "approximate-value")],
    ),
    "cervical > total": (screening_sheet(["岳阳市", 100, 101, 50, 1]), [("两癌检查!C3", "impossible-figure")]),
    "breast > total": (screening_sheet(["岳阳市", 100, 50, 101, 1]), [("两癌检查!D3", "impossible-figure")]),
    "cases > total": (screening_sheet(["岳阳市", 100, 50, 50, 101]), [("两癌检查!E3", "impossible-figure")]),
    "unknown column with data": (
        {"S": [["2016年"], ["市州", "举办招聘会场次", "实现就业人数"], ["株洲市", 44, 5890]]},
        [("S!C2", "unknown-column")],
    ),
    "column twice": (
        {"S": [["2016年"], ["市州", "举办招聘会场次", "举办招聘会场次（场）"], ["株洲市", 44, 45]]},
        [("S!C2", "duplicate-column")],
    ),
    "no indicator header": ({"Sheet1": [["姓名", "电话"], ["张三", "123"]]}, [("", "no-indicator-header")]),
    "unknown indicator in long": (
        {"S": [["年度", "市州", "指标", "数值"], [2016, "株洲市", "实现就业人数", 5890]]},
        [("S!C2", "unknown-indicator")],
    ),
    "same value twice in long": (
        {
            "S": [
                ["年度", "市州", "指标", "数值"],
                [2016, "株洲市", "举办招聘会场次", 44],
                [2016, "株洲", "举办招聘会场次", 44],
            ]
        },
        [("S!D3", "duplicate-region")],
    ),
    "several problems at once": (
        jobs_sheet(["株洲市", "近2000", -1, 1.5], ["衡阳", "x"]),
        [
            ("就业创业!B3", "approximate-value"),
            ("就业创业!C3", "negative-value"),
            ("就业创业!D3", "fraction-in-count"),
            ("就业创业!B4", "not-a-number"),
        ],
    ),
}


@pytest.mark.parametrize("case", CASES.keys())
def test_refused_with_every_issue_located(db_path, case):
    sheets, expected = CASES[case]
    report = load_bytes(xlsx_bytes(sheets), "坏表.xlsx", db_path, actor=SYSTEM)
    assert report.status == REFUSED
    assert [(i.location, i.code) for i in report.errors] == expected
    for issue in report.errors:
        assert issue.file == "坏表.xlsx"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in issue.message)
    assert not db_path.exists()  # a refusal does not even create the warehouse


@pytest.mark.parametrize("case", CASES.keys())
def test_refusal_leaves_the_warehouse_unchanged(db_path, case):
    good = filled_template(
        2016, {("就业创业", "株洲市", "举办招聘会场次"): 44, ("两癌检查", "岳阳市", "两癌检查人数"): 9}
    )
    assert load_bytes(good, "好表.xlsx", db_path, actor=SYSTEM).status == LOADED
    before = fingerprint(db_path)
    assert load_bytes(xlsx_bytes(CASES[case][0]), "坏表.xlsx", db_path, actor=SYSTEM).status == REFUSED
    assert fingerprint(db_path) == before


def test_messages_say_what_to_do():
    report = load_bytes(xlsx_bytes(CASES["approximate 近"][0]), "株洲.xlsx", "/nonexistent/w.duckdb", actor=SYSTEM)
    assert report.errors[0].describe() == (
        "株洲.xlsx 就业创业!B3 举办招聘会场次：“近2000”是约数，是估计的数字。统计报表需要准确数字，"
        "请填写准确的举办招聘会场次（如 1987，而不是“近2000”）；确实无法统计请留空。"
    )
    report = load_bytes(
        xlsx_bytes(CASES["approximate 700多万元"][0]), "岳阳.xlsx", "/nonexistent/w.duckdb", actor=SYSTEM
    )
    assert report.errors[0].place == "S!B3 发放贷款金额"
    assert report.errors[0].message.startswith("“700多万元”是约数，是估计的数字。")
    report = load_bytes(xlsx_bytes(CASES["元 in a 万元 column"][0]), "益阳.xlsx", "/nonexistent/w.duckdb", actor=SYSTEM)
    assert report.errors[0].message == "“5000元”是按元填写的，本列以万元计。请改填 0.5（万元）。"
    report = load_bytes(xlsx_bytes(CASES["cases > total"][0]), "岳阳.xlsx", "/nonexistent/w.duckdb", actor=SYSTEM)
    assert report.errors[0].message == "查出患病人数（101）大于两癌检查人数（100），数据不可能成立。请核对后更正。"


def test_messages_show_last_years_figure(db_path):
    """A problem with a value says what the same 市州 reported the year before (from the warehouse or the file)."""
    last_year = filled_template(2015, {("就业创业", "株洲市", "举办招聘会场次"): 41})
    assert load_bytes(last_year, "2015.xlsx", db_path, actor=SYSTEM).status == LOADED
    report = load_bytes(xlsx_bytes(CASES["approximate 近"][0]), "株洲.xlsx", db_path, actor=SYSTEM)
    assert report.errors[0].message.endswith("确实无法统计请留空。（上年为 41场）")


def test_excel_error_cell(db_path):
    data = xlsx_bytes(jobs_sheet(["株洲市", "#DIV/0!"]))  # openpyxl stores this as a real error cell (t="e")
    report = load_bytes(data, "err.xlsx", db_path, actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("就业创业!B3", "excel-error")]
    assert "#DIV/0!" in report.errors[0].message


def test_formula_without_cached_value(db_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "两癌检查"
    for row in [["年度：2016"], SCREENING, ["岳阳市", 103200, 50000, 50000]]:
        ws.append(row)
    ws["E3"] = "=B3/1000"  # openpyxl writes no cached value, like a file never opened in Excel
    buffer = io.BytesIO()
    wb.save(buffer)
    report = load_bytes(buffer.getvalue(), "公式.xlsx", db_path, actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("两癌检查!E3", "formula-no-value")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "unreadable-file"),
        (bytes((i * 7919) % 251 for i in range(5000)), "unreadable-file"),
        (xlsx_bytes(jobs_sheet(["株洲市", 44]))[:700], "unreadable-file"),
        ("这只是一段文字，不是报表。\n".encode(), "no-indicator-header"),
    ],
    ids=["empty", "png", "random bytes", "truncated zip", "renamed text file"],
)
def test_unreadable_files(db_path, data, code):
    report = load_bytes(data, "上报.xlsx", db_path, actor=SYSTEM)
    assert report.status == REFUSED
    assert [i.code for i in report.errors] == [code]
    assert report.errors[0].file == "上报.xlsx"


def test_refusal_leaves_a_populated_warehouse_unchanged(db_path):
    good = filled_template(2016, {("就业创业", "株洲市", "举办招聘会场次"): 44})
    assert load_bytes(good, "好表.xlsx", db_path, actor=SYSTEM).status == LOADED
    before = fingerprint(db_path)
    bad = filled_template(
        2016, {("就业创业", "株洲市", "举办招聘会场次"): 50, ("就业创业", "衡阳市", "举办招聘会场次"): "近30"}
    )
    report = load_bytes(bad, "坏表.xlsx", db_path, actor=SYSTEM)
    assert report.status == REFUSED
    assert fingerprint(db_path) == before


def test_year_from_command_line_conflicting_with_file(db_path):
    data = xlsx_bytes(jobs_sheet(["株洲市", 44]))
    report = load_bytes(data, "株洲.xlsx", db_path, year=2017, actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("就业创业", "year-conflict")]


def test_region_given_but_file_holds_another(db_path):
    data = xlsx_bytes(jobs_sheet(["株洲市", 44]))
    report = load_bytes(data, "株洲.xlsx", db_path, region_code="430400", actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("就业创业!A3", "region-conflict")]
    assert "衡阳市" in report.errors[0].message


def test_same_value_in_two_long_sheets(db_path):
    rows = [["年度", "市州", "指标", "数值"], [2016, "株洲市", "举办招聘会场次", 44]]
    report = load_bytes(xlsx_bytes({"一": rows, "二": rows}), "两张长表.xlsx", db_path, actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("二!D2", "duplicate-region")]
    assert "一!D2" in report.errors[0].message


def test_wide_and_long_sheet_giving_the_same_slice(db_path):
    sheets = {
        "宽表": [["年度：2016"], JOBS, ["株洲市", 44]],
        "长表": [["年度", "市州", "指标", "数值"], [2016, "株洲市", "提供就业岗位数", 75700]],
    }
    report = load_bytes(xlsx_bytes(sheets), "混合.xlsx", db_path, actor=SYSTEM)
    assert [(i.location, i.code) for i in report.errors] == [("长表!D2", "duplicate-region")]
