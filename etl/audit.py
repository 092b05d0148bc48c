"""The audit log: who did what, when, to which 市州 and file. Append-only; nothing in the app edits it."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from etl import config
from etl.access import store
from etl.roles import User
from etl.warehouse.connection import now_beijing

OK, REFUSED, FAILED = "ok", "refused", "failed"
OUTCOMES = {OK: "成功", REFUSED: "被拒绝", FAILED: "失败"}

ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "timeout": "超时退出",
    "upload": "上报", "refusal": "上报被拒绝", "restore": "恢复版本", "lock": "审核锁定", "unlock": "解除锁定",
    "export": "导出", "deadline": "设置截止日期", "user_add": "新增用户", "user_disable": "停用用户",
    "user_enable": "启用用户", "passwd": "修改密码", "backup": "备份", "restore_backup": "从备份恢复",
    "denied": "越权操作被拒绝", "error": "系统错误", "approve": "审核通过", "return": "退回", "migrate": "数据迁移",
    "catalog": "修改指标目录", "targets": "设置任务数",
}  # fmt: skip


# Control and format characters (ESC, bidi overrides, zero-width, line separators) would act on the terminal of
# whoever reads `python -m etl audit`, or disguise a name: they are stored and printed as \x1b, \u202e …
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


def printable(text: str) -> str:
    """`text` with every control or format character written as a Python escape; other text unchanged."""
    if text.isprintable():  # the common case, in C
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _INVISIBLE else char
        for char in text
    )


def entry(
    actor: User,
    action: str,
    *,
    outcome: str = OK,
    region_code: str | None = None,
    year: int | None = None,
    detail: str = "",
    file_name: str | None = None,
    file_sha256: str | None = None,
) -> dict:
    """One entry as the store keeps it (Beijing time), every text escaped."""
    return {
        "at": now_beijing().isoformat(sep=" "),
        "actor": printable(actor.name),  # a name typed at the log-in form, a file name from a browser: anything
        "role": actor.role,
        "action": action,
        "outcome": outcome,
        "region_code": region_code,
        "year": year,
        "detail": printable(detail),
        "file_name": None if file_name is None else printable(file_name),
        "file_sha256": file_sha256,
    }


def record(actor: User, action: str, *, db_path: Path | None = None, **fields: object) -> None:
    """Append one entry (fields as `entry` takes them). `db_path` is the warehouse whose accounts store holds the
    log."""
    with store.connect(config.accounts_path(db_path)) as con:
        store.append_audit(con, entry(actor, action, **fields))


def entries(db_path: Path | None = None, **filters: object) -> list[dict]:
    """Newest first; filters as etl.access.store.audit_entries takes them."""
    path = config.accounts_path(db_path)
    if not store.exists(path):
        return []
    with store.connect(path) as con:
        return store.audit_entries(con, **filters)
