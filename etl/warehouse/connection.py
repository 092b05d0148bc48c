"""Open the warehouse safely (bounded wait for another process's lock) and keep its schema current."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from etl import catalog, files
from etl.config import LOCK_WAIT_SECONDS

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
MARTS_FILE = Path(__file__).with_name("marts.sql")
CATALOG_FILE = Path(__file__).with_name("catalog.sql")
BEIJING = ZoneInfo("Asia/Shanghai")


class WarehouseError(Exception):
    """A warehouse problem with a Chinese message fit for the person who caused it."""


class WarehouseBusy(WarehouseError):
    pass


class WarehouseMissing(WarehouseError):
    pass


class WarehouseDamaged(WarehouseError):
    """The file is there but DuckDB cannot read it: it must be restored, never written over."""


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
def connect(
    db_path: Path, *, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse for one short piece of work, waiting a bounded time if another process holds it.

    A DuckDB file is locked by the process that writes it, and a writer excludes readers too, so
    nobody keeps it open between operations.
    """
    db_path = Path(db_path)
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
        with connect(db_path, wait=wait):
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


def _open(db_path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect with a bounded retry while another process holds the file's lock."""
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
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


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        stored = con.execute("select value from schema_info where key = 'digest'").fetchall()
    except duckdb.CatalogException:
        return False
    except duckdb.Error as exc:  # often the first read of a damaged file
        if _is_damage(exc):
            con.close()
            raise WarehouseDamaged(DAMAGED_MESSAGE) from exc
        raise
    return bool(stored) and stored[0][0] == _reference_digest()


def _reference_digest() -> str:
    digest = hashlib.sha256(SCHEMA_FILE.read_bytes() + MARTS_FILE.read_bytes() + CATALOG_FILE.read_bytes())
    for path in sorted(catalog.REFERENCE_DIR.glob("*.csv")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and refresh reference data when schema.sql or the reference CSVs changed.

    A warehouse from an older release is brought up to date here: its versions count as published (they were
    what everyone saw), its locks hold every 类别, and the facts on show are rebuilt.
    """
    if _schema_current(con):
        return
    digest = _reference_digest()
    con.begin()
    old_locks = _set_aside_old_locks(con)
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
    if old_locks:
        con.execute(f"insert into review_locks select year, region_code, '*', locked_by, locked_at from {old_locks}")
        con.execute(f"drop table {old_locks}")
    _sync_reference(con)
    con.execute(MARTS_FILE.read_text(encoding="utf-8"))
    from etl.warehouse.visible import rebuild  # visible builds on this module

    rebuild(con)
    con.execute("insert or replace into schema_info values ('digest', ?)", [digest])
    con.commit()


def _set_aside_old_locks(con: duckdb.DuckDBPyConnection) -> str | None:
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


def _sync_reference(con: duckdb.DuckDBPyConnection) -> None:
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
