"""我的账号: who is logged in, and changing one's own password (which logs out one's other sessions)."""

import streamlit as st

from etl.roles import VIEW
from ui import auth, users

user = auth.require(VIEW)
st.title("我的账号")
st.text(f"当前用户：{user.label}")  # names are shown as text, never as Markdown
users.own_password_notice()
with st.form("account_password", clear_on_submit=True):
    st.text_input("原密码", type="password", max_chars=200, key="account_old")
    st.text_input("新密码（至少 10 个字符）", type="password", max_chars=200, key="account_new")
    st.text_input("再输入一次新密码", type="password", max_chars=200, key="account_again")
    st.form_submit_button("修改密码", type="primary", on_click=users.change_own_password)
st.caption("修改密码后，您在其他浏览器或设备上的登录会全部退出，本页面不受影响。")
