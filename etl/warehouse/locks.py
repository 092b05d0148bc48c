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
    code = region_code or PROVINCE
    rows = con.execute("select 1 from review_locks where year = ? and region_code = ?", [year, code]).fetchall()
    if rows:
        return False
    con.execute("insert into review_locks values (?, ?, ?, ?)", [year, code, by, now_beijing()])
    return True


def unlock(con: duckdb.DuckDBPyConnection, year: int, region_code: str | None) -> bool:
    """False when there was no such lock."""
    code = region_code or PROVINCE
    rows = con.execute(
        "delete from review_locks where year = ? and region_code = ? returning 1", [year, code]
    ).fetchall()
    return bool(rows)


def locks_of(con: duckdb.DuckDBPyConnection, year: int) -> list[dict]:
    rows = con.execute(
        "select region_code, locked_by, locked_at from review_locks where year = ? order by region_code", [year]
    ).fetchall()
    return [{"region_code": r, "locked_by": b, "locked_at": a} for r, b, a in rows]


def blocking(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, int]]) -> list[dict]:
    """Locks that cover any (region_code, year): the year's, or the 市州's (a 县市区 falls under its 市州)."""
    pairs = list(pairs)
    wanted = {(y, city_of(r)) for r, y in pairs} | {(y, PROVINCE) for _, y in pairs}
    if not wanted:
        return []
    years = sorted({y for y, _ in wanted})
    found = []
    for year in years:
        found += [dict(lock, year=year) for lock in locks_of(con, year) if (year, lock["region_code"]) in wanted]
    return found


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
