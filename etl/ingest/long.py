"""Long tables: 年度, 市州, 指标, 数值 (, 单位) — one row per value, e.g. 100,000 rows from a system export."""

from __future__ import annotations

from etl import catalog, levels
from etl.catalog import Indicator
from etl.ingest.context import Extraction, cell_ref, norm, text_of
from etl.ingest.table import Table
from etl.records import Observation, TotalRow


class LongTable(Table):
    def read(self) -> None:
        self.region_col = self.column(self.words.region - self.words.long_unit)
        self.year_col = self.column(self.words.year)
        self.indicator_col = self.column(self.words.long_indicator)
        self.value_col = self.column(self.words.long_value)
        self.unit_col = self.column(self.words.long_unit)
        for r in range(self.header_row + 1, len(self.sheet.rows)):
            self._read_row(self.sheet.rows[r], r)

    def _get(self, row: list[object], col: int | None) -> object:
        return row[col] if col is not None and col < len(row) else None

    def _read_row(self, row: list[object], r: int) -> None:
        name = text_of(self._get(row, self.indicator_col)).strip()
        raw = self._get(row, self.value_col)
        if not name:
            if raw not in (None, ""):
                self.issue("unknown-indicator", r, self.indicator_col, value="")
            return
        match = self.cat.parse_header(name)
        if match is None:
            self.issue("unknown-indicator", r, self.indicator_col, value=name)
            return
        indicator = self._check_unit(match, row, r)
        label = text_of(self._get(row, self.region_col)).strip()
        year = self.row_year(row, r, self.year_col)
        version = None if year is None else self.in_force(indicator, year, r, self.value_col, raw)
        if norm(label) in self.words.total:
            ok, value = self.value(raw, version, r, self.value_col) if version else (False, None)
            if ok and value is not None:
                self.out.totals.append(
                    TotalRow(year, indicator.code, value, self.sheet.name, cell_ref(r, self.value_col))
                )
            return
        region_code = self.row_region(label, r, self.region_col)
        if region_code is None or version is None:
            return
        place = catalog.region_in_year(region_code, year)
        if not levels.reports(version, place):
            if raw not in (None, ""):
                self.out.issues.append(levels.level_issue(version, place, **self.where(r, self.value_col)))
            return
        self._observe(version, place.code, year, raw, r)

    def _check_unit(self, match: tuple[Indicator, str | None], row: list[object], r: int) -> Indicator:
        indicator, unit = match
        unit = unit or text_of(self._get(row, self.unit_col)).strip() or None
        if unit and norm(unit) not in self.cat.units_of(indicator.code):
            col = self.unit_col if self.unit_col is not None else self.indicator_col
            self.issue("unit-mismatch", r, col, indicator=indicator.name, expected=indicator.unit, value=unit,
                       subject=indicator.name)  # fmt: skip
        return indicator

    def _observe(self, indicator: Indicator, region_code: str, year: int, raw: object, r: int) -> None:
        key = (region_code, year, indicator.code)
        slice_key = (region_code, year, indicator.domain)
        here = cell_ref(r, self.value_col)
        other = self.out.long_values.get(key)
        if other is None and slice_key in self.out.slices and slice_key not in self.out.long_slices:
            other = self.out.slices[slice_key]  # a wide table of this file already gave the slice
        if other is not None:
            name = catalog.region_by_code()[region_code].name
            self.issue("duplicate-region", r, self.value_col, region=name, year=year, domain=indicator.name,
                       other=other, subject=indicator.name)  # fmt: skip
            return
        located = f"{self.sheet.name}!{here}" if self.sheet.name else here
        self.out.long_values[key] = located
        self.out.slices.setdefault(slice_key, located)
        self.out.long_slices.add(slice_key)
        ok, value = self.value(raw, indicator, r, self.value_col, key)
        if ok:
            self.out.observations.append(Observation(region_code, year, indicator.code, value, self.sheet.name, here))


def fill_long_slices(out: Extraction, cat: catalog.Catalogue) -> None:
    """An indicator absent from a slice a long table reports is stored as not reported (NULL)."""
    for region_code, year, domain in sorted(out.long_slices):
        place = catalog.region_by_code()[region_code]
        for indicator in cat.edition(year).domain_indicators(domain):
            if levels.reports(indicator, place) and (region_code, year, indicator.code) not in out.long_values:
                out.observations.append(Observation(region_code, year, indicator.code, None, "", ""))
