"""Log-in, time-out, pages by role and the 管理员 pages, driven through AppTest over real warehouses and accounts."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import accounts, audit, roles
from etl.pipeline import LOADED, load_bytes
from etl.warehouse import now_beijing
from etl.workbook import display_width
from tests.apptest import APP, TEST_USERS, issue_rows, login, new_app, seen, switch, texts
from tests.conftest import accounts_content, filled_template, read_db
from ui import audit_log, auth

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def logged_out() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def log_in_through_form(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").set_value(name)
    at.text_input(key="login_password").set_value(password)
    return next(b for b in at.button if b.label == "登录").click().run()


def known_pages(at: AppTest) -> set[str]:
    """The pages navigation registered for this session: switching to another one fails in AppTest."""
    names = {"upload", "progress", "history", "export", "users", "audit", "catalog", "targets", "account", "overview",
             "review"}  # fmt: skip
    found = set()
    for name in names:
        try:
            at.switch_page(f"app_pages/{name}.py")
            found.add(name)
        except ValueError:
            pass
    return found


# ---------------------------------------------------------------- log-in and sessions


def test_nothing_is_shown_before_log_in_and_the_form_logs_in(demo_copy):
    at = logged_out().run()
    assert texts(at.title) == ["湖南省妇联统计平台"]
    assert not at.get("plotly_chart") and not at.dataframe and not at.sidebar.selectbox
    log_in_through_form(at, "leader", "not-the-password")
    assert texts(at.error) == ["用户名或密码错误。"]
    assert at.text_input(key="login_password").value == ""  # the typed password is not kept
    log_in_through_form(at, "leader", TEST_USERS["leader"][2])
    assert not at.exception
    assert texts(at.title) == ["湖南省妇联统计总览"]
    assert "当前用户：leader（领导）" in texts(at.sidebar.text)
    outcomes = [
        (e["actor"], e["action"], e["outcome"]) for e in audit.entries(demo_copy, actions=["login", "login_failed"])
    ]
    assert outcomes[:2] == [("leader", "login", "ok"), ("leader", "login_failed", "failed")]


def test_log_out_ends_the_session(demo_copy):
    at = new_app("cs").run()
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert texts(at.title) == ["湖南省妇联统计平台"]
    assert "已退出登录。" in texts(at.info)
    assert audit.entries(demo_copy, actions=["logout"])[0]["actor"] == "cs"


def test_inactive_session_times_out(demo_copy):
    at = login(logged_out(), "admin", now=time.time() - 31 * 60).run()
    assert texts(at.title) == ["湖南省妇联统计平台"]
    assert texts(at.info) == ["超过 30 分钟未操作，登录已超时，请重新登录。"]
    assert audit.entries(demo_copy, actions=["timeout"])[0]["actor"] == "admin"


def test_a_disabled_account_is_out_at_its_next_click(demo_copy):
    at = new_app("cs").run()
    assert texts(at.title) == ["湖南省妇联统计总览"]
    accounts.set_disabled(roles.SYSTEM, "cs", True, db_path=demo_copy)
    at.run()
    assert texts(at.title) == ["湖南省妇联统计平台"]
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]


# ---------------------------------------------------------------- pages by role


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        (
            "admin",
            {
                "overview",
                "upload",
                "progress",
                "review",
                "history",
                "export",
                "users",
                "audit",
                "catalog",
                "targets",
                "account",
            },  # fmt: skip
        ),
        ("rev", {"overview", "progress", "review", "history", "export", "account"}),
        ("leader", {"overview", "progress", "history", "export", "account"}),
        ("cs", {"overview", "upload", "progress", "history", "export", "account"}),
    ],
)
def test_navigation_offers_only_the_pages_of_the_role(demo_copy, user, pages):
    at = new_app(user).run()
    assert known_pages(at) == pages


def test_a_leader_cannot_submit_even_if_the_page_were_reached(demo_copy):
    """The upload page checks the role itself: run as a 领导, it stops before drawing anything."""
    at = AppTest.from_file(str(Path(APP).parent / "app_pages" / "upload.py"), default_timeout=60)
    login(at, "leader")
    at.session_state[auth.USER_KEY] = roles.User("leader", roles.LEADER)
    at.run()
    assert texts(at.error) == ["您的角色（领导）不能上报数据。如确需操作，请联系管理员。"]
    assert not at.file_uploader
    assert audit.entries(demo_copy, actions=["denied"])[0]["actor"] == "leader"


def test_statistician_uploads_own_city_only(demo_copy):
    at = new_app("cs").run()
    at.switch_page("app_pages/upload.py").run()
    assert at.selectbox[0].options == ["长沙市"]  # the template is for one's own 市州
    zhuzhou = filled_template(2024, {("就业创业", "株洲市", "举办招聘会场次"): 51}, region_code="430200")
    at.file_uploader[0].set_value(("株洲.xlsx", zhuzhou, XLSX)).run()
    assert "您是长沙市的统计员，不能上报株洲市的数据" in " ".join(issue_rows(at)["问题与处理办法"])
    assert not [b for b in at.button if b.label == "提交"]
    refusal = audit.entries(demo_copy, actions=["refusal"])
    assert [(e["actor"], e["file_name"], e["region_code"], e["year"]) for e in refusal] == [
        ("cs", "株洲.xlsx", "430200", 2024)  # once, not once per rerun; what the refused file held
    ]


def test_statistician_exports_own_city_only(demo_copy, downloads):
    at = new_app("cs").run()
    at.selectbox(key="filter_year").set_value(2024).run()
    switch(at, "app_pages/jobs.py").run()
    assert not at.get("download_button")
    assert any("统计员只能导出本市州的数据" in c for c in texts(at.caption))
    at.switch_page("app_pages/export.py").run()
    assert at.multiselect(key="export_cities").options == ["长沙市"]
    exported = downloads["2024年妇联统计数据明细.csv"]().decode("utf-8-sig").splitlines()
    assert {line.split(",")[2] for line in exported[1:]} == {"长沙市"}
    entry = audit.entries(demo_copy, actions=["export"])[0]
    assert (entry["actor"], entry["region_code"], entry["file_name"]) == ("cs", "430100", "2024年妇联统计数据明细.csv")


def test_leader_downloads_are_audited_when_clicked(demo_copy, downloads):
    at = new_app("leader").run()
    switch(at, "app_pages/jobs.py").run()
    assert at.get("download_button")
    assert not audit.entries(demo_copy, actions=["export"])  # drawing the button exports nothing
    name = next(n for n in downloads if n.endswith(".csv"))
    assert downloads[name]().startswith(b"\xef\xbb\xbf")
    assert [(e["actor"], e["file_name"]) for e in audit.entries(demo_copy, actions=["export"])] == [("leader", name)]


def test_statistician_restores_only_own_city(demo_copy):
    at = new_app("zz").run()
    at.selectbox(key="filter_year").set_value(2016).run()
    at.switch_page("app_pages/history.py").run()
    at.selectbox(key="history_slice_city").set_value("430100").run()
    assert "您的角色不能恢复这个市州的版本。" in texts(at.caption)
    assert not [b for b in at.button if b.label == "恢复此版本"]


# ---------------------------------------------------------------- review and lock on 填报进度


def test_admin_locks_a_city_year_and_uploads_into_it_are_refused(demo_copy):
    at = new_app("admin").run()
    at.selectbox(key="filter_year").set_value(2016).run()
    at.switch_page("app_pages/progress.py").run()
    at.selectbox(key="progress_lock_scope").set_value("430200").run()
    next(b for b in at.button if b.label == "锁定").click().run()
    assert "已审核锁定：株洲市2016年。锁定后不再接受上报和恢复。" in texts(at.success)
    matrix = at.dataframe[0].value
    assert matrix.loc["株洲市", "审核"].startswith("已审核锁定 · admin ")
    assert matrix.loc["长沙市", "审核"] == ""

    at.switch_page("app_pages/upload.py").run()
    again = filled_template(2016, {("就业创业", "株洲市", "举办招聘会场次"): 45}, region_code="430200")
    with read_db(demo_copy) as con:
        before = con.execute("select count(*) from submissions").fetchall()
    at.file_uploader[0].set_value(("株洲2016.xlsx", again, XLSX)).run()
    # A lock is said in words, never as a cell error to correct: no table of problems, no marked workbook.
    assert [seen(t) for t in texts(at.error)] == ["“株洲2016.xlsx”的数据已审核锁定，不能再上报，未写入任何数据。"]
    (said,) = [t for t in texts(at.text) if "审核锁定" in t]
    assert said.startswith("株洲市2016年的数据已由 admin 于 ") and said.endswith(
        "审核锁定，不能再上报。如需更正，请联系管理员解除锁定。"
    )
    assert not [d for d in at.dataframe if "问题与处理办法" in d.value.columns]
    assert "下载标注后的报表" not in [b.label for b in at.get("download_button")]
    at.number_input[0].set_value(2016).run()  # the year the page opens with is the one being collected
    assert at.dataframe[0].value.loc["株洲市", "就业创业"] == "已通过 · 锁定"  # the status before anything else
    with read_db(demo_copy) as con:
        assert con.execute("select count(*) from submissions").fetchall() == before

    at.switch_page("app_pages/progress.py").run()
    at.selectbox(key="progress_lock_scope").set_value("430200").run()
    next(b for b in at.button if b.label == "解除锁定").click().run()
    assert "已解除锁定：株洲市2016年。" in texts(at.success)
    assert [e["action"] for e in audit.entries(demo_copy, actions=["lock", "unlock"])] == ["unlock", "lock"]


def test_only_admins_see_the_lock_and_deadline_controls(demo_copy):
    at = new_app("leader").run()
    at.switch_page("app_pages/progress.py").run()
    assert not [b for b in at.button if b.label in ("锁定", "解除锁定", "保存")]
    assert not at.date_input


# ---------------------------------------------------------------- 管理员 pages


def test_admin_adds_a_user_whose_generated_password_is_shown_once(demo_copy):
    at = new_app("admin").run()
    at.switch_page("app_pages/users.py").run()
    at.text_input(key="users_new_name").set_value("hy")
    at.selectbox(key="users_new_role").set_value("统计员")
    at.selectbox(key="users_new_region").set_value("衡阳市")
    next(b for b in at.button if b.label == "新增").click().run()
    assert "已新增用户 hy（统计员）。" in texts(at.success)
    (password,) = texts(at.code)
    assert accounts.authenticate("hy", password, db_path=demo_copy) == roles.User("hy", "统计员", "430400")
    table = at.dataframe[0].value
    assert table.loc[table["用户名"] == "hy", "市州"].tolist() == ["衡阳市"]
    at.run()
    assert not at.code  # shown once
    assert password not in accounts_content(demo_copy).decode("latin-1")


def test_audit_page_lists_and_filters_the_log(demo_copy):
    at = new_app("admin").run()
    accounts.authenticate("leader", TEST_USERS["leader"][2], db_path=demo_copy)
    at.switch_page("app_pages/audit.py").run()
    table = at.dataframe[0].value
    assert ("leader", "登录", "成功") in set(zip(table["用户"], table["操作"], table["结果"], strict=True))
    at.text_input(key="audit_actor").set_value("leader").run()
    assert set(at.dataframe[0].value["用户"]) == {"leader"}
    at.multiselect(key="audit_actions").set_value(["审核锁定"]).run()
    assert at.dataframe[0].value.empty


def test_uncaught_error_shows_an_id_and_no_details(demo_copy, caplog):
    def page() -> None:
        from etl.roles import User
        from ui import errors

        class Broken:
            def run(self) -> None:
                raise RuntimeError("secret detail /srv/hnfl/data")

        errors.run_page(Broken(), User("admin", "管理员"))

    at = AppTest.from_function(page, default_timeout=30).run()
    (message,) = texts(at.error)
    assert "系统出错了，本次操作未完成（错误编号 " in message and "secret" not in message
    error_id = message.split("错误编号 ")[1][:8]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    assert audit.entries(demo_copy, actions=["error"])[0]["detail"] == f"错误编号 {error_id}：RuntimeError"


def test_a_session_token_lives_until_log_out_time_out_disable_or_password_change(demo_copy):
    """What every run and every action relies on: the token in the browser's cookie, its hash in the accounts
    file, and why a session ended, told to whichever tab clicks next."""
    user = roles.User("cs", roles.STATISTICIAN, "430100")
    live = lambda token, **kw: accounts.check_session(token, db_path=demo_copy, **kw)  # noqa: E731
    token = accounts.open_session(user, db_path=demo_copy, now=1000.0)
    assert live(token, now=1000.0 + 29 * 60).user == user
    idle = live(token, now=1000.0 + 29 * 60 + 31 * 60)
    assert (idle.user, idle.message) == (None, "超过 30 分钟未操作，登录已超时，请重新登录。")
    assert live(token, now=1000.0 + 29 * 60).message == idle.message  # ended for good, and says why
    assert [e["actor"] for e in audit.entries(demo_copy, actions=["timeout"])] == ["cs"]  # audited once

    logged_out_token = accounts.open_session(user, db_path=demo_copy)
    accounts.end_session(logged_out_token, db_path=demo_copy)
    assert live(logged_out_token).message == "您已在其他页面退出登录，请重新登录。"

    first, second = (accounts.open_session(user, db_path=demo_copy) for _ in range(2))
    accounts.change_own_password(
        user, TEST_USERS["cs"][2], "Xin-Mi-Ma-2024", keep_token=first, db_path=demo_copy
    )  # fmt: skip
    assert live(first).user == user  # the tab that changed it goes on
    assert live(second).message == "您的密码已在其他页面修改，请用新密码重新登录。"

    accounts.set_password(roles.SYSTEM, "cs", "Chong-She-Mi-Ma-1", db_path=demo_copy)
    assert live(first).message == "管理员已重设您的密码，请用新密码重新登录。"

    disabled = accounts.open_session(user, db_path=demo_copy)
    accounts.set_disabled(roles.SYSTEM, "cs", True, db_path=demo_copy)
    accounts.set_disabled(roles.SYSTEM, "cs", False, db_path=demo_copy)
    assert live(disabled).message == "该账号已停用，请联系管理员。"  # disabling ended it, even once re-enabled
    assert live("not-a-token").message == "登录已失效，请重新登录。"
    stored = accounts_content(demo_copy)
    assert not any(t.encode() in stored for t in (token, logged_out_token, first, second, disabled))


def test_audit_csv_neutralises_hostile_names_in_every_text_column(demo_copy, downloads):
    hostile_file, hostile_actor = '=HYPERLINK("http://evil.example","点我").xlsx', "@SUM(1+1)"
    data = filled_template(2016, {("就业创业", "长沙市", "举办招聘会场次"): 1}, region_code="430100")
    assert load_bytes(data, hostile_file, demo_copy, actor=roles.User(hostile_actor, roles.ADMIN)).status == LOADED
    at = new_app("admin").run()
    at.switch_page("app_pages/audit.py").run()
    rows = list(csv.reader(io.StringIO(downloads["审计日志.csv"]().decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + hostile_file in cells and "'" + hostile_actor in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    shown = at.dataframe[0].value
    assert hostile_file in set(shown["文件名"])  # on screen as typed: a table cell is text, never a formula


def test_audit_page_year_column_converts_to_arrow_without_a_fallback(demo_copy, caplog):
    """Years and blanks in one column used to raise an ArrowTypeError in the server log (then a slow fallback)."""
    import pyarrow as pa

    audit.record(roles.User("admin", roles.ADMIN), "lock", region_code="430100", year=2016, db_path=demo_copy)
    audit.record(roles.User("admin", roles.ADMIN), "backup", db_path=demo_copy)
    frame = audit_log.table(audit.entries(demo_copy))
    assert pa.Table.from_pandas(frame).schema.field("年度").type == pa.int64()
    assert frame["年度"].tolist()[:2] == [pd.NA, 2016]
    at = new_app("admin").run()
    at.switch_page("app_pages/audit.py").run()
    assert not at.exception
    assert not [r for r in caplog.records if "Arrow" in r.getMessage() or "Serialization" in r.getMessage()]
    assert audit_log.csv(frame).decode("utf-8-sig").splitlines()[1].split(",")[6] == ""  # no year: blank
    ws = openpyxl.load_workbook(io.BytesIO(audit_log.xlsx(frame, audit_log_filters(), "2026-01-01 08:00"))).active
    assert [ws.cell(4, 7).value, ws.cell(5, 7).value] == [None, 2016]  # no year: a blank cell, never "<NA>"


def audit_log_filters() -> dict:
    return {"since": None, "until": None, "actor": None, "actions": None}


def test_audit_xlsx_is_formatted_and_neutralised(demo_copy, downloads):
    hostile_actor = "@SUM(1+1)"
    data = filled_template(2016, {("就业创业", "长沙市", "举办招聘会场次"): 1}, region_code="430100")
    assert load_bytes(data, "长沙.xlsx", demo_copy, actor=roles.User(hostile_actor, roles.ADMIN)).status == LOADED
    at = new_app("admin").run()
    at.switch_page("app_pages/audit.py").run()
    at.text_input(key="audit_actor").set_value(hostile_actor).run()
    ws = openpyxl.load_workbook(io.BytesIO(downloads["审计日志.xlsx"]())).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    today = now_beijing().date()
    assert rows[0][0] == "审计日志"
    assert re.fullmatch(
        rf"筛选：时间 {today - timedelta(days=30)} 至 {today}；用户 @SUM\(1\+1\)；操作 全部；"
        r"导出时间 \d{4}-\d\d-\d\d \d\d:\d\d",
        rows[1][0],
    )
    assert rows[2] == list(audit_log.COLUMNS)
    assert rows[3][1] == "'" + hostile_actor and rows[3][3] == "上报"  # the name cannot run as a formula
    assert ws.freeze_panes == "A4" and ws["A3"].font.b
    assert ws.column_dimensions["J"].width >= display_width("文件哈希（SHA-256）") + 2
    assert ws.column_dimensions["J"].width >= 64  # the whole SHA-256 shows
