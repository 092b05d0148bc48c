"""What a file must pass besides its own content: the catalogue it is read against, who sends it (a 统计员 sends
their own 市州 only) and what is locked (reviewed slices take no new version)."""

from __future__ import annotations

from pathlib import Path

from etl import catalog, config, warehouse
from etl.catalog import Catalogue, city_of
from etl.issues import Issue, make_issue
from etl.records import Observation
from etl.roles import STATISTICIAN, User
from etl.warehouse import catalog_store
from etl.warehouse.db import Db

# A file of this size or more waits for its warehouse's catalogue before it is read; a smaller one is read against
# the catalogue last seen (the shipped one in a fresh process) and read again in the rare case the warehouse's
# differs: cheaper than opening the warehouse one more time (≈ 15 ms) for a 20-value return.
READ_FIRST_BYTES = 1_000_000
# The catalogue each warehouse had when this process last opened it.
_SEEN: dict[str, Catalogue] = {}


def catalogue_for(db_path: Path | None, size: int = 0) -> Catalogue:
    """The catalogue a file for this warehouse is read against (checked again once the warehouse is open)."""
    if db_path is None or not warehouse.exists(db_path):
        return catalog.active()
    known = _SEEN.get(_key(db_path))
    if known is not None:
        return catalog.activate(known)
    if size < READ_FIRST_BYTES:
        return catalog.active()
    with warehouse.connect(db_path, read_only=True) as con:
        return seen(con, db_path)


def seen(con: Db, db_path: Path) -> Catalogue:
    """The warehouse's catalogue, remembered for its next file and made the active one (names in reports)."""
    cat = catalog_store.catalogue(con)
    _SEEN[_key(db_path)] = cat
    return catalog.activate(cat)


def _key(db_path: Path) -> str:
    """Which warehouse: the PostgreSQL database when there is one, else the file."""
    return config.database_url() or str(Path(db_path).resolve())


def _first_cells(observations: list[Observation]) -> dict[tuple[str, int], Observation]:
    """The first value of each (region, year) in the file: where an issue about the whole row points."""
    first: dict[tuple[str, int], Observation] = {}
    for o in observations:
        first.setdefault((o.region_code, o.year), o)
    return first


def access_issues(actor: User | None, observations: list[Observation], file_name: str) -> list[Issue]:
    """A 统计员 uploads their own 市州 (and its 县市区) only: one error per other 市州, at its first cell."""
    if actor is None or actor.role != STATISTICIAN:
        return []
    regions, own = catalog.region_by_code(), catalog.region_by_code()[actor.region_code].name
    issues, done = [], set()
    for (code, _), o in _first_cells(observations).items():
        city = city_of(code)
        if city != actor.region_code and city not in done:
            done.add(city)
            region = regions[city].name
            issues.append(
                make_issue("region-not-permitted", file=file_name, sheet=o.sheet, cell=o.cell, own=own, region=region)
            )
    return issues


def lock_issues(con: Db, observations: list[Observation], file_name: str) -> list[Issue]:
    """Errors for figures of reviewed (locked) slices, each at the first cell of its row and 类别."""
    first: dict[tuple[str, int, str], Observation] = {}
    domain_of = {code: i.domain for code, i in catalog.indicator_by_code().items()}
    for o in observations:
        first.setdefault((o.region_code, o.year, domain_of[o.indicator]), o)
    found = warehouse.blocking(con, first)
    return [
        make_issue(
            "slice-locked", file=file_name, sheet=o.sheet, cell=o.cell,
            detail=warehouse.describe_lock(lock) + "，不能再上报。如需更正，请联系管理员解除锁定。",
        )
        for (code, year, domain), o in first.items()
        for lock in found
        if warehouse.covers(lock, code, year, domain)
    ]  # fmt: skip
