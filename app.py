"""湖南省妇联统计平台: log-in, page set-up by role, the global filters; each page draws itself."""

import functools

import streamlit as st

from etl import roles
from ui import auth, chrome, data, errors, filters, metrics

st.set_page_config(page_title="湖南省妇联统计平台", page_icon=":material/bar_chart:", layout="wide")
chrome.apply()


def all_pages() -> dict[str, list]:
    return {
        "概览": [
            st.Page("app_pages/overview.py", title="总览", icon=":material/home:", default=True),
            st.Page("app_pages/briefing.py", title="年度简报", icon=":material/article:", url_path="briefing"),
        ],
        "专题": [
            st.Page("app_pages/jobs.py", title="就业创业", icon=":material/work:", url_path="jobs"),
            st.Page("app_pages/loans.py", title="小额担保贷款", icon=":material/payments:", url_path="loans"),
            st.Page(
                "app_pages/screening.py", title="两癌检查", icon=":material/health_and_safety:", url_path="screening"
            ),
            st.Page("app_pages/ecommerce.py", title="农村电商", icon=":material/storefront:", url_path="ecommerce"),
        ],
        "市州": [
            st.Page("app_pages/city_profile.py", title="市州画像", icon=":material/location_city:", url_path="city")
        ],
        "数据": [
            st.Page("app_pages/upload.py", title="数据上报", icon=":material/upload_file:", url_path="upload"),
            st.Page("app_pages/progress.py", title="填报进度", icon=":material/checklist:", url_path="progress"),
            st.Page("app_pages/history.py", title="上报记录", icon=":material/history:", url_path="history"),
            st.Page("app_pages/export.py", title="数据导出", icon=":material/download:", url_path="export"),
        ],
        "管理": [
            st.Page("app_pages/users.py", title="用户管理", icon=":material/group:", url_path="users"),
            st.Page("app_pages/audit.py", title="审计日志", icon=":material/policy:", url_path="audit"),
            st.Page("app_pages/catalog.py", title="指标目录", icon=":material/list_alt:", url_path="catalog"),
        ],
        "账号": [st.Page("app_pages/account.py", title="我的账号", icon=":material/person:", url_path="account")],
    }


# The action each restricted page needs; every other page is open to all roles (VIEW).
RESTRICTED = {"upload": roles.UPLOAD, "users": roles.USERS, "audit": roles.AUDIT, "catalog": roles.CATALOG}


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


user = auth.current_user()
auth.sync_cookie()
if user is None:
    st.navigation(login_pages(), position="hidden").run()
    st.stop()
navigation = st.navigation(pages_for(user), expanded=True)  # every page listed: no "View 5 more"
auth.sidebar(user)
filters.sidebar(metrics.years(data.values()))
errors.run_page(navigation, user)
