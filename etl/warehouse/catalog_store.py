"""The catalogue in the warehouse (migrations/0004_catalogue.sql): seeded from the shipped files, read through one
cache keyed by its token, changed in one transaction per revision, and mirrored into `domains`/`indicators`/`rates`
for the views and marts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from etl.catalog import Catalogue, rows, shipped
from etl.catalog.changes import describe, merge
from etl.catalog.check import Problem, check
from etl.catalog.model import ENTITIES, Entity
from etl.catalog.seed import SEED_AUTHOR
from etl.warehouse.connection import WarehouseError, now_beijing
from etl.warehouse.db import Db

TABLES = {entity: f"catalog_{entity}" for entity in ENTITIES}
_QUOTED = {"left": '"left"', "right": '"right"'}  # reserved words in SQL
_CACHE: dict[str, Catalogue] = {}  # token (random per revision) → catalogue; a handful kept
_CACHE_SIZE = 16


class CatalogueRejected(WarehouseError):
    """A change that would leave the catalogue inconsistent; `problems` says where."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(p.message for p in problems[:5]))
        self.problems = problems


def _columns(entity: str) -> list[str]:
    return [*rows.field_names(entity), "revision", "changed_by"]


def _sql_columns(entity: str) -> str:
    return ", ".join(_QUOTED.get(c, c) for c in _columns(entity))


def _db_value(value: object) -> object:
    return ";".join(value) if isinstance(value, tuple) else value


def _insert(con: Db, table: str, columns: str, values: list[tuple]) -> None:
    """Many rows in few statements (executemany costs a round trip per row)."""
    width = len(values[0]) if values else 0
    for start in range(0, len(values), 200):
        chunk = values[start : start + 200]
        marks = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * len(chunk))
        con.execute(f"insert into {table} ({columns}) values {marks}", [v for row in chunk for v in row])


# ---------------------------------------------------------------- reading


def catalogue(con: Db) -> Catalogue:
    """The warehouse's catalogue; read once per token (a few hundred microseconds to check it is current)."""
    found = con.execute("select revision, token from catalog_revisions order by revision desc limit 1").fetchall()
    if not found:
        return shipped()
    revision, token = found[0]
    cached = _CACHE.get(token)
    if cached is None:
        cached = _read(con, revision, token)
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[token] = cached
    return cached


def _read(con: Db, revision: int, token: str) -> Catalogue:
    parts = {}
    for entity in ENTITIES:
        names = rows.field_names(entity)
        result = con.execute(f"select {', '.join(_QUOTED.get(n, n) for n in names)} from {TABLES[entity]}").fetchall()
        items = []
        for values in result:
            item, problems = rows.parse(entity, dict(zip(names, values, strict=True)))
            if problems:  # written through check(): only a hand-edited warehouse gets here
                raise WarehouseError(f"数据仓库中的指标目录有误（{entity} {values[0]}）：{problems[0][1]}")
            items.append(item)
        parts[f"{entity}_all"] = tuple(items)
    return Catalogue(**parts, revision=revision, token=token)


def revisions(con: Db, limit: int = 50) -> list[dict]:
    """The newest revisions: who changed what, when, why."""
    cursor = con.execute(
        "select revision, changed_at, changed_by, note, summary from catalog_revisions order by revision desc limit ?",
        [limit],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---------------------------------------------------------------- writing


def save(con: Db, items: Iterable[Entity], by: str, note: str, *, expected_token: str | None = None) -> tuple[int, str]:
    """Write versions (a version with the (code, valid_from) of an existing one replaces it) as one revision,
    after checking the whole resulting catalogue; (revision, summary). Nothing is written on any problem.

    `expected_token`: the catalogue the change was made against; a change made meanwhile refuses this one.
    """
    items = list(items)
    con.begin()
    try:
        con.lock_slices([("catalogue",)])  # PostgreSQL: two editors in two processes take turns
        before = catalogue(con)
        if expected_token is not None and before.token != expected_token:
            raise WarehouseError("指标目录刚被其他人修改过，请刷新页面，在最新的目录上重新修改。")
        merged = merge(before, items)
        problems = check(merged)
        if problems:
            raise CatalogueRejected(problems)
        summary = describe(before, items)
        if not summary:
            con.rollback()
            return before.revision, ""
        revision = _write(con, items, by, note, summary)
        con.commit()
        return revision, summary
    except BaseException:
        con.rollback()
        raise


def _write(  # noqa: PLR0913
    con: Db, items: list[Entity], by: str, note: str, summary: str, token: str | None = None
) -> int:
    (revision,) = con.execute("select coalesce(max(revision), 0) + 1 from catalog_revisions").fetchall()[0]
    con.execute(
        "insert into catalog_revisions values (?, ?, ?, ?, ?, ?)",
        [revision, token or secrets.token_hex(12), now_beijing(), by, note, summary],
    )
    for entity in ENTITIES:
        mine = [item for item in items if rows.entity_of(item) == entity]
        for item in mine:
            con.execute(f"delete from {TABLES[entity]} where code = ? and valid_from = ?", [item.code, item.valid_from])
        values = [(*(_db_value(v) for v in rows.to_row(item).values()), revision, by) for item in mine]
        if values:
            _insert(con, TABLES[entity], _sql_columns(entity), values)
    mirror(con, catalogue_unchecked(con, revision))
    return revision


def catalogue_unchecked(con: Db, revision: int) -> Catalogue:
    (token,) = con.execute("select token from catalog_revisions where revision = ?", [revision]).fetchall()[0]
    return _read(con, revision, token)


def mirror(con: Db, cat: Catalogue) -> None:
    """`domains`, `indicators`, `rates` as the catalogue stands now (retired entities kept: their figures stay)."""
    now = cat.edition(None)
    first = {code: versions[0].valid_from for code, versions in cat.versions("domains").items()}
    con.execute("delete from domains")
    _insert(con, "domains", "code, name, sort_order, headline_indicator, first_year, retired_from", [
        (d.code, d.name, d.sort_order, d.headline_indicator, first[d.code], d.valid_from if d.retired else None)
        for d in now.domain_by_code.values()
    ])  # fmt: skip
    con.execute("delete from indicators")
    _insert(con, "indicators", "code, domain, name, unit, kind, sort_order, definition, levels", [
        (i.code, i.domain, i.name, i.unit, i.kind, i.sort_order, i.definition, list(i.levels))
        for i in now.indicator_by_code.values()
    ])  # fmt: skip
    con.execute("delete from rates")
    _insert(con, "rates", "code, domain, name, unit, numerator, denominator, factor, sort_order", [
        (r.code, r.domain, r.name, r.unit, r.numerator, r.denominator, r.factor, r.sort_order)
        for r in now.rate_by_code.values()
    ])  # fmt: skip


# ---------------------------------------------------------------- seeding


def ensure(con: Db) -> None:
    """Run inside ensure_schema's transaction, after the migrations made the tables: the shipped catalogue where it
    belongs.

    A new warehouse gets the shipped catalogue as revision 1. An older one gets the entities a release adds, and
    new shipped versions of entities nobody has edited here; an entity a 管理员 changed is left as they made it.
    """
    current = catalogue(con) if _has_revisions(con) else Catalogue()
    wanted = []
    for entity in ENTITIES:
        mine = current.versions(entity)
        authors = _authors(con, entity)
        for code, versions in shipped().versions(entity).items():
            if code not in mine or (authors.get(code) == {SEED_AUTHOR} and mine[code] != versions):
                wanted.append((entity, code, versions))
    if wanted:
        for entity, code, _ in wanted:
            con.execute(f"delete from {TABLES[entity]} where code = ?", [code])
        items = [version for _, _, versions in wanted for version in versions]
        fresh = not current.revision
        note = "随系统发布的指标目录" if fresh else "随系统版本更新的指标目录"
        # A new warehouse holds exactly the shipped catalogue: the same token, so nothing is read twice.
        _write(con, items, SEED_AUTHOR, note, _counted(wanted), shipped().token if fresh else None)
    elif _has_revisions(con):
        mirror(con, catalogue(con))


def _counted(wanted: list[tuple[str, str, list]]) -> str:
    """随系统发布：4 个类别、23 项指标 …"""
    counts = {entity: sum(1 for e, _, _ in wanted if e == entity) for entity in ENTITIES}
    return "、".join(f"{rows.ENTITY_NAMES[e]} {n} 项" for e, n in counts.items() if n)


def _has_revisions(con: Db) -> bool:
    return bool(con.execute("select 1 from catalog_revisions limit 1").fetchall())


def _authors(con: Db, entity: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for code, author in con.execute(f"select distinct code, changed_by from {TABLES[entity]}").fetchall():
        found.setdefault(code, set()).add(author)
    return found
