"""任务数 (targets): one figure per (年度, 市州 / 县市区 / 省级单位, 指标), set by a 管理员 from a file or by hand.

The table is in migrations/0004_catalogue.sql. The current target is kept; who set it, when and from where (`note`:
the file, or 页面录入) is in the row and, with the figure it replaced, in the audit log. 完成率 is computed once, in
marts.sql (mart_targets).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from etl.warehouse.connection import now_beijing
from etl.warehouse.db import Db

_COLUMNS = "year, region_code, indicator, value, set_by, set_at, note"


class Target(NamedTuple):
    year: int
    region_code: str
    indicator: str
    target: float


def set_targets(con: Db, targets: Iterable[Target], set_by: str, source: str) -> list[tuple[Target, float | None]]:
    """Write the targets in one transaction; returns each with the target it replaced (None: there was none)."""
    targets = list(targets)
    con.begin()
    try:
        con.lock_slices([("targets",)])  # PostgreSQL: two 管理员 in two processes take turns
        before = _current(con, targets)
        stamp = now_beijing()
        rows = [(t.year, t.region_code, t.indicator, t.target, set_by, stamp, source) for t in targets]
        for start in range(0, len(rows), 200):  # a few statements, not one round trip per target
            chunk = rows[start : start + 200]
            con.execute(
                f"insert into targets ({_COLUMNS}) values {', '.join(['(?, ?, ?, ?, ?, ?, ?)'] * len(chunk))}"
                " on conflict (year, region_code, indicator) do update"
                " set value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at, note = excluded.note",
                [v for row in chunk for v in row],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return [(t, before.get((t.year, t.region_code, t.indicator))) for t in targets]


def _current(con: Db, targets: list[Target]) -> dict[tuple[int, str, str], float]:
    if not targets:
        return {}
    rows = con.execute(
        "select year, region_code, indicator, value from targets where year = any(?) and region_code = any(?)",
        [sorted({t.year for t in targets}), sorted({t.region_code for t in targets})],
    ).fetchall()
    return {(y, r, i): v for y, r, i, v in rows}


def delete_target(con: Db, year: int, region_code: str, indicator: str) -> float | None:
    """Remove one target; returns the figure removed, None when there was none."""
    rows = con.execute(
        "delete from targets where year = ? and region_code = ? and indicator = ? returning value",
        [year, region_code, indicator],
    ).fetchall()
    return rows[0][0] if rows else None


def targets_of(con: Db, year: int | None = None) -> list[dict]:
    """Every target (of a year), in official order, with who set it and when."""
    cursor = con.execute(
        """
        select t.year, t.region_code, r.name as region_name, r.level, t.indicator, i.name as indicator_name, i.unit,
            t.value as target, t.set_by, t.set_at, t.note as source
        from targets as t
        inner join regions as r on r.code = t.region_code
        inner join indicators as i on i.code = t.indicator
        inner join domains as d on d.code = i.domain
        where ?::integer is null or t.year = ?
        order by t.year, d.sort_order, i.sort_order, r.sort_order
        """,
        [year, year],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
