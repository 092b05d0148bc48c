"""read → extract → validate → load for one file; returns a report instead of raising."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from etl import audit, backup, config, files, guard, warehouse
from etl.catalog import Catalogue
from etl.config import MAX_FILE_BYTES, archive_dir
from etl.extract import Context, Extraction, Observation, extract
from etl.ingest import gate
from etl.issues import Issue, RefusedFile, has_errors, make_issue
from etl.read import read_file
from etl.roles import UPLOAD, PermissionDenied, User, check
from etl.validate import validate, with_last_year, year_on_year
from etl.warehouse import NewSubmission, StoreResult

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


@contextmanager
def heavy_work() -> Iterator[None]:
    """Hold the one reader of this process (a check, or marking a workbook), waiting a bounded time for it."""
    if not _HEAVY_CHECK.acquire(timeout=config.HEAVY_CHECK_WAIT_SECONDS):
        raise ServerBusy(
            f"服务器正在检查其他报表，已等待 {config.HEAVY_CHECK_WAIT_SECONDS:g} 秒，请稍后重新上传。未写入任何数据。"
        )
    try:
        yield
    finally:
        _HEAVY_CHECK.release()


def _parse(data: bytes, file_name: str, year: int | None, region_code: str | None, cat: Catalogue) -> _Parsed:
    with heavy_work():
        book = read_file(data, file_name)
        extraction = extract(book, Context(file_name, year, region_code), cat)
    return _Parsed(extraction, book.kind, book.meta.get("sample") == "1")


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
    present = db_path is not None and warehouse.exists(db_path)
    cat = gate.catalogue_for(db_path if present else None, len(data))
    report, parsed = _check_alone(data, file_name, year, region_code, CHECKED, actor, cat)
    if not present or parsed is None:
        return _finish(report, parsed, {}, cat)
    with warehouse.connect(db_path, read_only=True) as con:
        now = gate.seen(con, db_path)
        if now.token != cat.token:  # the catalogue changed since this process last saw it: read again
            report, parsed = _check_alone(data, file_name, year, region_code, CHECKED, actor, now)
        if not report.refused:
            _refuse_locked(report, con)
        return _finish(report, parsed, _previous(con, parsed.extraction), now)


def check_extraction(
    extraction: Extraction, name: str, kind: str, *, db_path: Path | None = None, actor: User | None = None
) -> FileReport:
    """The values of a return made elsewhere than in a file (the online entry: etl.online), judged exactly as a
    file's: the same validation, the same access, lock and year-on-year checks."""
    refused = _not_permitted(actor, name)
    if refused is not None:
        return refused
    present = db_path is not None and warehouse.exists(db_path)
    cat = gate.catalogue_for(db_path if present else None, 0)
    parsed = _Parsed(extraction, kind, False)
    report = _judge(parsed, name, CHECKED, actor, cat)
    if not present:
        return _finish(report, parsed, {}, cat)
    with warehouse.connect(db_path, read_only=True) as con:
        if not report.refused:
            _refuse_locked(report, con)
        return _finish(report, parsed, _previous(con, extraction), cat)


def _not_permitted(actor: User | None, file_name: str) -> FileReport | None:
    if actor is None:
        return None
    try:
        check(actor, UPLOAD)
    except PermissionDenied as denied:
        return FileReport(file_name, REFUSED, [make_issue("not-permitted", file=file_name, detail=str(denied))])
    return None


def _check_alone(  # noqa: PLR0913
    data: bytes, file_name: str, year: int | None, region_code: str | None, ok_status: str, actor: User | None,
    cat: Catalogue,
) -> tuple[FileReport, _Parsed | None]:  # fmt: skip
    """Read and validate the file on its own: every error is known before the warehouse is opened."""
    refused = _not_permitted(actor, file_name)
    if refused is not None:
        return refused, None
    try:
        parsed = _parse(data, file_name, year, region_code, cat)
    except RefusedFile as refusal:
        return FileReport(file_name, REFUSED, [refusal.issue]), None
    return _judge(parsed, file_name, ok_status, actor, cat), parsed


def _judge(parsed: _Parsed, file_name: str, ok_status: str, actor: User | None, cat: Catalogue) -> FileReport:
    issues = parsed.extraction.issues + validate(parsed.extraction, file_name, cat)
    issues += gate.access_issues(actor, parsed.extraction.observations, file_name)
    more = parsed.extraction.issues.dropped
    observations = parsed.extraction.observations
    if has_errors(issues) or more:
        # The values read stay with the report (never stored): the audit entry says which 市州 and year it held.
        return FileReport(file_name, REFUSED, issues, observations, file_kind=parsed.file_kind, more_errors=more)
    return FileReport(file_name, ok_status, issues, observations, None, parsed.file_kind, parsed.is_sample)


def _refuse_locked(report: FileReport, con) -> None:  # noqa: ANN001 - a DuckDB connection
    report.issues += gate.lock_issues(con, report.observations, report.file_name)
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


def load_extraction(  # noqa: PLR0913
    extraction: Extraction, name: str, kind: str, db_path: Path, *, actor: User, sha256: str, **options: object
) -> FileReport:
    """Store a return made elsewhere than in a file (etl.online) through the same checks and the same load as a
    file: all-or-nothing, pending review, audited. `sha256` names this submission (there is no file to hash)."""
    db_path = Path(db_path)
    report = _not_permitted(actor, name)
    parsed = _Parsed(extraction, kind, False)
    if report is None:
        cat = gate.catalogue_for(db_path if warehouse.exists(db_path) else None, 0)
        report = _judge(parsed, name, LOADED, actor, cat)
        if not report.refused:
            report = _store_checked(report, parsed, cat, None, db_path, sha256, actor, None, **options)
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
    again = (data, file_name, year, region_code, LOADED, actor)
    present = warehouse.exists(db_path)
    cat = gate.catalogue_for(db_path if present else None, len(data))
    report, parsed = _check_alone(*again, cat)
    if report.refused:
        if not present or parsed is None:
            return _finish(report, parsed, {}, cat)
        report, parsed, cat = _refused(report, parsed, db_path, cat, again)
        if report.refused:
            return report
    options = {"source": source, "submitted_by": submitted_by, "note": note, "is_sample": is_sample}
    return _store_checked(report, parsed, cat, again, db_path, sha256, actor, data, published=published, **options)


def _store_checked(  # noqa: PLR0913 - the options of load_bytes
    report: FileReport,
    parsed: _Parsed | None,
    cat: Catalogue,
    again: tuple | None,
    db_path: Path,
    sha256: str,
    actor: User,
    data: bytes | None,
    *,
    source: str = "cli",
    submitted_by: str = "",
    note: str | None = None,
    is_sample: bool | None = None,
    published: bool = False,
) -> FileReport:
    """The warehouse's checks (catalogue, locks, last year) and the write, for a report that passed on its own;
    `again` reads the file again when the warehouse's catalogue is not the one it was read against."""
    file_name = report.file_name
    with warehouse.connect(db_path) as con:
        existing = warehouse.find_submission_by_hash(con, sha256)
        if existing is not None:
            return FileReport(file_name, ALREADY_LOADED, store=StoreResult(existing, already_loaded=True))
        now = gate.seen(con, db_path)
        if now.token != cat.token and again is not None:  # the catalogue changed since the file was read
            report, parsed = _check_alone(*again, now)
        if not report.refused:
            _refuse_locked(report, con)
        _finish(report, parsed, _previous(con, parsed.extraction) if parsed else {}, now)
        if report.refused:
            return report
        backup.snapshot(con, "before-load")  # only now is the file likely to be written
        report.is_sample = report.is_sample if is_sample is None else is_sample
        archived = archive_original(data, sha256, report.file_kind, db_path) if data is not None else None
        submission = NewSubmission(
            file_name,
            sha256,
            report.file_kind,
            len(data) if data is not None else 0,
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


def _refused(
    report: FileReport, parsed: _Parsed, db_path: Path, cat: Catalogue, again: tuple
) -> tuple[FileReport, _Parsed | None, Catalogue]:
    """A refused file, looked at once more against the warehouse (read-only): read again if its catalogue is not
    the one the file was read against (it may pass then); else its issues with last year's figures beside them."""
    with warehouse.connect(db_path, read_only=True) as con:
        now = gate.seen(con, db_path)
        if now.token != cat.token:
            report, parsed = _check_alone(*again, now)
        if report.refused and parsed is not None:
            _finish(report, parsed, _previous(con, parsed.extraction), now)
    return report, parsed, now


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
