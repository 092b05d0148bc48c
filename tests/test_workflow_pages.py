"""填报进度, 上报记录 (history, restore) and 这个数哪来的？ driven through AppTest over real warehouses."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from etl import catalog, warehouse
from etl.config import PROJECT_ROOT, RAW_DIR
from etl.pipeline import LOADED, load_bytes
from etl.roles import SYSTEM
from etl.totals import MARK_NOTES
from etl.workbook import display_width
from tests.apptest import new_app, open_page, switch, texts
from tests.conftest import filled_template
from ui.history import change
from ui.progress import cn_date, notice

APP = str(PROJECT_ROOT / "app.py")
ZHUZHOU_2016_JOBS = {  # the demo's 2016 figures for 株洲市, but 44 → 50 招聘会
    "举办招聘会场次": 50,
    "提供就业岗位数": 75700,
    "实现就业妇女人数": 5890,
    "创业就业培训期数": 34,
    "创业就业培训人次": 18071,
    "巾帼示范基地数": 38,
}

EVERYONE = "全部 14 个市州（含 122 个县市区）、5 个省级单位"  # the demo's province-wide return


@pytest.fixture
def changed(demo_copy: Path) -> Path:
    """The demo copy after 株洲市 sent its 2016 就业创业 again with 50 招聘会 instead of 44: version 2."""
    values = {("就业创业", "株洲市", name): value for name, value in ZHUZHOU_2016_JOBS.items()}
    report = load_bytes(
        filled_template(2016, values, region_code="430200"),
        "株洲市_2016_更正.xlsx",
        demo_copy,
        source="app",
        submitted_by="株洲市统计员",
        actor=SYSTEM,
    )
    assert report.status == LOADED
    return demo_copy


def beijing_today() -> date:
    return warehouse.now_beijing().date()


# ---------------------------------------------------------------- 填报进度


def test_progress_matrix_summary_and_notices_on_the_demo(app, downloads):
    at = open_page(app, "app_pages/progress.py", year=2024)
    matrix = at.dataframe[0].value
    assert list(matrix.columns) == [d.name for d in catalog.domains()] + ["审核"]  # one column per 类别
    assert len(matrix) == 14
    assert set(matrix["审核"]) == {""}  # nothing locked in the demo
    assert matrix.loc["张家界市", "农村电商"] == "未报"
    assert matrix.loc["永州市", "两癌检查"].startswith("部分 8/9 · 已审核 · 20")
    assert matrix.loc["长沙市", "就业创业"].startswith("已报 · 已审核 · 20")
    assert "**已报 193 / 部分 1 / 未报 2**" in texts(at.markdown)
    assert "尚未设置截止日期。" in texts(at.caption)
    assert not any("（逾期）" in cell for cell in matrix.to_numpy().ravel())
    notices = texts(at.code)
    assert [n.splitlines()[2] for n in notices] == ["张家界市妇联：", "永州市妇联：", "湘西土家族苗族自治州妇联："]
    today = cn_date(beijing_today())
    assert notices[1].splitlines() == [
        "关于报送2024年度妇联统计数据的催报通知",
        "",
        "永州市妇联：",
        f"　　按照全省妇联统计工作安排，2024年度统计数据应及时通过湖南省妇联统计平台报送。截至{today}，"
        "你单位尚有以下数据未报送或需更正：",
        "　　一、两癌检查：已报送 8 项，救助资金共 1 项未填报。",
        "　　请尽快登录平台，在“数据上报”页面上传报表或在线填报。如有困难，请及时与省妇联联系。",
        "　　特此通知。",
        "",
        "湖南省妇女联合会",
        today,
    ]
    assert "　　一、农村电商：尚未报送。" in notices[0].splitlines()
    assert downloads["2024年催报通知.txt"]().decode("utf-8-sig") == "\n\n\n".join(notices) + "\n"


def test_progress_follows_the_city_filter(app):
    at = open_page(app, "app_pages/progress.py", year=2024)
    at.multiselect(key="filter_cities").set_value(["长沙市", "张家界市"]).run()
    assert list(at.dataframe[0].value.index) == ["长沙市", "张家界市"]
    assert "**已报 27 / 部分 0 / 未报 1**" in texts(at.markdown)
    assert [n.splitlines()[2] for n in texts(at.code)] == ["张家界市妇联："]


def test_a_statistician_reads_only_the_notice_to_their_own_city(demo_copy):
    at = open_page(new_app("zz"), "app_pages/progress.py", year=2024)  # 株洲市 reported everything in 2024
    assert texts(at.code) == [] and "本市州已报齐，无需催报。" in texts(at.success)
    at.multiselect(key="filter_cities").set_value(["张家界市"]).run()
    assert texts(at.code) == []  # another 市州's notice is not a 统计员's to read
    cs = open_page(new_app("cs"), "app_pages/progress.py", year=2025)
    (only,) = texts(cs.code)
    assert only.splitlines()[2] == "长沙市妇联："
    assert "本市州尚未报齐：以下是省妇联发出的催报通知的内容。" in texts(cs.caption)
    # The same 市州 at a glance: every 类别 with its state, in words.
    assert cs.dataframe[-1].value["状态"].tolist() == ["未报"] * len(catalog.domains())


def test_deadline_marks_late_submissions_and_words_the_notices(demo_copy):
    at = open_page(new_app(), "app_pages/progress.py", year=2024)
    past, future = beijing_today() - timedelta(days=2), beijing_today() + timedelta(days=30)
    cn = "{0.year}年{0.month}月{0.day}日".format

    at.date_input(key="progress_deadline_2024").set_value(past).run()
    at.button(key="progress_deadline_save").click().run()
    assert not at.exception
    assert texts(at.success) == [f"已保存：2024年截止日期为{cn(past)}。"]
    assert f"当前截止日期：{cn(past)}" in texts(at.caption)
    matrix = at.dataframe[0].value
    assert matrix.loc["长沙市", "就业创业"].endswith("（逾期）")
    assert matrix.loc["永州市", "两癌检查"].endswith("（逾期）")
    assert matrix.loc["张家界市", "农村电商"] == "未报"
    assert "**已报 193 / 部分 1 / 未报 2；其中逾期上报 194 项**" in texts(at.markdown)
    lines = texts(at.code)[0].splitlines()
    assert f"2024年度统计数据应于{cn(past)}前通过湖南省妇联统计平台报送。" in lines[3]
    assert (
        lines[5] == f"　　报送截止日期{cn(past)}已过，请于收到本通知后尽快登录平台补报。如有困难，请及时与省妇联联系。"
    )

    at.date_input(key="progress_deadline_2024").set_value(future).run()
    at.button(key="progress_deadline_save").click().run()
    matrix = at.dataframe[0].value
    assert not any("（逾期）" in cell for cell in matrix.to_numpy().ravel())
    assert texts(at.code)[0].splitlines()[5] == (
        f"　　请于{cn(future)}前（还有 30 天）登录平台补报。如有困难，请及时与省妇联联系。"
    )
    with warehouse.connect(demo_copy, read_only=True) as con:
        assert warehouse.deadline_of(con, 2024) == future


NOTICE_ROWS = [
    {"domain": "screening", "domain_name": "两癌检查", "indicators": 6, "reported": 3, "status": "published"},
    {"domain": "ecommerce", "domain_name": "农村电商", "indicators": 5, "reported": 0, "status": None},
    {"domain": "jobs", "domain_name": "就业创业", "indicators": 6, "reported": 6, "status": "returned",
     "review_note": "岗位数少填一位"},
    {"domain": "loans", "domain_name": "小额担保贷款", "indicators": 6, "reported": 6, "status": "pending"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("deadline", "ask"),
    [
        (None, "　　请尽快登录平台，在“数据上报”页面上传报表或在线填报。如有困难，请及时与省妇联联系。"),
        (date(2025, 1, 31), "　　请于2025年1月31日前（还有 21 天）登录平台补报。如有困难，请及时与省妇联联系。"),
        (
            date(2025, 1, 10),
            "　　今天（2025年1月10日）为报送截止日期，请于今天内登录平台补报。如有困难，请及时与省妇联联系。",
        ),
        (
            date(2024, 12, 31),
            "　　报送截止日期2024年12月31日已过，请于收到本通知后尽快登录平台补报。如有困难，请及时与省妇联联系。",
        ),
    ],
)
def test_notice_wording(deadline, ask):
    missing = {"screening": ["乳腺癌检查人数", "查出患病人数", "救助资金"]}
    text = notice("衡阳市", 2024, NOTICE_ROWS, missing, deadline, today=date(2025, 1, 10))
    due = f"应于{deadline.year}年{deadline.month}月{deadline.day}日前" if deadline else "应及时"
    assert text.splitlines() == [
        "关于报送2024年度妇联统计数据的催报通知",
        "",
        "衡阳市妇联：",
        f"　　按照全省妇联统计工作安排，2024年度统计数据{due}通过湖南省妇联统计平台报送。截至2025年1月10日，"
        "你单位尚有以下数据未报送或需更正：",
        "　　一、两癌检查：已报送 3 项，乳腺癌检查人数、查出患病人数、救助资金共 3 项未填报；",
        "　　二、农村电商：尚未报送；",
        "　　三、就业创业：已被省妇联退回（退回原因：岗位数少填一位），请更正后重新报送。",
        ask,
        "　　特此通知。",
        "",
        "湖南省妇女联合会",
        "2025年1月10日",
    ]
    assert notice("衡阳市", 2024, NOTICE_ROWS[3:], {}, deadline, today=date(2025, 1, 10)) is None


def test_history_on_an_empty_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("HNFL_WAREHOUSE", str(tmp_path / "none.duckdb"))
    at = open_page(new_app(), "app_pages/history.py")
    assert texts(at.info) == ["尚无数据，请先上报。"]
    assert not (tmp_path / "none.duckdb").exists()


def test_progress_before_the_first_return_offers_the_year_being_collected(tmp_path, monkeypatch):
    """Staff land on the year being collected even with no warehouse yet, so its deadline can be set ahead."""
    monkeypatch.setenv("HNFL_WAREHOUSE", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("HNFL_COLLECTING_YEAR", "2025")
    at = open_page(new_app(), "app_pages/progress.py")
    assert at.selectbox(key="filter_year").value == 2025
    assert at.selectbox(key="filter_year").options == ["2025年"]
    matrix = at.dataframe[0].value
    assert len(matrix) == 14 and set(matrix["就业创业"]) == {"未报"}
    assert "**已报 0 / 部分 0 / 未报 196**" in texts(at.markdown)
    assert not (tmp_path / "none.duckdb").exists()  # looking creates nothing
    at.date_input(key="progress_deadline_2025").set_value(date(2026, 3, 31)).run()
    at.button(key="progress_deadline_save").click().run()
    assert texts(at.success) == ["已保存：2025年截止日期为2026年3月31日。"]
    assert "当前截止日期：2026年3月31日" in texts(at.caption)


# ---------------------------------------------------------------- 上报记录


def test_history_lists_submissions_and_gives_back_the_original_file(app, downloads):
    at = open_page(app, "app_pages/history.py", year=2024)
    assert at.dataframe[0].value["上报编号"].tolist() == [9]  # only the sidebar year at first
    at.toggle(key="history_year_only").set_value(False).run()
    table = at.dataframe[0].value
    assert table["上报编号"].tolist() == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert table.iloc[-1][["市州", "年度", "类别", "文件名", "上报人", "来源", "警告数", "示例数据"]].tolist() == [
        EVERYONE, "2016", "全部 14 类", "示例_2016_全省报表.xlsx", "示例数据", "示例数据", 0, "是",
    ]  # fmt: skip

    at.selectbox(key="history_submission").set_value(1).run()
    assert "**第 1 号上报所含数据（4448 项）**" in texts(at.markdown)
    values = at.dataframe[1].value.set_index(["市州", "指标"])
    assert values.loc[("株洲市", "举办招聘会场次"), ["数值", "来源单元格"]].tolist() == ["44", "就业创业!B6"]
    assert "上报时没有警告。" in texts(at.caption)
    assert downloads["示例_2016_全省报表.xlsx"]() == (RAW_DIR / "示例_2016_全省报表.xlsx").read_bytes()


def test_history_list_downloads_as_a_formatted_workbook(app, downloads):
    at = open_page(app, "app_pages/history.py", year=2016)
    ws = openpyxl.load_workbook(io.BytesIO(downloads["上报记录.xlsx"]())).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "上报记录"
    assert re.fullmatch(r"筛选：市州 全部 14 个市州；2016年；导出时间 \d{4}-\d\d-\d\d \d\d:\d\d", rows[1][0])
    assert rows[2] == ["时间", "上报编号", "市州", "年度", "类别", "文件名", "上报人", "来源", "警告数", "备注"]
    first = [1, EVERYONE, "2016", "全部 14 类", "示例_2016_全省报表.xlsx", "示例数据", "示例数据", 0, "示例"]
    assert rows[3][1:] == first
    assert ws["B4"].number_format == "0" and ws.freeze_panes == "A4"
    assert ws.column_dimensions["F"].width == display_width("示例_2016_全省报表.xlsx") + 2
    assert rows[-1][0] == MARK_NOTES["示例"]
    csv_text = downloads["上报记录.csv"]().decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "时间,上报编号,市州,年度,类别,文件名,上报人,来源,警告数,示例数据"
    assert at.dataframe[0].value["上报编号"].tolist() == [1]


def test_history_list_marks_a_submission_waiting_for_review(changed, downloads):
    open_page(new_app(), "app_pages/history.py", year=2016)
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(downloads["上报记录.xlsx"]())).active.values]
    assert {r[1]: r[-1] for r in rows[3:] if isinstance(r[1], int)} == {10: "待审核", 1: "示例"}
    assert rows[-2:] == [[MARK_NOTES["示例"]] + [None] * 9, [MARK_NOTES["待审核"]] + [None] * 9]


def test_history_follows_the_city_filter(changed):
    at = open_page(new_app(), "app_pages/history.py", year=2016)
    assert at.dataframe[0].value["上报编号"].tolist() == [10, 1]
    assert at.dataframe[0].value["市州"].tolist() == ["株洲市", EVERYONE]
    at.multiselect(key="filter_cities").set_value(["益阳市"]).run()
    assert at.dataframe[0].value["上报编号"].tolist() == [1]


def test_restore_an_earlier_version(changed):
    at = open_page(new_app(), "app_pages/history.py", year=2016, pending=True)
    at.selectbox(key="history_slice_city").set_value("430200").run()
    assert "**第 2 版**（当前） · 待审核" in texts(at.markdown)
    assert "**第 1 版**（领导看到的版本） · 已审核通过" in texts(at.markdown)
    newest = at.dataframe[2].value.set_index("指标")["与上一版相比"]
    assert newest["举办招聘会场次"] == "44 → 50"
    assert newest["提供就业岗位数"] == "未变"

    at.button(key="history_restore_430200_2016_jobs_1").click().run()
    assert not at.exception
    assert texts(at.success) == ["已恢复第 1 版：新上报编号 11，1 组生成新版本，待审核通过后发布。"]
    assert [m for m in texts(at.markdown) if m.startswith("**第 ")][-3:] == [
        "**第 3 版**（当前） · 待审核", "**第 2 版** · 未审核，已被新版本取代",
        "**第 1 版**（领导看到的版本） · 已审核通过",
    ]  # fmt: skip
    with warehouse.connect(changed, read_only=True) as con:
        assert len(warehouse.slice_versions_of(con, "430200", 2016, "jobs")) == 3
        assert warehouse.provenance(con, "430200", 2016, "job_fairs", include_pending=True)["value"] == 44

    at.selectbox(key="history_submission").set_value(11).run()
    assert "这条记录是“恢复版本”操作，没有原始文件。" in texts(at.info)
    switch(at, "app_pages/jobs.py").run()
    at.selectbox(key="jobs_indicator").set_value("job_fairs").run()
    # staff with 含待审核数据 see the restored figure at once: v1's 44 again, equal to the published one
    assert at.dataframe[0].value.loc["株洲市", "2016年"] == "44"


def test_restoring_a_version_equal_to_the_current_one_makes_none(changed):
    at = open_page(new_app(), "app_pages/history.py", year=2016)
    at.selectbox(key="history_slice_city").set_value("430200").run()
    at.button(key="history_restore_430200_2016_jobs_1").click().run()  # 44 again
    at.button(key="history_restore_430200_2016_jobs_1").click().run()  # and once more: nothing new
    assert texts(at.info)[-1:] == ["第 1 版与当前数据完全相同，无需恢复，未生成新版本。"]
    with warehouse.connect(changed, read_only=True) as con:
        assert len(warehouse.slice_versions_of(con, "430200", 2016, "jobs")) == 3


@pytest.mark.parametrize(
    ("old", "new", "first", "expected"),
    [(None, 44.0, True, "新增"), (None, None, True, "未填报"), (44.0, 44.0, False, "未变"),
     (None, 5.0, False, "新增"), (44.0, 50.0, False, "44 → 50"), (38.0, None, False, "38 → 未填报"),
     (75700.0, 80000.0, False, "75,700 → 80,000")],
)  # fmt: skip
def test_change_between_versions(old, new, first, expected):
    assert change(old, new, first, "个") == expected  # in the one number style of the unit


# ---------------------------------------------------------------- 这个数哪来的？


def select_cell(at: AppTest, key: str, row: int, column: str) -> None:
    """Click one cell of a selectable st.dataframe, as a person would, and rerun."""
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[row, column]]}}
    at.run()


def provenance_rows(at: AppTest) -> dict[str, str]:
    frame = next(d.value for d in reversed(at.dataframe) if list(d.value.columns) == ["项目", "内容"])
    return dict(zip(frame["项目"], frame["内容"], strict=True))


def test_provenance_on_the_history_page(changed):
    at = open_page(new_app(), "app_pages/history.py", year=2016)
    at.selectbox(key="history_prov_city").set_value("430200")
    at.selectbox(key="history_prov_indicator").set_value("job_fairs").run()
    assert "**株洲市2016年举办招聘会场次：44场**" in texts(at.markdown)  # published: the correction waits
    assert provenance_rows(at)["审核状态"].startswith("已审核通过（示例数据，")
    at.toggle(key="filter_pending").set_value(True).run()
    assert "**株洲市2016年举办招聘会场次：50场**" in texts(at.markdown)
    rows = provenance_rows(at)
    assert rows["来源文件"] == "株洲市_2016_更正.xlsx"
    assert rows["位置"] == "就业创业!B5"
    assert rows["上报人"] == "株洲市统计员"
    assert (rows["版本"], rows["审核状态"]) == ("第 2 版", "待审核")
    assert rows["修改情况"] == "原为 44场（第 1 版）"
    at.selectbox(key="history_prov_indicator").set_value("loan_amount").run()
    assert provenance_rows(at)["修改情况"] == "首次上报，没有更早的已审核版本"
    at.selectbox(key="history_prov_year").set_value(2024).run()
    at.selectbox(key="history_prov_city").set_value("430800")
    at.selectbox(key="history_prov_indicator").set_value("village_stations").run()
    assert "张家界市2024年尚无上报的“农村电商”数据，村级电商服务站数没有来源可查。" in texts(at.info)


def test_provenance_one_click_from_the_domain_table(app):
    at = open_page(app, "app_pages/jobs.py", year=2016)
    at.selectbox(key="jobs_indicator").set_value("job_fairs").run()
    assert "**这个数哪来的？**" not in texts(at.markdown)
    select_cell(at, "jobs_job_fairs_table", 1, "2016年")
    assert not at.exception
    assert "**株洲市2016年举办招聘会场次：44场**" in texts(at.markdown)
    rows = provenance_rows(at)
    assert rows["位置"] == "就业创业!B6"
    assert rows["来源文件"] == "示例_2016_全省报表.xlsx"
    assert rows["示例数据"] == "是：虚构数字，仅供演示"


def test_provenance_of_a_derived_rate_explains_both_parts(app):
    at = open_page(app, "app_pages/loans.py", year=2016)
    at.selectbox(key="loans_indicator").set_value("average_loan").run()
    select_cell(at, "loans_average_loan_table", 8, "2016年")
    assert not at.exception
    assert "这是计算得出的比率，下面分别是参与计算的两项上报数。" in texts(at.caption)
    assert [m for m in texts(at.markdown) if m.startswith("**益阳市")] == [
        "**益阳市2016年发放贷款金额：10211万元**", "**益阳市2016年发放贷款笔数：878笔**",
    ]  # fmt: skip


def test_provenance_one_click_from_the_city_profile(app):
    at = open_page(app, "app_pages/city_profile.py", year=2016)
    at.selectbox(key="profile_city").set_value("430200").run()
    # row 1 of the 就业创业 table is 提供就业岗位数
    select_cell(at, "profile_jobs", 1, "2016年")
    assert not at.exception
    assert "**株洲市2016年提供就业岗位数：75700个**" in texts(at.markdown)
    assert provenance_rows(at)["位置"] == "就业创业!D6"
