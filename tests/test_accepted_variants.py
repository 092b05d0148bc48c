"""Every accepted way statisticians send a return ends as the same exact figures in the warehouse."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlwt

from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from tests.conftest import filled_template, header_of, stored, xlsx_bytes

ZHUZHOU_2016 = {
    ("株洲市", 2016, "举办招聘会场次"): 44.0,
    ("株洲市", 2016, "提供就业岗位数"): 75700.0,
    ("株洲市", 2016, "实现就业妇女人数"): 5890.0,
}
NOT_REPORTED_JOBS = ["创业就业培训期数", "创业就业培训人次", "巾帼示范基地数"]


def load(data: bytes, db_path, name: str = "return.xlsx", **kwargs):
    report = load_bytes(data, name, db_path, **kwargs, actor=SYSTEM)
    assert report.status == LOADED, [i.describe() for i in report.issues]
    assert report.issues == [], [i.describe() for i in report.issues]
    return report


def assert_zhuzhou(db_path) -> None:
    values = stored(db_path, 2016)
    for key, value in ZHUZHOU_2016.items():
        assert values[key] == value
    for name in NOT_REPORTED_JOBS:
        assert values[("株洲市", 2016, name)] is None  # blank = not reported, never 0


def test_official_template_as_filled(db_path):
    data = filled_template(
        2016,
        {
            ("就业创业", "株洲市", "举办招聘会场次"): 44,
            ("就业创业", "株洲市", "提供就业岗位数"): 75700,
            ("就业创业", "株洲市", "实现就业妇女人数"): 5890,
        },
    )
    report = load(data, db_path)
    assert_zhuzhou(db_path)
    # The other 13 rows were left blank: nothing is stored for them, not even NULLs.
    assert {k[0] for k in stored(db_path)} == {"株洲市"}
    assert report.store.slices == 1


def test_single_region_template_identified_by_meta(db_path):
    data = filled_template(
        2016,
        {("小额担保贷款", "益阳市", "发放贷款笔数"): 878, ("小额担保贷款", "益阳市", "发放贷款金额"): 10211.5},
        region_code="430900",
    )
    load(data, db_path, name="whatever-name.xlsx")
    values = stored(db_path)
    assert values[("益阳市", 2016, "发放贷款笔数")] == 878
    assert values[("益阳市", 2016, "发放贷款金额")] == 10211.5


def wide_jobs(rows: list[list[object]], header: list[str] | None = None) -> list[list[object]]:
    return [header or header_of("jobs"), *rows]


def test_renamed_reordered_sheets_with_notes_and_blank_rows(db_path):
    sheets = {
        "说明": [["这是说明页"], ["实现就业妇女人数的口径见文件"]],
        "Sheet3": [
            ["2016年株洲市妇联就业创业情况统计表"],
            ["填报单位：株洲市妇联", None, "年度：2016"],
            [],
            *wide_jobs([[None], ["株洲市", 44, 75700, 5890], [None]]),
            [],
            ["注：本表数据截至2016年12月31日。"],
            ["填表人：张三", None, "审核人：李四", None, "联系电话：0731-1234567"],
        ],
    }
    load(xlsx_bytes(sheets), db_path)
    assert_zhuzhou(db_path)


def test_columns_reordered_and_missing(db_path):
    header = ["实现就业妇女人数（人）", "市州", "举办招聘会场次(场)", "提供就业岗位数"]
    load(xlsx_bytes({"就业": [["年度：2016"], header, [5890, "株洲市", 44, 75700]]}), db_path)
    assert_zhuzhou(db_path)


@pytest.mark.parametrize(
    "label",
    [
        "举办招聘会场次（场）",
        "举办招聘会场次(场)",
        "举办招聘会场次 ( 场 )",
        "举办招聘会场次",
        "举办招聘会场次场",
        "举办招聘会场次（场）",
    ],
)
def test_units_in_any_parentheses_or_left_out(db_path, label):
    load(xlsx_bytes({"S": [["2016年"], ["市州", label], ["株洲市", 44]]}), db_path)
    assert stored(db_path)[("株洲市", 2016, "举办招聘会场次")] == 44


def test_year_column_with_several_years(db_path):
    rows = [["年度", *header_of("jobs")], [2016, "株洲市", 44, 75700, 5890], ["2017年", "株洲市", 50, 80000, 6000]]
    load(xlsx_bytes({"S": rows}), db_path)
    values = stored(db_path)
    assert values[("株洲市", 2016, "提供就业岗位数")] == 75700
    assert values[("株洲市", 2017, "提供就业岗位数")] == 80000


@pytest.mark.parametrize("above", [["年度：2016"], ["年度:2016"], ["2016年湖南省妇联就业创业统计表"], ["年度", 2016]])
def test_year_stated_above_the_header(db_path, above):
    load(xlsx_bytes({"S": [above, *wide_jobs([["株洲市", 44, 75700, 5890]])]}), db_path)
    assert_zhuzhou(db_path)


def test_year_given_on_the_command_line(db_path):
    load(xlsx_bytes({"S": wide_jobs([["株洲市", 44, 75700, 5890]])}), db_path, year=2016)
    assert_zhuzhou(db_path)


def test_fill_date_is_not_taken_for_the_year(db_path):
    sheets = {"S": [*wide_jobs([["株洲市", 44, 75700, 5890]]), ["填报日期：2017年1月5日"]]}
    rows = [["年度：2016"], ["填报日期：2017年1月5日"], *sheets["S"]]
    load(xlsx_bytes({"S": rows}), db_path)
    assert_zhuzhou(db_path)


def test_total_row_checked_and_not_stored(db_path):
    rows = [
        ["年度：2016"],
        *wide_jobs([["株洲市", 44, 75700, 5890], ["湘潭市", 6, 300, 100], ["合计", 50, 76000, 5990]]),
    ]
    load(xlsx_bytes({"S": rows}), db_path)
    values = stored(db_path)
    assert {k[0] for k in values} == {"株洲市", "湘潭市"}
    assert values[("湘潭市", 2016, "举办招聘会场次")] == 6


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("75,700", 75700),
        ("７５７００", 75700),
        (" 75700 ", 75700),
        ("7.57万", 75700),
        ("75700个", 75700),
        ("75，700", 75700),
    ],
)
def test_numbers_typed_as_text(db_path, typed, expected):
    load(xlsx_bytes({"S": [["2016年"], ["市州", "提供就业岗位数（个）"], ["株洲市", typed]]}), db_path)
    assert stored(db_path)[("株洲市", 2016, "提供就业岗位数")] == expected


@pytest.mark.parametrize(
    ("typed", "expected"), [("10211万元", 10211), ("10211", 10211), ("1.0211亿", 10211), (10211.25, 10211.25)]
)
def test_amounts_in_wan_yuan(db_path, typed, expected):
    load(xlsx_bytes({"S": [["2016年"], ["市州", "发放贷款金额（万元）"], ["益阳市", typed]]}), db_path)
    assert stored(db_path)[("益阳市", 2016, "发放贷款金额")] == expected


@pytest.mark.parametrize("blank", ["-", "—", "/", "无", "", None, " "])
def test_placeholders_mean_not_reported(db_path, blank):
    load(xlsx_bytes({"S": [["2016年"], ["市州", "举办招聘会场次", "提供就业岗位数"], ["株洲市", 44, blank]]}), db_path)
    values = stored(db_path)
    assert values[("株洲市", 2016, "举办招聘会场次")] == 44
    assert values[("株洲市", 2016, "提供就业岗位数")] is None


@pytest.mark.parametrize(
    "spelling",
    ["湘西土家族苗族自治州", "湘西", "湘西州", "湘西自治州", " 湘西州妇联 ", "湘 西 州", "湘西州\u3000"],
)
def test_region_spellings_xiangxi(db_path, spelling):
    load(xlsx_bytes({"S": [["2016年"], ["市州", "举办招聘会场次"], [spelling, 12]]}), db_path)
    assert stored(db_path)[("湘西土家族苗族自治州", 2016, "举办招聘会场次")] == 12


@pytest.mark.parametrize("spelling", ["株洲", "株洲市", "株洲市妇联", "株洲妇联", " 株 洲 市 ", "株洲市", "430200"])
def test_region_spellings_zhuzhou(db_path, spelling):
    load(xlsx_bytes({"S": [["2016年"], ["市州", "举办招聘会场次"], [spelling, 44]]}), db_path)
    assert stored(db_path)[("株洲市", 2016, "举办招聘会场次")] == 44


LONG_ROWS = [
    ["年度", "市州", "指标", "数值"],
    [2016, "株洲市", "举办招聘会场次", 44],
    [2016, "株洲市", "提供就业岗位数", "75,700"],
    [2016, "株洲市", "实现就业妇女人数", 5890],
]


def test_long_sheet(db_path):
    load(xlsx_bytes({"导出": LONG_ROWS}), db_path)
    assert_zhuzhou(db_path)


def test_long_sheet_with_unit_column(db_path):
    rows = [[*LONG_ROWS[0], "单位"]] + [[*r, u] for r, u in zip(LONG_ROWS[1:], ["场", "个", "人"], strict=True)]
    load(xlsx_bytes({"导出": rows}), db_path)
    assert_zhuzhou(db_path)


def csv_text() -> str:
    return "\r\n".join(",".join(f'"{v}"' for v in row) for row in LONG_ROWS) + "\r\n"


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf8.csv", lambda t: t.encode("utf-8")),
        ("bom.csv", lambda t: t.encode("utf-8-sig")),
        ("gbk.csv", lambda t: t.encode("gbk")),
        ("no-extension", lambda t: t.encode("gbk")),
    ],
)
def test_long_csv_in_any_encoding(db_path, name, encode):
    load(encode(csv_text()), db_path, name=name)
    assert_zhuzhou(db_path)


def test_wide_csv(db_path):
    text = (
        '年度：2016\n市州,举办招聘会场次（场）,提供就业岗位数（个）,实现就业妇女人数（人）\n株洲市,44,"75,700",5890\n'
    )
    load(text.encode("gbk"), db_path, name="株洲.csv")
    assert_zhuzhou(db_path)


def test_legacy_xls(db_path):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("就业创业")
    rows = [["年度：2016"], header_of("jobs"), ["株洲市", 44, 75700, 5890]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    load(buffer.getvalue(), db_path, name="株洲.xls")
    assert_zhuzhou(db_path)


def as_xlsm(data: bytes) -> bytes:
    """Turn an .xlsx into a macro-enabled .xlsm with a (fake) VBA project, as Excel saves it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            target.writestr(item, content)
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    return out.getvalue()


def test_xlsm_values_read_macros_ignored(db_path):
    data = as_xlsm(xlsx_bytes({"S": [["年度：2016"], *wide_jobs([["株洲市", 44, 75700, 5890]])]}))
    load(data, db_path, name="株洲.xlsm")
    assert_zhuzhou(db_path)


@pytest.mark.parametrize("name", ["株洲.csv", "株洲.txt", "株洲"])
def test_format_decided_by_bytes_not_extension(db_path, name):
    load(xlsx_bytes({"S": [["年度：2016"], *wide_jobs([["株洲市", 44, 75700, 5890]])]}), db_path, name=name)
    assert_zhuzhou(db_path)


def test_four_domains_in_one_province_file(db_path):
    data = filled_template(
        2016,
        {
            ("就业创业", "株洲市", "举办招聘会场次"): 44,
            ("小额担保贷款", "益阳市", "发放贷款笔数"): 878,
            ("小额担保贷款", "益阳市", "发放贷款金额"): 10211,
            ("两癌检查", "岳阳市", "两癌检查人数"): 103200,
            ("农村电商", "邵阳市", "村级电商服务站数"): 1287,
        },
    )
    report = load(data, db_path)
    assert report.store.slices == 4
    values = stored(db_path)
    assert values[("岳阳市", 2016, "两癌检查人数")] == 103200
    assert values[("岳阳市", 2016, "救助资金")] is None
    assert values[("邵阳市", 2016, "村级电商服务站数")] == 1287
