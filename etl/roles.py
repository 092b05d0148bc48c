"""Who may do what: the four roles, the actions they are checked against, and the one rule that decides.

Every action function (etl.pipeline.load_bytes, etl.actions) calls `check` on the server side; the app
also hides what a role may not do, but hiding is only a courtesy.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from etl import catalog
from etl.catalog import city_of  # re-exported: it used to live here

ADMIN, LEADER, STATISTICIAN, REVIEWER = "管理员", "领导", "统计员", "审核员"
ROLES = (STATISTICIAN, REVIEWER, LEADER, ADMIN)
STAFF = (STATISTICIAN, REVIEWER, ADMIN)  # province and city staff, as opposed to leaders

VIEW, UPLOAD, RESTORE, EXPORT = "view", "upload", "restore", "export"
LOCK, USERS, AUDIT, CATALOG, DEADLINE = "lock", "users", "audit", "catalog", "deadline"
REVIEW, PENDING = "review", "pending"  # 审核通过/退回; see figures not yet reviewed (含待审核数据)

ACTION_NAMES = {
    VIEW: "查看", UPLOAD: "上报数据", RESTORE: "恢复版本", EXPORT: "导出数据", LOCK: "审核锁定",
    USERS: "管理用户", AUDIT: "查看审计日志", CATALOG: "管理指标目录", DEADLINE: "设置截止日期",
    REVIEW: "审核数据", PENDING: "查看待审核数据",
}  # fmt: skip

# Actions a role may take on any 市州. A 统计员 takes OWN_CITY_ONLY ones on its own 市州 (and its 县市区).
_ANYWHERE = {
    ADMIN: {VIEW, UPLOAD, RESTORE, EXPORT, LOCK, USERS, AUDIT, CATALOG, DEADLINE, REVIEW, PENDING},
    REVIEWER: {VIEW, EXPORT, REVIEW, PENDING},
    LEADER: {VIEW, EXPORT},
    STATISTICIAN: {VIEW, PENDING},
}
_OWN_CITY_ONLY = {UPLOAD, RESTORE, EXPORT}
_VERBS = {UPLOAD: "上报", RESTORE: "恢复", EXPORT: "导出"}


class PermissionDenied(Exception):
    """An action the user's role does not allow; the message is Chinese and says whom to ask."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    region_code: str | None = None  # the 市州 a 统计员 reports for

    @property
    def label(self) -> str:
        """张三（统计员·长沙市）"""
        city = catalog.region_by_code()[self.region_code].name if self.region_code else ""
        return f"{self.name}（{self.role}{'·' + city if city else ''}）"


# The command line runs on the server, by someone who already holds the machine: it acts as 管理员.
SYSTEM = User("命令行", ADMIN)


def cli_user() -> User:
    """命令行:<login name>, so the audit log tells which server account ran a command."""
    try:
        return User(f"命令行:{os.getlogin()}", ADMIN)
    except OSError:
        return SYSTEM


def allowed(user: User, action: str, regions: Iterable[str] = ()) -> bool:
    """May `user` take `action` on every one of `regions` (region codes; empty = no particular 市州)?"""
    if action in _ANYWHERE.get(user.role, set()):
        return True
    if user.role != STATISTICIAN or action not in _OWN_CITY_ONLY or user.region_code is None:
        return False
    return all(city_of(code) == user.region_code for code in regions)


def check(user: User, action: str, regions: Iterable[str] = ()) -> None:
    """Raise PermissionDenied unless `allowed`."""
    regions = list(regions)
    if allowed(user, action, regions):
        return
    name = ACTION_NAMES.get(action, action)
    if user.role == STATISTICIAN and action in _OWN_CITY_ONLY:
        own = catalog.region_by_code()[user.region_code].name if user.region_code else "（未绑定市州）"
        others = sorted({catalog.region_by_code()[city_of(c)].name for c in regions} - {own})
        verb = _VERBS[action]
        raise PermissionDenied(f"统计员只能{verb}本市州（{own}）的数据，不能{verb}{'、'.join(others)}的数据。")
    raise PermissionDenied(f"您的角色（{user.role}）不能{name}。如确需操作，请联系管理员。")
