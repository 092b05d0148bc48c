"""用户管理: accounts and roles (管理员 only)."""

import streamlit as st

from etl import accounts
from etl.roles import USERS
from ui import auth, users

auth.require(USERS)
st.title("用户管理")
users.notice()
rows = accounts.list_users()
st.dataframe(users.users_table(rows), hide_index=True, width="stretch", key="users_table")
st.caption(
    "统计员只能上报、恢复和导出本市州的数据，可查看全部图表；审核员审核各市州上报的数据（审核通过或退回），可查看和导出"
    "全部数据；领导可查看和导出已审核通过的数据，不能上报；管理员另可管理用户、审核锁定、查看审计日志。"
)
users.add_form()
users.change_form(rows)
