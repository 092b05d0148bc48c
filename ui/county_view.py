"""The 县市区 of one 市州 for one measure, as a domain page drills down to them: the map and ranking of a year and
the 县市区 × 年度 table with codes. Pure builders over mart_county frames (ui.data.county), no st.* calls.

A 县市区 re-coded in a year (宁乡县 430124 → 宁乡市 430182 in 2017) is one row, by today's name and code, its
earlier figures under the old code in the same row, named in the row's label; the map draws it on today's boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from etl import catalog, charts
from etl.cn_format import Kind
from ui import data
from ui.map import county_choropleth
from ui.tables import Table, pending_frame

CODE_COLUMN = "行政区划代码"


@dataclass
class CountyView:
    map: dict | None  # frozen figures (charts.thawed draws them); None when no 县市区 reported that year
    ranking: dict | None
    table: Table  # 县市区 × 年度, today's name and code per row; 待审核 flagged
    caption: str
    kind: Kind
    is_sample: bool


def row_label(lineage: str, names: dict[str, str]) -> str:
    """宁乡市（2017年前为宁乡县）: today's name, and the names of the years before a change of code."""
    today = catalog.region_by_code()[lineage]
    earlier = [r for r in catalog.regions() if r.code != lineage and catalog.lineage_code(r.code) == lineage]
    if not earlier:
        return names.get(lineage, today.name)
    before = "、".join(f"{r.replaced_in}年前为{r.name}" for r in earlier if r.replaced_in)
    return f"{today.name}（{before}）"


def code_text(lineage: str) -> str:
    """430182（2017年前 430124）: today's code, and the codes it had before."""
    earlier = [r for r in catalog.regions() if r.code != lineage and catalog.lineage_code(r.code) == lineage]
    before = "、".join(f"{r.replaced_in}年前 {r.code}" for r in earlier if r.replaced_in)
    return f"{lineage}（{before}）" if before else lineage


def year_table(frame: pd.DataFrame, city_code: str) -> Table:
    """县市区 × 年度: every 县市区 of the 市州 today, in official order, with its code; NaN = 未填报."""
    years = sorted(int(y) for y in set(frame["year"]))
    cells = {(r.lineage_code, int(r.year)): r for r in frame.itertuples()}
    lines = [c.code for c in catalog.counties_of(city_code)]
    labels = [row_label(code, {}) for code in lines]
    rows = {CODE_COLUMN: [code_text(code) for code in lines]}
    pending: set[tuple[str, str]] = set()
    for y in years:
        column = f"{y}年"
        rows[column] = [_value(cells.get((code, y))) for code in lines]
        pending |= {
            (label, column) for code, label in zip(lines, labels, strict=True) if _pending(cells.get((code, y)))
        }
    table = pd.DataFrame(rows, index=pd.Index(labels, name="县市区"))
    return Table(table, pending_frame(table, pending), frame)


def _value(row) -> float | None:  # noqa: ANN001 - a namedtuple of mart_county, or None
    return None if row is None or row.value != row.value else float(row.value)


def _pending(row) -> bool:  # noqa: ANN001
    return _value(row) is not None and bool(row.pending)


def build(frame: pd.DataFrame, *, code: str, city_code: str, year: int) -> CountyView:
    """The view of one measure's 县市区 in one 市州: `frame` is its mart_county rows of every year."""
    name, unit = catalog.measure_name_unit(code)
    kind = catalog.measure_kind(code)
    city = catalog.region_by_code()[city_code].name
    this_year = frame[(frame["year"] == year) & frame["value"].notna()]
    expected = len(catalog.counties_of(city_code, year))
    title = f"{year}年{city}各县市区{name}"
    picture = ranking = None
    if not this_year.empty:
        values = dict(zip(this_year["lineage_code"], this_year["value"].astype(float), strict=True))
        names = dict(zip(this_year["lineage_code"], this_year["region_name"], strict=True))
        pending = frozenset(this_year.loc[this_year["pending"].astype(bool), "lineage_code"])
        picture = charts.frozen(
            county_choropleth(values, city_code=city_code, title=title, unit=unit, names=names, pending=pending)
        )
        ranking = charts.frozen(charts.ranking_bar(this_year, title=f"{title}（从高到低）", unit=unit, kind=kind))
    caption = f"{len(this_year)}/{expected} 个县市区已填报"
    caption += "。灰色为未填报；“（待审核）”为尚未审核通过。"
    sample = bool(frame["is_sample"].fillna(False).astype(bool).any())
    return CountyView(picture, ranking, year_table(frame, city_code), caption, kind, sample)


@st.cache_data(show_spinner=False, max_entries=64)
def cached(snap: data.Snapshot, include_pending: bool, code: str, city_code: str, year: int) -> CountyView:
    """The view, built once per warehouse version and choice; every input is an argument."""
    return build(data.county(snap, include_pending, code, city_code), code=code, city_code=city_code, year=year)
