"""Move a whole warehouse between backends (a DuckDB file ⇄ a PostgreSQL database): every table copied in one
transaction of the target, row counts checked before it commits. Used by `python -m etl migrate`."""

from __future__ import annotations

from collections.abc import Sequence

from etl.warehouse.db import DUCKDB, POSTGRES, Db, quoted
from etl.warehouse.errors import WarehouseError

# What a warehouse holds beyond its reference data (rebuilt from etl/reference) and schema bookkeeping.
WAREHOUSE_TABLES = (
    "submissions", "submission_issues", "slice_versions", "facts", "visible_facts", "deadlines", "review_locks",
    "targets",
)  # fmt: skip
# The catalogue as the source's 管理员 left it: it takes the place of the shipped one a new warehouse is seeded with.
CATALOGUE_TABLES = ("catalog_revisions", "catalog_domains", "catalog_indicators", "catalog_rates", "catalog_rules")
BATCH = 50_000


class TransferError(WarehouseError):
    """The target is not empty, or the counts differ after the copy: nothing was written."""


def columns(con: Db, table: str) -> list[str]:
    return [d[0] for d in con.execute(f"select * from {table} where 1 = 0").description]  # names from code


def count(con: Db, table: str) -> int:
    return con.value(f"select count(*) from {table}")  # names from code


def copy_tables(source: Db, target: Db, tables: Sequence[str]) -> dict[str, int]:
    """Copy each table's rows (the target's columns, by name) inside the caller's transaction on `target`;
    returns rows per table, and raises TransferError if any count differs."""
    copied = {}
    for table in tables:
        names = columns(target, table)
        result = source.execute(f"select {quoted(names)} from {table}")  # names from the target's catalog
        while rows := result.fetchmany(BATCH):
            target.append(table, rows, names)
        copied[table] = count(source, table)
        if count(target, table) != copied[table]:
            found = count(target, table)
            raise TransferError(f"表 {table} 迁移后行数不符（源 {copied[table]}，目标 {found}），未写入任何数据。")
    return copied


def copy_warehouse(source: Db, target: Db) -> dict[str, int]:
    """The whole warehouse into an empty one (schema already current on both), in one transaction of `target`."""
    held = count(target, "submissions")
    if held:
        raise TransferError(f"目标数据仓库已有 {held} 次上报：迁移只写入空的数据仓库，未写入任何数据。")
    target.begin()
    try:
        copied = copy_tables(source, target, WAREHOUSE_TABLES)
        copied |= _copy_catalogue(source, target)
        _continue_sequence(target, "submission_id_seq", target.value("select max(submission_id) from submissions"))
        target.commit()
    except BaseException:
        target.rollback()
        raise
    return copied


def _copy_catalogue(source: Db, target: Db) -> dict[str, int]:
    from etl.warehouse import catalog_store  # the store builds on the connection, which this module stands beside

    for table in CATALOGUE_TABLES:
        target.execute(f"delete from {table}")  # names from code
    copied = copy_tables(source, target, CATALOGUE_TABLES)
    revision = target.value("select max(revision) from catalog_revisions")
    if revision is not None:
        catalog_store.mirror(target, catalog_store.catalogue_unchecked(target, revision))
    return copied


def _continue_sequence(con: Db, name: str, last: int | None) -> None:
    """The next value drawn is last + 1 (DuckDB has no setval: the sequence is made anew)."""
    following = (last or 0) + 1
    if con.backend == POSTGRES:
        con.execute(f"select setval('{name}', ?, false)", [following])  # names from code
    elif con.backend == DUCKDB:
        con.execute(f"drop sequence {name}")
        con.execute(f"create sequence {name} start {int(following)}")
