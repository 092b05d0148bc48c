"""数据导出: the current values a choice of 年度, 市州, 类别 and 指标 selects, and the files built from them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import catalog, totals
from etl.cn_format import kind_of
from etl.export import EXPORT_HEADER, frame_csv, tidy_csv
from etl.warehouse import now_beijing
from etl.workbook import Sheet, write_workbook
from ui import handout

PREVIEW_ROWS = 200
TIDY_COLUMNS = ["year", "region_code", "region_name", "domain_name", "indicator_name", "unit", "value"]


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
    """The selected current values (NaN = 未填报) and every file the page offers for them."""

    selection: Selection
    frame: pd.DataFrame  # rows of ui.data.values() inside the selection, official order
    wide_year: int

    @property
    def tidy(self) -> pd.DataFrame:
        """Reported values only, as the ETL export writes them: 年度, 行政区划代码, 市州, 类别, 指标, 单位, 数值."""
        rows = self.frame.dropna(subset=["value"])[TIDY_COLUMNS]
        return rows.set_axis(EXPORT_HEADER, axis=1).reset_index(drop=True)

    @property
    def is_sample(self) -> bool:
        return bool(self.frame.loc[self.frame["value"].notna(), "is_sample"].fillna(False).astype(bool).any())

    @property
    def source(self) -> str:
        """The source line of the workbook; sample figures must never pass for real ones."""
        text = f"湖南省妇联统计平台，导出时间 {now_beijing():%Y-%m-%d %H:%M}"
        return text + ("；含示例数据（虚构数字，仅供演示，不代表真实统计）" if self.is_sample else "")

    def wide(self) -> pd.DataFrame:
        """市州 × 指标（单位） of the wide year: every chosen 市州 and indicator, blank where not reported."""
        indicators = catalog.indicator_by_code()
        codes = self.selection.indicator_codes()
        rows = self.frame[self.frame["year"] == self.wide_year]
        table = rows.pivot_table(index="region_code", columns="indicator", values="value", aggfunc="first")
        table = table.reindex(index=self.selection.city_codes(), columns=codes)
        table.index = pd.Index([catalog.region_by_code()[c].name for c in table.index], name="市州")
        table.columns = [indicators[c].label for c in codes]
        return table

    def tidy_csv(self) -> bytes:
        return tidy_csv(self.tidy.itertuples(index=False, name=None))

    def wide_csv(self) -> bytes:
        return frame_csv(self.wide())

    def xlsx(self) -> bytes:
        """Two sheets: 按市州 (the wide year, with 全省合计) first, 明细 (every selected year) second."""
        notes = [n for n in (handout.data_date(self.frame), self.selection.describe()) if n]
        labels = {i.label: kind_of(i.unit) for i in catalog.indicators()}
        wide = self.wide()
        kinds = {c: labels[c] for c in wide.columns if c in labels}
        shown = self.frame[self.frame["year"] == self.wide_year]
        reported = self.frame.dropna(subset=["value"])
        return write_workbook(
            [
                Sheet(
                    "按市州", f"{self.wide_year}年各市州妇联统计数据", wide, notes=notes, kinds=kinds,
                    total=totals.total_row(wide, kinds), total_label=totals.total_label(wide.index),
                    marks=totals.row_marks(shown), source=self.source,
                ),
                Sheet(
                    "明细", f"{year_span(self.selection)}妇联统计数据明细", self.tidy, notes=notes,
                    unit_column="单位", plain=("年度",), source=self.source,
                    marks=[totals.SAMPLE if s else "" for s in reported["is_sample"].fillna(False).astype(bool)],
                ),
            ]
        )  # fmt: skip


def year_span(selection: Selection) -> str:
    first, last = selection.first_year, selection.last_year
    return f"{first}年" if first == last else f"{first}—{last}年"


def build(df: pd.DataFrame, selection: Selection, wide_year: int | None = None) -> Export:
    """Filter the current-values frame; the wide table defaults to the last selected year."""
    frame = df[
        df["year"].between(selection.first_year, selection.last_year)
        & df["region_code"].isin(selection.city_codes())
        & df["indicator"].isin(selection.indicator_codes())
    ]
    wide_year = selection.last_year if wide_year is None else wide_year
    return Export(selection, frame, wide_year)
