"""Changing the catalogue: the 指标目录 page and `python -m etl catalog import` both come here. Each change is
checked against the role (管理员) at the moment it runs, checked as a whole (etl/catalog/check.py), written as one
revision in one transaction, and audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl import audit, catalog_workbook, warehouse
from etl.catalog import Catalogue
from etl.catalog.model import Entity
from etl.issues import Issue, RefusedFile
from etl.roles import CATALOG, PermissionDenied, User, check
from etl.warehouse import catalog_store
from etl.warehouse.catalog_store import CatalogueRejected

NOTE_LIMIT = 500


class CatalogueError(warehouse.WarehouseError):
    """A change refused before anything was written, with a Chinese message."""


@dataclass
class ImportResult:
    file_name: str
    issues: list[Issue] = field(default_factory=list)  # every problem, each at its sheet!cell; nothing applied
    revision: int | None = None  # the new revision; None when refused or when nothing changed
    summary: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.issues)


def current(db_path: Path) -> Catalogue:
    """The warehouse's catalogue (read-only)."""
    with warehouse.connect(db_path, read_only=True) as con:
        return catalog_store.catalogue(con)


def _permitted(actor: User, db_path: Path, what: str) -> None:
    try:
        check(actor, CATALOG)
    except PermissionDenied as denied:
        audit.record(actor, "denied", outcome=audit.REFUSED, detail=f"{what}：{denied}", db_path=db_path)
        raise


def _note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise CatalogueError("请写明修改说明（为什么改、改了什么），它会记入目录的修改记录和审计日志。")
    if len(note) > NOTE_LIMIT:
        raise CatalogueError(f"修改说明至多 {NOTE_LIMIT} 字。")
    return note


def save(
    actor: User, db_path: Path, items: Iterable[Entity], note: str, *, expected_token: str | None = None
) -> tuple[int, str]:
    """Write versions as one revision; (revision, summary), summary empty when nothing changed.

    Raises PermissionDenied (audited), CatalogueError, or CatalogueRejected with every problem."""
    _permitted(actor, db_path, "修改指标目录")
    note = _note(note)
    with warehouse.connect(db_path) as con:
        revision, summary = catalog_store.save(con, list(items), actor.name, note, expected_token=expected_token)
    if summary:
        audit.record(actor, "catalog", detail=f"指标目录第 {revision} 版：{summary}。说明：{note}", db_path=db_path)
    return revision, summary


def import_workbook(actor: User, db_path: Path, data: bytes, file_name: str, note: str) -> ImportResult:
    """Apply a catalogue workbook all or nothing; every problem is reported with its sheet!cell."""
    _permitted(actor, db_path, "导入指标目录")
    note = _note(note)
    try:
        parsed = catalog_workbook.parse_workbook(data, file_name)
    except RefusedFile as refusal:
        return ImportResult(file_name, [refusal.issue])
    if parsed.issues:
        return ImportResult(file_name, parsed.issues)
    try:
        revision, summary = save(actor, db_path, parsed.items, note)
    except CatalogueRejected as rejected:
        return ImportResult(file_name, catalog_workbook.located(rejected.problems, parsed, file_name))
    return ImportResult(file_name, [], revision if summary else None, summary)


def export_workbook(actor: User, db_path: Path) -> bytes:
    """Every version of the warehouse's catalogue as a workbook (the catalogue is not secret: any role may read it,
    but the export is audited like every other)."""
    return catalog_workbook.workbook_bytes(current(db_path))
