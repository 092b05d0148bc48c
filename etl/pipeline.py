"""read → extract → validate → load for one file; returns a report instead of raising."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from etl import backup, warehouse
from etl.config import MAX_FILE_BYTES, archive_dir
from etl.extract import Context, Extraction, Observation, extract
from etl.issues import Issue, RefusedFile, has_errors, make_issue
from etl.read import read_file
from etl.validate import validate, year_on_year
from etl.warehouse import NewSubmission, StoreResult

REFUSED, CHECKED, LOADED, ALREADY_LOADED = "refused", "checked", "loaded", "already-loaded"


@dataclass
class FileReport:
    file_name: str
    status: str
    issues: list[Issue] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    store: StoreResult | None = None
    file_kind: str = ""
    is_sample: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

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


def _parse(data: bytes, file_name: str, year: int | None, region_code: str | None) -> _Parsed:
    book = read_file(data, file_name)
    extraction = extract(book, Context(file_name, year, region_code))
    return _Parsed(extraction, book.kind, book.meta.get("sample") == "1")


def check_bytes(
    data: bytes,
    file_name: str,
    *,
    year: int | None = None,
    region_code: str | None = None,
    db_path: Path | None = None,
) -> FileReport:
    """Everything a load would report, writing nothing; the warehouse (if given and present) supplies last year."""
    report, parsed = _check_alone(data, file_name, year, region_code, CHECKED)
    if report.refused or db_path is None or not Path(db_path).exists():
        return _with_jumps(report, parsed, {})
    with warehouse.connect(db_path, read_only=True) as con:
        return _with_jumps(report, parsed, _previous(con, parsed.extraction))


def _check_alone(
    data: bytes, file_name: str, year: int | None, region_code: str | None, ok_status: str
) -> tuple[FileReport, _Parsed | None]:
    """Read and validate the file on its own: every error is known before the warehouse is opened."""
    try:
        parsed = _parse(data, file_name, year, region_code)
    except RefusedFile as refusal:
        return FileReport(file_name, REFUSED, [refusal.issue]), None
    issues = parsed.extraction.issues + validate(parsed.extraction, file_name)
    if has_errors(issues):
        return FileReport(file_name, REFUSED, issues, file_kind=parsed.file_kind), parsed
    observations = parsed.extraction.observations
    return FileReport(file_name, ok_status, issues, observations, None, parsed.file_kind, parsed.is_sample), parsed


def _with_jumps(report: FileReport, parsed: _Parsed | None, previous: dict) -> FileReport:
    """Year-on-year warnings need last year's values: from the file itself, else from the warehouse."""
    if not report.refused and parsed is not None:
        report.issues = report.issues + year_on_year(parsed.extraction, report.file_name, previous)
    return report


def _previous(con, extraction: Extraction) -> dict:  # noqa: ANN001 - a DuckDB connection
    regions = {o.region_code for o in extraction.observations}
    years = {o.year - 1 for o in extraction.observations}
    return warehouse.previous_values(con, regions, years) if regions else {}


def load_bytes(
    data: bytes,
    file_name: str,
    db_path: Path,
    *,
    year: int | None = None,
    region_code: str | None = None,
    source: str = "cli",
    submitted_by: str = "",
    note: str | None = None,
    is_sample: bool | None = None,
) -> FileReport:
    """Load one file all-or-nothing: a refused file writes nothing, not even an empty warehouse."""
    report, parsed = _check_alone(data, file_name, year, region_code, LOADED)
    if report.refused:
        return report
    sha256 = hashlib.sha256(data).hexdigest()
    with warehouse.connect(db_path) as con:
        existing = warehouse.find_submission_by_hash(con, sha256)
        if existing is not None:
            return FileReport(file_name, ALREADY_LOADED, store=StoreResult(existing, already_loaded=True))
        backup.snapshot(con, "before-load")  # only now is the file certain to be written
        _with_jumps(report, parsed, _previous(con, parsed.extraction))
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
            submitted_by or _os_user(),
            note,
        )
        report.store = warehouse.store_submission(con, submission, report.observations, report.issues)
        if report.store.already_loaded:
            report.status = ALREADY_LOADED
        return report


def archive_original(data: bytes, sha256: str, kind: str, db_path: Path) -> str:
    """Keep the original under its content hash, never its uploaded name; returns its path relative to the warehouse."""
    folder = archive_dir(db_path) / sha256[:2]
    target = folder / f"{sha256}.{kind}"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.part")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return str(target.relative_to(Path(db_path).resolve().parent))


def _os_user() -> str:
    try:
        return f"命令行:{os.getlogin()}"
    except OSError:
        return "命令行"


def read_path(path: Path) -> tuple[bytes, str]:
    """Bytes and display name of a file given on the command line, refusing oversize files before reading them."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise RefusedFile(
            make_issue(
                "file-too-large", file=path.name, size_mb=f"{size / 2**20:.1f}", limit_mb=MAX_FILE_BYTES // 2**20
            )
        )
    return path.read_bytes(), path.name
