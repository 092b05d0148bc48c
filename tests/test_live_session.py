"""Every action re-checks the live session when it runs (issue 10, defects 1 and 2), through AppTest.

Streamlit runs a button's callback before app.py, and builds a download's file after the page was drawn: each
test draws a page while the user may act, changes the account behind the page's back (as `python -m etl users
disable` or another browser would), then clicks. Nothing may happen but a Chinese refusal, audited.
"""

from __future__ import annotations

import time

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from etl import accounts, audit, config, roles, warehouse
from etl.access import store
from etl.roles import PermissionDenied
from tests.apptest import TEST_USERS, login, new_app, open_page, texts
from tests.conftest import filled_template
from tests.test_review_pages import corrected  # noqa: F401 - a fixture: 长沙市 2024 就业创业 waiting for review
from tests.test_workflow_pages import changed  # noqa: F401 - a fixture: 株洲市 2016 就业创业 in two versions
from ui import auth

LOG_IN_TITLE = ["湖南省妇联统计平台"]


def denials(db, name: str) -> list[tuple[str, str]]:
    return [(e["outcome"], e["detail"]) for e in audit.entries(db, actor=name, actions=["denied"])]


def disable(db, name: str) -> None:
    """As `python -m etl users disable` does (the browser test runs the command itself)."""
    accounts.set_disabled(roles.SYSTEM, name, True, db_path=db)


def age_session(at, db, minutes: float) -> None:
    """Make the app's session look idle for `minutes`, as if its user had walked away."""
    token = at.session_state[auth.SESSION_KEY]["token"]
    with store.connect(db.with_name("accounts.sqlite3")) as con:
        con.execute(
            "update sessions set last_seen = ? where token_sha256 = ?",
            [time.time() - minutes * 60, accounts._token_hash(token)],  # noqa: SLF001 - the stored form
        )


# ---------------------------------------------------------------- defect 1: callbacks and downloads


def test_a_disabled_admins_open_users_page_cannot_add_an_admin(demo_copy):
    accounts.add_user(roles.SYSTEM, "admin2", roles.ADMIN, "admin2-test-password", db_path=demo_copy)
    at = open_page(new_app("admin2"), "app_pages/users.py")
    at.text_input(key="users_new_name").set_value("mole")
    at.selectbox(key="users_new_role").set_value(roles.ADMIN)
    disable(demo_copy, "admin2")  # the page stays open, the form filled in
    next(b for b in at.button if b.label == "新增").click().run()
    assert accounts.find_account("mole", db_path=demo_copy) is None
    assert texts(at.title) == LOG_IN_TITLE
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]
    assert denials(demo_copy, "admin2") == [("refused", "users：该账号已停用，请联系管理员。")]
    assert not audit.entries(demo_copy, actions=["user_add"], actor="admin2")


@pytest.mark.parametrize("what", ["disabled", "timed out"])
def test_a_statistician_no_longer_allowed_cannot_restore_a_version(changed, what):  # noqa: F811
    accounts.add_user(roles.SYSTEM, "zz2", roles.STATISTICIAN, "zz2-test-password", "株洲市", db_path=changed)
    at = open_page(new_app("zz2"), "app_pages/history.py", year=2016)
    at.selectbox(key="history_slice_city").set_value("430200").run()
    restore = at.button(key="history_restore_430200_2016_jobs_1")  # drawn: zz2 may restore 株洲市
    if what == "disabled":
        disable(changed, "zz2")
        message = "该账号已停用，请联系管理员。"
    else:
        age_session(at, changed, 31)
        message = "超过 30 分钟未操作，登录已超时，请重新登录。"
    restore.click().run()
    with warehouse.connect(changed, read_only=True) as con:
        assert len(warehouse.slice_versions_of(con, "430200", 2016, "jobs")) == 2  # nothing restored
    assert texts(at.title) == LOG_IN_TITLE
    assert texts(at.info) == [message]
    assert denials(changed, "zz2") == [("refused", f"restore：{message}")]


def test_a_disabled_admin_cannot_lock_or_set_a_deadline(demo_copy):
    accounts.add_user(roles.SYSTEM, "admin2", roles.ADMIN, "admin2-test-password", db_path=demo_copy)
    at = open_page(new_app("admin2"), "app_pages/progress.py", year=2016)
    lock = next(b for b in at.button if b.label == "锁定")
    disable(demo_copy, "admin2")
    lock.click().run()
    with warehouse.connect(demo_copy, read_only=True) as con:
        assert warehouse.locks_of(con, 2016) == []
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]
    assert [d for _, d in denials(demo_copy, "admin2")] == ["lock：该账号已停用，请联系管理员。"]


@pytest.mark.parametrize("button", ["审核通过", "退回"])
def test_a_reviewer_whose_password_was_reset_cannot_approve_or_return(corrected, button):  # noqa: F811
    """Issue 11's review callbacks go through the same check: the session ended behind the open 审核 page."""
    at = open_page(new_app("rev"), "app_pages/review.py", year=2024)
    at.checkbox[0].check().run()
    at.text_area(key="review_reason_10").input("请核对岗位数").run()
    accounts.set_password(roles.User("admin", roles.ADMIN), "rev", "A-New-Password-1", db_path=corrected)
    next(b for b in at.button if b.label == button).click().run()
    with warehouse.connect(corrected, read_only=True) as con:
        assert [r["submission_id"] for r in warehouse.queue(con)] == [10]  # still waiting: nothing reviewed
    assert texts(at.title) == LOG_IN_TITLE
    assert texts(at.info) == ["管理员已重设您的密码，请用新密码重新登录。"]
    assert denials(corrected, "rev") == [("refused", "review：管理员已重设您的密码，请用新密码重新登录。")]


def restore_whole_2016_demo(at):  # noqa: ANN001, ANN201 - an AppTest on 上报记录; its button
    """Pick the demo's 2016 submission, confirm, and return the 恢复整次上报 button to click."""
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        (demo,) = [r["submission_id"] for r in warehouse.submissions_list(con, year=2016) if r["source"] == "demo"]
    at.selectbox(key="history_submission").set_value(demo).run()
    at.checkbox(key=f"history_restore_confirm_{demo}").check().run()
    return next(b for b in at.button if b.label == "恢复整次上报")


def test_a_disabled_admin_cannot_restore_a_whole_submission(changed):  # noqa: F811
    accounts.add_user(roles.SYSTEM, "admin2", roles.ADMIN, "admin2-test-password", db_path=changed)
    at = open_page(new_app("admin2"), "app_pages/history.py", year=2016)
    restore = restore_whole_2016_demo(at)
    disable(changed, "admin2")
    restore.click().run()
    with warehouse.connect(changed, read_only=True) as con:
        assert len(warehouse.slice_versions_of(con, "430200", 2016, "jobs")) == 2  # nothing restored
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]
    assert denials(changed, "admin2") == [("refused", "restore：该账号已停用，请联系管理员。")]

    allowed = open_page(new_app("admin"), "app_pages/history.py", year=2016)  # the same click, allowed
    restore_whole_2016_demo(allowed).click().run()
    with warehouse.connect(changed, read_only=True) as con:
        assert len(warehouse.slice_versions_of(con, "430200", 2016, "jobs")) == 3


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """Each download button's deferred builder by file name, as the server would call it at the click."""
    made: dict = {}
    real = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # noqa: ANN001, ANN202
        made[file_name] = data_callable
        return real(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def test_a_disabled_leader_gets_no_export(demo_copy, deferred):
    at = open_page(new_app("leader"), "app_pages/export.py", year=2016)
    name = next(n for n in deferred if n.endswith("明细.csv"))
    disable(demo_copy, "leader")
    with pytest.raises(PermissionDenied):
        deferred[name]()  # the click: nothing is built
    assert not audit.entries(demo_copy, actions=["export"])
    assert denials(demo_copy, "leader") == [("refused", "export：该账号已停用，请联系管理员。")]
    at.run()  # the rerun the refusal asks for: the page says why
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]


def test_a_statistician_moved_to_another_city_gets_no_export_of_the_old_one(demo_copy, deferred):
    """The role is read again at the click: a 统计员 now bound to 株洲市 may not take 长沙市's file."""
    at = open_page(new_app("cs"), "app_pages/export.py", year=2016)
    name = next(n for n in deferred if n.endswith("明细.csv"))
    with store.connect(demo_copy.with_name("accounts.sqlite3")) as con:
        con.execute("update users set region_code = '430200' where name = 'cs'")
    with pytest.raises(PermissionDenied):
        deferred[name]()
    assert not audit.entries(demo_copy, actions=["export"])
    (refusal,) = denials(demo_copy, "cs")
    assert refusal[1].startswith("export：统计员只能导出本市州（株洲市）的数据，不能导出长沙市的数据")
    at.run()
    assert at.error[0].value.startswith("统计员只能导出本市州（株洲市）的数据")
    assert texts(at.title) != LOG_IN_TITLE  # still logged in: only the action was refused


def test_an_allowed_download_is_built_and_audited_at_the_click(demo_copy, deferred):
    open_page(new_app("leader"), "app_pages/export.py", year=2016)
    name = next(n for n in deferred if n.endswith("明细.csv"))
    assert deferred[name]().startswith(b"\xef\xbb\xbf")
    assert [(e["actor"], e["file_name"]) for e in audit.entries(demo_copy, actions=["export"])] == [("leader", name)]


def test_a_disabled_statistician_cannot_submit_an_upload(demo_copy):
    at = open_page(new_app("cs"), "app_pages/upload.py")
    data = filled_template(2024, {("就业创业", "长沙市", "举办招聘会场次"): 51}, region_code="430100")
    at.file_uploader[0].set_value(("长沙.xlsx", data, "application/octet-stream")).run()
    submit = next(b for b in at.button if b.label == "提交")
    disable(demo_copy, "cs")
    submit.click().run()
    assert not audit.entries(demo_copy, actions=["upload"])
    assert texts(at.info) == ["该账号已停用，请联系管理员。"]
    # The button is read by the page itself, after app.py: the run stops there, before the page is drawn.
    assert [d for _, d in denials(demo_copy, "cs")] == ["view：该账号已停用，请联系管理员。"]


# ---------------------------------------------------------------- defect 2: every run checks the token


def test_a_password_reset_ends_the_users_open_tabs_at_their_next_click(demo_copy):
    at = new_app("cs").run()
    accounts.set_password(roles.User("admin", roles.ADMIN), "cs", "A-New-Password-1", db_path=demo_copy)
    at.selectbox(key="filter_year").set_value(2016).run()  # any click
    assert texts(at.title) == LOG_IN_TITLE
    assert texts(at.info) == ["管理员已重设您的密码，请用新密码重新登录。"]


def test_log_out_in_one_tab_ends_the_other_tabs_of_that_browser(demo_copy):
    first = new_app("cs").run()
    second = login(new_app("cs"), "cs")  # the same browser: the same token, from the cookie
    second.session_state[auth.SESSION_KEY] = dict(first.session_state[auth.SESSION_KEY])
    second.run()
    next(b for b in first.sidebar.button if b.label == "退出登录").click().run()
    assert texts(first.info) == ["已退出登录。"]
    second.selectbox(key="filter_year").set_value(2016).run()
    assert texts(second.title) == LOG_IN_TITLE
    assert texts(second.info) == ["您已在其他页面退出登录，请重新登录。"]


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(demo_copy):
    here, elsewhere = new_app("cs").run(), new_app("cs").run()  # two browsers, two sessions
    here = open_page(here, "app_pages/account.py")
    old, new = TEST_USERS["cs"][2], "Chang-Sha-New-2024"
    here.text_input(key="account_old").set_value(old)
    here.text_input(key="account_new").set_value(new)
    here.text_input(key="account_again").set_value(new)
    next(b for b in here.button if b.label == "修改密码").click().run()
    assert texts(here.success) == ["密码已修改。您在其他浏览器或设备上的登录已全部退出。"]
    here.switch_page("app_pages/overview.py").run()
    assert texts(here.title) == ["湖南省妇联统计总览"]  # this tab goes on
    elsewhere.run()
    assert texts(elsewhere.title) == LOG_IN_TITLE
    assert texts(elsewhere.info) == ["您的密码已在其他页面修改，请用新密码重新登录。"]
    assert accounts.authenticate("cs", new, db_path=demo_copy).name == "cs"
