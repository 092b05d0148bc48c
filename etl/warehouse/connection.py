"""Open the warehouse safely — a DuckDB file (bounded wait for another process's lock) or a PostgreSQL database —
and keep its schema current (versioned migrations, then the views and reference data)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from etl import catalog, config, files
from etl.config import LOCK_WAIT_SECONDS
from etl.warehouse import migrations, postgres
from etl.warehouse.db import DUCKDB, POSTGRES, Db, is_url, slice_key
from etl.warehouse.errors import WarehouseBusy, WarehouseDamaged, WarehouseError, WarehouseMissing

MIGRATIONS_DIR = Path(migrations.__file__).parent
VIEWS_FILE = Path(__file__).with_name("views.sql")
MARTS_FILE = Path(__file__).with_name("marts.sql")
BEIJING = ZoneInfo("Asia/Shanghai")


DAMAGED_MESSAGE = "数据仓库已损坏，请从备份恢复（python -m etl restore 备份目录）。"
# What DuckDB 2.0 says about a file that is not (or no longer) a whole database: foreign bytes, a
# truncated file, a block whose checksum fails. Not the lock, not a permission or a full disk.
_DAMAGE_SIGNS = ("not a valid DuckDB database file", "Corrupt database file", "Could not read enough bytes")


def now_beijing() -> datetime:
    """Statisticians and leaders read times in Beijing time, whatever the server's zone."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def _is_lock_error(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _is_damage(exc: duckdb.Error) -> bool:
    return any(sign in str(exc) for sign in _DAMAGE_SIGNS)


@contextmanager
def connect(db_path: Path, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Db]:
    """Open the warehouse for one short piece of work: the PostgreSQL database of $HNFL_DATABASE_URL when it is
    set, else the DuckDB file `db_path`. Either way the schema is brought up to date first."""
    with open_database(config.database_url() or db_path, read_only=read_only, wait=wait) as con:
        yield con


def exists(db_path: Path) -> bool:
    """Whether there is a warehouse to read: a database server always has one (made on first use)."""
    return bool(config.database_url()) or Path(db_path).exists()


@contextmanager
def open_database(location: Path | str, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS) -> Iterator[Db]:
    """A warehouse named explicitly, whatever $HNFL_DATABASE_URL says: a postgresql:// URL or a DuckDB file."""
    if is_url(location):
        with postgres.connect(location, read_only=read_only, wait=wait, ensure=ensure_schema) as con:
            yield con
        return
    with _duckdb(Path(location), read_only=read_only, wait=wait) as con:
        yield con


@contextmanager
def _duckdb(db_path: Path, *, read_only: bool, wait: float) -> Iterator[Db]:
    """A DuckDB file is locked by the process that writes it, and a writer excludes readers too, so nobody keeps
    it open between operations; a writer that meets the lock waits a bounded time."""
    if read_only and not db_path.exists():
        raise WarehouseMissing(f"数据仓库 {db_path.name} 不存在。请先运行 python -m etl demo 或上报数据。")
    files.private_dir(db_path.parent)
    con = _open(db_path, read_only, wait)
    if not read_only:  # every 市州's figures: owner-only, whatever the umask of the process that made the file
        files.restrict(db_path)
        files.restrict(db_path.with_name(db_path.name + ".wal"))
    if read_only and not _schema_current(con):
        # A warehouse made by an older version of the app: a short write brings its schema up to date.
        con.close()
        with _duckdb(db_path, read_only=False, wait=wait):
            pass
        con = _open(db_path, True, wait)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    except duckdb.Error as exc:  # a damaged block may only show when it is first read
        if _is_damage(exc):
            raise WarehouseDamaged(DAMAGED_MESSAGE) from exc
        raise
    finally:
        con.close()


def _open(db_path: Path, read_only: bool, wait: float) -> Db:
    """duckdb.connect with a bounded retry while another process holds the file's lock."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return Db(duckdb.connect(str(db_path), read_only=read_only), DUCKDB)
        except duckdb.Error as exc:
            if _is_damage(exc):
                raise WarehouseDamaged(DAMAGED_MESSAGE) from exc
            if not _is_lock_error(exc):
                raise WarehouseError(f"无法打开数据仓库 {db_path.name}：{exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"数据仓库正被其他程序写入或占用，已等待 {wait:.0f} 秒仍未释放。请稍后重试。"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _stored_digest(con: Db) -> str | None:
    if con.backend == POSTGRES:
        if con.value("select to_regclass('schema_info')") is None:
            return None
        stored = con.execute("select value from schema_info where key = 'digest'").fetchall()
        return stored[0][0] if stored else None
    try:
        stored = con.execute("select value from schema_info where key = 'digest'").fetchall()
    except duckdb.CatalogException:
        return None
    except duckdb.Error as exc:  # often the first read of a damaged file
        if _is_damage(exc):
            con.close()
            raise WarehouseDamaged(DAMAGED_MESSAGE) from exc
        raise
    return stored[0][0] if stored else None


def _schema_current(con: Db) -> bool:
    return _stored_digest(con) == _reference_digest()


@lru_cache(maxsize=1)
def _reference_digest() -> str:
    digest = hashlib.sha256(VIEWS_FILE.read_bytes() + MARTS_FILE.read_bytes())
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")) + sorted(catalog.REFERENCE_DIR.glob("*.csv")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _view_names() -> list[str]:
    text = VIEWS_FILE.read_text(encoding="utf-8") + MARTS_FILE.read_text(encoding="utf-8")
    return re.findall(r"create or replace view (\w+)", text)


def ensure_schema(con: Db) -> None:
    """Run the migrations not yet applied, recreate the views and marts, and refresh reference data, whenever a
    migration, a view or a reference CSV changed (one digest says which).

    A DuckDB warehouse from an older release is brought up to date here: its versions count as published (they were
    what everyone saw), its locks hold every 类别, and the facts on show are rebuilt. On PostgreSQL, processes that
    meet a stale schema at once take turns; the first one upgrades it.
    """
    if con.backend == POSTGRES:
        con.execute(f"create schema if not exists {postgres.SCHEMA}")
    if _schema_current(con):
        return
    con.begin()
    try:
        if con.backend == POSTGRES:
            con.execute("select pg_advisory_xact_lock(?)", [slice_key("schema")])
            if _schema_current(con):  # upgraded by another process while this one waited
                con.rollback()
                return
        _upgrade(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _upgrade(con: Db) -> None:
    for name in reversed(_view_names()):  # dependants first; PostgreSQL cannot replace a view whose columns change
        con.execute(f"drop view if exists {name}")  # names from our own files
    old_locks = _set_aside_old_locks(con) if con.backend == DUCKDB else None
    migrations.apply(con, MIGRATIONS_DIR)
    if old_locks:
        con.execute(f"insert into review_locks select year, region_code, '*', locked_by, locked_at from {old_locks}")
        con.execute(f"drop table {old_locks}")
    _sync_reference(con)
    con.script(VIEWS_FILE.read_text(encoding="utf-8"))
    con.script(MARTS_FILE.read_text(encoding="utf-8"))
    from etl.warehouse.visible import rebuild  # visible builds on this module

    rebuild(con)
    con.execute(
        "insert into schema_info values ('digest', ?) on conflict (key) do update set value = excluded.value",
        [_reference_digest()],
    )


def _set_aside_old_locks(con: Db) -> str | None:
    """Locks of the release before reviews were per (市州, 年度) only: renamed, to be copied into the new table."""
    columns = {
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'main' and table_name = 'review_locks'"
        ).fetchall()
    }
    if not columns or "domain" in columns:
        return None
    con.execute("alter table review_locks rename to review_locks_before_review")
    return "review_locks_before_review"


def _sync_reference(con: Db) -> None:
    """Regions from regions.csv; the catalogue's tables and the shipped catalogue where it belongs."""
    from etl.warehouse import catalog_store  # the store builds on this module

    con.execute("delete from regions")
    rows = [
        (r.code, r.name, r.short_name, r.parent_code, r.level, r.sort_order, r.valid_from, r.replaced_in, r.successor,
         catalog.lineage_code(r.code))
        for r in catalog.regions()
    ]  # fmt: skip
    con.execute(
        "insert into regions (code, name, short_name, parent_code, level, sort_order, valid_from, replaced_in,"
        " successor, lineage_code) values " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows)),
        [v for row in rows for v in row],
    )
    catalog_store.ensure(con)


def version(db_path: Path) -> tuple:
    """Changes whenever a write commits: a DuckDB file's (and its WAL's) mtime and size, read without opening it
    (a file held by a writer would make a reader wait); on PostgreSQL the data version every writer advances.
    The first element is None when there is no warehouse yet."""
    url = config.database_url()
    if url:
        return (url, *postgres.data_version(url, LOCK_WAIT_SECONDS))
    parts = []
    for candidate in (db_path, db_path.with_name(db_path.name + ".wal")):
        try:
            stat = candidate.stat()
            parts.append((stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)
