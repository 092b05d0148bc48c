"""Accounts: argon2id password hashes, user management, log-in with a per-name rate limit, the first 管理员."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl import audit, catalog, config
from etl.roles import ADMIN, ROLES, STATISTICIAN, USERS, User, check
from etl.warehouse import accounts as store
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
    """A 管理员 resets anyone's password; everyone may change their own."""
    if actor.name != name:
        check(actor, USERS)
    check_password(password, name)
    with store.connect(_path(db_path)) as con:
        if not store.update_password(con, name, _HASHER.hash(password), _stamp()):
            raise AccountError(f"用户“{name}”不存在。")
        store.clear_failures(con, name)
        if actor.name != name:  # a reset password: whoever holds the old one is logged out
            store.end_sessions_of(con, name)
    audit.record(actor, "passwd", detail=name, db_path=db_path)


def change_own_password(actor: User, old: str, new: str, *, db_path: Path | None = None) -> None:
    """Everyone changes their own password by proving the old one."""
    with store.connect(_path(db_path)) as con:
        row = store.get_user(con, actor.name)
    if row is None or not _verify(row["password_hash"], old):
        audit.record(actor, "passwd", outcome=audit.REFUSED, detail="原密码不正确", db_path=db_path)
        raise AccountError("原密码不正确。")
    if old == new:
        raise AccountError("新密码不能与原密码相同。")
    set_password(actor, actor.name, new, db_path=db_path)


def set_disabled(actor: User, name: str, disabled: bool, *, db_path: Path | None = None) -> None:
    check(actor, USERS)
    with store.connect(_path(db_path)) as con:
        account = store.get_user(con, name)
        if account is None:
            raise AccountError(f"用户“{name}”不存在。")
        if disabled and account["role"] == ADMIN and not account["disabled"] and store.active_admins(con) <= 1:
            raise AccountError("不能停用最后一个管理员，否则无人能管理系统。")
        store.set_disabled(con, name, disabled)
        if disabled:
            store.end_sessions_of(con, name)
    audit.record(actor, "user_disable" if disabled else "user_enable", detail=name, db_path=db_path)


def list_users(db_path: Path | None = None) -> list[dict]:
    path = _path(db_path)
    if not path.exists():
        return []
    with store.connect(path) as con:
        return store.list_users(con)


def find_account(name: str, db_path: Path | None = None) -> Account | None:
    """The account as it is now: role changes and disabling take effect on the next click."""
    path = _path(db_path)
    if not path.exists():
        return None
    with store.connect(path) as con:
        row = store.get_user(con, name)
    return Account(row["name"], row["role"], row["region_code"], bool(row["disabled"])) if row else None


def authenticate(name: str, password: str, *, db_path: Path | None = None, now: float | None = None) -> User:
    """The user, or LoginRefused. Every attempt is audited; a name with too many recent failures is refused."""
    name, now = name.strip(), time.time() if now is None else now
    if not name or not password:
        raise LoginRefused("请输入用户名和密码。")
    attempt = User(name, "")
    with store.connect(_path(db_path)) as con:
        failures, latest = store.recent_failures(con, name, now - config.LOGIN_WINDOW_SECONDS)
        row = store.get_user(con, name)
    if failures >= config.LOGIN_MAX_FAILURES:
        wait = max(1, round((latest + config.LOGIN_WINDOW_SECONDS - now) / 60))
        audit.record(attempt, "login_failed", outcome=audit.REFUSED, detail="失败次数过多，暂停登录", db_path=db_path)
        raise LoginRefused(f"该账号登录失败次数过多，已暂停登录，请 {wait} 分钟后再试，或联系管理员。")
    if not _verify(row["password_hash"] if row else _DUMMY_HASH, password) or row is None:
        with store.connect(_path(db_path)) as con:
            store.add_failure(con, name, now)
        audit.record(attempt, "login_failed", outcome=audit.FAILED, detail="用户名或密码错误", db_path=db_path)
        raise LoginRefused("用户名或密码错误。" + _attempts_left(config.LOGIN_MAX_FAILURES - failures - 1))
    user = User(row["name"], row["role"], row["region_code"])
    if row["disabled"]:
        audit.record(user, "login_failed", outcome=audit.REFUSED, detail="账号已停用", db_path=db_path)
        raise LoginRefused("该账号已停用，请联系管理员。")
    with store.connect(_path(db_path)) as con:
        store.clear_failures(con, name)
        if _HASHER.check_needs_rehash(row["password_hash"]):
            store.update_password(con, name, _HASHER.hash(password), _stamp())
    audit.record(user, "login", db_path=db_path)
    return user


def _attempts_left(left: int) -> str:
    minutes = config.LOGIN_WINDOW_SECONDS // 60
    if left <= 0:
        return f"失败次数过多，已暂停登录 {minutes} 分钟。"
    return f"再错 {left} 次将暂停登录 {minutes} 分钟。" if left <= 2 else ""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, *, db_path: Path | None = None, now: float | None = None) -> str:
    """A new random session token for the browser's cookie; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    with store.connect(_path(db_path)) as con:
        store.insert_session(con, _token_hash(token), user.name, time.time() if now is None else now)
    return token


def resume_session(token: str, *, db_path: Path | None = None, now: float | None = None) -> User | None:
    """The user of a live session (a reloaded page), or None when it ended, timed out or the user is disabled."""
    now = time.time() if now is None else now
    if not token or not _path(db_path).exists():
        return None
    with store.connect(_path(db_path)) as con:
        session = store.get_session(con, _token_hash(token))
        row = store.get_user(con, session["name"]) if session else None
        if session is None:
            return None
        if row is None or row["disabled"] or now - session["last_seen"] > config.SESSION_TIMEOUT_MINUTES * 60:
            store.end_session(con, _token_hash(token))
            return None
        store.touch_session(con, _token_hash(token), now)
    return User(row["name"], row["role"], row["region_code"])


def touch_session(token: str, *, db_path: Path | None = None, now: float | None = None) -> None:
    with store.connect(_path(db_path)) as con:
        store.touch_session(con, _token_hash(token), time.time() if now is None else now)


def end_session(token: str, *, db_path: Path | None = None) -> None:
    with store.connect(_path(db_path)) as con:
        store.end_session(con, _token_hash(token))


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
