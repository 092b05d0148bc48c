"""在线填报: one 类别 typed in the browser, its draft kept per account across sessions, submitted through the same
checks, load and review as a file; the 回执 of a submission, from the outcome and from 上报记录."""

from __future__ import annotations

import io

import docx
import duckdb
import pytest

from etl import accounts, actions, online, roles
from etl.pipeline import LOADED, REFUSED
from etl.roles import ADMIN, PermissionDenied, User
from tests.apptest import new_app, open_page, seen, texts
from tests.conftest import fingerprint

CS = User("cs", roles.STATISTICIAN, "430100")
JOBS = ("430100", 2025, "jobs")
LOANS = ("430100", 2025, "loans")


@pytest.fixture
def desk_db(demo_copy, monkeypatch):
    monkeypatch.setenv("HNFL_COLLECTING_YEAR", "2025")
    return demo_copy


def entry_page(user: str = "cs", domain: str = "jobs"):  # noqa: ANN201 - an AppTest
    at = open_page(new_app(user), "app_pages/entry.py")
    if domain != "jobs":
        at.radio(key="entry_domain").set_value(domain).run()
    return at


def type_in(at, key: tuple, **values: float) -> None:  # noqa: ANN001 - an AppTest
    from ui.entry import input_key

    for code, value in values.items():
        at.number_input(key=input_key(key, code)).set_value(value)


def click(at, label: str) -> None:  # noqa: ANN001
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def rows(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_draft_outlives_the_session_and_the_entry_is_submitted_as_a_file_would_be(desk_db, downloads):
    at = entry_page()
    labels = [n.label for n in at.number_input if n.key.startswith("entry_430100_2025_jobs_")]
    assert labels == [  # the catalogue's order, units shown
        "举办招聘会场次（场）", "提供就业岗位数（个）", "实现就业妇女人数（人）", "创业就业培训期数（期）",
        "创业就业培训人次（人次）", "巾帼示范基地数（个）", "培训受益人数（人）",
    ]  # fmt: skip
    assert texts(at.text)[:2] == ["上年（已发布）：117 场", "上年（已发布）：130,786 个"]  # 长沙市 2024
    type_in(at, JOBS, job_fairs=120, jobs_offered=131000, women_employed=13500)
    click(at, "保存草稿")
    (saved,) = texts(at.success)
    assert saved.startswith("草稿已保存（2") and saved.endswith("）。刷新页面或退出后再登录，都可以接着填写。")
    assert rows(desk_db, "select count(*) from submissions where submission_id >= 10") == [(0,)]  # a draft only

    later = entry_page()  # another session, as after a reload or logging in again
    prefix = "entry_430100_2025_jobs_"
    values = {n.key.removeprefix(prefix): n.value for n in later.number_input if n.key.startswith(prefix)}
    assert values == {
        "job_fairs": 120, "jobs_offered": 131000, "women_employed": 13500, "training_sessions": None,
        "training_attendance": None, "demo_bases": None, "training_beneficiaries": None,
    }  # fmt: skip
    assert any(c.startswith("草稿保存于 2") for c in texts(later.caption))

    click(later, "检查并提交")
    assert texts(later.success)[0] == (
        "已提交（上报编号 10）：新增 3 项，更改 0 项，未变 0 项。待省妇联审核通过后发布，领导才会看到。"
    )
    sql = "select source, file_name, file_kind, archive_path from submissions where submission_id = 10"
    assert rows(desk_db, sql) == [
        ("online", "在线填报（长沙市2025年就业创业）", "online", None)
    ]  # fmt: skip
    facts = rows(desk_db, "select indicator, value, sheet, cell from facts where submission_id = 10 order by rowid")
    assert facts[:3] == [
        ("job_fairs", 120.0, "在线填报", "举办招聘会场次"), ("jobs_offered", 131000.0, "在线填报", "提供就业岗位数"),
        ("women_employed", 13500.0, "在线填报", "实现就业妇女人数"),
    ]  # fmt: skip
    assert [v for _, v, _, _ in facts[3:]] == [None] * 4  # blank stays 未填报, never 0
    assert rows(desk_db, "select status from slice_versions where submission_id = 10") == [("pending",)]
    assert online.draft(CS, desk_db, JOBS) is None  # the draft goes once submitted

    receipt = docx.Document(io.BytesIO(downloads["上报回执_第10号.docx"]()))
    facts_table = {r.cells[0].text: r.cells[1].text for r in receipt.tables[0].rows}
    assert (facts_table["上报方式"], facts_table["文件名"], facts_table["SHA-256"]) == (
        "在线填报", "在线填报", "在线填报，无文件"
    )  # fmt: skip
    assert [c.text for c in receipt.tables[1].rows[1].cells] == ["举办招聘会场次", "场", "120", "在线填报"]
    assert "长沙市2025年就业创业（第 1 版）：待审核。" in [p.text for p in receipt.paragraphs]

    history = open_page(new_app("cs"), "app_pages/history.py", year=2025)
    values_table = next(d.value for d in history.dataframe if "来源单元格" in d.value.columns)
    assert set(values_table["来源单元格"]) == {"在线填报"}
    assert "这次是在线填报，没有原始文件；填报的数值见上表，也可下载回执。" in texts(history.info)
    assert "在线填报" in history.dataframe[0].value["来源"].tolist()


def test_a_warning_must_be_confirmed_and_explained(desk_db):
    at = entry_page(domain="loans")
    type_in(at, LOANS, loan_count=1700, loan_amount=102000.0)
    click(at, "检查并提交")
    issues = next(d.value for d in at.dataframe if "指标" in d.value.columns)
    assert issues.values.tolist() == [
        [
            "警告",
            "发放贷款金额",
            "平均每笔贷款 60.00 万元，超出常见范围（0.5–50 万元）。金额是否误按“元”填报？应以万元计。",
        ]
    ]
    confirm = next(b for b in at.button if b.label == "确认提交")
    assert confirm.proto.disabled
    at.checkbox(key="entry_confirm").check()
    at.text_input(key="entry_note").input("含两笔大额创业贷款").run()
    click(at, "确认提交")
    assert texts(at.success)[0].startswith("已提交（上报编号 10）")
    assert rows(desk_db, "select note, source from submissions where submission_id = 10") == [
        ("含两笔大额创业贷款", "online")
    ]
    assert rows(desk_db, "select message from submission_issues where submission_id = 10")[0][0].startswith(
        "平均每笔贷款 60.00 万元"
    )


def test_an_impossible_figure_is_refused_with_the_fix_and_nothing_is_written(desk_db):
    before = fingerprint(desk_db)
    at = entry_page(domain="loans")
    type_in(at, LOANS, loan_count=1700, loan_amount=1020000000.0)  # 元 typed where 万元 belong
    click(at, "检查并提交")
    issues = next(d.value for d in at.dataframe if "指标" in d.value.columns)
    assert issues["指标"].tolist()[0] == "发放贷款金额"
    assert "是否按元填写？按万元应为 102000。" in issues["问题与处理办法"].tolist()[0]
    assert "有 1 个问题，未写入任何数据。请按上表改正后再提交。" in texts(at.error)
    assert fingerprint(desk_db) == before


def test_a_locked_category_is_said_and_closed(desk_db):
    actions.lock(User("admin", ADMIN), desk_db, 2025, "430100", "jobs")
    at = entry_page()
    (said,) = [seen(w) for w in texts(at.warning) if "锁定" in w]
    assert said.startswith("长沙市2025年就业创业已审核锁定，不能再上报；如需更正，请联系管理员解除锁定。（admin 于 2")
    assert all(n.proto.disabled for n in at.number_input if "_jobs_" in n.key)
    assert all(b.proto.disabled for b in at.button if b.label in ("保存草稿", "检查并提交"))


def test_a_disabled_statistician_cannot_save_a_draft(desk_db):
    at = entry_page()
    type_in(at, JOBS, job_fairs=120)
    accounts.set_disabled(roles.SYSTEM, "cs", True, db_path=desk_db)
    click(at, "保存草稿")
    assert online.draft(CS, desk_db, JOBS) is None
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]


def test_entries_parse_as_cells_do_and_drafts_stay_in_ones_own_city(desk_db):
    extraction = online.extraction(JOBS, {"job_fairs": 3.5, "jobs_offered": None})
    assert [(i.code, i.location) for i in extraction.issues] == [("fraction-in-count", "在线填报!举办招聘会场次")]
    assert [(o.indicator, o.value) for o in extraction.observations][:2] == [
        ("jobs_offered", None),
        ("women_employed", None),
    ]
    with pytest.raises(PermissionDenied, match="统计员只能上报本市州（长沙市）的数据，不能上报株洲市的数据。"):
        online.save_draft(CS, desk_db, ("430200", 2025, "jobs"), {"job_fairs": 1})
    report = online.submit(User("zz", roles.STATISTICIAN, "430200"), desk_db, JOBS, {"job_fairs": 1}, None)
    assert report.status == REFUSED and report.issues[0].code == "region-not-permitted"
    assert online.submit(CS, desk_db, JOBS, {"job_fairs": 1}, None).status == LOADED
    assert online.place("在线填报", "举办招聘会场次") == "在线填报"
    assert (online.place("就业创业", "B4"), online.place("", "B4"), online.place("就业创业", "")) == (
        "就业创业!B4", "B4", "（文件中没有这一列）"
    )  # fmt: skip


def test_receipts_of_another_city_are_not_offered_to_a_statistician(desk_db):
    online.submit(CS, desk_db, JOBS, {"job_fairs": 120}, None)
    own = open_page(new_app("cs"), "app_pages/history.py", year=2025)
    assert "下载回执（Word）" in [b.label for b in own.get("download_button")]
    other = open_page(new_app("zz"), "app_pages/history.py", year=2025)
    assert "下载回执（Word）" not in [b.label for b in other.get("download_button")]
