"""用户管理 (管理员): the accounts, adding one, disabling, enabling and resetting passwords."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import accounts, catalog
from etl.roles import ROLES, STATISTICIAN, USERS, VIEW, PermissionDenied
from ui import auth, plain

NOTICE_KEY = "users_notice"


def users_table(rows: list[dict]) -> pd.DataFrame:
    regions = catalog.region_by_code()
    return pd.DataFrame(
        [
            (r["name"], r["role"], regions[r["region_code"]].name if r["region_code"] else "",
             "已停用" if r["disabled"] else "正常", r["created_at"], r["created_by"], r["password_changed_at"])
            for r in rows
        ],
        columns=["用户名", "角色", "市州", "状态", "建立时间", "建立人", "密码修改时间"],
    )  # fmt: skip


def _act(action, success: str, *, shown_password: str | None = None) -> None:  # noqa: ANN001
    """Run an account action as the user the accounts file says is acting now (never the one who drew the
    page); keep what to say (and a generated password, once) for the rerun."""
    actor = auth.acting_user(USERS)
    if actor is None:
        return
    try:
        action(actor)
    except (accounts.AccountError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc), None)
        return
    st.session_state[NOTICE_KEY] = ("success", success, shown_password)


def _add() -> None:
    state = st.session_state
    name, role, region = state.get("users_new_name", "").strip(), state["users_new_role"], state["users_new_region"]
    password = state.get("users_new_password", "") or accounts.generate_password()
    shown = None if state.get("users_new_password") else password
    _act(
        lambda actor: accounts.add_user(actor, name, role, password, region if role == STATISTICIAN else None),
        f"已新增用户 {name}（{role}）。",
        shown_password=shown,
    )


def _change(kind: str) -> None:
    name = st.session_state.get("users_pick")
    if kind == "reset":
        password = accounts.generate_password()
        _act(
            lambda actor: accounts.set_password(actor, name, password),
            f"已重设 {name} 的密码。",
            shown_password=password,
        )
    else:
        disabled = kind == "disable"
        _act(lambda actor: accounts.set_disabled(actor, name, disabled), f"已{'停用' if disabled else '启用'} {name}。")


def notice() -> None:
    kind, text, password = st.session_state.pop(NOTICE_KEY, (None, None, None))
    if kind:
        getattr(st, kind)(plain.markdown(text))  # names typed by a 管理员 are part of the message
    if password:
        st.warning("初始密码只显示这一次，请转交本人，并提醒登录后在“我的账号”修改：")
        st.code(password, language=None)


def add_form() -> None:
    st.subheader("新增用户")
    cities = [c.name for c in catalog.cities()]
    with st.form("users_add", clear_on_submit=True):
        left, middle, right = st.columns(3)
        left.text_input("用户名", key="users_new_name", max_chars=100)
        middle.selectbox("角色", ROLES, placeholder="请选择", key="users_new_role")
        right.selectbox("市州（统计员必填）", cities, placeholder="请选择", key="users_new_region")
        st.text_input("初始密码（留空则自动生成）", type="password", key="users_new_password", max_chars=200)
        st.form_submit_button("新增", type="primary", on_click=_add)


def change_form(rows: list[dict]) -> None:
    st.subheader("停用、启用、重设密码")
    if not rows:
        return
    left, *buttons = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    left.selectbox("用户", [r["name"] for r in rows], placeholder="请选择", key="users_pick")
    buttons[0].button("停用", key="users_disable", on_click=_change, args=("disable",))
    buttons[1].button("启用", key="users_enable", on_click=_change, args=("enable",))
    buttons[2].button("重设密码", key="users_reset", on_click=_change, args=("reset",))
    st.caption(
        "停用或重设密码后，该用户的所有已登录页面在下一次操作时退出；启用或重设密码也解除登录失败后的等待。"
        "最后一个管理员不能停用。"
    )


OWN_KEY = "account_notice"


def change_own_password() -> None:
    """Form callback on 我的账号: as whoever the accounts file says is logged in now; keeps this session."""
    state = st.session_state
    old, new, again = (state.pop(key, "") for key in ("account_old", "account_new", "account_again"))
    actor = auth.acting_user(VIEW)
    if actor is None:
        return
    if new != again:
        state[OWN_KEY] = ("error", "两次输入的新密码不一致。")
        return
    token = state[auth.SESSION_KEY].get("token")
    try:
        accounts.change_own_password(actor, old, new, keep_token=token)
    except accounts.AccountError as exc:
        state[OWN_KEY] = ("error", str(exc))
        return
    state[OWN_KEY] = ("success", "密码已修改。您在其他浏览器或设备上的登录已全部退出。")


def own_password_notice() -> None:
    kind, text = st.session_state.pop(OWN_KEY, (None, None))
    if kind:
        getattr(st, kind)(text)  # our own sentences: no name or typed text in them
