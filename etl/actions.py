"""What a person can do to the data besides loading a file: each checks the role on the server and is audited.

The app and the command line both call these; neither writes the warehouse for a person any other way
(loads go through etl.pipeline.load_bytes, which does the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from etl import audit, catalog, warehouse
from etl.roles import DEADLINE, EXPORT, LOCK, RESTORE, PermissionDenied, User, check
from etl.warehouse import StoreResult


@contextmanager
def _audited(actor: User, action: str, db_path: Path, **fields: object) -> Iterator[None]:
    """Refusals (role, lock) are audited as such and re-raised; success is audited by the caller."""
    try:
        yield
    except PermissionDenied as denied:
        audit.record(actor, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}", db_path=db_path, **fields)
        raise
    except warehouse.SliceLocked as locked:
        audit.record(actor, action, outcome=audit.REFUSED, detail=str(locked), db_path=db_path, **fields)
        raise


def restore_version(actor: User, db_path: Path, region_code: str, year: int, domain: str, version: int) -> StoreResult:
    """Make an earlier version of a (市州, 年度, 类别) current again, as a new version."""
    with _audited(actor, "restore", db_path, region_code=region_code, year=year):
        check(actor, RESTORE, [region_code])
        with warehouse.connect(db_path) as con:
            warehouse.refuse_if_locked(con, [(region_code, year)])  # before the backup copy it would waste
            result = warehouse.restore_version(con, region_code, year, domain, version, actor.name)
    name = catalog.domain_by_code()[domain].name
    audit.record(
        actor, "restore", region_code=region_code, year=year, db_path=db_path,
        detail=f"{name}：恢复第 {version} 版（上报编号 {result.submission_id}）",
    )  # fmt: skip
    return result


def lock(actor: User, db_path: Path, year: int, region_code: str | None = None) -> bool:
    """Mark a (市州, 年度) — or, without a 市州, the whole year — 已审核; False when it already was."""
    return _set_lock(actor, db_path, year, region_code, locked=True)


def unlock(actor: User, db_path: Path, year: int, region_code: str | None = None) -> bool:
    """Lift a lock; False when there was none. Unlocking is logged like locking."""
    return _set_lock(actor, db_path, year, region_code, locked=False)


def _set_lock(actor: User, db_path: Path, year: int, region_code: str | None, *, locked: bool) -> bool:
    action = "lock" if locked else "unlock"
    with _audited(actor, action, db_path, region_code=region_code, year=year):
        check(actor, LOCK)
        with warehouse.connect(db_path) as con:
            if locked:
                changed = warehouse.lock(con, year, region_code, actor.name)
            else:
                changed = warehouse.unlock(con, year, region_code)
    scope = catalog.region_by_code()[region_code].name if region_code else "全省"
    if changed:
        audit.record(actor, action, region_code=region_code, year=year, detail=f"{scope}{year}年", db_path=db_path)
    return changed


def set_deadline(actor: User, db_path: Path, year: int, deadline: date) -> None:
    with _audited(actor, "deadline", db_path, year=year):
        check(actor, DEADLINE)
        with warehouse.connect(db_path) as con:
            warehouse.set_deadline(con, year, deadline, actor.name)
    audit.record(actor, "deadline", year=year, detail=f"截止日期 {deadline:%Y-%m-%d}", db_path=db_path)


def export(
    actor: User, regions: Iterable[str], *, what: str, file_name: str, db_path: Path, year: int | None = None
) -> None:
    """Check and audit an export of the given regions' figures; call it just before the file is built."""
    regions = sorted(set(regions))
    single = regions[0] if len(regions) == 1 else None
    with _audited(actor, "export", db_path, region_code=single, year=year, file_name=file_name):
        check(actor, EXPORT, regions)
    audit.record(
        actor, "export", region_code=single, year=year, detail=what, file_name=file_name, db_path=db_path
    )  # fmt: skip
