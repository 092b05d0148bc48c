"""审核锁定: reviewed (市州, 年度, 类别) slices — or a 市州's whole year, or whole years — refuse new versions until
unlocked. Approving a slice locks it; a 管理员 can also lock and unlock by hand."""

from __future__ import annotations

from collections.abc import Iterable

from etl import catalog
from etl.catalog import city_of
from etl.warehouse.connection import WarehouseError, now_beijing
from etl.warehouse.db import Db

PROVINCE = "430000"  # a lock on 湖南省 is a lock on the whole year
EVERY_DOMAIN = "*"


class SliceLocked(WarehouseError):
    """A write into a reviewed slice; the message names who locked it and when."""


def lock(con: Db, year: int, region_code: str | None, by: str, domain: str | None = None) -> bool:
    """Lock one 市州's year (or the whole year when region_code is None), one 类别 of it or all; False if it was
    already locked."""
    rows = con.execute(
        "insert into review_locks values (?, ?, ?, ?, ?) on conflict do nothing returning 1",
        [year, region_code or PROVINCE, domain or EVERY_DOMAIN, by, now_beijing()],
    ).fetchall()
    return bool(rows)


def unlock(con: Db, year: int, region_code: str | None, domain: str | None = None) -> bool:
    """False when there was no such lock."""
    rows = con.execute(
        "delete from review_locks where year = ? and region_code = ? and domain = ? returning 1",
        [year, region_code or PROVINCE, domain or EVERY_DOMAIN],
    ).fetchall()
    return bool(rows)


def _locks(con: Db, years: list[int]) -> list[dict]:
    rows = con.execute(
        "select year, region_code, domain, locked_by, locked_at from review_locks where year = any(?)"
        " order by year, region_code, domain",
        [years],
    ).fetchall()
    keys = ("year", "region_code", "domain", "locked_by", "locked_at")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def locks_of(con: Db, year: int) -> list[dict]:
    return _locks(con, [year])


def covers(lock: dict, region_code: str, year: int, domain: str) -> bool:
    """A lock holds its year's whole province, or one 市州 with its 县市区 (or one 县市区); every 类别 or one."""
    return (
        lock["year"] == year
        and lock["region_code"] in (PROVINCE, city_of(region_code), region_code)
        and lock["domain"] in (EVERY_DOMAIN, domain)
    )


def blocking(con: Db, slices: Iterable[tuple[str, int, str]]) -> list[dict]:
    """Locks that cover any of the (region_code, year, domain) slices, read in one query."""
    slices = list(slices)
    if not slices:
        return []
    return [lock for lock in _locks(con, sorted({y for _, y, _ in slices})) if any(covers(lock, *s) for s in slices)]


def scope(lock: dict) -> str:
    """长沙市2016年, 全省2016年, 长沙市2016年就业创业"""
    name = "全省" if lock["region_code"] == PROVINCE else catalog.region_by_code()[lock["region_code"]].name
    found = catalog.domain_by_code().get(lock["domain"])
    domain = "" if lock["domain"] == EVERY_DOMAIN else (found.name if found else lock["domain"])
    return f"{name}{lock['year']}年{domain}"


def describe(lock: dict) -> str:
    """长沙市2016年的数据已由 张三 于 2026-11-20 10:00 审核锁定"""
    return f"{scope(lock)}的数据已由 {lock['locked_by']} 于 {lock['locked_at']:%Y-%m-%d %H:%M} 审核锁定"


def refuse_if_locked(con: Db, slices: Iterable[tuple[str, int, str]]) -> None:
    """Raise SliceLocked naming every lock in the way; called inside the writing transaction."""
    found = blocking(con, slices)
    if found:
        reasons = "；".join(describe(lock) for lock in found)
        raise SliceLocked(f"{reasons}，不能再上报或恢复。如需更正，请联系管理员解除锁定。")
