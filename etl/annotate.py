"""下载标注后的报表: the uploaded workbook returned with each problem cell marked where it was typed — errors filled
red, warnings yellow, each with a comment holding the messages — and nothing else changed.

An .xlsx/.xlsm is patched in place (etl.ooxml): its formulas, styles, other sheets, defined names, data
validations, charts, images and macros stay as they were. An .xls or CSV cannot be patched; its annotated
file is an .xlsx of the table as it was read. Either way the file passes the hostile-file guard again first,
and is read one at a time like any check (etl.pipeline.heavy_work).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from etl import guard, ooxml, pipeline
from etl.issues import Issue
from etl.ooxml import Mark
from etl.read import Workbook, read_file
from etl.sheet_patch import parse_ref

RED, YELLOW = "FFFFC7CE", "FFFFEB9C"  # Excel's own light red and yellow highlights: the text stays readable
LEVEL_WORDS = {"error": "错误", "warning": "警告"}
NOT_CELL_ERRORS = {"slice-locked"}  # a review lock is said in words on the page, never as a cell error
CSV_SHEET = "报表"  # the sheet an annotated CSV's table goes to (a CSV has no sheet name)
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d+)?")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class AnnotateError(Exception):
    """The workbook could not be marked; the message is Chinese and says what to do instead."""


@dataclass(frozen=True)
class Annotated:
    data: bytes
    file_name: str  # 原名（标注）.xlsx, or .xlsm for a workbook with macros
    marked: int  # cells marked
    elsewhere: int  # problems about no single cell (the whole file, a sheet): only in the list of problems


def annotate(data: bytes, file_name: str, issues: Iterable[Issue]) -> Annotated:
    """The file with every issue that names a cell marked there. Raises RefusedFile (the guard's refusal) or
    AnnotateError."""
    marks, elsewhere = cell_marks(issues)
    with pipeline.heavy_work():
        kind = guard.inspect(data, file_name).kind
        if kind == "xlsx":
            try:
                out = ooxml.mark_package(data, marks)
            except (ooxml.PackageError, ValueError, KeyError) as exc:
                raise AnnotateError("这个工作簿的结构无法标注，请按问题清单逐项更正。") from exc
        else:
            out = table_workbook(read_file(data, file_name), marks)
    marked = sum(len(cells) for cells in marks.values())
    return Annotated(out, annotated_name(data, file_name), marked, elsewhere)


def annotated_name(data: bytes, file_name: str) -> str:
    """What the annotated file will be called: 原名（标注）.xlsx, or .xlsm for a workbook with macros."""
    macros = data.startswith(guard.ZIP_MAGIC) and _macro_enabled(data)
    return f"{PurePath(file_name).stem}（标注）{'.xlsm' if macros else '.xlsx'}"


def _macro_enabled(data: bytes) -> bool:
    try:
        return ooxml.is_macro_enabled(data)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def cell_marks(issues: Iterable[Issue]) -> tuple[dict[str, dict[tuple[int, int], Mark]], int]:
    """(sheet → (row, col) → Mark, number of issues placed nowhere). A cell with an error is red, one with
    warnings only yellow; its comment lists every message about it, errors first."""
    found: dict[str, dict[tuple[int, int], list[Issue]]] = {}
    elsewhere = 0
    for issue in issues:
        try:
            cell = parse_ref(issue.cell) if issue.cell and issue.code not in NOT_CELL_ERRORS else None
        except ValueError:
            cell = None
        if cell is None:
            elsewhere += 1
            continue
        found.setdefault(issue.sheet, {}).setdefault(cell, []).append(issue)
    return {sheet: {cell: _mark(listed) for cell, listed in cells.items()} for sheet, cells in found.items()}, elsewhere


def _mark(issues: list[Issue]) -> Mark:
    ordered = sorted(issues, key=lambda i: not i.is_error)
    text = "\n".join(f"{LEVEL_WORDS.get(i.level, i.level)}：{xml_safe(i.message)}" for i in ordered)
    return Mark(RED if ordered[0].is_error else YELLOW, text)


def xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot carry (control characters a file's cell may hold) written as escapes."""
    return _NOT_XML.sub(lambda m: m[0].encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def table_workbook(book: Workbook, marks: dict[str, dict[tuple[int, int], Mark]]) -> bytes:
    """An .xlsx of the table as read from an .xls or CSV, with the marks: values only (text stays text)."""
    from openpyxl import Workbook as NewWorkbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = NewWorkbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(_sheet_title(sheet.name or CSV_SHEET))
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    _put(ws.cell(r, c), value)
        for (r, c), mark in marks.get(sheet.name, {}).items():
            cell = ws.cell(r, c)
            cell.fill = PatternFill("solid", fgColor=mark.fill)
            cell.comment = Comment(mark.text, ooxml.AUTHOR, width=320, height=min(400, 24 * mark.text.count("\n") + 60))
    if not wb.sheetnames:
        wb.create_sheet(CSV_SHEET)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _put(cell, value: object) -> None:  # noqa: ANN001 - an openpyxl cell
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):  # a CSV's figures: numbers again, as typed
        cell.value = float(value) if "." in value else int(value)
    elif isinstance(value, str):
        cell.value = xml_safe(value)
        cell.data_type = "s"  # "=1+1" typed in a CSV stays the text it was, never a formula
    else:
        cell.value = value


def _sheet_title(name: str) -> str:
    """Excel's rules for a sheet name (an .xls obeys them already; this is for safety)."""
    return re.sub(r"[\[\]:*?/\\]", "_", xml_safe(name))[:31] or CSV_SHEET
