"""The statistician's desk on 数据上报: each 类别's state, deadline and lock in words before anything else; several
files at once, each with its own verdict, submitted together or one by one; the 回执 of each."""

from __future__ import annotations

import io
from datetime import date, timedelta

import duckdb
import openpyxl
import pytest

from etl import actions, audit
from etl.config import MAX_FILE_BYTES
from etl.pipeline import load_bytes
from etl.roles import ADMIN, REVIEWER, STATISTICIAN, User
from etl.warehouse import now_beijing
from tests.apptest import new_app, open_page, seen, texts
from tests.conftest import filled_template
from ui import plain
from ui.desk import deadline_text

CS = User("cs", STATISTICIAN, "430100")
REV, ADMIN_USER = User("rev", REVIEWER), User("admin", ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGSHA_2025 = {
    "长沙就业.xlsx": {("就业创业", "长沙市", "举办招聘会场次"): 120, ("就业创业", "长沙市", "提供就业岗位数"): 131000},
    # 60 万元 a loan: a warning to confirm and explain
    "长沙贷款.xlsx": {
        ("小额担保贷款", "长沙市", "发放贷款笔数"): 1700,
        ("小额担保贷款", "长沙市", "发放贷款金额"): 102000,
    },
    "长沙两癌.xlsx": {("两癌检查", "长沙市", "两癌检查人数"): "近13万"},  # an error: refused
    "长沙电商.xlsx": {("农村电商", "长沙市", "村级电商服务站数"): 2900},
}


@pytest.fixture
def desk_db(demo_copy, monkeypatch):
    monkeypatch.setenv("HNFL_COLLECTING_YEAR", "2025")
    return demo_copy


def changsha(name: str) -> bytes:
    return filled_template(2025, CHANGSHA_2025[name], region_code="430100")


def submissions(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select submission_id, file_name, source, note from submissions where submission_id >= 10 order by 1"
        ).fetchall()


def table(at, column: str):  # noqa: ANN001, ANN201 - an AppTest; a DataFrame
    return next(d.value for d in at.dataframe if column in d.value.columns)


# ---------------------------------------------------------------- status before anything else


@pytest.mark.parametrize(
    ("deadline", "said"),
    [
        (None, "2025年尚未设置截止日期。"),
        (date(2026, 3, 31), "2025年截止日期：2026年3月31日，还有 21 天。"),
        (date(2026, 3, 10), "2025年截止日期：2026年3月10日，今天截止。"),
        (date(2026, 3, 5), "2025年截止日期2026年3月5日已过 5 天：仍可上报，上报时间将标为逾期。"),
    ],
)
def test_deadline_in_words(deadline, said):
    assert deadline_text(2025, deadline, date(2026, 3, 10)) == said


def test_each_category_with_its_state_reason_lock_and_deadline(desk_db):
    for name in ("长沙就业.xlsx", "长沙贷款.xlsx"):
        load_bytes(changsha(name), name, desk_db, actor=CS, source="app", note="含大额贷款")
    screening = filled_template(2025, {("两癌检查", "长沙市", "两癌检查人数"): 131000}, region_code="430100")
    load_bytes(screening, "长沙两癌更正.xlsx", desk_db, actor=CS, source="app")
    warning = (
        "小额担保贷款",
        "D5",
        "平均每笔贷款 60.00 万元，超出常见范围（0.5–50 万元）。金额是否误按“元”填报？应以万元计。",
    )
    actions.approve(REV, desk_db, confirmed=[(11, *warning)], year=2025, region_code="430100", domain="loans")
    actions.send_back(
        REV, desk_db, reason="宫颈癌、乳腺癌检查人数未填", year=2025, region_code="430100", domain="screening"
    )
    passed = now_beijing().date() - timedelta(days=3)
    actions.set_deadline(ADMIN_USER, desk_db, 2025, passed)

    at = open_page(new_app("cs"), "app_pages/upload.py")
    status = at.dataframe[0].value
    assert status[["类别", "状态", "已填报"]].values.tolist() == [
        ["就业创业", "待审核", "2/7 项"], ["小额担保贷款", "已通过", "2/6 项"], ["两癌检查", "退回", "0/9 项"],
        ["农村电商", "未报", "0/5 项"], ["巾帼志愿服务", "未报", "0/5 项"], ["家庭教育与家风", "未报", "0/4 项"],
        ["维权服务", "未报", "0/6 项"], ["儿童关爱", "未报", "0/4 项"], ["基层组织建设", "未报", "0/3 项"],
        ["妇联干部培训", "未报", "0/3 项"],  # of 4: one is reported by the 省级单位 only
        ["网上妇联与新媒体", "未报", "0/4 项"], ["争取项目资金", "未报", "0/2 项"],
        ["合作社与致富带头人", "未报", "0/4 项"], ["调查研究", "未报", "0/2 项"],
    ]  # fmt: skip
    remarks = status.set_index("类别")["说明"]
    assert remarks["就业创业"] == "已上报，等待省妇联审核；审核前仍可重新上报。"
    assert remarks["小额担保贷款"] == "已审核锁定，不能再上报；如需更正，请联系管理员解除锁定。"
    assert status.set_index("类别").loc["小额担保贷款", "审核锁定"].startswith("rev 于 2")
    assert remarks["两癌检查"].startswith("退回原因：宫颈癌、乳腺癌检查人数未填（rev 2")
    assert remarks["农村电商"] == "请上传报表或在线填报。"
    assert "**长沙市2025年：14 类中 已通过 1 类，待审核 1 类，退回 1 类，未报 11 类。**" in texts(at.markdown)
    (late,) = [w for w in texts(at.warning) if "截止日期" in w]
    assert late.endswith("已过 3 天：仍可上报，上报时间将标为逾期。")

    admin = open_page(new_app("admin"), "app_pages/upload.py")
    overview = admin.dataframe[0].value
    assert overview.loc["长沙市"].tolist() == ["待审核", "已通过 · 锁定", "退回"] + ["未报"] * 11
    assert overview.loc["株洲市"].tolist() == ["未报"] * 14
    admin.selectbox[0].set_value("430100").run()  # one 市州: the same table the 统计员 sees
    assert admin.dataframe[0].value["状态"].tolist() == ["待审核", "已通过", "退回"] + ["未报"] * 11


# ---------------------------------------------------------------- several files, one review


def upload_four(at):  # noqa: ANN001, ANN201 - an AppTest
    files = [(name, changsha(name), XLSX) for name in CHANGSHA_2025]
    at.file_uploader[0].set_value(files).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_four_files_at_once_each_with_its_verdict_submitted_together(desk_db, downloads):
    at = upload_four(open_page(new_app("cs"), "app_pages/upload.py"))
    verdicts = table(at, "结果")
    assert verdicts[["文件名", "结果", "所含数据"]].values.tolist() == [
        ["长沙就业.xlsx", "通过", "长沙市2025年：就业创业"], ["长沙贷款.xlsx", "通过", "长沙市2025年：小额担保贷款"],
        ["长沙两癌.xlsx", "拒绝", "长沙市2025年：两癌检查"], ["长沙电商.xlsx", "通过", "长沙市2025年：农村电商"],
    ]  # fmt: skip
    assert verdicts["说明"].tolist()[1:3] == ["1 个警告，提交前须核实并填写上报说明", "1 个错误，未写入任何数据"]
    assert [seen(e.label) for e in at.expander] == [
        "1. 长沙就业.xlsx：通过", "2. 长沙贷款.xlsx：通过", "3. 长沙两癌.xlsx：拒绝", "4. 长沙电商.xlsx：通过",
    ]  # fmt: skip
    assert "“长沙两癌.xlsx”有 1 个错误，未写入任何数据。请按下表逐项更正后重新上传。" in map(seen, texts(at.error))
    marked = openpyxl.load_workbook(io.BytesIO(downloads["长沙两癌（标注）.xlsx"]()))["两癌检查"]["B5"]
    assert (marked.value, marked.fill.fgColor.rgb) == ("近13万", "FFFFC7CE")
    assert marked.comment.text.startswith("错误：“近13万”是约数，是估计的数字。")
    submit_all = next(b for b in at.button if b.label == "提交全部 3 个通过检查的文件")
    assert submit_all.proto.disabled  # the loan file's warning is not confirmed yet
    assert "以下文件有警告，须在其栏目中勾选“已核实，仍然提交”并填写上报说明：长沙贷款.xlsx" in map(
        seen, texts(at.caption)
    )

    at.checkbox(key="batch2_confirm_0").check()
    at.text_input(key="batch2_note_0").input("含两笔大额创业贷款").run()
    next(b for b in at.button if b.label == "提交全部 3 个通过检查的文件").click().run()
    assert not at.exception
    assert "已处理 4 个文件：提交 3 个，待审核通过后发布。" in texts(at.success)
    outcome = table(at, "结果")
    assert outcome["结果"].tolist() == ["已提交", "已提交", "拒绝", "已提交"]
    assert outcome["说明"].tolist()[0].startswith("“长沙就业.xlsx”已提交（上报编号 10）")
    assert submissions(desk_db) == [
        (10, "长沙就业.xlsx", "app", None), (11, "长沙贷款.xlsx", "app", "含两笔大额创业贷款"),
        (12, "长沙电商.xlsx", "app", None),
    ]  # fmt: skip
    labels = [seen(b.label) for b in at.get("download_button")]
    assert [x for x in labels if x.startswith("下载回执")] == [
        "下载回执：长沙就业.xlsx", "下载回执：长沙贷款.xlsx", "下载回执：长沙电商.xlsx",
    ]  # fmt: skip
    assert "下载标注后的报表" in labels and "“长沙两癌.xlsx”未提交：请按问题更正后重新上传。" in texts(at.text)
    assert at.file_uploader[0].key == "upload_file_1" and not at.file_uploader[0].value  # emptied
    refused = audit.entries(desk_db, actions=["refusal"])
    assert [e["file_name"] for e in refused] == ["长沙两癌.xlsx"]  # once, not once per rerun


def test_files_submitted_one_by_one(desk_db):
    at = open_page(new_app("cs"), "app_pages/upload.py")
    files = [(name, changsha(name), XLSX) for name in ("长沙就业.xlsx", "长沙电商.xlsx")]
    at.file_uploader[0].set_value(files).run()
    buttons = [b for b in at.button if b.label == "只提交这个文件"]
    assert len(buttons) == 2
    buttons[0].click().run()
    assert table(at, "结果")["结果"].tolist() == ["已提交", "通过"]
    assert [b.label for b in at.button if b.label.startswith("提交全部")] == ["提交全部 1 个通过检查的文件"]
    assert len(at.file_uploader[0].value) == 2  # the others stay to be submitted
    next(b for b in at.button if b.label == "只提交这个文件").click().run()
    assert "已处理 2 个文件：提交 2 个，待审核通过后发布。" in texts(at.success)
    assert [row[1] for row in submissions(desk_db)] == ["长沙就业.xlsx", "长沙电商.xlsx"]


def test_a_file_of_another_city_is_refused_in_a_batch_and_the_rest_go(desk_db):
    zhuzhou = filled_template(2025, {("就业创业", "株洲市", "举办招聘会场次"): 51}, region_code="430200")
    at = open_page(new_app("cs"), "app_pages/upload.py")
    at.file_uploader[0].set_value([("株洲.xlsx", zhuzhou, XLSX), ("长沙电商.xlsx", changsha("长沙电商.xlsx"), XLSX)])
    at.run()
    assert table(at, "结果")["结果"].tolist() == ["拒绝", "通过"]
    next(b for b in at.button if b.label == "提交全部 1 个通过检查的文件").click().run()
    assert [row[1] for row in submissions(desk_db)] == ["长沙电商.xlsx"]


def test_the_size_limit_holds_per_file_in_a_batch(desk_db):
    at = open_page(new_app("cs"), "app_pages/upload.py")
    huge = b"x" * (MAX_FILE_BYTES + 100_000)
    at.file_uploader[0].set_value([("大.xlsx", huge, XLSX), ("长沙电商.xlsx", changsha("长沙电商.xlsx"), XLSX)])
    at.run()
    verdicts = table(at, "结果")
    assert verdicts[["文件名", "结果", "说明"]].values.tolist() == [
        ["大.xlsx", "拒绝", "1 个错误，未写入任何数据"], ["长沙电商.xlsx", "通过", "没有问题，可以提交"],
    ]  # fmt: skip
    issues = next(d.value for d in at.dataframe if "问题与处理办法" in d.value.columns)
    assert issues.values.tolist() == [
        ["错误", "整个文件", "文件大小 10.1 MB 超过上限 10 MB，请只保留报表数据后再上报。"]
    ]
    next(b for b in at.button if b.label == "提交全部 1 个通过检查的文件").click().run()
    assert [row[1] for row in submissions(desk_db)] == ["长沙电商.xlsx"]


def test_file_names_in_a_batch_stay_text(desk_db):
    hostile = "**贷款**[点此](http://evil.example)<b>.xlsx"
    at = open_page(new_app("cs"), "app_pages/upload.py")
    files = [(hostile, changsha("长沙贷款.xlsx"), XLSX), ("长沙电商.xlsx", changsha("长沙电商.xlsx"), XLSX)]
    at.file_uploader[0].set_value(files).run()
    escaped = plain.markdown(hostile)
    assert at.expander[0].label == f"1. {escaped}：通过"
    assert f"以下文件有警告，须在其栏目中勾选“已核实，仍然提交”并填写上报说明：{escaped}" in texts(at.caption)
    assert table(at, "结果")["文件名"].tolist() == [hostile, "长沙电商.xlsx"]  # a table cell: as typed
