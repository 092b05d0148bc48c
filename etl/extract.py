"""Sheets of cells → observations (region, year, indicator, value, sheet!cell), found by header text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from etl import catalog, levels
from etl.catalog import Indicator, normalize_text
from etl.config import FIRST_YEAR
from etl.issues import IssueList, make_issue
from etl.numbers import parse_value, parse_year
from etl.read import Sheet, Workbook

HEADER_SCAN_ROWS = 60
REGION_HEADERS = {
    "市州", "市(州)", "地区", "地市", "市州名称", "单位", "填报单位", "行政区划", "区域", "市州妇联",
    "市州/县市区", "市州(县市区)", "县市区", "单位名称",
}  # fmt: skip
YEAR_HEADERS = {"年度", "年份", "年", "统计年度"}
LONG_INDICATOR_HEADERS = {"指标", "指标名称"}
LONG_VALUE_HEADERS = {"数值", "值", "数据"}
LONG_UNIT_HEADERS = {"单位", "计量单位"}
IGNORED_HEADERS = {"序号", "备注", "说明", "填表人", "联系电话", "行政区划代码", "类别"}
TOTAL_NAMES = {"合计", "总计", "全省", "全省合计", "湖南省", "小计"}
NOTE_PREFIXES = (
    "注",
    "说明",
    "备注",
    "填表",
    "审核",
    "制表",
    "负责人",
    "单位负责人",
    "统计负责人",
    "联系",
    "报送",
    "填报",
)
_YEAR_LABELLED = re.compile(r"年度[:：]?\s*(\d{4})")
_YEAR_TITLE = re.compile(r"(\d{4})\s*年(?!\s*\d{1,2}\s*月)")
_UNIT_LABELLED = re.compile(r"填报单位[:：]\s*([^\s　:：]+)")


class Observation(NamedTuple):  # a tuple: created once per value, 100,000 times for a long file
    region_code: str
    year: int
    indicator: str
    value: float | None
    sheet: str
    cell: str  # "" when the indicator's column is missing: not reported


@dataclass(frozen=True)
class TotalRow:
    """A 合计 row: checked against the sum of the regions, never stored."""

    year: int
    indicator: str
    value: float
    sheet: str
    cell: str


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
def _header(text: str) -> tuple[Indicator, str | None] | None:
    return catalog.parse_header(text)


@lru_cache(maxsize=4096)
def _region(text: str) -> catalog.Region | None:
    return catalog.find_region(text)


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return normalize_text(text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def extract(book: Workbook, context: Context) -> Extraction:
    """Read every table in the workbook; collect every issue instead of stopping at the first."""
    out = Extraction()
    context = _apply_meta(book, context, out)
    found_table = False
    for sheet in book.sheets:
        found_table |= _extract_sheet(sheet, book, context, out)
    if not found_table:
        out.issues.append(make_issue("no-indicator-header", file=book.file_name))
    _fill_long_slices(out)
    out.observations, summed = levels.complete_cities(out.observations, book.file_name)
    out.issues.extend(summed)
    for sheet_name, cells in book.formulas_without_value.items():
        for cell in cells:
            out.issues.append(make_issue("formula-no-value", file=book.file_name, sheet=sheet_name, cell=cell))
    for sheet_name, errors in book.error_cells.items():
        for cell, text in errors.items():
            out.issues.append(make_issue("excel-error", file=book.file_name, sheet=sheet_name, cell=cell, value=text))
    return out


def _apply_meta(book: Workbook, context: Context, out: Extraction) -> Context:
    """The template's _meta sheet fills in what the command line left open; a clash is an error."""
    meta_year = parse_year(book.meta.get("year", "")) if book.meta.get("year") else None
    if meta_year and context.year and meta_year != context.year:
        out.issues.append(
            make_issue("year-conflict", file=book.file_name, sheet="_meta", value=meta_year, expected=context.year)
        )
    meta_region = book.meta.get("region_code") or None
    region = context.region_code or (meta_region if meta_region in catalog.region_by_code() else None)
    return Context(context.file_name, context.year or meta_year, region, context.max_year)


def _extract_sheet(sheet: Sheet, book: Workbook, context: Context, out: Extraction) -> bool:
    found = _find_header(sheet.rows)
    if found is None:
        return False
    header_row, layout = found
    sheet_context = _sheet_context(sheet, header_row, book, context, out)
    if layout == "long":
        _LongTable(sheet, header_row, book.file_name, sheet_context, out).read()
    else:
        _WideTable(sheet, header_row, book.file_name, sheet_context, out).read()
    return True


def _find_header(rows: list[list[object]]) -> tuple[int, str] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        texts = {_norm(_text(v)) for v in row if v not in (None, "")}
        if texts & LONG_INDICATOR_HEADERS and texts & LONG_VALUE_HEADERS:
            return index, "long"
        if any(_header(t) for t in texts):
            return index, "wide"
    return None


def _sheet_context(sheet: Sheet, header_row: int, book: Workbook, context: Context, out: Extraction) -> Context:
    """Year and reporting unit stated above the header (`年度：2016`, `2016年…`, `填报单位：株洲市妇联`)."""
    above = " ".join(_text(v) for row in sheet.rows[:header_row] for v in row if v not in (None, ""))
    match = _YEAR_LABELLED.search(above) or _YEAR_TITLE.search(above)
    year = int(match[1]) if match else None
    if year and context.year and year != context.year:
        out.issues.append(
            make_issue("year-conflict", file=book.file_name, sheet=sheet.name, value=year, expected=context.year)
        )
    region = context.region_code
    unit = _UNIT_LABELLED.search(above)
    if region is None and unit:
        stated = _region(unit[1])
        region = stated.code if stated and stated.level in (levels.CITY, levels.UNIT) else None
    return Context(context.file_name, year or context.year, region, context.max_year)


class _Table:
    """Shared row handling for wide and long tables."""

    def __init__(self, sheet: Sheet, header_row: int, file_name: str, context: Context, out: Extraction):
        self.sheet, self.header_row, self.file = sheet, header_row, file_name
        self.context, self.out = context, out
        self.header = [_norm(_text(v)) for v in sheet.rows[header_row]]

    def issue(self, code: str, row: int | None = None, col: int | None = None, **fields: object) -> None:
        if self.out.issues.full:  # counted, not written: a file of 200,000 bad rows stays cheap
            self.out.issues.dropped += 1
            return
        cell = cell_ref(row, col) if row is not None and col is not None else ""
        self.out.issues.append(make_issue(code, file=self.file, sheet=self.sheet.name, cell=cell, **fields))

    def where(self, r: int, c: int) -> dict[str, str]:
        return {"file": self.file, "sheet": self.sheet.name, "cell": cell_ref(r, c)}

    def column(self, names: set[str]) -> int | None:
        return next((i for i, h in enumerate(self.header) if h in names), None)

    def row_year(self, row: list[object], r: int, year_col: int | None) -> int | None:
        """The row's year (年度 column, else the sheet's); None after reporting the problem."""
        raw = row[year_col] if year_col is not None and year_col < len(row) else None
        if raw in (None, ""):
            year = self.context.year
            if year is None:
                self.issue("missing-year", r, year_col if year_col is not None else 0)
                return None
        else:
            year = parse_year(raw)
            if year is None:
                self.issue("year-out-of-range", r, year_col, value=_text(raw), max_year=self.context.max_year)
                return None
        if not catalog_year_ok(year, self.context.max_year):
            self.issue(
                "year-out-of-range",
                r,
                year_col if year_col is not None else 0,
                value=year,
                max_year=self.context.max_year,
            )
            return None
        return year

    def row_region(self, text: str, r: int, col: int | None) -> str | None:
        """Region code of a data row, or None after reporting why it has none."""
        if not text and self.context.region_code:
            return self.context.region_code
        region = _region(text) if text else None
        if region is None or region.level not in levels.REPORTING_LEVELS:
            if text:
                self.issue("unknown-region", r, col, value=text.strip())
            elif col is None:
                self.issue("missing-region-column", r, 0)
            else:
                self.issue("missing-region", r, col)
            return None
        if self.context.region_code and levels.city_of(region.code) != self.context.region_code:
            expected = catalog.region_by_code()[self.context.region_code].name
            self.issue("region-conflict", r, col, value=text.strip(), expected=expected)
            return None
        return region.code

    def claim_slice(self, key: tuple[str, int, str], r: int, col: int | None) -> bool:
        """One row per (region, year, domain) in a submission; a second one is an error."""
        here = f"{self.sheet.name}!{cell_ref(r, col or 0)}" if self.sheet.name else cell_ref(r, col or 0)
        other = self.out.slices.get(key)
        if other is not None:
            region = catalog.region_by_code()[key[0]].name
            domain = catalog.domain_by_code()[key[2]].name
            self.issue("duplicate-region", r, col or 0, region=region, year=key[1], domain=domain, other=other)
            return False
        self.out.slices[key] = here
        return True

    def value(self, raw: object, indicator: Indicator, r: int, c: int) -> tuple[bool, float | None]:
        parsed = parse_value(raw, indicator)
        if parsed.problem:
            self.issue(parsed.problem, r, c, value=parsed.text, indicator=indicator.name, unit=indicator.unit)
            return False, None
        return True, parsed.value


def catalog_year_ok(year: int, max_year: int) -> bool:
    return FIRST_YEAR <= year <= max_year


def _is_note(text: str) -> bool:
    return text.startswith(NOTE_PREFIXES) or ":" in text or "：" in text


class _WideTable(_Table):
    """市州 | indicator | indicator … with one row per region (and maybe a 年度 column)."""

    def read(self) -> None:
        self.region_col = self.column(REGION_HEADERS)
        self.year_col = self.column(YEAR_HEADERS)
        self.columns = self._indicator_columns()
        domains = {ind.domain for ind in self.columns.values()}
        self.domains = [d for d in catalog.domains() if d.code in domains]
        for r in range(self.header_row + 1, len(self.sheet.rows)):
            self._read_row(self.sheet.rows[r], r)

    def _indicator_columns(self) -> dict[int, Indicator]:
        columns: dict[int, Indicator] = {}
        seen: dict[str, int] = {}
        for c, text in enumerate(self.header):
            match = _header(text) if text else None
            if match is None:
                self._check_unknown_column(c, text)
                continue
            indicator, unit = match
            if indicator.code in seen:
                other = cell_ref(self.header_row, seen[indicator.code])
                self.issue("duplicate-column", self.header_row, c, indicator=indicator.name, other=other)
                continue
            if unit and _norm(unit) != _norm(indicator.unit):
                self.issue(
                    "unit-mismatch", self.header_row, c, indicator=indicator.name, expected=indicator.unit, value=unit
                )
            seen[indicator.code] = c
            columns[c] = indicator
        return columns

    def _check_unknown_column(self, c: int, text: str) -> None:
        """A column we cannot place is reported when it holds data: nothing is dropped in silence."""
        if not text or c in (self.region_col, self.year_col) or text in IGNORED_HEADERS:
            return
        rows = self.sheet.rows[self.header_row + 1 :]
        if any(c < len(row) and row[c] not in (None, "") for row in rows):
            self.out.issues.append(
                make_issue(
                    "unknown-column",
                    file=self.file,
                    sheet=self.sheet.name,
                    cell=cell_ref(self.header_row, c),
                    value=text,
                )
            )

    def _read_row(self, row: list[object], r: int) -> None:
        cells = {c: row[c] if c < len(row) else None for c in self.columns}
        has_values = any(v not in (None, "") for v in cells.values())
        label = (
            _text(row[self.region_col]).strip() if self.region_col is not None and self.region_col < len(row) else ""
        )
        if not has_values:
            return  # blank row, or a note row with no figures
        if _norm(label) in TOTAL_NAMES:
            self._read_total(cells, row, r)
            return
        if label and _is_note(label) and _region(label) is None:
            return
        region = self.row_region(label, r, self.region_col)
        year = self.row_year(row, r, self.year_col)
        if region is None or year is None:
            return
        unit = catalog.region_in_year(region, year)  # 宁乡市 in a 2016 row is 宁乡县 430124
        for domain in self.domains:
            if not any(levels.reports(i, unit) for i in catalog.domain_indicators(domain.code)):
                self._refuse_level(domain.code, unit, cells, r)
            elif self.claim_slice((unit.code, year, domain.code), r, self.region_col):
                self._observe_domain(domain.code, unit, year, cells, r)

    def _refuse_level(self, domain: str, unit: catalog.Region, cells: dict[int, object], r: int) -> None:
        """Figures a row's level does not report (a 县市区 in a 市州-only column): each one an error, none dropped."""
        for c, indicator in self.columns.items():
            if indicator.domain == domain and not levels.reports(indicator, unit) and cells[c] not in (None, ""):
                self.out.issues.append(levels.level_issue(indicator, unit, **self.where(r, c)))

    def _observe_domain(self, domain: str, unit: catalog.Region, year: int, cells: dict[int, object], r: int) -> None:
        by_indicator = {ind.code: c for c, ind in self.columns.items() if ind.domain == domain}
        self._refuse_level(domain, unit, cells, r)
        region = unit.code
        for indicator in catalog.domain_indicators(domain):
            if not levels.reports(indicator, unit):
                continue
            c = by_indicator.get(indicator.code)
            if c is None:
                obs = Observation(region, year, indicator.code, None, self.sheet.name, "")
            else:
                ok, value = self.value(cells[c], indicator, r, c)
                if not ok:
                    continue
                obs = Observation(region, year, indicator.code, value, self.sheet.name, cell_ref(r, c))
            self.out.observations.append(obs)

    def _read_total(self, cells: dict[int, object], row: list[object], r: int) -> None:
        year = self.row_year(row, r, self.year_col)
        if year is None:
            return
        for c, indicator in self.columns.items():
            ok, value = self.value(cells[c], indicator, r, c)
            if ok and value is not None:
                self.out.totals.append(TotalRow(year, indicator.code, value, self.sheet.name, cell_ref(r, c)))


class _LongTable(_Table):
    """年度, 市州, 指标, 数值 (, 单位): one row per value, e.g. 100,000 rows from a system export."""

    def read(self) -> None:
        self.region_col = self.column(REGION_HEADERS - LONG_UNIT_HEADERS)
        self.year_col = self.column(YEAR_HEADERS)
        self.indicator_col = self.column(LONG_INDICATOR_HEADERS)
        self.value_col = self.column(LONG_VALUE_HEADERS)
        self.unit_col = self.column(LONG_UNIT_HEADERS)
        for r in range(self.header_row + 1, len(self.sheet.rows)):
            self._read_row(self.sheet.rows[r], r)

    def _get(self, row: list[object], col: int | None) -> object:
        return row[col] if col is not None and col < len(row) else None

    def _read_row(self, row: list[object], r: int) -> None:
        name = _text(self._get(row, self.indicator_col)).strip()
        raw = self._get(row, self.value_col)
        if not name:
            if raw not in (None, ""):
                self.issue("unknown-indicator", r, self.indicator_col, value="")
            return
        match = _header(name)
        if match is None:
            self.issue("unknown-indicator", r, self.indicator_col, value=name)
            return
        indicator = self._check_unit(match, row, r)
        label = _text(self._get(row, self.region_col)).strip()
        year = self.row_year(row, r, self.year_col)
        if _norm(label) in TOTAL_NAMES:
            ok, value = self.value(raw, indicator, r, self.value_col)
            if ok and value is not None and year is not None:
                self.out.totals.append(
                    TotalRow(year, indicator.code, value, self.sheet.name, cell_ref(r, self.value_col))
                )
            return
        region = self.row_region(label, r, self.region_col)
        if region is None or year is None:
            return
        unit = catalog.region_in_year(region, year)
        if not levels.reports(indicator, unit):
            if raw not in (None, ""):
                self.out.issues.append(levels.level_issue(indicator, unit, **self.where(r, self.value_col)))
            return
        self._observe(indicator, unit.code, year, raw, r)

    def _check_unit(self, match: tuple[Indicator, str | None], row: list[object], r: int) -> Indicator:
        indicator, unit = match
        unit = unit or _text(self._get(row, self.unit_col)).strip() or None
        if unit and _norm(unit) != _norm(indicator.unit):
            col = self.unit_col if self.unit_col is not None else self.indicator_col
            self.issue("unit-mismatch", r, col, indicator=indicator.name, expected=indicator.unit, value=unit)
        return indicator

    def _observe(self, indicator: Indicator, region: str, year: int, raw: object, r: int) -> None:
        key = (region, year, indicator.code)
        slice_key = (region, year, indicator.domain)
        here = cell_ref(r, self.value_col)
        other = self.out.long_values.get(key)
        if other is None and slice_key in self.out.slices and slice_key not in self.out.long_slices:
            other = self.out.slices[slice_key]  # a wide table of this file already gave the slice
        if other is not None:
            self.issue(
                "duplicate-region",
                r,
                self.value_col,
                region=catalog.region_by_code()[region].name,
                year=year,
                domain=indicator.name,
                other=other,
            )
            return
        located = f"{self.sheet.name}!{here}" if self.sheet.name else here
        self.out.long_values[key] = located
        self.out.slices.setdefault(slice_key, located)
        self.out.long_slices.add(slice_key)
        ok, value = self.value(raw, indicator, r, self.value_col)
        if ok:
            self.out.observations.append(Observation(region, year, indicator.code, value, self.sheet.name, here))


def _fill_long_slices(out: Extraction) -> None:
    """An indicator absent from a slice a long table reports is stored as not reported (NULL)."""
    for region, year, domain in sorted(out.long_slices):
        unit = catalog.region_by_code()[region]
        for indicator in catalog.domain_indicators(domain):
            if levels.reports(indicator, unit) and (region, year, indicator.code) not in out.long_values:
                out.observations.append(Observation(region, year, indicator.code, None, "", ""))
