"""Wide tables: 市州 | indicator | indicator … with one row per region (and maybe a 年度 column), as the template
lays them out. Columns are found by header text (any name or alias the catalogue knows); each row is read against
the indicators in force in its year."""

from __future__ import annotations

from etl import catalog, levels
from etl.catalog import Indicator, Region
from etl.ingest.context import cell_ref, norm, region, text_of
from etl.ingest.table import Table, is_note
from etl.issues import make_issue
from etl.records import Observation, TotalRow


class WideTable(Table):
    def read(self) -> None:
        self.region_col = self.column(self.words.region)
        self.year_col = self.column(self.words.year)
        self.columns = self._indicator_columns()
        domains = {ind.domain for ind in self.columns.values()}
        order = self.cat.edition(None).domain_by_code
        self.domains = sorted(domains, key=lambda code: (order[code].sort_order, code))
        for r in range(self.header_row + 1, len(self.sheet.rows)):
            self._read_row(self.sheet.rows[r], r)

    def _indicator_columns(self) -> dict[int, Indicator]:
        columns: dict[int, Indicator] = {}
        seen: dict[str, int] = {}
        for c, text in enumerate(self.header):
            match = self.cat.parse_header(text) if text else None
            if match is None:
                self._check_unknown_column(c, text)
                continue
            indicator, unit = match
            if indicator.code in seen:
                other = cell_ref(self.header_row, seen[indicator.code])
                self.issue("duplicate-column", self.header_row, c, indicator=indicator.name, other=other,
                           subject=indicator.name)  # fmt: skip
                continue
            if unit and norm(unit) not in self.cat.units_of(indicator.code):
                self.issue("unit-mismatch", self.header_row, c, indicator=indicator.name, expected=indicator.unit,
                           value=unit, subject=indicator.name)  # fmt: skip
            seen[indicator.code] = c
            columns[c] = indicator
        return columns

    def _check_unknown_column(self, c: int, text: str) -> None:
        """A column we cannot place is reported when it holds data: nothing is dropped in silence."""
        if not text or c in (self.region_col, self.year_col) or text in self.words.ignored:
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
                )  # fmt: skip
            )

    def _read_row(self, row: list[object], r: int) -> None:
        cells = {c: row[c] if c < len(row) else None for c in self.columns}
        if not any(v not in (None, "") for v in cells.values()):
            return  # blank row, or a note row with no figures
        label = (
            text_of(row[self.region_col]).strip() if self.region_col is not None and self.region_col < len(row) else ""
        )
        if norm(label) in self.words.total:
            self._read_total(cells, row, r)
            return
        if label and is_note(label, self.words.note_prefixes) and region(label) is None:
            return
        region_code = self.row_region(label, r, self.region_col)
        year = self.row_year(row, r, self.year_col)
        if region_code is None or year is None:
            return
        place = catalog.region_in_year(region_code, year)  # 宁乡市 in a 2016 row is 宁乡县 430124
        for domain in self.domains:
            reported = [i for i in self.cat.edition(year).domain_indicators(domain) if levels.reports(i, place)]
            if not reported:
                self._refuse_level(domain, place, year, cells, r)
            elif self.claim_slice((place.code, year, domain), r, self.region_col):
                self._observe_domain(domain, place, year, cells, r)

    def _refuse_level(self, domain: str, place: Region, year: int, cells: dict[int, object], r: int) -> None:
        """Figures in columns a row's level does not report (a 县市区 in a 市州-only column): each one an error."""
        for c, indicator in self.columns.items():
            version = self.cat.indicator_in(indicator.code, year) or indicator
            if indicator.domain == domain and not levels.reports(version, place) and cells[c] not in (None, ""):
                self.out.issues.append(levels.level_issue(version, place, **self.where(r, c)))

    def _observe_domain(self, domain: str, place: Region, year: int, cells: dict[int, object], r: int) -> None:
        by_indicator = {ind.code: c for c, ind in self.columns.items() if ind.domain == domain}
        region_code = place.code
        for c, indicator in self.columns.items():  # figures for indicators not collected that year
            if indicator.domain == domain and self.cat.indicator_in(indicator.code, year) is None:
                self.in_force(indicator, year, r, c, cells[c])
        self._refuse_level(domain, place, year, cells, r)
        for indicator in self.cat.edition(year).domain_indicators(domain):
            if not levels.reports(indicator, place):
                continue
            c = by_indicator.get(indicator.code)
            if c is None:
                obs = Observation(region_code, year, indicator.code, None, self.sheet.name, "")
            else:
                ok, value = self.value(cells[c], indicator, r, c, (region_code, year, indicator.code))
                if not ok:
                    continue
                obs = Observation(region_code, year, indicator.code, value, self.sheet.name, cell_ref(r, c))
            self.out.observations.append(obs)

    def _read_total(self, cells: dict[int, object], row: list[object], r: int) -> None:
        year = self.row_year(row, r, self.year_col)
        if year is None:
            return
        for c, indicator in self.columns.items():
            version = self.cat.indicator_in(indicator.code, year)
            if version is None:
                continue
            ok, value = self.value(cells[c], version, r, c)
            if ok and value is not None:
                self.out.totals.append(TotalRow(year, indicator.code, value, self.sheet.name, cell_ref(r, c)))
