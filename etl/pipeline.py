"""read → extract → validate → load for one file; returns a report instead of raising."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from etl import audit, backup, catalog, config, files, guard, warehouse
from etl.catalog import Catalogue, city_of
from etl.config import MAX_FILE_BYTES, archive_dir
from etl.extract import Context, Extraction, Observation, extract
from etl.issues import Issue, RefusedFile, has_errors, make_issue
from etl.read import read_file
from etl.roles import STATISTICIAN, UPLOAD, PermissionDenied, User, check
from etl.validate import validate, with_last_year, year_on_year
from etl.warehouse import NewSubmission, StoreResult, catalog_store

REFUSED, CHECKED, LOADED, ALREADY_LOADED = "refused", "checked", "loaded", "already-loaded"
UNCHANGED = "unchanged"  # accepted, but every slice equalled its current version: nothing written


@dataclass
class FileReport:
    file_name: str
    status: str
    issues: list[Issue] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    store: StoreResult | None = None
    file_kind: str = ""
    is_sample: bool = False
    more_errors: int = 0  # found past the cap of issues kept (config.MAX_ISSUES_KEPT): counted, not listed

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def refused(self) -> bool:
        return self.status == REFUSED


@dataclass
class _Parsed:
    extraction: Extraction
    file_kind: str
    is_sample: bool
    book: object = None  # the cells read (etl.read.Workbook), to read again if the catalogue changed meanwhile
    context: Context | None = None


# Reading a spreadsheet (calamine's grid, then the observations) is what costs memory: one at a time per process,
# so that several large uploads at once cannot exhaust the server. Small files pass through in milliseconds.
_HEAVY_CHECK = threading.BoundedSemaphore(1)


class ServerBusy(warehouse.WarehouseError):
    """Another file's check held the reader for longer than HEAVY_CHECK_WAIT_SECONDS."""


def heavy_check_busy() -> bool:
    """Whether a file is being read right now (so the next one will wait): for a message, never for a decision."""
    if _HEAVY_CHECK.acquire(blocking=False):
        _HEAVY_CHECK.release()
        return False
    return True


# The catalogue each warehouse had when this process last opened it: a file is read against it before the
# warehouse is opened, and read again in the rare case it changed meanwhile (see _current_catalogue).
_SEEN: dict[str, Catalogue] = {}


def catalogue_for(db_path: Path | None) -> Catalogue:
    """The catalogue a file for this warehouse is read against: as last seen, else read now (once per process)."""
    if db_path is None or not Path(db_path).exists():
        return catalog.active()
    key = str(Path(db_path).resolve())
    if key not in _SEEN:
        with warehouse.connect(db_path, read_only=True) as con:
            return _seen(con, db_path)
    return catalog.activate(_SEEN[key])


def _parse(data: bytes, file_name: str, year: int | None, region_code: str | None, cat: Catalogue) -> _Parsed:
    if not _HEAVY_CHECK.acquire(timeout=config.HEAVY_CHECK_WAIT_SECONDS):
        raise ServerBusy(
            f"服务器正在检查其他报表，已等待 {config.HEAVY_CHECK_WAIT_SECONDS:g} 秒，请稍后重新上传。未写入任何数据。"
        )
    try:
        book = read_file(data, file_name)
        context = Context(file_name, year, region_code)
        extraction = extract(book, context, cat)
    finally:
        _HEAVY_CHECK.release()
    return _Parsed(extraction, book.kind, book.meta.get("sample") == "1", book, context)


def check_bytes(
    data: bytes,
    file_name: str,
    *,
    year: int | None = None,
    region_code: str | None = None,
    db_path: Path | None = None,
    actor: User | None = None,
) -> FileReport:
    """Everything a load would report, writing nothing; the warehouse (if given and present) supplies last year,
    its review locks and its catalogue. With an `actor`, figures of 市州 they may not upload are errors too."""
    present = db_path is not None and Path(db_path).exists()
    cat = catalogue_for(db_path if present else None)
    report, parsed = _check_alone(data, file_name, year, region_code, CHECKED, actor, cat)
    if not present or parsed is None:
        return _finish(report, parsed, {}, cat)
    with warehouse.connect(db_path, read_only=True) as con:
        now = _seen(con, db_path)
        if now.token != cat.token:  # the catalogue changed since this process last saw it: read again
            report, parsed = _check_alone(data, file_name, year, region_code, CHECKED, actor, now)
        if not report.refused:
            _refuse_locked(report, con)
        return _finish(report, parsed, _previous(con, parsed.extraction), now)


def _seen(con, db_path: Path) -> Catalogue:  # noqa: ANN001 - a DuckDB connection
    """The warehouse's catalogue, remembered for its next file and made the active one (names in reports)."""
    cat = catalog_store.catalogue(con)
    _SEEN[str(Path(db_path).resolve())] = cat
    return catalog.activate(cat)


def _check_alone(  # noqa: PLR0913
    data: bytes, file_name: str, year: int | None, region_code: str | None, ok_status: str, actor: User | None,
    cat: Catalogue,
) -> tuple[FileReport, _Parsed | None]:  # fmt: skip
    """Read and validate the file on its own: every error is known before the warehouse is opened."""
    if actor is not None:
        try:
            check(actor, UPLOAD)
        except PermissionDenied as denied:
            return FileReport(
                file_name, REFUSED, [make_issue("not-permitted", file=file_name, detail=str(denied))]
            ), None
    try:
        parsed = _parse(data, file_name, year, region_code, cat)
    except RefusedFile as refusal:
        return FileReport(file_name, REFUSED, [refusal.issue]), None
    issues = parsed.extraction.issues + validate(parsed.extraction, file_name, cat)
    issues += _access_issues(actor, parsed.extraction.observations, file_name)
    more = parsed.extraction.issues.dropped
    observations = parsed.extraction.observations
    if has_errors(issues) or more:
        # The values read stay with the report (never stored): the audit entry says which 市州 and year it held.
        report = FileReport(file_name, REFUSED, issues, observations, file_kind=parsed.file_kind, more_errors=more)
        return report, parsed
    return FileReport(file_name, ok_status, issues, observations, None, parsed.file_kind, parsed.is_sample), parsed


def _first_cells(observations: list[Observation]) -> dict[tuple[str, int], Observation]:
    """The first value of each (region, year) in the file: where an issue about the whole row points."""
    first: dict[tuple[str, int], Observation] = {}
    for o in observations:
        first.setdefault((o.region_code, o.year), o)
    return first


def _access_issues(actor: User | None, observations: list[Observation], file_name: str) -> list[Issue]:
    """A 统计员 uploads their own 市州 (and its 县市区) only: one error per other 市州, at its first cell."""
    if actor is None or actor.role != STATISTICIAN:
        return []
    regions, own = catalog.region_by_code(), catalog.region_by_code()[actor.region_code].name
    issues, seen = [], set()
    for (code, _), o in _first_cells(observations).items():
        city = city_of(code)
        if city != actor.region_code and city not in seen:
            seen.add(city)
            region = regions[city].name
            issues.append(
                make_issue("region-not-permitted", file=file_name, sheet=o.sheet, cell=o.cell, own=own, region=region)
            )
    return issues


def _first_cells_of_slices(observations: list[Observation]) -> dict[tuple[str, int, str], Observation]:
    first: dict[tuple[str, int, str], Observation] = {}
    domain_of = {code: i.domain for code, i in catalog.indicator_by_code().items()}
    for o in observations:
        first.setdefault((o.region_code, o.year, domain_of[o.indicator]), o)
    return first


def _refuse_locked(report: FileReport, con) -> None:  # noqa: ANN001 - a DuckDB connection
    """Errors for figures of reviewed (locked) slices, each at the first cell of its row and 类别."""
    first = _first_cells_of_slices(report.observations)
    found = warehouse.blocking(con, first)
    for (code, year, domain), o in first.items():
        report.issues += [
            make_issue(
                "slice-locked", file=report.file_name, sheet=o.sheet, cell=o.cell,
                detail=warehouse.describe_lock(lock) + "，不能再上报。如需更正，请联系管理员解除锁定。",
            )
            for lock in found
            if warehouse.covers(lock, code, year, domain)
        ]  # fmt: skip
    if has_errors(report.issues):
        report.status = REFUSED


def _finish(report: FileReport, parsed: _Parsed | None, previous: dict, cat: Catalogue) -> FileReport:
    """Year-on-year checks need last year's values: from the file itself, else from the warehouse. A jump no real
    市州 can make is an error, and refuses the file. Then last year's figure goes beside each problem it helps."""
    if parsed is None:
        return report
    if not report.refused:
        report.issues = report.issues + year_on_year(parsed.extraction, report.file_name, previous, cat)
        if has_errors(report.issues):
            report.status = REFUSED
    report.issues = with_last_year(report.issues, parsed.extraction, previous, cat)
    return report


def _previous(con, extraction: Extraction) -> dict:  # noqa: ANN001 - a DuckDB connection
    regions = {o.region_code for o in extraction.observations}
    years = {o.year - 1 for o in extraction.observations}
    return warehouse.previous_values(con, regions, years) if regions else {}


def load_bytes(data: bytes, file_name: str, db_path: Path, *, actor: User, **options: object) -> FileReport:
    """Load one file all-or-nothing: a refused file writes nothing, not even an empty warehouse.

    `actor` — who acts, always said by the caller (the app: the session's user read at the click; the command
    line: 命令行, or the user named by --as) — is checked (role, 市州) before anything is written, and the attempt
    is audited. Options: year, region_code (when the file does not say), source, submitted_by, note, is_sample,
    published (the demo: publish at once instead of waiting for review).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    report = _load(data, file_name, Path(db_path), sha256, actor, **options)
    log_load(report, actor, sha256, db_path)
    return report


def _load(  # noqa: PLR0913 - the options of load_bytes
    data: bytes,
    file_name: str,
    db_path: Path,
    sha256: str,
    actor: User,
    *,
    year: int | None = None,
    region_code: str | None = None,
    source: str = "cli",
    submitted_by: str = "",
    note: str | None = None,
    is_sample: bool | None = None,
    published: bool = False,
) -> FileReport:
    present = db_path.exists()
    cat = catalogue_for(db_path if present else None)
    report, parsed = _check_alone(data, file_name, year, region_code, LOADED, actor, cat)
    if report.refused:
        return _refused(report, parsed, db_path if present else None, cat)
    with warehouse.connect(db_path) as con:
        existing = warehouse.find_submission_by_hash(con, sha256)
        if existing is not None:
            return FileReport(file_name, ALREADY_LOADED, store=StoreResult(existing, already_loaded=True))
        now = _seen(con, db_path)
        if now.token != cat.token:  # the catalogue changed since the file was read: read it again
            report, parsed = _check_alone(data, file_name, year, region_code, LOADED, actor, now)
        if not report.refused:
            _refuse_locked(report, con)
        _finish(report, parsed, _previous(con, parsed.extraction) if parsed else {}, now)
        if report.refused:
            return report
        backup.snapshot(con, "before-load")  # only now is the file likely to be written
        report.is_sample = report.is_sample if is_sample is None else is_sample
        archived = archive_original(data, sha256, report.file_kind, db_path)
        submission = NewSubmission(
            file_name,
            sha256,
            report.file_kind,
            len(data),
            archived,
            report.is_sample,
            source,
            submitted_by or actor.name,
            note,
            published,
            parsed.extraction.contacts,
        )
        try:
            report.store = warehouse.store_submission(con, submission, report.observations, report.issues)
        except warehouse.SliceLocked as locked:  # locked between the check above and the write
            return FileReport(file_name, REFUSED, [make_issue("slice-locked", file=file_name, detail=str(locked))])
        if report.store.already_loaded:
            report.status = ALREADY_LOADED
        elif report.store.nothing_new:
            report.status = UNCHANGED
        return report


def _refused(report: FileReport, parsed: _Parsed | None, db_path: Path | None, cat: Catalogue) -> FileReport:
    """A refused file's issues with last year's figures beside them (one read-only look at the warehouse)."""
    if parsed is None or db_path is None:
        return _finish(report, parsed, {}, cat)
    with warehouse.connect(db_path, read_only=True) as con:
        return _finish(report, parsed, _previous(con, parsed.extraction), cat)


def log_load(report: FileReport, actor: User, sha256: str, db_path: Path) -> None:
    """One audit entry per load attempt: what it held, or the first reasons it was refused."""
    pairs = sorted({(o.region_code, o.year) for o in report.observations})
    regions = sorted({code for code, _ in pairs})
    years = sorted({year for _, year in pairs})
    if report.refused:
        detail = f"{report.error_count} 个错误：" + "；".join(i.describe() for i in report.errors[:3])
        action, outcome = "refusal", audit.REFUSED
    elif report.status == ALREADY_LOADED:
        detail, action, outcome = f"重复文件，未写入（上报编号 {report.store.submission_id}）", "upload", audit.OK
    elif report.status == UNCHANGED:
        detail, action, outcome = "与现有数据完全相同，未生成新版本", "upload", audit.OK
    else:
        s = report.store
        detail = f"上报编号 {s.submission_id}：新增 {s.added} 项，更改 {s.changed} 项，未变 {s.unchanged} 项，待审核"
        action, outcome = "upload", audit.OK
    audit.record(
        actor,
        action,
        outcome=outcome,
        region_code=regions[0] if len(regions) == 1 else None,
        year=years[0] if len(years) == 1 else None,
        detail=detail,
        file_name=report.file_name,
        file_sha256=sha256,
        db_path=db_path,
    )


def archive_original(data: bytes, sha256: str, kind: str, db_path: Path) -> str:
    """Keep the original under its content hash, never its uploaded name; returns its path relative to the warehouse."""
    folder = archive_dir(db_path) / sha256[:2]
    target = folder / f"{sha256}.{kind}"
    if not target.exists():
        files.private_dir(folder)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        with os.fdopen(os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, files.FILE_MODE), "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    return str(target.relative_to(Path(db_path).resolve().parent))


def read_path(path: Path) -> tuple[bytes, str]:
    """Bytes and display name of a file given on the command line, refusing oversize files before reading them."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise guard.too_large(path.name, size)
    return path.read_bytes(), path.name
