"""湖南省妇联统计平台: log-in, page set-up by role, the global filters; each page draws itself."""

import functools

import streamlit as st

from etl import catalog, config, roles
from ui import auth, chrome, common, data, errors, filters, printing

# An emoji favicon is drawn in the page (a data: URL); a :material/…: one is fetched from fonts.gstatic.com, a
# request to the internet that the Content-Security-Policy blocks and a closed network never answers.
st.set_page_config(page_title="湖南省妇联统计平台", page_icon="📊", layout="wide")
chrome.apply()


DEFAULT_DOMAIN_ICON = "category"  # a 类别 whose catalogue entry names no icon


def all_pages() -> dict[str, list]:
    return {
        "概览": [
            st.Page("app_pages/overview.py", title="总览", icon=":material/home:", default=True),
            st.Page("app_pages/briefing.py", title="年度简报", icon=":material/article:", url_path="briefing"),
        ],
        # One page describes the screen of every 类别 of the catalogue; its address (the 类别's code) says which.
        "专题": [
            st.Page(
                "app_pages/domain.py", title=d.name, icon=f":material/{d.icon or DEFAULT_DOMAIN_ICON}:", url_path=d.code
            )
            for d in catalog.domains()
        ],  # fmt: skip
        "市州": [
            st.Page("app_pages/city_profile.py", title="市州画像", icon=":material/location_city:", url_path="city")
        ],
        "数据": [
            st.Page("app_pages/upload.py", title="数据上报", icon=":material/upload_file:", url_path="upload"),
            st.Page("app_pages/entry.py", title="在线填报", icon=":material/edit_note:", url_path="entry"),
            st.Page("app_pages/progress.py", title="填报进度", icon=":material/checklist:", url_path="progress"),
            st.Page("app_pages/review.py", title="审核", icon=":material/fact_check:", url_path="review"),
            st.Page("app_pages/history.py", title="上报记录", icon=":material/history:", url_path="history"),
            st.Page("app_pages/export.py", title="数据导出", icon=":material/download:", url_path="export"),
        ],
        "管理": [
            st.Page("app_pages/users.py", title="用户管理", icon=":material/group:", url_path="users"),
            st.Page("app_pages/audit.py", title="审计日志", icon=":material/policy:", url_path="audit"),
            st.Page("app_pages/catalog.py", title="指标目录", icon=":material/list_alt:", url_path="catalog"),
            st.Page("app_pages/targets.py", title="任务数", icon=":material/flag:", url_path="targets"),
        ],
        "账号": [st.Page("app_pages/account.py", title="我的账号", icon=":material/person:", url_path="account")],
    }


# The action each restricted page needs; every other page is open to all roles (VIEW).
RESTRICTED = {
    "upload": roles.UPLOAD, "entry": roles.UPLOAD, "users": roles.USERS, "audit": roles.AUDIT, "catalog": roles.CATALOG,
    "review": roles.REVIEW, "targets": roles.CATALOG,
}  # fmt: skip


def pages_for(user: roles.User) -> dict[str, list]:
    """The pages of the user's role in the menu; another role's page is hidden and, if its address is typed,
    says in Chinese that the role may not use it (auth.require checks on the server, and audits)."""
    pages = {}
    for group, members in all_pages().items():
        pages[group] = [
            page
            if roles.allowed(user, action := RESTRICTED.get(page.url_path, roles.VIEW))
            else st.Page(
                functools.partial(auth.require, action), title=page.title, url_path=page.url_path, visibility="hidden"
            )
            for page in members
        ]
    return pages


def login_pages() -> list:
    """Every address leads to the log-in form, so a bookmarked page opens once the user has logged in."""
    every = [page for group in all_pages().values() for page in group]
    return [
        st.Page(auth.login_page, title="登录", default=True)
        if not page.url_path  # the default page's address is the root
        else st.Page(auth.login_page, title="登录", url_path=page.url_path)
        for page in every
    ]


data.use_catalogue(data.snapshot())  # the pages, the navigation and etl.catalog follow the warehouse's catalogue
user = auth.current_user()
auth.sync_cookie()
if user is None:
    st.navigation(login_pages(), position="hidden").run()
    st.stop()
navigation = st.navigation(pages_for(user), expanded=True)  # every page listed: no "View 5 more"
auth.sidebar(user)
years = data.years(data.snapshot())
filters.sidebar(user, *filters.year_options(user, years.published, years.with_pending, years.deadlines,
                                            config.collecting_year()))  # fmt: skip
st.session_state[common.PAGE_KEY] = navigation.url_path
auth.show_refusal()
printing.header(navigation.title)
errors.run_page(navigation, user)
