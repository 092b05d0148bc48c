"""The accounts file (SQLite, beside the warehouse): users, failed logins and the append-only audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl.config import LOCK_WAIT_SECONDS
from etl.warehouse.connection import WarehouseBusy, WarehouseDamaged

SCHEMA_FILE = Path(__file__).with_name("accounts.sql")
SCHEMA_VERSION = 3  # 3: the 审核员 role
AUDIT_COLUMNS = (
    "at", "actor", "role", "action", "outcome", "region_code", "year", "detail", "file_name", "file_sha256",
)  # fmt: skip


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One short unit of work, committed on success; SQLite itself queues writers from other processes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS)
    con.row_factory = sqlite3.Row
    try:
        with con:
            _ensure_schema(con)
            yield con
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise WarehouseBusy("账号数据库正被其他程序占用，请稍后重试。") from exc
        raise
    except sqlite3.DatabaseError as exc:
        raise WarehouseDamaged(f"账号数据库 {path.name} 已损坏，请从备份恢复。") from exc
    finally:
        con.close()


def _ensure_schema(con: sqlite3.Connection) -> None:
    version = con.execute("pragma user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    # A CHECK constraint cannot be altered in SQLite: a file from before the 审核员 role gets its users table
    # rebuilt with the new list of roles, rows unchanged.
    old_users = 0 < version < 3 and _has_table(con, "users")
    if old_users:
        con.execute("alter table users rename to users_before_reviewer")
    con.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
    if old_users:
        con.execute("insert into users select * from users_before_reviewer")
        con.execute("drop table users_before_reviewer")
    con.execute(f"pragma user_version = {SCHEMA_VERSION}")  # an int constant: pragmas take no parameters


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("select 1 from sqlite_master where type = 'table' and name = ?", [name]).fetchone() is not None


# ---------------------------------------------------------------- users


def get_user(con: sqlite3.Connection, name: str) -> dict | None:
    row = con.execute("select * from users where name = ?", [name]).fetchone()
    return dict(row) if row else None


def insert_user(
    con: sqlite3.Connection, name: str, role: str, region_code: str | None, password_hash: str, by: str, at: str
) -> None:
    con.execute(
        "insert into users (name, role, region_code, password_hash, disabled, created_at, created_by,"
        " password_changed_at) values (?, ?, ?, ?, 0, ?, ?, ?)",
        [name, role, region_code, password_hash, at, by, at],
    )


def update_password(con: sqlite3.Connection, name: str, password_hash: str, at: str) -> bool:
    cursor = con.execute(
        "update users set password_hash = ?, password_changed_at = ? where name = ?", [password_hash, at, name]
    )
    return cursor.rowcount == 1


def set_disabled(con: sqlite3.Connection, name: str, disabled: bool) -> bool:
    cursor = con.execute("update users set disabled = ? where name = ?", [int(disabled), name])
    return cursor.rowcount == 1


def list_users(con: sqlite3.Connection) -> list[dict]:
    rows = con.execute(
        "select name, role, region_code, disabled, created_at, created_by, password_changed_at from users"
        " order by case role when '管理员' then 0 when '审核员' then 1 when '领导' then 2 else 3 end, region_code, name"
    ).fetchall()
    return [dict(r) for r in rows]


def active_admins(con: sqlite3.Connection) -> int:
    return con.execute("select count(*) from users where role = '管理员' and not disabled").fetchone()[0]


# ---------------------------------------------------------------- failed logins


def add_failure(con: sqlite3.Connection, name: str, at: float) -> None:
    con.execute("insert into login_failures values (?, ?)", [name, at])


def recent_failures(con: sqlite3.Connection, name: str, since: float) -> tuple[int, float | None]:
    """(failures of `name` since `since`, time of the latest)."""
    count, latest = con.execute(
        "select count(*), max(at) from login_failures where name = ? and at >= ?", [name, since]
    ).fetchone()
    return count, latest


def clear_failures(con: sqlite3.Connection, name: str) -> None:
    con.execute("delete from login_failures where name = ?", [name])


# ---------------------------------------------------------------- sessions


def insert_session(con: sqlite3.Connection, token_sha256: str, name: str, at: float) -> None:
    con.execute("insert into sessions values (?, ?, ?, ?, 0)", [token_sha256, name, at, at])


def get_session(con: sqlite3.Connection, token_sha256: str) -> dict | None:
    row = con.execute("select * from sessions where token_sha256 = ? and not ended", [token_sha256]).fetchone()
    return dict(row) if row else None


def touch_session(con: sqlite3.Connection, token_sha256: str, at: float) -> None:
    con.execute("update sessions set last_seen = ? where token_sha256 = ?", [at, token_sha256])


def end_session(con: sqlite3.Connection, token_sha256: str) -> None:
    con.execute("update sessions set ended = 1 where token_sha256 = ?", [token_sha256])


def end_sessions_of(con: sqlite3.Connection, name: str) -> None:
    con.execute("update sessions set ended = 1 where name = ?", [name])


# ---------------------------------------------------------------- audit log


def append_audit(con: sqlite3.Connection, entry: dict) -> None:
    con.execute(
        f"insert into audit_log ({', '.join(AUDIT_COLUMNS)}) values ({', '.join('?' * len(AUDIT_COLUMNS))})",
        [entry.get(column) for column in AUDIT_COLUMNS],
    )


def audit_entries(
    con: sqlite3.Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    actions: list[str] | None = None,
    limit: int = 5000,
) -> list[dict]:
    """Newest first. `since`/`until` are ISO dates or times compared as text (Beijing time throughout)."""
    clauses, params = [], []
    for clause, value in (("at >= ?", since), ("at < ?", until), ("actor = ?", actor)):
        if value:
            clauses.append(clause)
            params.append(value)
    if actions:
        clauses.append(f"action in ({', '.join('?' * len(actions))})")
        params.extend(actions)
    where = f"where {' and '.join(clauses)}" if clauses else ""
    rows = con.execute(
        f"select entry_id, {', '.join(AUDIT_COLUMNS)} from audit_log {where} order by entry_id desc limit ?",
        [*params, limit],
    ).fetchall()
    return [dict(r) for r in rows]
