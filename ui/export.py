"""数据导出: the values a choice of 年度, 市州, 类别 and 指标 selects, and the files built from them (published figures,
or with pending ones labelled 待审核)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import catalog, totals
from etl.cn_format import kind_of
from etl.export import EXPORT_HEADER, PENDING, PUBLISHED, STATUS_HEADER, frame_csv, tidy_csv
from etl.warehouse import now_beijing
from etl.workbook import Sheet, write_workbook
from ui import handout
from ui.tables import Table, pending_frame

PREVIEW_ROWS = 200
TIDY_COLUMNS = [
    "year", "region_code", "city_name", "county_name", "domain_name", "indicator_name", "unit", "value", "caliber",
]  # fmt: skip
PROVINCE_ROW = "全省（已报市州合计）"


@dataclass(frozen=True)
class Selection:
    first_year: int
    last_year: int
    cities: tuple[str, ...]  # region codes
    domains: tuple[str, ...]
    indicators: tuple[str, ...] = ()  # empty: every indicator of the chosen domains

    def indicator_codes(self) -> list[str]:
        """Chosen indicators in official order, only those of the chosen domains."""
        wanted = set(self.indicators)
        return [i.code for i in catalog.indicators() if i.domain in self.domains and (not wanted or i.code in wanted)]

    def city_codes(self) -> list[str]:
        wanted = set(self.cities)
        return [c.code for c in catalog.cities() if c.code in wanted]

    def city_codes_tuple(self) -> tuple[str, ...]:
        return tuple(self.city_codes())

    def describe(self) -> str:
        """The filters in words, for the workbook's second row."""
        names = catalog.region_by_code()
        domains = [d.name for d in catalog.domains() if d.code in self.domains]
        every_domain = len(domains) == len(catalog.domains())
        indicators = [catalog.indicator_by_code()[c].name for c in self.indicators]
        return (
            f"筛选：年度 {year_span(self)}；市州 {handout.cities_text([names[c].name for c in self.city_codes()])}；"
            f"类别 {'全部' if every_domain else '、'.join(domains)}；指标 {'、'.join(indicators) or '全部'}"
        )


@dataclass
class Export:
    """The selected values (NaN = 未填报), the province's totals of the wide year, and every file the page offers."""

    selection: Selection
    frame: pd.DataFrame  # ui.data.export_rows of the selection, official order
    province: pd.DataFrame  # mart_province rows of the wide year
    wide_year: int
    include_pending: bool = False
    data_date: str | None = None  # 数据截至… (ui.handout.data_date)

    @property
    def tidy(self) -> pd.DataFrame:
        """Reported values only, as the ETL export writes them: 年度, 行政区划代码, 市州, 县市区, 类别, 指标, 单位,
        数值 (and 审核状态 when pending figures are included); the chosen 市州's 县市区 rows follow each 市州's."""
        rows = self.frame.dropna(subset=["value"])
        tidy = rows[TIDY_COLUMNS].set_axis(EXPORT_HEADER, axis=1)
        if self.include_pending:
            tidy = tidy.assign(**{STATUS_HEADER: [PENDING if p else PUBLISHED for p in rows["pending"]]})
        return tidy.reset_index(drop=True)

    @property
    def is_sample(self) -> bool:
        return bool(self.frame.loc[self.frame["value"].notna(), "is_sample"].fillna(False).astype(bool).any())

    @property
    def source(self) -> str:
        """The source line of the workbook; sample and pending figures must never pass for reviewed real ones."""
        text = f"湖南省妇联统计平台，导出时间 {now_beijing():%Y-%m-%d %H:%M}"
        text += "；含待审核数据（标“待审核”，尚未审核通过）" if self.include_pending else "；均已审核通过"
        return text + ("；含示例数据（虚构数字，仅供演示，不代表真实统计）" if self.is_sample else "")

    def wide_table(self) -> Table:
        """市州 × 指标（单位） of the wide year: every chosen 市州 and indicator, blank where not reported, 待审核
        figures flagged; the province's total (mart_province) of each indicator as its closing row."""
        indicators = catalog.indicator_by_code()
        codes = self.selection.indicator_codes()
        rows = self.frame[self.frame["year"] == self.wide_year]
        cells = {(r.region_code, r.indicator): r for r in rows.itertuples()}
        names = catalog.region_by_code()
        columns = [indicators[c].label for c in codes]
        table = pd.DataFrame(
            [[_value(cells.get((c, i))) for i in codes] for c in self.selection.city_codes()],
            index=pd.Index([names[c].name for c in self.selection.city_codes()], name="市州"),
            columns=columns,
            dtype=object,
        )
        pending = {
            (names[c].name, indicators[i].label)
            for c in self.selection.city_codes()
            for i in codes
            if (cell := cells.get((c, i))) is not None and _value(cell) is not None and cell.pending
        }
        province = {r["measure"]: r["total"] for r in self.province.to_dict("records")}
        total = {indicators[c].label: _number(province.get(c)) for c in codes}
        return Table(table, pending_frame(table, pending), rows, total, PROVINCE_ROW)

    def wide(self) -> pd.DataFrame:
        """The wide table as its CSV has it: 待审核 figures labelled, then the province's row."""
        shown = self.wide_table()
        table = shown.marked()
        table.loc[PROVINCE_ROW] = [shown.total[c] for c in table.columns]
        return table

    def tidy_csv(self) -> bytes:
        rows = self.tidy.itertuples(index=False, name=None)
        if self.include_pending:  # tidy_csv reads the pending flag after the columns of EXPORT_HEADER
            rows = ((*r[:-1], r[-1] == PENDING) for r in rows)
        return tidy_csv(rows, with_status=self.include_pending)

    def wide_csv(self) -> bytes:
        return frame_csv(self.wide())

    def xlsx(self) -> bytes:
        """Two sheets: 按市州 (the wide year, with the province's row) first, 明细 (every selected year) second;
        formatted to hand on (etl.workbook), with the 示例/待审核 marks."""
        notes = [n for n in (self.data_date, self.selection.describe()) if n]
        labels = {i.label: kind_of(i.unit) for i in catalog.indicators()}
        wide = self.wide_table()
        kinds = {c: labels[c] for c in wide.frame.columns if c in labels}
        marks = {} if wide.scope is None else totals.row_marks(wide.scope)
        reported = self.frame.dropna(subset=["value"])
        flags = zip(reported["is_sample"].fillna(False).astype(bool), reported["pending"].astype(bool), strict=True)
        return write_workbook(
            [
                Sheet(
                    "按市州", f"{self.wide_year}年各市州妇联统计数据", wide.frame, notes=notes, kinds=kinds,
                    total=wide.total, total_label=wide.total_label, marks=marks,
                    pending=wide.pending, source=self.source,
                ),
                Sheet(
                    "明细", f"{year_span(self.selection)}妇联统计数据明细", self.tidy, notes=notes,
                    unit_column="单位", plain=("年度",), source=self.source,
                    marks=["、".join(m for m, on in ((totals.SAMPLE, s), (totals.PENDING, p)) if on) for s, p in flags],
                ),
            ]
        )  # fmt: skip


def _value(row) -> float | None:  # noqa: ANN001 - a row of export_rows, or None
    return None if row is None else _number(row.value)


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)


def year_span(selection: Selection) -> str:
    first, last = selection.first_year, selection.last_year
    return f"{first}年" if first == last else f"{first}—{last}年"


def build(
    frame: pd.DataFrame,
    province: pd.DataFrame,
    selection: Selection,
    wide_year: int | None = None,
    include_pending: bool = False,
    data_date: str | None = None,
) -> Export:
    """The export of a selection's rows (ui.data.export_rows); the wide table defaults to the last selected year."""
    wide_year = selection.last_year if wide_year is None else wide_year
    return Export(selection, frame, province, wide_year, include_pending, data_date)
