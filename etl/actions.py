"""What a person can do to the data besides loading a file: each checks the role on the server and is audited.

Restore (one version, or a whole submission), review (approve, return), lock, deadline, export.

The app and the command line both call these; neither writes the warehouse for a person any other way
(loads go through etl.pipeline.load_bytes, which does the same).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from etl import audit, backup, catalog, targets, warehouse
from etl.records import format_number
from etl.roles import CATALOG, DEADLINE, EXPORT, LOCK, RESTORE, REVIEW, PermissionDenied, User, check
from etl.warehouse import StoreResult, catalog_store
from etl.warehouse.targets import Target

REASON_LIMIT = 500


class ReviewRefused(warehouse.WarehouseError):
    """A review that cannot be done as asked (nothing waiting, a warning not confirmed, no reason); says why."""


@contextmanager
def _audited(actor: User, action: str, db_path: Path, **fields: object) -> Iterator[None]:
    """Refusals (role, lock) are audited as such and re-raised; success is audited by the caller."""
    try:
        yield
    except PermissionDenied as denied:
        audit.record(actor, "denied", outcome=audit.REFUSED, detail=f"{action}：{denied}", db_path=db_path, **fields)
        raise
    except (warehouse.SliceLocked, ReviewRefused) as refused:
        audit.record(actor, action, outcome=audit.REFUSED, detail=str(refused), db_path=db_path, **fields)
        raise


def _backup_first(con) -> None:  # noqa: ANN001 - a DuckDB connection
    backup.snapshot(con, "before-version-restore")


def restore_version(actor: User, db_path: Path, region_code: str, year: int, domain: str, version: int) -> StoreResult:
    """Make an earlier version of a (市州, 年度, 类别) current again, as a new version."""
    with _audited(actor, "restore", db_path, region_code=region_code, year=year):
        check(actor, RESTORE, [region_code])
        with warehouse.connect(db_path) as con:
            result = warehouse.restore_version(con, region_code, year, domain, version, actor.name, _backup_first)
    name = catalog.domain_by_code()[domain].name
    audit.record(
        actor, "restore", region_code=region_code, year=year, db_path=db_path,
        detail=f"{name}：恢复第 {version} 版" + _restored(result),
    )  # fmt: skip
    return result


def restore_submission(actor: User, db_path: Path, submission_id: int) -> StoreResult:
    """Make everything a submission held (all its 市州, 年度 and 类别) current again, as one new submission."""
    with warehouse.connect(db_path, read_only=True) as con:
        held = warehouse.submission_values(con, submission_id)
    regions = sorted({catalog.find_region(v["region_name"]).code for v in held})
    years = sorted({v["year"] for v in held})
    single = regions[0] if len(regions) == 1 else None
    fields = {"region_code": single, "year": years[0] if len(years) == 1 else None}
    with _audited(actor, "restore", db_path, **fields):
        check(actor, RESTORE, regions)
        with warehouse.connect(db_path) as con:
            result = warehouse.restore_submission(con, submission_id, actor.name, _backup_first)
    audit.record(
        actor, "restore", db_path=db_path, detail=f"恢复上报编号 {submission_id} 的全部数据" + _restored(result),
        **fields,
    )  # fmt: skip
    return result


def _restored(result: StoreResult) -> str:
    if result.nothing_new:
        return "：与当前数据相同，未生成新版本"
    return f"（新上报编号 {result.submission_id}，{result.slices} 组，待审核）"


def approve(
    actor: User,
    db_path: Path,
    *,
    confirmed: Iterable[tuple] = (),
    **which: object,
) -> list[tuple[str, int, str]]:
    """审核通过 the slices waiting that `which` selects (year, region_code, domain, submission_id): they are
    published and locked. Every warning they carry must be among `confirmed` ((submission_id, sheet, cell,
    message) each). Returns the slices approved."""
    fields = _review_fields(which)
    with _audited(actor, "approve", db_path, **fields):
        check(actor, REVIEW)
        with warehouse.connect(db_path) as con:
            slices = _waiting(con, which)
            warnings = warehouse.warnings_of(con, slices)
            missing = [w for w in warnings if _warning_key(w) not in set(map(tuple, confirmed))]
            if missing:
                listed = "；".join(f"{_where(w)}{w['message']}" for w in missing)
                raise ReviewRefused(f"有 {len(missing)} 条警告尚未逐条确认，未审核通过：{listed}")
            warehouse.approve(con, slices, actor.name)
    detail = f"审核通过 {_describe(slices)}" + (f"；已逐条核实 {len(warnings)} 条警告" if warnings else "")
    audit.record(actor, "approve", detail=detail, db_path=db_path, **fields)
    return slices


def send_back(actor: User, db_path: Path, *, reason: str, **which: object) -> list[tuple[str, int, str]]:
    """退回 the slices waiting that `which` selects, with a reason their 统计员 will read; returns them."""
    fields = _review_fields(which)
    reason = " ".join(reason.split())
    with _audited(actor, "return", db_path, **fields):
        check(actor, REVIEW)
        if not reason:
            raise ReviewRefused("退回必须写明原因，统计员将按原因更正后重新上报。")
        if len(reason) > REASON_LIMIT:
            raise ReviewRefused(f"退回原因不能超过 {REASON_LIMIT} 个字。")
        with warehouse.connect(db_path) as con:
            slices = _waiting(con, which)
            warehouse.send_back(con, slices, actor.name, reason)
    audit.record(actor, "return", detail=f"退回 {_describe(slices)}：{reason}", db_path=db_path, **fields)
    return slices


def _review_fields(which: dict) -> dict:
    return {"region_code": which.get("region_code"), "year": which.get("year")}


def _waiting(con, which: dict) -> list[tuple[str, int, str]]:  # noqa: ANN001 - a DuckDB connection
    slices = warehouse.waiting(con, **which)
    if not slices:
        raise ReviewRefused(f"{_scope(which)}没有待审核的数据。")
    return slices


def _scope(which: dict) -> str:
    parts = []
    if which.get("submission_id") is not None:
        parts.append(f"上报编号 {which['submission_id']} ")
    if which.get("region_code"):
        parts.append(catalog.region_by_code()[which["region_code"]].name)
    if which.get("year") is not None:
        parts.append(f"{which['year']}年")
    if which.get("domain"):
        parts.append(catalog.domain_by_code()[which["domain"]].name)
    return "".join(parts) or "全省"


def _warning_key(warning: dict) -> tuple:
    return warning["submission_id"], warning["sheet"], warning["cell"], warning["message"]


def _where(warning: dict) -> str:
    place = f"{warning['sheet']}!{warning['cell']}" if warning["sheet"] and warning["cell"] else ""
    return f"{place} " if place else ""


def _describe(slices: list[tuple[str, int, str]]) -> str:
    """长沙市2025年就业创业、小额担保贷款；株洲市2025年两癌检查"""
    regions, domains = catalog.region_by_code(), catalog.domain_by_code()
    grouped: dict[tuple[str, int], list[str]] = {}
    for region, year, domain in slices:
        grouped.setdefault((region, year), []).append(domains[domain].name)
    return "；".join(f"{regions[r].name}{y}年{'、'.join(names)}" for (r, y), names in grouped.items())


def lock(actor: User, db_path: Path, year: int, region_code: str | None = None, domain: str | None = None) -> bool:
    """Mark a (市州, 年度) — or, without a 市州, the whole year; with a 类别, only that — 已审核; False when it already
    was."""
    return _set_lock(actor, db_path, year, region_code, domain, locked=True)


def unlock(actor: User, db_path: Path, year: int, region_code: str | None = None, domain: str | None = None) -> bool:
    """Lift a lock; False when there was none. Unlocking is logged like locking."""
    return _set_lock(actor, db_path, year, region_code, domain, locked=False)


def _set_lock(  # noqa: PLR0913
    actor: User, db_path: Path, year: int, region_code: str | None, domain: str | None, *, locked: bool
) -> bool:
    action = "lock" if locked else "unlock"
    with _audited(actor, action, db_path, region_code=region_code, year=year):
        check(actor, LOCK)
        with warehouse.connect(db_path) as con:
            if locked:
                changed = warehouse.lock(con, year, region_code, actor.name, domain)
            else:
                changed = warehouse.unlock(con, year, region_code, domain)
    scope = catalog.region_by_code()[region_code].name if region_code else "全省"
    scope += f"{year}年" + (catalog.domain_by_code()[domain].name if domain else "")
    if changed:
        audit.record(actor, action, region_code=region_code, year=year, detail=scope, db_path=db_path)
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


# ---------------------------------------------------------------- 任务数 (a 管理员's, like the catalogue)


def import_targets(actor: User, db_path: Path, data: bytes, file_name: str) -> targets.TargetFile:
    """Set the targets a 任务数 file gives, all or nothing: a file with any error changes nothing (its errors say
    where). Returns what was read, with each target saved beside the one it replaced."""
    with _audited(actor, "targets", db_path, file_name=file_name):
        check(actor, CATALOG)
    found = targets.read_targets(data, file_name, cat=_catalogue(db_path))
    if found.refused:
        audit.record(actor, "targets", outcome=audit.REFUSED, file_name=file_name, db_path=db_path,
                     detail=f"任务数文件有 {len(found.errors)} 个错误，未导入")  # fmt: skip
        return found
    found.replaced = set_targets(actor, db_path, found.targets, note=f"文件：{file_name}", file_name=file_name)
    return found


def set_targets(
    actor: User, db_path: Path, items: Iterable[Target], *, note: str = "页面录入", file_name: str | None = None
) -> list[tuple[Target, float | None]]:
    """Write targets (one transaction), each replacing the one before; audited with what each replaced."""
    items = list(items)
    with _audited(actor, "targets", db_path, file_name=file_name):
        check(actor, CATALOG)
        with warehouse.connect(db_path) as con:
            replaced = warehouse.set_targets(con, items, actor.name, note)
    audit.record(actor, "targets", detail=_targets_detail(replaced, "设置"), file_name=file_name, db_path=db_path)
    return replaced


def delete_targets(actor: User, db_path: Path, keys: Iterable[tuple[int, str, str]]) -> int:
    """Remove targets by (year, region_code, indicator); returns how many there were."""
    with _audited(actor, "targets", db_path):
        check(actor, CATALOG)
        with warehouse.connect(db_path) as con:
            removed = [(Target(*key, 0.0), warehouse.delete_target(con, *key)) for key in keys]
    removed = [(t, old) for t, old in removed if old is not None]
    if removed:
        audit.record(actor, "targets", detail=_targets_detail(removed, "删除"), db_path=db_path)
    return len(removed)


def _catalogue(db_path: Path) -> catalog.Catalogue:
    if not Path(db_path).exists():
        return catalog.shipped()
    with warehouse.connect(db_path, read_only=True) as con:
        return catalog_store.catalogue(con)


def _targets_detail(items: list[tuple[Target, float | None]], verb: str, shown: int = 20) -> str:
    """设置 2017年 省妇联组织联络部 培训乡镇（街道）妇联干部人数 任务数 500（原为 480）；… 共 N 项"""
    regions, names = catalog.region_by_code(), catalog.indicator_by_code()
    parts = []
    for target, old in items[:shown]:
        what = f"{target.year}年 {regions[target.region_code].name} {names[target.indicator].name}"
        if verb == "删除":
            parts.append(f"{what}（原为 {format_number(old)}）")
        else:
            before = "无" if old is None else format_number(old)
            parts.append(f"{what} 任务数 {format_number(target.target)}（原为 {before}）")
    more = f"；另有 {len(items) - shown} 项" if len(items) > shown else ""
    return f"{verb}任务数 {len(items)} 项：" + "；".join(parts) + more
