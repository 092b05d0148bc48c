"""The accounts store: users, failed log-ins, sessions, cookie offers and the append-only audit log.

A SQLite file beside the warehouse (accounts.sqlite3), or schema `accounts` of the PostgreSQL database when
HNFL_DATABASE_URL is set. One set of statements serves both; the schema is versioned in migrations/.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etl import config, files
from etl.config import LOCK_WAIT_SECONDS
from etl.warehouse import migrations
from etl.warehouse.db import POSTGRES, SQLITE, Db, is_url, slice_key
from etl.warehouse.errors import WarehouseBusy, WarehouseDamaged
from etl.warehouse.postgres import ACCOUNTS_SCHEMA, open_raw
from etl.warehouse.transfer import TransferError, copy_tables

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Columns added after a file may already exist: `create table if not exists` leaves old tables as they were.
_ADDED_COLUMNS = (
    ("login_failures", "client", "varchar not null default ''"),
    ("sessions", "end_reason", "varchar"),
)
AUDIT_COLUMNS = (
    "at", "actor", "role", "action", "outcome", "region_code", "year", "detail", "file_name", "file_sha256",
)  # fmt: skip
_MIGRATED: set[str] = set()  # PostgreSQL databases this process has brought up to date


def exists(path: Path) -> bool:
    """Whether there is a store to read: a database server always has one."""
    return bool(config.database_url()) or Path(path).exists()


@contextmanager
def connect(path: Path) -> Iterator[Db]:
    """One short unit of work, committed on success: in the SQLite file `path`, or in PostgreSQL when
    $HNFL_DATABASE_URL is set. Either database queues writers from other processes itself."""
    with connect_to(config.database_url() or path) as con:
        yield con


@contextmanager
def connect_to(location: Path | str) -> Iterator[Db]:
    """The store named explicitly, whatever $HNFL_DATABASE_URL says: a postgresql:// URL or a SQLite file."""
    if is_url(location):
        with _postgres(location) as con:
            yield con
        return
    path = Path(location)
    files.private_dir(path.parent)
    files.private_file(path)  # password hashes and the audit log: readable by the server's account only
    raw = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS)
    try:
        with raw:
            con = Db(raw, SQLITE)
            _ensure_sqlite(con)
            yield con
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise WarehouseBusy("账号数据库正被其他程序占用，请稍后重试。") from exc
        raise
    except sqlite3.IntegrityError:  # a statement refused (the append-only log, a constraint): not damage
        raise
    except sqlite3.DatabaseError as exc:
        raise WarehouseDamaged(f"账号数据库 {path.name} 已损坏，请从备份恢复。") from exc
    finally:
        raw.close()


@contextmanager
def _postgres(url: str) -> Iterator[Db]:
    import psycopg

    con = open_raw(url, ACCOUNTS_SCHEMA, LOCK_WAIT_SECONDS, autocommit=False)
    try:
        if url not in _MIGRATED:
            _ensure_postgres(con)
            _MIGRATED.add(url)
        yield con
        con.raw.commit()
    except psycopg.errors.LockNotAvailable as exc:
        raise WarehouseBusy("账号数据库正被其他程序占用，请稍后重试。") from exc
    finally:
        con.close()  # an uncommitted unit of work is rolled back


def _ensure_postgres(con: Db) -> None:
    found = con.value(f"select to_regclass('{ACCOUNTS_SCHEMA}.schema_migrations')") is not None
    if found and con.value("select max(version) from schema_migrations") == _latest(POSTGRES):
        return  # up to date: no lock taken, so that fourteen loaders starting at once never queue here
    con.execute("select pg_advisory_xact_lock(?)", [slice_key("accounts schema")])  # one migrator at a time
    con.execute(f"create schema if not exists {ACCOUNTS_SCHEMA}")
    migrations.apply(con, MIGRATIONS_DIR)
    con.raw.commit()


def _latest(backend: str) -> int:
    return migrations.available(MIGRATIONS_DIR, backend)[-1].version


def _ensure_sqlite(con: Db) -> None:
    try:
        if con.value("select max(version) from schema_migrations") == _latest(SQLITE):
            return
    except sqlite3.OperationalError:  # a new file, or one from before migrations
        pass
    # A CHECK constraint cannot be altered in SQLite: a file from before the 审核员 role gets its users table
    # rebuilt with the new list of roles, rows unchanged.
    rebuild = _users_without_reviewer(con)
    if rebuild:
        con.execute("alter table users rename to users_before_reviewer")
    migrations.apply(con, MIGRATIONS_DIR)
    if rebuild:
        con.execute("insert into users select * from users_before_reviewer")
        con.execute("drop table users_before_reviewer")
    for table, column, definition in _ADDED_COLUMNS:
        present = {row[1] for row in con.execute(f"pragma table_info({table})").fetchall()}  # names from above
        if column not in present:
            con.execute(f"alter table {table} add column {column} {definition}")


def _users_without_reviewer(con: Db) -> bool:
    """Whether the file's users table predates the 审核员 role (its CHECK lists the roles it accepts)."""
    row = con.execute("select sql from sqlite_master where type = 'table' and name = 'users'").fetchone()
    return row is not None and "审核员" not in row[0]


# ---------------------------------------------------------------- users


def get_user(con: Db, name: str) -> dict | None:
    return con.one("select * from users where name = ?", [name])


def insert_user(con: Db, name: str, role: str, region_code: str | None, password_hash: str, by: str, at: str) -> None:
    con.execute(
        "insert into users (name, role, region_code, password_hash, disabled, created_at, created_by,"
        " password_changed_at) values (?, ?, ?, ?, 0, ?, ?, ?)",
        [name, role, region_code, password_hash, at, by, at],
    )


def update_password(con: Db, name: str, password_hash: str, at: str) -> bool:
    cursor = con.execute(
        "update users set password_hash = ?, password_changed_at = ? where name = ?", [password_hash, at, name]
    )
    return cursor.rowcount == 1


def set_disabled(con: Db, name: str, disabled: bool) -> bool:
    cursor = con.execute("update users set disabled = ? where name = ?", [int(disabled), name])
    return cursor.rowcount == 1


def list_users(con: Db) -> list[dict]:
    return con.rows(
        "select name, role, region_code, disabled, created_at, created_by, password_changed_at from users"
        " order by case role when '管理员' then 0 when '审核员' then 1 when '领导' then 2 else 3 end, region_code, name"
    )


def active_admins(con: Db) -> int:
    return con.value("select count(*) from users where role = '管理员' and disabled = 0")


# ---------------------------------------------------------------- failed logins


def add_failure(con: Db, name: str, client: str, at: float) -> None:
    con.execute("insert into login_failures (name, at, client) values (?, ?, ?)", [name, at, client])


def failures_of(con: Db, name: str, client: str, since: float) -> tuple[int, float | None]:
    """(failures of `name` from `client` since `since`, time of the latest)."""
    count, latest = con.execute(
        "select count(*), max(at) from login_failures where name = ? and client = ? and at >= ?", [name, client, since]
    ).fetchone()
    return count, latest


def failures_since(con: Db, since: float) -> int:
    """Failed log-ins of every name from every address since `since`."""
    return con.value("select count(*) from login_failures where at >= ?", [since])


def clear_failures(con: Db, name: str, client: str | None = None) -> None:
    """Forget a name's failures: from one address (a log-in there succeeded) or from everywhere."""
    if client is None:
        con.execute("delete from login_failures where name = ?", [name])
    else:
        con.execute("delete from login_failures where name = ? and client = ?", [name, client])


# ---------------------------------------------------------------- sessions


def insert_session(con: Db, token_sha256: str, name: str, at: float) -> None:
    con.execute(
        "insert into sessions (token_sha256, name, created_at, last_seen, ended) values (?, ?, ?, ?, 0)",
        [token_sha256, name, at, at],
    )


def get_session(con: Db, token_sha256: str) -> dict | None:
    """The session, ended or not (an ended one says why)."""
    return con.one("select * from sessions where token_sha256 = ?", [token_sha256])


def touch_session(con: Db, token_sha256: str, at: float) -> None:
    con.execute("update sessions set last_seen = ? where token_sha256 = ? and ended = 0", [at, token_sha256])


def end_session(con: Db, token_sha256: str, reason: str) -> None:
    con.execute(
        "update sessions set ended = 1, end_reason = ? where token_sha256 = ? and ended = 0", [reason, token_sha256]
    )


def end_sessions_of(con: Db, name: str, reason: str, *, keep: str | None = None) -> None:
    """End every live session of `name`, except the one whose hash is `keep`."""
    con.execute(
        "update sessions set ended = 1, end_reason = ?"
        " where name = ? and ended = 0 and token_sha256 is distinct from ?",
        [reason, name, keep],
    )


# ---------------------------------------------------------------- audit log


def append_audit(con: Db, entry: dict) -> None:
    con.execute(
        f"insert into audit_log ({', '.join(AUDIT_COLUMNS)}) values ({', '.join('?' * len(AUDIT_COLUMNS))})",
        [entry.get(column) for column in AUDIT_COLUMNS],
    )


def audit_entries(
    con: Db,
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
    return con.rows(
        f"select entry_id, {', '.join(AUDIT_COLUMNS)} from audit_log {where} order by entry_id desc limit ?",
        [*params, limit],
    )


# ---------------------------------------------------------------- cookie offers (ui/web.py)


def offer_cookie(con: Db, nonce_sha256: str, sealed: str, until: float, now: float) -> None:
    con.execute("delete from cookie_offers where until < ?", [now])
    con.execute("insert into cookie_offers values (?, ?, ?)", [nonce_sha256, sealed, until])


def take_cookie(con: Db, nonce_sha256: str) -> tuple[str, float] | None:
    """(sealed token, valid until) of an offer, removed as it is read: whichever process asks first gets it."""
    rows = con.execute(
        "delete from cookie_offers where nonce_sha256 = ? returning sealed, until", [nonce_sha256]
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


# ---------------------------------------------------------------- moving the store (python -m etl migrate)

TABLES = ("users", "login_failures", "sessions", "audit_log", "drafts")  # cookie offers live a minute: not moved


def transfer(source: Db, target: Db) -> dict[str, int]:
    """Every account, session, failure and audit entry into an empty store, inside the target's unit of work."""
    held = target.value("select count(*) from users")
    if held:
        raise TransferError(f"目标账号数据库已有 {held} 个账号：迁移只写入空的账号数据库，未写入任何数据。")
    copied = copy_tables(source, target, TABLES)
    if target.backend == POSTGRES:  # the next entry follows the copied ones (SQLite's autoincrement sees to itself)
        target.execute(
            "select setval(pg_get_serial_sequence('audit_log', 'entry_id'), coalesce(max(entry_id), 0) + 1, false)"
            " from audit_log"
        )
    return copied
