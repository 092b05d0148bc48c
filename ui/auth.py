"""Log-in, the session's user, inactivity time-out and the role check every page makes on the server.

The session keeps only the user's name and the time of the last click; the account (role, 市州, disabled)
is read again on every run, so a change by a 管理员 takes effect on the user's next click.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import streamlit as st

from etl import accounts, audit, config, roles
from etl.roles import User

SESSION_KEY, USER_KEY, NOTICE_KEY = "auth_session", "auth_user", "auth_notice"
REFUSAL_KEY = "auth_refusal"  # what a callback refused, shown at the top of the page that follows
COOKIE, COOKIE_KEY = "hnfl_session", "auth_cookie"  # the session token, so a reload does not log out
TOUCH_EVERY = 60  # seconds between writes of a session's last activity to the accounts file
COOKIE_MAX_AGE = 12 * 3600  # a working day; the server ends an idle session long before
OIDC = os.environ.get("HNFL_LOGIN", "").lower() == "oidc"  # st.login against [auth] in .streamlit/secrets.toml


def _end_session(notice: str | None = None) -> None:
    token = st.session_state.get(SESSION_KEY, {}).get("token")
    if token:
        accounts.end_session(token)
    for key in (SESSION_KEY, USER_KEY):
        st.session_state.pop(key, None)
    st.session_state[COOKIE_KEY] = ""  # the next run tells the browser to forget the token
    if notice:
        st.session_state[NOTICE_KEY] = notice


def start_session(user: User, token: str | None = None, *, new: bool = True) -> None:
    now = time.time()
    st.session_state[SESSION_KEY] = {"name": user.name, "last_seen": now, "token": token, "stored": now}
    if token and new:
        st.session_state[COOKIE_KEY] = token


def _resume_from_cookie() -> None:
    """A reloaded page is a new Streamlit session: pick up the browser's live log-in session, if any."""
    token = st.context.cookies.get(COOKIE)
    found = accounts.resume_session(token) if isinstance(token, str) else None
    if found is not None:
        start_session(found, token, new=False)


def _touch(session: dict, now: float) -> None:
    session["last_seen"] = now
    if session.get("token") and now - session["stored"] > TOUCH_EVERY:
        accounts.touch_session(session["token"], now=now)
        session["stored"] = now


def sync_cookie() -> None:
    """Set (after log-in) or clear (after log-out or time-out) the session cookie in the browser, once."""
    token = st.session_state.pop(COOKIE_KEY, None)
    if token is None:
        return
    # Only [A-Za-z0-9_-] in a token_urlsafe: nothing here can break out of the string.
    age = COOKIE_MAX_AGE if token else 0
    st.html(
        "<script>document.cookie = '"
        + f"{COOKIE}={token}; path=/; max-age={age}; SameSite=Strict'"
        + " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _oidc_name() -> str | None:
    """The identity the provider vouches for; accounts are matched by e-mail, else by the subject's name."""
    if not st.user.is_logged_in:
        return None
    return st.user.get("email") or st.user.get("preferred_username") or st.user.get("name")


def current_user() -> User | None:
    """The logged-in, enabled user of this session, or None (after saying why when a session just ended)."""
    if OIDC and SESSION_KEY not in st.session_state and (name := _oidc_name()):
        st.session_state[SESSION_KEY] = {"name": name, "last_seen": time.time(), "oidc": True}
        fresh = True
    else:
        fresh = False
    if SESSION_KEY not in st.session_state:
        _resume_from_cookie()
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    now = time.time()
    if now - session["last_seen"] > config.SESSION_TIMEOUT_MINUTES * 60:
        account = accounts.find_account(session["name"])
        if account is not None:
            audit.record(account.user, "timeout")
        _end_session(f"超过 {config.SESSION_TIMEOUT_MINUTES:g} 分钟未操作，已自动退出，请重新登录。")
        return None
    account = accounts.find_account(session["name"])
    if account is None or account.disabled:
        _end_session("该账号不存在或已停用，请联系管理员。")
        return None
    if fresh:
        audit.record(account.user, "login", detail="统一身份认证")
    _touch(session, now)
    st.session_state[USER_KEY] = account.user
    return account.user


def user() -> User:
    """The user app.py checked for this run."""
    return st.session_state[USER_KEY]


def require(action: str, regions: Iterable[str] = ()) -> User:
    """Stop the page, on the server, unless this run's user may take `action` (on `regions`)."""
    found = st.session_state.get(USER_KEY)
    if found is None:
        st.error("请先登录。")
        st.stop()
    try:
        roles.check(found, action, regions)
    except roles.PermissionDenied as denied:
        audit.record(found, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}")
        st.error(str(denied))
        st.stop()
    return found


def acting_user(action: str, regions: Iterable[str] = ()) -> User | None:
    """The user a state-changing callback acts as, read again from the accounts store at the moment it runs
    (a callback runs before the page script, so this run's checks do not cover it); None, after saying why in
    Chinese and auditing the refusal, when the session has ended or the role may not take `action`."""
    session = st.session_state.get(SESSION_KEY)
    account = accounts.find_account(session["name"]) if session else None
    if account is None or account.disabled:
        st.session_state[REFUSAL_KEY] = "登录已失效或账号已停用，操作未执行。请重新登录。"
        return None
    try:
        roles.check(account.user, action, regions)
    except roles.PermissionDenied as denied:
        audit.record(account.user, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}")
        st.session_state[REFUSAL_KEY] = f"操作未执行：{denied}"
        return None
    return account.user


def show_refusal() -> None:
    """Say (once) what a callback refused."""
    refusal = st.session_state.pop(REFUSAL_KEY, None)
    if refusal:
        st.error(refusal)


def may(action: str, regions: Iterable[str] = ()) -> bool:
    """Whether to offer a control at all; the action itself checks again."""
    found = st.session_state.get(USER_KEY)
    return found is not None and roles.allowed(found, action, regions)


def logout() -> None:
    """Button callback."""
    found = st.session_state.get(USER_KEY)
    if found is not None:
        audit.record(found, "logout")
    was_oidc = st.session_state.get(SESSION_KEY, {}).get("oidc")
    _end_session()
    st.session_state.clear()
    st.session_state[COOKIE_KEY] = ""
    st.session_state[NOTICE_KEY] = "已退出登录。"
    if was_oidc:
        st.logout()


def _submit_login() -> None:
    """Form callback: runs before the rerun, so the next run already has the user."""
    name = st.session_state.get("login_name", "")
    password = st.session_state.get("login_password", "")
    st.session_state["login_password"] = ""  # never kept in the session after the attempt
    try:
        found = accounts.authenticate(name, password)
        start_session(found, accounts.open_session(found))
    except accounts.LoginRefused as refused:
        st.session_state["login_error"] = str(refused)


def login_page() -> None:
    """The only page anyone sees before logging in."""
    st.title("湖南省妇联统计平台")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.subheader("登录")
        if OIDC:
            st.button("使用单位统一身份认证登录", type="primary", on_click=st.login, key="login_oidc")
            st.caption("账号须由管理员开通；未开通时请联系管理员。")
            return
        with st.form("login_form"):
            st.text_input("用户名", key="login_name", max_chars=100)
            st.text_input("密码", type="password", key="login_password", max_chars=200)
            st.form_submit_button("登录", type="primary", on_click=_submit_login, width="stretch")
        error = st.session_state.pop("login_error", None)
        if error:
            st.error(error)
        st.caption("忘记密码请联系管理员重设。连续输错 5 次将暂停登录 15 分钟。")


def sidebar(found: User) -> None:
    with st.sidebar:
        st.caption(f"当前用户：{found.label}")
        st.button("退出登录", on_click=logout, key="auth_logout", icon=":material/logout:")
