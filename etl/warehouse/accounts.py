"""The accounts file (SQLite, beside the warehouse): users, failed logins and the append-only audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl import files
from etl.config import LOCK_WAIT_SECONDS
from etl.warehouse.connection import WarehouseBusy, WarehouseDamaged

SCHEMA_FILE = Path(__file__).with_name("accounts.sql")
# 3 was used twice, by two branches merged into 4: per-address log-in failures and session end reasons
# (columns added below), and the 审核员 role (the users table rebuilt). Both are found by looking, not by number.
# 5 adds the 在线填报 drafts table (`create table if not exists`).
SCHEMA_VERSION = 5
# Columns added after a file may already exist: `create table if not exists` leaves old tables as they were.
_ADDED_COLUMNS = (
    ("login_failures", "client", "varchar not null default ''"),
    ("sessions", "end_reason", "varchar"),
)
AUDIT_COLUMNS = (
    "at", "actor", "role", "action", "outcome", "region_code", "year", "detail", "file_name", "file_sha256",
)  # fmt: skip


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One short unit of work, committed on success; SQLite itself queues writers from other processes."""
    path = Path(path)
    files.private_dir(path.parent)
    files.private_file(path)  # password hashes and the audit log: readable by the server's account only
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
    if con.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    # A CHECK constraint cannot be altered in SQLite: a file from before the 审核员 role gets its users table
    # rebuilt with the new list of roles, rows unchanged.
    rebuild = _users_without_reviewer(con)
    if rebuild:
        con.execute("alter table users rename to users_before_reviewer")
    con.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
    if rebuild:
        con.execute("insert into users select * from users_before_reviewer")
        con.execute("drop table users_before_reviewer")
    for table, column, definition in _ADDED_COLUMNS:
        present = {row[1] for row in con.execute(f"pragma table_info({table})")}  # names from the constant above
        if column not in present:
            con.execute(f"alter table {table} add column {column} {definition}")
    con.execute(f"pragma user_version = {SCHEMA_VERSION}")  # an int constant: pragmas take no parameters


def _users_without_reviewer(con: sqlite3.Connection) -> bool:
    """Whether the file's users table predates the 审核员 role (its CHECK lists the roles it accepts)."""
    row = con.execute("select sql from sqlite_master where type = 'table' and name = 'users'").fetchone()
    return row is not None and "审核员" not in row[0]


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


def add_failure(con: sqlite3.Connection, name: str, client: str, at: float) -> None:
    con.execute("insert into login_failures (name, at, client) values (?, ?, ?)", [name, at, client])


def failures_of(con: sqlite3.Connection, name: str, client: str, since: float) -> tuple[int, float | None]:
    """(failures of `name` from `client` since `since`, time of the latest)."""
    count, latest = con.execute(
        "select count(*), max(at) from login_failures where name = ? and client = ? and at >= ?", [name, client, since]
    ).fetchone()
    return count, latest


def failures_since(con: sqlite3.Connection, since: float) -> int:
    """Failed log-ins of every name from every address since `since`."""
    return con.execute("select count(*) from login_failures where at >= ?", [since]).fetchone()[0]


def clear_failures(con: sqlite3.Connection, name: str, client: str | None = None) -> None:
    """Forget a name's failures: from one address (a log-in there succeeded) or from everywhere."""
    if client is None:
        con.execute("delete from login_failures where name = ?", [name])
    else:
        con.execute("delete from login_failures where name = ? and client = ?", [name, client])


# ---------------------------------------------------------------- sessions


def insert_session(con: sqlite3.Connection, token_sha256: str, name: str, at: float) -> None:
    con.execute(
        "insert into sessions (token_sha256, name, created_at, last_seen, ended) values (?, ?, ?, ?, 0)",
        [token_sha256, name, at, at],
    )


def get_session(con: sqlite3.Connection, token_sha256: str) -> dict | None:
    """The session, ended or not (an ended one says why)."""
    row = con.execute("select * from sessions where token_sha256 = ?", [token_sha256]).fetchone()
    return dict(row) if row else None


def touch_session(con: sqlite3.Connection, token_sha256: str, at: float) -> None:
    con.execute("update sessions set last_seen = ? where token_sha256 = ? and not ended", [at, token_sha256])


def end_session(con: sqlite3.Connection, token_sha256: str, reason: str) -> None:
    con.execute(
        "update sessions set ended = 1, end_reason = ? where token_sha256 = ? and not ended", [reason, token_sha256]
    )


def end_sessions_of(con: sqlite3.Connection, name: str, reason: str, *, keep: str | None = None) -> None:
    """End every live session of `name`, except the one whose hash is `keep`."""
    con.execute(
        "update sessions set ended = 1, end_reason = ? where name = ? and not ended and token_sha256 is not ?",
        [reason, name, keep],
    )


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
