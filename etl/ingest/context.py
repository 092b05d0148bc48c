"""Context discovery: what a file says about itself before its tables are read — the template's _meta sheet, the
header row and layout of each sheet, the year and reporting unit written above it — and the result types."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from etl import catalog
from etl.catalog import Catalogue, normalize_text
from etl.issues import IssueList, make_issue
from etl.numbers import parse_year
from etl.read import Sheet, Workbook
from etl.records import Observation, TotalRow

HEADER_SCAN_ROWS = 60
_YEAR_LABELLED = re.compile(r"年度[:：]?\s*(\d{4})")
_YEAR_TITLE = re.compile(r"(\d{4})\s*年(?!\s*\d{1,2}\s*月)")
_UNIT_LABELLED = re.compile(r"填报单位[:：]\s*([^\s　:：]+)")
# Fillable cells of the template (填表人, 联系电话, 审核人), kept with the submission.
CONTACT_LABELS = {"填表人": "filled_by", "联系电话": "phone", "审核人": "checked_by"}


@dataclass
class Context:
    """What is known about the file before its tables are read (command line, _meta sheet)."""

    file_name: str
    year: int | None = None
    region_code: str | None = None
    max_year: int = field(default_factory=lambda: date.today().year)


@dataclass
class Extraction:
    observations: list[Observation] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    issues: IssueList = field(default_factory=IssueList)  # capped: past the cap, only counted
    # (region, year, domain) → where its row starts, to report duplicates
    slices: dict[tuple[str, int, str], str] = field(default_factory=dict)
    # long tables give one value per row: (region, year, indicator) → where, across all sheets of the file
    long_values: dict[tuple[str, int, str], str] = field(default_factory=dict)
    long_slices: set[tuple[str, int, str]] = field(default_factory=set)
    contacts: dict[str, str] = field(default_factory=dict)  # filled_by, phone, checked_by as written
    catalogue_token: str = ""  # the catalogue the file was read against


def cell_ref(row: int, col: int) -> str:
    """0-based row/column → A1 reference."""
    return f"{_column_letters(col)}{row + 1}"


@lru_cache(maxsize=1024)
def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=4096)
def region(text: str) -> catalog.Region | None:
    return catalog.find_region(text)


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    return normalize_text(text)


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_meta(book: Workbook, context: Context, out: Extraction) -> Context:
    """The template's _meta sheet fills in what the command line left open; a clash is an error."""
    meta_year = parse_year(book.meta.get("year", "")) if book.meta.get("year") else None
    if meta_year and context.year and meta_year != context.year:
        out.issues.append(
            make_issue("year-conflict", file=book.file_name, sheet="_meta", value=meta_year, expected=context.year)
        )
    meta_region = book.meta.get("region_code") or None
    region_code = context.region_code or (meta_region if meta_region in catalog.region_by_code() else None)
    return Context(context.file_name, context.year or meta_year, region_code, context.max_year)


def find_header(rows: list[list[object]], cat: Catalogue) -> tuple[int, str] | None:
    """(row, "wide" | "long") of the first header row in a sheet's top rows, or None."""
    words = catalog.header_words()
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = {norm(text_of(v)) for v in row if v not in (None, "")}
        if texts & words.long_indicator and texts & words.long_value:
            return index, "long"
        if any(cat.parse_header(t) for t in texts):
            return index, "wide"
    return None


def sheet_context(sheet: Sheet, header_row: int, book: Workbook, context: Context, out: Extraction) -> Context:
    """Year and reporting unit stated above the header (`年度：2016`, `2016年…`, `填报单位：株洲市妇联`); the
    contact cells (填表人 …) are collected on the way."""
    above_rows = sheet.rows[:header_row]
    _collect_contacts(above_rows, out)
    above = " ".join(text_of(v) for row in above_rows for v in row if v not in (None, ""))
    match = _YEAR_LABELLED.search(above) or _YEAR_TITLE.search(above)
    year = int(match[1]) if match else None
    if year and context.year and year != context.year:
        out.issues.append(
            make_issue("year-conflict", file=book.file_name, sheet=sheet.name, value=year, expected=context.year)
        )
    region_code = context.region_code
    unit = _UNIT_LABELLED.search(above)
    if region_code is None and unit:
        stated = region(unit[1])
        region_code = stated.code if stated and stated.level in ("city", "unit") else None
    return Context(context.file_name, year or context.year, region_code, context.max_year)


def _collect_contacts(rows: list[list[object]], out: Extraction) -> None:
    """A label cell (填表人：) and the cell right of it, as the template lays them out; the first one found wins."""
    for row in rows:
        for c, value in enumerate(row):
            key = CONTACT_LABELS.get(norm(text_of(value)).rstrip(":："))
            if key and key not in out.contacts and c + 1 < len(row):
                written = text_of(row[c + 1]).strip()
                if written:
                    out.contacts[key] = written[:100]
