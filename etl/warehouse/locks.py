"""审核锁定: reviewed (市州, 年度) slices — or whole years — that refuse new versions until unlocked."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from etl import catalog
from etl.roles import city_of
from etl.warehouse.connection import WarehouseError, now_beijing

PROVINCE = "430000"  # a lock on 湖南省 is a lock on the whole year


class SliceLocked(WarehouseError):
    """A write into a reviewed slice; the message names who locked it and when."""


def lock(con: duckdb.DuckDBPyConnection, year: int, region_code: str | None, by: str) -> bool:
    """Lock one 市州's year (or the whole year when region_code is None); False if it was already locked."""
    rows = con.execute(
        "insert or ignore into review_locks values (?, ?, ?, ?) returning 1",
        [year, region_code or PROVINCE, by, now_beijing()],
    ).fetchall()
    return bool(rows)


def unlock(con: duckdb.DuckDBPyConnection, year: int, region_code: str | None) -> bool:
    """False when there was no such lock."""
    code = region_code or PROVINCE
    rows = con.execute(
        "delete from review_locks where year = ? and region_code = ? returning 1", [year, code]
    ).fetchall()
    return bool(rows)


def _locks(con: duckdb.DuckDBPyConnection, years: list[int]) -> list[dict]:
    rows = con.execute(
        "select year, region_code, locked_by, locked_at from review_locks where list_contains(?, year)"
        " order by year, region_code",
        [years],
    ).fetchall()
    return [{"year": y, "region_code": r, "locked_by": b, "locked_at": a} for y, r, b, a in rows]


def locks_of(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    return _locks(con, [year])


def covers(lock: dict, region_code: str, year: int) -> bool:
    """A lock holds its year's whole province, or one 市州 with its 县市区."""
    return lock["year"] == year and lock["region_code"] in (PROVINCE, city_of(region_code))


def blocking(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, int]]) -> list[dict]:
    """Locks that cover any of the (region_code, year) pairs, read in one query."""
    pairs = list(pairs)
    if not pairs:
        return []
    return [lock for lock in _locks(con, sorted({y for _, y in pairs})) if any(covers(lock, *p) for p in pairs)]


def describe(lock: dict) -> str:
    """长沙市2016年的数据已由 张三 于 2026-11-20 10:00 审核锁定"""
    name = "全省" if lock["region_code"] == PROVINCE else catalog.region_by_code()[lock["region_code"]].name
    return f"{name}{lock['year']}年的数据已由 {lock['locked_by']} 于 {lock['locked_at']:%Y-%m-%d %H:%M} 审核锁定"


def refuse_if_locked(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, int]]) -> None:
    """Raise SliceLocked naming every lock in the way; called inside the writing transaction."""
    found = blocking(con, pairs)
    if found:
        reasons = "；".join(describe(lock) for lock in found)
        raise SliceLocked(f"{reasons}，不能再上报或恢复。如需更正，请联系管理员解除锁定。")
