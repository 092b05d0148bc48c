"""The audit log: who did what, when, to which 市州 and file. Append-only; nothing in the app edits it."""

from __future__ import annotations

from pathlib import Path

from etl import config
from etl.roles import User
from etl.warehouse import accounts as store
from etl.warehouse.connection import now_beijing

OK, REFUSED, FAILED = "ok", "refused", "failed"
OUTCOMES = {OK: "成功", REFUSED: "被拒绝", FAILED: "失败"}

ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "timeout": "超时退出",
    "upload": "上报", "refusal": "上报被拒绝", "restore": "恢复版本", "lock": "审核锁定", "unlock": "解除锁定",
    "export": "导出", "deadline": "设置截止日期", "user_add": "新增用户", "user_disable": "停用用户",
    "user_enable": "启用用户", "passwd": "修改密码", "backup": "备份", "restore_backup": "从备份恢复",
    "denied": "越权操作被拒绝", "error": "系统错误", "approve": "审核通过", "return": "退回",
}  # fmt: skip


def record(
    actor: User,
    action: str,
    *,
    outcome: str = OK,
    region_code: str | None = None,
    year: int | None = None,
    detail: str = "",
    file_name: str | None = None,
    file_sha256: str | None = None,
    db_path: Path | None = None,
) -> None:
    """Append one entry (Beijing time). `db_path` is the warehouse whose accounts file holds the log."""
    entry = {
        "at": now_beijing().isoformat(sep=" "),
        "actor": actor.name,
        "role": actor.role,
        "action": action,
        "outcome": outcome,
        "region_code": region_code,
        "year": year,
        "detail": detail,
        "file_name": file_name,
        "file_sha256": file_sha256,
    }
    with store.connect(config.accounts_path(db_path)) as con:
        store.append_audit(con, entry)


def entries(db_path: Path | None = None, **filters: object) -> list[dict]:
    """Newest first; filters as etl.warehouse.accounts.audit_entries takes them."""
    path = config.accounts_path(db_path)
    if not path.exists():
        return []
    with store.connect(path) as con:
        return store.audit_entries(con, **filters)
