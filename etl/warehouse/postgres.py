"""PostgreSQL connections (HNFL_DATABASE_URL): the warehouse in schema `warehouse`, the accounts store in schema
`accounts` of the same database. Each connection does one short piece of work, like the DuckDB file's.

Writers of the same slice take turns on advisory locks (db.Db.lock_slices), bounded by HNFL_LOCK_WAIT_SECONDS
through `lock_timeout`; writers of other slices never wait. Every warehouse connection that may have written takes
the next `data_version_seq` value as it closes: the number the app's page caches are keyed on, in every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from etl.warehouse.db import POSTGRES, Db
from etl.warehouse.errors import WarehouseBusy, WarehouseError

SCHEMA, ACCOUNTS_SCHEMA = "warehouse", "accounts"
UNREACHABLE = "无法连接数据库服务器（HNFL_DATABASE_URL）：{reason}。请确认数据库服务器已启动、地址和账号正确。"


def busy_message(wait: float) -> str:
    return f"数据仓库正被其他程序写入或占用，已等待 {wait:.0f} 秒仍未释放。请稍后重试。"


def open_raw(url: str, schema: str, wait: float, *, autocommit: bool = True) -> Db:
    """A connection whose unqualified names are `schema`'s; lock waits end after `wait` seconds."""
    import psycopg

    options = f"-c search_path={schema} -c lock_timeout={int(wait * 1000)} -c client_min_messages=warning"
    try:
        raw = psycopg.connect(url, autocommit=autocommit, options=options, connect_timeout=max(1, int(wait)))
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise WarehouseError(UNREACHABLE.format(reason=reason)) from exc
    return Db(raw, POSTGRES)


@contextmanager
def connect(url: str, *, read_only: bool, wait: float, ensure: Callable[[Db], None]) -> Iterator[Db]:
    import psycopg

    con = open_raw(url, SCHEMA, wait)
    try:
        ensure(con)
        yield con
    except psycopg.errors.LockNotAvailable as exc:
        raise WarehouseBusy(busy_message(wait)) from exc
    except psycopg.OperationalError as exc:
        raise WarehouseError(UNREACHABLE.format(reason=str(exc).strip() or type(exc).__name__)) from exc
    finally:
        try:
            if not read_only and not con.raw.closed:
                con.execute("select nextval('data_version_seq')")
        except psycopg.Error:
            pass  # a broken connection: its transaction was rolled back, nothing changed
        finally:
            con.close()


def data_version(url: str, wait: float) -> tuple:
    """What page caches are keyed on: changes after every writing connection, read in one cheap query."""
    import psycopg

    con = open_raw(url, SCHEMA, wait)
    try:
        return tuple(con.execute("select last_value, is_called from data_version_seq").fetchall()[0])
    except psycopg.errors.UndefinedTable:
        return (0, False)  # a database nobody has used yet
    finally:
        con.close()
