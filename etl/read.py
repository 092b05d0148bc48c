"""Bytes of an uploaded file → sheets of cells (row 0 is Excel row 1), after the hostile-file guard."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import python_calamine

from etl import guard
from etl.issues import RefusedFile, make_issue

META_SHEET = "_meta"


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]


@dataclass
class Workbook:
    file_name: str
    kind: str  # xlsx | xls | csv
    sheets: list[Sheet]
    meta: dict[str, str] = field(default_factory=dict)
    formulas_without_value: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)


def read_file(data: bytes, file_name: str) -> Workbook:
    """Read any accepted format; raises RefusedFile with a Chinese issue for anything unreadable."""
    inspection = guard.inspect(data, file_name)
    if inspection.kind == "csv":
        return Workbook(file_name, "csv", [_read_csv(data, file_name)])
    sheets = _read_spreadsheet(data, file_name)
    meta = _meta(sheets)
    return Workbook(
        file_name,
        inspection.kind,
        [s for s in sheets if s.name != META_SHEET],
        meta,
        dict(inspection.formulas_without_value),
        dict(inspection.error_cells),
    )


def _read_csv(data: bytes, file_name: str) -> Sheet:
    text = guard.decode_text(data, file_name)
    rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    return Sheet("", rows)


def _read_spreadsheet(data: bytes, file_name: str) -> list[Sheet]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [Sheet(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names]
    except python_calamine.PasswordError as exc:
        raise RefusedFile(make_issue("password-protected", file=file_name)) from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise _unreadable(file_name, exc) from exc
    except BaseException as exc:
        # A Rust panic inside calamine surfaces as pyo3's PanicException, a BaseException: refuse, don't crash.
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise _unreadable(file_name, exc) from exc


def _unreadable(file_name: str, exc: BaseException) -> RefusedFile:
    detail = f"文件已损坏或格式不受支持（{type(exc).__name__}）"
    return RefusedFile(make_issue("unreadable-file", file=file_name, detail=detail))


def _meta(sheets: list[Sheet]) -> dict[str, str]:
    """Key/value rows of the template's hidden _meta sheet; absent in files not made from it."""
    for sheet in sheets:
        if sheet.name == META_SHEET:
            return {
                str(row[0]).strip(): _meta_text(row[1]) for row in sheet.rows if len(row) >= 2 and str(row[0]).strip()
            }
    return {}


def _meta_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
