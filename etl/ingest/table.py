"""Row handling shared by wide and long tables: where an issue is, a row's year and region, one row per slice,
and one value read against the indicator's 口径 of its year."""

from __future__ import annotations

from etl import catalog, levels
from etl.catalog import Catalogue, Indicator
from etl.config import FIRST_YEAR
from etl.ingest.context import Context, Extraction, cell_ref, norm, region, text_of
from etl.issues import make_issue
from etl.numbers import parse_value, parse_year
from etl.read import Sheet
from etl.records import format_number


class Table:
    """One table of a sheet, from its header row down."""

    def __init__(  # noqa: PLR0913
        self, sheet: Sheet, header_row: int, file_name: str, context: Context, out: Extraction, cat: Catalogue
    ):
        self.sheet, self.header_row, self.file = sheet, header_row, file_name
        self.context, self.out, self.cat = context, out, cat
        self.words = catalog.header_words()
        self.header = [norm(text_of(v)) for v in sheet.rows[header_row]]

    def issue(self, code: str, row: int | None = None, col: int | None = None, **fields: object) -> None:
        if self.out.issues.full:  # counted, not written: a file of 200,000 bad rows stays cheap
            self.out.issues.dropped += 1
            return
        cell = cell_ref(row, col) if row is not None and col is not None else ""
        self.out.issues.append(make_issue(code, file=self.file, sheet=self.sheet.name, cell=cell, **fields))

    def column(self, names: frozenset[str]) -> int | None:
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
                self.issue("year-out-of-range", r, year_col, value=text_of(raw), max_year=self.context.max_year)
                return None
        if not FIRST_YEAR <= year <= self.context.max_year:
            where = year_col if year_col is not None else 0
            self.issue("year-out-of-range", r, where, value=year, max_year=self.context.max_year)
            return None
        return year

    def where(self, r: int, c: int) -> dict[str, str]:
        return {"file": self.file, "sheet": self.sheet.name, "cell": cell_ref(r, c)}

    def row_region(self, text: str, r: int, col: int | None) -> str | None:
        """Region code of a data row (a 市州, one of its 县市区, or a 省级单位), or None after reporting why."""
        if not text and self.context.region_code:
            return self.context.region_code
        found = region(text) if text else None
        if found is None or found.level not in levels.REPORTS:
            if text:
                self.issue("unknown-region", r, col, value=text.strip())
            elif col is None:
                self.issue("missing-region-column", r, 0)
            else:
                self.issue("missing-region", r, col)
            return None
        if self.context.region_code and catalog.city_of(found.code) != self.context.region_code:
            expected = catalog.region_by_code()[self.context.region_code].name
            self.issue("region-conflict", r, col, value=text.strip(), expected=expected)
            return None
        return found.code

    def claim_slice(self, key: tuple[str, int, str], r: int, col: int | None) -> bool:
        """One row per (region, year, domain) in a submission; a second one is an error."""
        here = f"{self.sheet.name}!{cell_ref(r, col or 0)}" if self.sheet.name else cell_ref(r, col or 0)
        other = self.out.slices.get(key)
        if other is not None:
            name = catalog.region_by_code()[key[0]].name
            domain = self.cat.edition(None).domain_by_code[key[2]].name
            self.issue("duplicate-region", r, col or 0, region=name, year=key[1], domain=domain, other=other)
            return False
        self.out.slices[key] = here
        return True

    def in_force(self, indicator: Indicator, year: int, r: int, c: int, raw: object) -> Indicator | None:
        """The indicator's 口径 of `year`; None (and an error if a figure was written) when it is not collected."""
        version = self.cat.indicator_in(indicator.code, year)
        if version is None and raw not in (None, ""):
            versions = self.cat.versions("indicators")[indicator.code]
            why = f"自{versions[0].valid_from}年起才统计" if year < versions[0].valid_from else "已停用"
            self.issue("indicator-not-in-year", r, c, indicator=indicator.name, why=why, year=year,
                       **_about(indicator, self.context, year))  # fmt: skip
        return version

    def value(self, raw: object, indicator: Indicator, r: int, c: int, key: tuple[str, int, str] | None = None):  # noqa: ANN201
        """(ok, value): the cell parsed for `indicator` (its version of the row's year); an issue when not ok."""
        parsed = parse_value(raw, indicator)
        if not parsed.problem:
            return True, parsed.value
        fixed = format_number(parsed.value) if parsed.value is not None else ""
        self.issue(parsed.problem, r, c, value=parsed.text, indicator=indicator.name, unit=indicator.unit,
                   fixed=fixed, subject=indicator.name, key=key)  # fmt: skip
        return False, None


def _about(indicator: Indicator, context: Context, year: int) -> dict:
    key = (context.region_code, year, indicator.code) if context.region_code else None
    return {"subject": indicator.name, "key": key}


def is_note(text: str, prefixes: tuple[str, ...]) -> bool:
    return text.startswith(prefixes) or ":" in text or "：" in text
