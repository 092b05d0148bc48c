"""Backups: a consistent export while the app runs, an atomic restore, and the copy each writer takes first.

On PostgreSQL (HNFL_DATABASE_URL) the export is pg_dump's archive of each schema and the restore pg_restore's, in
one transaction (etl/warehouse/pg_dump.py); the copy before each write is the server's business (its own backups
and WAL archiving), so none is taken.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import duckdb

from etl import config, files
from etl.access import store
from etl.warehouse import Db, pg_dump, postgres
from etl.warehouse.connection import BEIJING, WarehouseDamaged, WarehouseError, connect

EXPORT_FILES = ("schema.sql", "load.sql")  # what DuckDB's EXPORT DATABASE always writes
ACCOUNTS_FILE = "accounts.sqlite3"
PG_WAREHOUSE, PG_ACCOUNTS = "warehouse.pgdump", "accounts.pgdump"  # pg_dump's archives of the two schemas


class BackupError(WarehouseError):
    """A backup or restore that cannot go ahead, with a Chinese message saying why."""


def export_backup(db_path: Path, folder: Path) -> dict[str, int]:
    """Export the schema and every table (Parquet) into a new `folder`; returns rows per table.

    Runs through a read-only connection, so it shares the file with the app and waits only while a load
    holds it. Committed work still in the WAL is included, which a copy of the .duckdb file alone would miss.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"备份目录 {folder} 已存在且不为空，请指定一个新目录。")
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        url = config.database_url()
        if url:
            counts = _dump_postgres(url, db_path, partial)
        else:
            with connect(db_path, read_only=True) as con:
                con.execute(f"export database {_literal(partial)} (format parquet)")
                counts = _row_counts(con)
            _drop_views(partial / "schema.sql")
            _copy_accounts(config.accounts_path(db_path), partial / ACCOUNTS_FILE)
        files.restrict_tree(partial)
        os.replace(partial, folder)  # an interrupted backup never looks like a whole one
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return counts


def _dump_postgres(url: str, db_path: Path, folder: Path) -> dict[str, int]:
    files.private_dir(folder)
    with connect(db_path, read_only=True) as con:  # brings the schema up to date, so that the dump restores as is
        counts = _row_counts(con)
    pg_dump.dump(url, postgres.SCHEMA, folder / PG_WAREHOUSE)
    with store.connect(config.accounts_path(db_path)):  # the accounts schema exists, if only empty
        pass
    pg_dump.dump(url, postgres.ACCOUNTS_SCHEMA, folder / PG_ACCOUNTS)
    return counts


def _restore_postgres(url: str, source: Path, db_path: Path) -> Path:
    """Keep the warehouse as it is in backups/, then replace it with the backup's in one transaction. The accounts
    schema is restored only when the server holds no account and no audit entry: the log since the backup survives."""
    if not (source / PG_WAREHOUSE).is_file():
        raise BackupError(
            f"{source} 不是 PostgreSQL 数据仓库的备份目录（缺少 {PG_WAREHOUSE}），"
            "请指定 python -m etl backup 生成的目录。"
        )
    kept = files.private_dir(config.backup_dir(db_path)) / f"{postgres.SCHEMA}.{_stamp()}.before-restore.pgdump"
    pg_dump.dump(url, postgres.SCHEMA, kept)
    files.restrict(kept)
    version = postgres.data_version(url, config.LOCK_WAIT_SECONDS)
    pg_dump.restore(url, postgres.SCHEMA, source / PG_WAREHOUSE)
    with connect(db_path) as con:  # the backup's data version is older: take it past today's, or caches stay stale
        con.execute(
            "select setval('data_version_seq', greatest(last_value, ?) + 1) from data_version_seq", [version[0]]
        )
    with store.connect(config.accounts_path(db_path)) as con:
        empty = con.value("select (select count(*) from users) + (select count(*) from audit_log)") == 0
    if empty and (source / PG_ACCOUNTS).is_file():
        pg_dump.restore(url, postgres.ACCOUNTS_SCHEMA, source / PG_ACCOUNTS)
    return kept


def _drop_views(schema: Path) -> None:
    """DuckDB writes views in name order, so one built on another (the marts) may come before it and fail to
    import. Views hold no data: the restore leaves them out and the first connection recreates them all."""
    statements = schema.read_text(encoding="utf-8").split(";\n")
    kept = [s for s in statements if not s.lstrip().upper().startswith("CREATE VIEW")]
    schema.write_text(";\n".join(kept), encoding="utf-8")


def _copy_accounts(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy of users and the audit log even while the app writes them."""
    if not source.exists():
        return
    files.private_file(target)
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    live.close()
    copy.close()


def restore_backup(source: Path, db_path: Path) -> Path | None:
    """Rebuild the warehouse from a backup folder (or an automatic .duckdb copy) and swap it in atomically.

    The new file is built beside the warehouse and opened once before it replaces anything. The previous
    file is kept as <name>.before-restore-<time>, which is returned (None when there was no warehouse).
    Accounts and the audit log are taken from the backup only when the server has none: the log of what
    happened since the backup must survive a restore.
    """
    source, db_path = Path(source), Path(db_path)
    url = config.database_url()
    if url:
        return _restore_postgres(url, source, db_path)
    kind = _backup_kind(source, db_path)
    accounts = config.accounts_path(db_path)
    if kind == "export" and (source / ACCOUNTS_FILE).is_file() and not accounts.exists():
        _copy_accounts(source / ACCOUNTS_FILE, accounts)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    building = db_path.with_name(f"{db_path.name}.restoring-{os.getpid()}")
    _remove(building)
    try:
        _rebuild(source, kind, building)
        with connect(building):  # brings a backup of an older schema up to date, and proves the file opens
            pass
        return _swap_in(building, db_path)
    finally:
        _remove(building)


def snapshot(con: Db, reason: str, *, keep: int | None = None) -> Path | None:
    """Copy the warehouse into backups/ before a write; the writer calls this while it holds the file.

    After a CHECKPOINT the .duckdb file alone is complete, and copying it costs milliseconds where a full
    EXPORT would take a third of a command-line load's budget. Only the newest `keep` copies stay. A copy that
    fails stops the write.
    """
    keep = config.BACKUP_KEEP if keep is None else keep
    if keep <= 0 or con.backend != "duckdb":
        return None
    # fetchall, not fetchone: a result left unread blocks the appender the load uses next (PERFORMANCE.md)
    rows = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()
    db_path = Path(rows[0][0])
    con.raw.checkpoint()
    folder = files.private_dir(config.backup_dir(db_path))
    target = folder / f"{db_path.stem}.{_stamp()}.{reason}.duckdb"
    partial = target.with_name(target.name + ".part")
    try:
        _copy_elsewhere(db_path, partial)
    except (OSError, subprocess.CalledProcessError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"写入前的自动备份失败（{folder}：{exc}），未写入任何数据。") from exc
    files.restrict(partial)
    os.replace(partial, target)
    _prune(folder, db_path.stem, keep)
    return target


def _copy_elsewhere(source: Path, target: Path) -> None:
    """Copy a file this process holds open in DuckDB, from a child process.

    POSIX record locks belong to a process and a file, not to a descriptor: opening and closing the warehouse
    here (shutil.copyfile) would silently drop DuckDB's lock, and a second writer could open the file mid-load.
    """
    subprocess.run(["cp", str(source), str(target)], check=True, capture_output=True)


def automatic_backups(db_path: Path) -> list[Path]:
    """The automatic copies of a warehouse, oldest first."""
    folder = config.backup_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = _auto_name(Path(db_path).stem)
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def _auto_name(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + r"\.\d{8}-\d{6}-\d{6}\.[a-z-]+\.duckdb")


def _prune(folder: Path, stem: str, keep: int) -> None:
    pattern = _auto_name(stem)
    for stale in folder.glob(f"{stem}.*.duckdb.part"):  # left by a crash: the caller holds the file, no one else
        if pattern.fullmatch(stale.name.removesuffix(".part")):
            stale.unlink(missing_ok=True)
    for old in automatic_backups(folder.parent / f"{stem}.duckdb")[:-keep]:
        old.unlink(missing_ok=True)


def _stamp() -> str:
    """Beijing time to the microsecond: names sort in the order the copies were taken."""
    return datetime.now(BEIJING).strftime("%Y%m%d-%H%M%S-%f")


def _literal(path: Path) -> str:
    """A path as an SQL string literal (EXPORT, IMPORT and ATTACH take no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _row_counts(con: Db) -> dict[str, int]:
    if con.backend == "duckdb":
        query = "select table_name from duckdb_tables() order by 1"
    else:
        query = "select tablename from pg_tables where schemaname = current_schema() order by 1"
    tables = [name for (name,) in con.execute(query).fetchall()]
    return {name: con.value(f'select count(*) from "{name}"') for name in tables}  # names from the catalog


def _backup_kind(source: Path, db_path: Path) -> str:
    if source.is_dir():
        if all((source / name).is_file() for name in EXPORT_FILES):
            return "export"
        detail = "缺少 schema.sql 或 load.sql"
        raise BackupError(f"{source} 不是备份目录（{detail}），请指定 python -m etl backup 生成的目录。")
    if not source.is_file():
        raise BackupError(f"备份 {source} 不存在。")
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise BackupError("不能用数据仓库文件本身作为备份来恢复。")
    return "file"


def _rebuild(source: Path, kind: str, building: Path) -> None:
    try:
        with duckdb.connect(":memory:") as con:
            con.execute(f"attach {_literal(building)} as restored")
            con.execute("use restored")
            if kind == "export":
                con.execute(f"import database {_literal(source)}")
            else:
                con.execute(f"attach {_literal(source)} as backup_source (read_only)")
                con.execute("copy from database backup_source to restored")
            # The first connection re-applies the schema: views (left out of exports), and the facts on show.
            con.execute("delete from schema_info where key = 'digest'")
    except duckdb.Error as exc:
        raise BackupError(f"无法从备份 {source} 恢复：{exc}") from exc


def _swap_in(building: Path, db_path: Path) -> Path | None:
    if not db_path.exists():
        os.replace(building, db_path)
        return None
    kept = db_path.with_name(f"{db_path.name}.before-restore-{_stamp()}")
    try:
        # Held as a writer: no load can start on the old file while it is swapped out.
        with connect(db_path) as con:
            con.raw.checkpoint()  # the old file alone is now complete; its WAL is empty
            _keep_and_replace(db_path, building, kept)
    except WarehouseDamaged:
        if not kept.exists():  # no one can open a damaged file, so there is no lock to wait for
            _keep_and_replace(db_path, building, kept)
    return kept


def _keep_and_replace(db_path: Path, building: Path, kept: Path) -> None:
    try:
        os.link(db_path, kept)  # the old bytes under a new name; the warehouse's own name is never missing
    except OSError:
        _copy_elsewhere(db_path, kept)
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():  # left by a crash beside a damaged file: it belongs to the old file, never the new one
        os.replace(wal, kept.with_name(kept.name + ".wal"))
    os.replace(building, db_path)


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)
