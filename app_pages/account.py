"""我的账号: who is logged in, and changing one's own password."""

import streamlit as st

from etl import accounts
from etl.roles import VIEW
from ui import auth

user = auth.require(VIEW)
st.title("我的账号")
st.text(f"当前用户：{user.label}")  # names are shown as text, never as Markdown
with st.form("account_password", clear_on_submit=True):
    old = st.text_input("原密码", type="password", max_chars=200)
    new = st.text_input("新密码（至少 10 个字符）", type="password", max_chars=200)
    again = st.text_input("再输入一次新密码", type="password", max_chars=200)
    submitted = st.form_submit_button("修改密码", type="primary")
if submitted:
    if new != again:
        st.error("两次输入的新密码不一致。")
    else:
        try:
            accounts.change_own_password(user, old, new)
            st.success("密码已修改，下次登录请使用新密码。")
        except accounts.AccountError as exc:
            st.error(str(exc))
