"""Accounts: argon2id password hashes, user management, log-in with a per-name rate limit, the first 管理员."""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl import audit, catalog, config
from etl.access import store
from etl.roles import ADMIN, ROLES, STATISTICIAN, USERS, User, check
from etl.warehouse.connection import now_beijing

_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile, random salt per hash
# Verified when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


# Names reach pages, logs and CSV files: letters (汉字 included), digits and the few marks e-mail addresses
# need (OIDC accounts are named by e-mail); nothing Markdown, HTML or a spreadsheet would interpret.
_NAME = re.compile(r"[^\W_][\w.@-]{0,99}")


class AccountError(Exception):
    """A user-management request that cannot be done; the message is Chinese and says what to do."""


class LoginRefused(Exception):
    """A log-in that did not succeed; the message is what the person at the form reads."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    region_code: str | None
    disabled: bool

    @property
    def user(self) -> User:
        return User(self.name, self.role, self.region_code)


def _path(db_path: Path | None) -> Path:
    return config.accounts_path(db_path)


def _stamp() -> str:
    return now_beijing().isoformat(sep=" ")


def check_password(password: str, name: str) -> None:
    if len(password) < config.MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {config.MIN_PASSWORD_LENGTH} 个字符。")
    if password.strip().lower() == name.strip().lower():
        raise AccountError("密码不能与用户名相同。")


def generate_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _region_for(role: str, region: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError(f"角色“{role}”不存在，应为：{'、'.join(ROLES)}。")
    if role != STATISTICIAN:
        return None
    found = catalog.find_region(region) if region else None
    if found is None or found.level != "city":
        raise AccountError("统计员必须绑定一个市州，如“长沙市”。")
    return found.code


def add_user(
    actor: User, name: str, role: str, password: str, region: str | None = None, *, db_path: Path | None = None
) -> Account:
    check(actor, USERS)
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise AccountError("用户名须为 1–100 个字符：汉字、字母、数字或 _ . @ -，以汉字、字母或数字开头。")
    region_code = _region_for(role, region)
    check_password(password, name)
    password_hash = _HASHER.hash(password)
    with store.connect(_path(db_path)) as con:
        if store.get_user(con, name) is not None:
            raise AccountError(f"用户“{name}”已存在。")
        store.insert_user(con, name, role, region_code, password_hash, actor.name, _stamp())
    audit.record(actor, "user_add", region_code=region_code, detail=f"{name}（{role}）", db_path=db_path)
    return Account(name, role, region_code, False)


def set_password(actor: User, name: str, password: str, *, db_path: Path | None = None) -> None:
    """A 管理员 resets anyone's password: every session of that user ends, and its failed log-ins are forgotten
    (a reset is also how an account stuck behind the log-in back-off is let in again)."""
    if actor.name != name:
        check(actor, USERS)
    check_password(password, name)
    with store.connect(_path(db_path)) as con:
        if not store.update_password(con, name, _HASHER.hash(password), _stamp()):
            raise AccountError(f"用户“{name}”不存在。")
        store.clear_failures(con, name)
        if actor.name != name:  # whoever holds the old password, in any browser, is logged out
            store.end_sessions_of(con, name, PASSWORD_RESET)
    audit.record(actor, "passwd", detail=name, db_path=db_path)


def change_own_password(
    actor: User, old: str, new: str, *, keep_token: str | None = None, db_path: Path | None = None
) -> None:
    """Everyone changes their own password by proving the old one; their other sessions (other browsers,
    perhaps someone who learnt the old password) end, the one making the change (`keep_token`) goes on."""
    with store.connect(_path(db_path)) as con:
        row = store.get_user(con, actor.name)
    if row is None or not _verify(row["password_hash"], old):
        audit.record(actor, "passwd", outcome=audit.REFUSED, detail="原密码不正确", db_path=db_path)
        raise AccountError("原密码不正确。")
    if old == new:
        raise AccountError("新密码不能与原密码相同。")
    set_password(actor, actor.name, new, db_path=db_path)
    with store.connect(_path(db_path)) as con:
        store.end_sessions_of(con, actor.name, PASSWORD_CHANGED, keep=_token_hash(keep_token) if keep_token else None)


def set_disabled(actor: User, name: str, disabled: bool, *, db_path: Path | None = None) -> None:
    """Disabling ends the user's sessions at their next click; enabling also clears the log-in back-off."""
    check(actor, USERS)
    with store.connect(_path(db_path)) as con:
        account = store.get_user(con, name)
        if account is None:
            raise AccountError(f"用户“{name}”不存在。")
        if disabled and account["role"] == ADMIN and not account["disabled"] and store.active_admins(con) <= 1:
            raise AccountError("不能停用最后一个管理员，否则无人能管理系统。")
        store.set_disabled(con, name, disabled)
        if disabled:
            store.end_sessions_of(con, name, DISABLED)
        else:
            store.clear_failures(con, name)
    audit.record(actor, "user_disable" if disabled else "user_enable", detail=name, db_path=db_path)


def list_users(db_path: Path | None = None) -> list[dict]:
    path = _path(db_path)
    if not store.exists(path):
        return []
    with store.connect(path) as con:
        return store.list_users(con)


def find_account(name: str, db_path: Path | None = None) -> Account | None:
    """The account as it is now: role changes and disabling take effect on the next click."""
    path = _path(db_path)
    if not store.exists(path):
        return None
    with store.connect(path) as con:
        row = store.get_user(con, name)
    return Account(row["name"], row["role"], row["region_code"], bool(row["disabled"])) if row else None


def authenticate(
    name: str, password: str, *, client: str = "", db_path: Path | None = None, now: float | None = None
) -> User:
    """The user, or LoginRefused. Every attempt is audited. A (name, address) with too many recent failures waits
    (exponential back-off); nobody elsewhere is affected. `client` is the browser's address ('' = this machine)."""
    name, now = name.strip(), time.time() if now is None else now
    if not name or not password:
        raise LoginRefused("请输入用户名和密码。")
    shown = audit.printable(name)  # a typed name may hold terminal escapes: stored and printed escaped
    attempt, where = User(shown, ""), f"（来自 {client}）" if client else "（来自本机）"
    with store.connect(_path(db_path)) as con:
        failures, latest = store.failures_of(con, shown, client, now - config.LOGIN_FAILURE_MEMORY_SECONDS)
        slow = store.failures_since(con, now - 60) >= config.LOGIN_GLOBAL_FAILURES
        row = store.get_user(con, name)
    wait = backoff(failures, latest, now)
    if wait > 0:
        audit.record(
            attempt, "login_failed", outcome=audit.REFUSED, detail="失败次数过多，稍后再试" + where, db_path=db_path
        )
        raise LoginRefused(f"登录失败次数过多，请 {_duration(wait)}后再试；如急需登录，请联系管理员。")
    if slow:  # many failures server-wide: slow every attempt down, refuse none
        _sleep(config.LOGIN_GLOBAL_DELAY_SECONDS)
    if not _verify(row["password_hash"] if row else _DUMMY_HASH, password) or row is None:
        with store.connect(_path(db_path)) as con:
            store.add_failure(con, shown, client, now)
        audit.record(attempt, "login_failed", outcome=audit.FAILED, detail="用户名或密码错误" + where, db_path=db_path)
        raise LoginRefused("用户名或密码错误。" + _next_wait(failures + 1))
    user = User(row["name"], row["role"], row["region_code"])
    if row["disabled"]:
        audit.record(user, "login_failed", outcome=audit.REFUSED, detail="账号已停用" + where, db_path=db_path)
        raise LoginRefused(DISABLED_MESSAGE)
    with store.connect(_path(db_path)) as con:
        store.clear_failures(con, name, client)
        if _HASHER.check_needs_rehash(row["password_hash"]):
            store.update_password(con, name, _HASHER.hash(password), _stamp())
    audit.record(user, "login", detail=where.strip("（）"), db_path=db_path)
    return user


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def backoff(failures: int, latest: float | None, now: float) -> float:
    """Seconds this (name, address) must still wait: none for the first LOGIN_MAX_FAILURES failures, then 30 s
    after the latest, doubling with each further failure, at most LOGIN_BACKOFF_MAX_SECONDS."""
    if failures < config.LOGIN_MAX_FAILURES or latest is None:
        return 0.0
    step = config.LOGIN_BACKOFF_FIRST_SECONDS * 2 ** (failures - config.LOGIN_MAX_FAILURES)
    return max(0.0, latest + min(step, config.LOGIN_BACKOFF_MAX_SECONDS) - now)


def _next_wait(failures: int) -> str:
    """What the next failures will cost, said before it happens."""
    if failures < config.LOGIN_MAX_FAILURES - 2:
        return ""
    wait = backoff(failures, 0.0, 0.0)
    if wait:
        return f"失败次数过多，请 {_duration(wait)}后再试。"
    left = config.LOGIN_MAX_FAILURES - failures
    return f"再错 {left} 次需等待 {_duration(config.LOGIN_BACKOFF_FIRST_SECONDS)}才能再试。"


def _duration(seconds: float) -> str:
    seconds = math.ceil(seconds)
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


# ---------------------------------------------------------------- sessions

# Why a session ended, as stored; and what the person in a tab of that session reads at their next click.
LOGOUT, TIMEOUT, DISABLED, MISSING, PASSWORD_RESET, PASSWORD_CHANGED = (
    "logout", "timeout", "disabled", "missing", "password_reset", "password_changed",
)  # fmt: skip
DISABLED_MESSAGE = "该账号已停用，请联系管理员。"
ENDED_MESSAGES = {
    LOGOUT: "您已在其他页面退出登录，请重新登录。",
    TIMEOUT: f"超过 {config.SESSION_TIMEOUT_MINUTES:g} 分钟未操作，登录已超时，请重新登录。",
    DISABLED: DISABLED_MESSAGE,
    MISSING: "该账号已不存在，请联系管理员。",
    PASSWORD_RESET: "管理员已重设您的密码，请用新密码重新登录。",
    PASSWORD_CHANGED: "您的密码已在其他页面修改，请用新密码重新登录。",
}
EXPIRED_MESSAGE = "登录已失效，请重新登录。"


@dataclass(frozen=True)
class SessionCheck:
    """A session as the accounts file holds it now: its user if live, else why it is not (a Chinese message)."""

    user: User | None
    message: str = ""
    name: str = ""  # whose session it was, live or not
    role: str = ""
    reason: str = ""  # why it ended (LOGOUT, TIMEOUT …); '' for a live or unknown session


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, *, db_path: Path | None = None, now: float | None = None) -> str:
    """A new random session token for the browser's cookie; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    with store.connect(_path(db_path)) as con:
        store.insert_session(con, _token_hash(token), user.name, time.time() if now is None else now)
    return token


def check_session(
    token: str | None, *, db_path: Path | None = None, now: float | None = None, touch_every: float = 60
) -> SessionCheck:
    """The user of a live session, read afresh: token known and not ended, not idle past the time-out, account
    present and enabled. An idle session is ended here (and its time-out audited once). Every run of the app and
    every action calls this; it writes only when the session ends or when `touch_every` seconds have passed."""
    now = time.time() if now is None else now
    if not token or not store.exists(_path(db_path)):
        return SessionCheck(None, EXPIRED_MESSAGE)
    key = _token_hash(token)
    with store.connect(_path(db_path)) as con:
        session = store.get_session(con, key)
        row = store.get_user(con, session["name"]) if session else None
        if session is None:
            return SessionCheck(None, EXPIRED_MESSAGE)
        name, role = session["name"], row["role"] if row else ""
        if session["ended"]:
            ended = session["end_reason"] or ""
            return SessionCheck(None, ENDED_MESSAGES.get(ended, EXPIRED_MESSAGE), name, role, ended)
        reason = _end_reason(row, now - session["last_seen"])
        if reason:
            store.end_session(con, key, reason)
        elif now - session["last_seen"] >= touch_every:
            store.touch_session(con, key, now)
    if reason == TIMEOUT:
        audit.record(User(name, role), "timeout", db_path=db_path)
    if reason:
        return SessionCheck(None, ENDED_MESSAGES[reason], name, role, reason)
    return SessionCheck(User(row["name"], row["role"], row["region_code"]), "", name, role)


def _end_reason(row: dict | None, idle: float) -> str:
    if row is None:
        return MISSING
    if row["disabled"]:
        return DISABLED
    return TIMEOUT if idle > config.SESSION_TIMEOUT_MINUTES * 60 else ""


def end_session(token: str, *, reason: str = LOGOUT, db_path: Path | None = None) -> None:
    with store.connect(_path(db_path)) as con:
        store.end_session(con, _token_hash(token), reason)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def bootstrap_admin(name: str = "admin", *, db_path: Path | None = None) -> str | None:
    """Create the first 管理员 when there is none: password from $HNFL_ADMIN_PASSWORD, else a generated one.

    Returns the generated password (shown once, never stored), or None when nothing was generated.
    """
    with store.connect(_path(db_path)) as con:
        if store.active_admins(con):
            return None
    given = os.environ.get("HNFL_ADMIN_PASSWORD", "")
    password = given or generate_password()
    add_user(User("系统初始化", ADMIN), name, ADMIN, password, db_path=db_path)
    return None if given else password
