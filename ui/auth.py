"""Log-in, the session's user, and the checks every page and every action make on the server.

The Streamlit session keeps only the log-in token. Every run asks the accounts file whether that session is
still live (not logged out elsewhere, not idle past the time-out, account enabled, password not reset) and
reads the account afresh; every action asks again at the moment it runs (`acting_user`), because Streamlit
runs a callback before app.py has checked anything, and a download is built after the page was drawn.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, MutableMapping

import streamlit as st

from etl import accounts, audit, config, roles
from etl.roles import User
from ui import plain, web

SESSION_KEY, USER_KEY, NOTICE_KEY = "auth_session", "auth_user", "auth_notice"
COOKIE_KEY, REFUSED_KEY, ENDED_KEY = "auth_cookie", "auth_refused", "auth_ended"
OIDC = os.environ.get("HNFL_LOGIN", "").lower() == "oidc"  # st.login against [auth] in .streamlit/secrets.toml
NOT_LOGGED_IN = "（未登录）"
VIEW_ACTION = roles.VIEW  # what a plain click (a page, a filter) asks for


def start_session(user: User, token: str) -> None:
    st.session_state[SESSION_KEY] = {"name": user.name, "token": token}
    st.session_state[COOKIE_KEY] = token  # the browser keeps it, HttpOnly, so a reload does not log out


def _forget(state: MutableMapping, notice: str | None) -> None:
    """This tab's session is over: drop it, tell the browser to forget the token, say why on the log-in page."""
    session = _get(state, SESSION_KEY, {})
    for key in (SESSION_KEY, USER_KEY):
        if key in state:
            del state[key]
    _bury(state, session.get("token"))
    state[COOKIE_KEY] = ""
    if notice:
        state[NOTICE_KEY] = notice


def _bury(state: MutableMapping, token: str | None) -> None:
    """Streamlit keeps the cookies a tab connected with for the tab's whole life: an ended token must not be
    taken up from them again in this tab."""
    if token:
        state[ENDED_KEY] = _get(state, ENDED_KEY, frozenset()) | {token}


def _get(state: MutableMapping, key: str, default: object) -> object:
    """state.get(): a download's check reads the session's SafeSessionState, which has no get()."""
    return state[key] if key in state else default  # noqa: SIM401


def _resume_from_cookie() -> None:
    """A reloaded page is a new Streamlit session: take up the browser's log-in session, if it has one; the
    check below then lets it in, or says why it ended (and the cookie is cleared)."""
    token = st.context.cookies.get(web.COOKIE)
    if isinstance(token, str) and token and token not in st.session_state.get(ENDED_KEY, ()):
        st.session_state[SESSION_KEY] = {"name": "", "token": token}


def _oidc_login() -> None:
    """With single sign-on, the provider's identity opens a session of the matching (enabled) account."""
    if not OIDC or SESSION_KEY in st.session_state or not st.user.is_logged_in:
        return
    name = st.user.get("email") or st.user.get("preferred_username") or st.user.get("name")
    account = accounts.find_account(name) if name else None
    if account is None or account.disabled:
        st.session_state[NOTICE_KEY] = "该账号未开通或已停用，请联系管理员。"
        return
    audit.record(account.user, "login", detail="统一身份认证")
    st.session_state[SESSION_KEY] = {"name": account.name, "token": accounts.open_session(account.user), "oidc": True}


def current_user() -> User | None:
    """The user of this run, checked against the accounts file; None (after saying why) when there is none."""
    _oidc_login()
    if SESSION_KEY not in st.session_state:
        _resume_from_cookie()
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    found = accounts.check_session(session.get("token"))
    if found.user is None:
        if found.name and found.reason != accounts.TIMEOUT:  # a time-out is audited as such, once
            _audit_refusal(found, session, VIEW_ACTION)
        _forget(st.session_state, found.message)
        return None
    st.session_state[USER_KEY] = found.user
    return found.user


def _audit_refusal(found: accounts.SessionCheck, session: dict, action: str) -> None:
    """A click on a session that is no longer live: refused, and the log says whose and why."""
    actor = User(found.name or session.get("name") or NOT_LOGGED_IN, found.role)
    audit.record(actor, "denied", outcome=audit.REFUSED, detail=f"{action}：{found.message}")


def acting_user(action: str, regions: Iterable[str] = ()) -> User | None:
    """The user allowed to take `action` (on `regions`) now, read afresh from the accounts file; or None after
    refusing in Chinese and auditing the refusal. Every state-changing callback and every deferred download
    calls this at the moment it runs and does nothing when it returns None."""
    return _acting(st.session_state, action, tuple(regions))


def _acting(state: MutableMapping, action: str, regions: tuple[str, ...]) -> User | None:
    session = _get(state, SESSION_KEY, {})
    found = accounts.check_session(session.get("token"))
    if found.user is None:
        _audit_refusal(found, session, action)
        _forget(state, found.message)
        return None
    try:
        roles.check(found.user, action, regions)
    except roles.PermissionDenied as denied:
        audit.record(found.user, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}")
        state[USER_KEY] = found.user
        state[REFUSED_KEY] = str(denied)
        return None
    state[USER_KEY] = found.user
    return found.user


def actor_at_click(action: str, regions: Iterable[str] = ()) -> Callable[[], User | None]:
    """`acting_user` for work Streamlit does later on another thread, outside any script run: the file of a
    download button is built when it is clicked. A refusal also asks the session to rerun, so the page shows
    why (the log-in page with its notice, or the refusal) instead of a silent failed download."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx, regions = get_script_run_ctx(), tuple(regions)

    def check() -> User | None:
        if ctx is None:
            return None
        found = _acting(ctx.session_state, action, regions)
        if found is None:
            _rerun(ctx.session_id)
        return found

    return check


def _rerun(session_id: str) -> None:
    """Ask a session to run its script again; nothing to do without a server (AppTest)."""
    from streamlit import runtime

    if not runtime.exists():
        return
    info = runtime.get_instance()._session_mgr.get_active_session_info(session_id)  # noqa: SLF001 - no public API
    if info is not None:
        info.session.request_rerun(None)


def user() -> User:
    """The user app.py checked for this run: for drawing the page only; actions call `acting_user`."""
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


def may(action: str, regions: Iterable[str] = ()) -> bool:
    """Whether to offer a control at all; the action itself checks again."""
    found = st.session_state.get(USER_KEY)
    return found is not None and roles.allowed(found, action, regions)


def show_refusal() -> None:
    """An action refused by `acting_user` in a callback of this run: said at the top of the page."""
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.error(plain.markdown(refused))


def client_address() -> str:
    """The browser's address for the log-in back-off ('' = this machine). Behind the reverse proxy the
    connection comes from this machine and the address is the last one the proxy added to X-Forwarded-For;
    that header is believed only when HNFL_BEHIND_PROXY says a proxy on this machine sets it."""
    peer = st.context.ip_address  # None for a loopback connection
    peer = peer if isinstance(peer, str) else None  # (AppTest has no connection at all)
    forwarded = [h for h in st.context.headers.get_all("X-Forwarded-For") if isinstance(h, str)]
    return web.forwarded_client(peer, forwarded, config.BEHIND_PROXY)


def logout() -> None:
    """Button callback: ends this log-in session in every tab that shares it."""
    session = st.session_state.get(SESSION_KEY) or {}
    found = accounts.check_session(session.get("token")).user if session.get("token") else None
    if found is not None:
        audit.record(found, "logout")
        accounts.end_session(session["token"], reason=accounts.LOGOUT)
    st.session_state.clear()
    _bury(st.session_state, session.get("token"))
    st.session_state[COOKIE_KEY] = ""
    st.session_state[NOTICE_KEY] = "已退出登录。"
    if session.get("oidc"):
        st.logout()


def sync_cookie() -> None:
    """Set (after log-in) or clear (after log-out or an ended session) the browser's session cookie, once.

    The token never reaches JavaScript: the page shows an invisible image whose one-time address the server
    answers with a Set-Cookie header (HttpOnly, SameSite=Strict, Secure over HTTPS); see ui/web.py.
    """
    token = st.session_state.pop(COOKIE_KEY, None)
    if token is None:
        return
    st.html(f'<img src="{web.COOKIE_PATH}?n={web.offer_cookie(token)}" alt="" width="1" height="1" hidden>')


def _submit_login() -> None:
    """Form callback: runs before the rerun, so the next run already has the user."""
    name = st.session_state.get("login_name", "")
    password = st.session_state.get("login_password", "")
    st.session_state["login_password"] = ""  # never kept in the session after the attempt
    try:
        found = accounts.authenticate(name, password, client=client_address())
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
        st.caption(
            f"忘记密码请联系管理员重设。连续输错 {config.LOGIN_MAX_FAILURES} 次后需等待一段时间才能再试，"
            "每多错一次等待加倍。"
        )


def sidebar(found: User) -> None:
    with st.sidebar:
        st.text(f"当前用户：{found.label}")  # a name is text, never Markdown
        st.button("退出登录", on_click=logout, key="auth_logout", icon=":material/logout:")
