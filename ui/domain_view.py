"""What the page of one 类别 draws for one measure, year and choice of 市州: pure builders over mart frames.

Every figure comes from the marts (ui.data): per-市州 values and ranks from mart_city, the province's total,
true average (over every reporting 市州, never over the selection) and coverage from mart_province.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from etl import catalog, charts, totals
from etl.cn_format import Kind, cn_quantity, kind_of
from ui import caliber, data
from ui.common import ALL_CITIES, CITY_COUNT, SELECTION
from ui.tables import Table, pending_frame

PROVINCE_TOTAL, PROVINCE_RATE, REPORTED = "已报市州合计", "全省", "已报市州数"
AVERAGED = ("rate", "ratio")  # a derived rate and a reported ratio: the province's figure is no total


@dataclass
class DomainView:
    bar: dict | None  # a frozen figure (charts.thawed draws it)
    caption: str
    shown: Table  # 市州 → value: what the bar shows, with the province's row for its Excel file
    lines: dict | None
    trend: Table  # 市州, 年度, value: what the lines show
    table: Table  # 市州 × 年度, then the province's rows; 待审核 figures flagged
    province: str  # the province's figure of the year, in words
    is_sample: bool
    kind: Kind  # how the measure's figures are written


def selected(city: pd.DataFrame, cities: tuple[str, ...]) -> pd.DataFrame:
    """Every chosen 市州, in official order, with its row of `city` (one year) or NaN = 未填报."""
    frame = pd.DataFrame([(c.code, c.name) for c in catalog.cities() if c.code in cities],
                         columns=["region_code", "region_name"])  # fmt: skip
    rows = city[["region_code", "value", "pending", "is_sample"]]
    return frame.merge(rows, on="region_code", how="left").astype({"value": "float64"})


def _year_row(province: pd.DataFrame, year: int) -> dict | None:
    rows = province[province["year"] == year]
    return rows.iloc[0].to_dict() if len(rows) else None


def province_text(row: dict | None, year: int, name: str, unit: str, kind: str) -> str:
    """2024年全省合计 12.46万人，全省平均 8901.4人（14 个市州已报）."""
    if row is None or not row["reported"]:
        return f"{year}年全省尚无市州填报{name}。"
    n = int(row["reported"])
    scope = f"{n}/{CITY_COUNT} 个市州已报"
    # An average (or a rate) of counts is no count: one decimal (etl.cn_format's average kind).
    average = cn_quantity(row["average"], unit, kind_of(unit, derived=True))
    if kind == "rate":
        return f"{year}年全省{name} {average}（{scope}；合计计算，不随所选市州变化）。"
    if kind == "ratio":  # a reported ratio has no total
        return f"{year}年全省平均{name} {average}（{scope}；不随所选市州变化）。"
    label = totals.total_label(n)
    return f"{year}年{label} {cn_quantity(row['total'], unit)}，全省平均 {average}（{scope}；不随所选市州变化）。"


def province_row(row: dict | None, kind: str, column: str) -> tuple[dict | None, str]:
    """The Excel row under a table of the year's 市州: the province's total (a rate: its own rate), as the marts
    give it, and its label."""
    if row is None:
        return None, ""
    if kind in AVERAGED:
        return {column: row["average"]}, PROVINCE_RATE
    return {column: row["total"]}, totals.total_label(int(row["reported"]))


def _bar(frame: pd.DataFrame, row: dict | None, *, year: int, code: str, kind: str, cities: tuple[str, ...]):
    """(figure, caption) of every 市州 with the chosen ones accented and the province's line; (None, "") when no
    市州 reported."""
    reported = frame.dropna(subset=["value"])
    if reported.empty:
        return None, ""
    name, unit = catalog.measure_name_unit(code)
    average = None if row is None else row["average"]
    label = "全省" if kind == "rate" else "全省平均"
    figure = charts.year_bar(
        frame, year=year, name=name, unit=unit, kind=catalog.measure_kind(code), average=average,
        average_label=label, reported=None if row is None else row["reported"], chosen=cities,
    )  # fmt: skip
    caption = f"{len(reported)}/{len(frame)} 个市州已填报"
    some = [c.name for c in catalog.cities() if c.code in cities]
    if 0 < len(some) < len(frame):
        caption += f"；红色为{SELECTION}（{'、'.join(some)}）"
    if average is not None and average == average:
        shown = cn_quantity(average, unit, kind_of(unit, derived=True))
        caption += f"；虚线为{label} {shown}（{int(row['reported'])} 个市州已报，不随所选市州变化）"
    missing = frame.loc[frame["value"].isna(), "region_name"].tolist()
    caption += "。" + (f"未填报：{'、'.join(missing)}。" if missing else "")
    if frame["pending"].fillna(False).astype(bool).any():
        caption += "斜线为待审核数据。"
    return figure, caption


def year_table(city: pd.DataFrame, province: pd.DataFrame, cities: tuple[str, ...], kind: str) -> Table:
    """市州 × 年度 of the chosen 市州 (NaN = 未填报, 待审核 flagged), then the province's rows."""
    years = sorted(int(y) for y in set(city["year"]) | set(province["year"]))
    names = {c.code: c.name for c in catalog.cities()}
    cells = {(r.region_code, int(r.year)): r for r in city.itertuples()}
    rows, pending = {}, set()
    for code in (c.code for c in catalog.cities() if c.code in cities):
        rows[names[code]] = [_value(cells.get((code, y))) for y in years]
        pending |= {(names[code], f"{y}年") for y in years if _pending(cells.get((code, y)))}
    by_year = {int(r.year): r for r in province.itertuples()}
    if kind in AVERAGED:
        rows[PROVINCE_RATE] = [getattr(by_year.get(y), "average", None) for y in years]
    else:
        rows[PROVINCE_TOTAL] = [getattr(by_year.get(y), "total", None) for y in years]
    rows[REPORTED] = [f"{int(by_year[y].reported)}/{CITY_COUNT}" if y in by_year else f"0/{CITY_COUNT}" for y in years]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[f"{y}年" for y in years], dtype=object)
    table.index.name = "市州"
    return Table(table, pending_frame(table, pending), city[city["region_code"].isin(cities)])


def _value(row) -> float | None:  # noqa: ANN001 - a namedtuple of mart_city, or None
    return None if row is None or row.value != row.value else float(row.value)


def _pending(row) -> bool:  # noqa: ANN001
    return _value(row) is not None and bool(row.pending)


def _trend(city: pd.DataFrame, cities: tuple[str, ...], label: str) -> Table:
    """The chosen 市州's figures over the years (市州, 年度, value), reported figures only: what the lines show."""
    names = {c.code: (c.sort_order, c.name) for c in catalog.cities()}
    rows = city[city["region_code"].isin(cities)].dropna(subset=["value"])
    rows = rows.assign(order=rows["region_code"].map(lambda c: names[c][0])).sort_values(["order", "year"])
    table = pd.DataFrame(
        {"年度": rows["year"].astype(int).tolist(), label: rows["value"].astype(float).tolist()},
        index=pd.Index([names[c][1] for c in rows["region_code"]], name="市州"),
    )
    flags = pd.DataFrame({"年度": False, label: rows["pending"].fillna(False).astype(bool).tolist()}, index=table.index)
    return Table(table, flags, rows)


def _shown(frame: pd.DataFrame, row: dict | None, kind: str, column: str) -> Table:
    """The bar's figures high → low (未填报 last), with the province's row for the Excel file."""
    shown = frame.sort_values("value", ascending=False, na_position="last", kind="stable")
    table = pd.DataFrame({column: shown["value"].tolist()}, index=pd.Index(shown["region_name"], name="市州"))
    flags = pd.DataFrame({column: shown["pending"].fillna(False).astype(bool).tolist()}, index=table.index)
    total, label = province_row(row, kind, column)
    return Table(table, flags, shown, total, label)


def build(  # noqa: PLR0913
    city: pd.DataFrame, province: pd.DataFrame, *, code: str, year: int, cities: tuple[str, ...],
    changes: tuple[tuple[int, str], ...] = (),
) -> DomainView:  # fmt: skip
    """The view of one measure: `city` and `province` are its mart rows of every year; `changes` its 口径 changes
    (year, note), marked on the lines."""
    name, unit = catalog.measure_name_unit(code)
    kind = "rate" if code in catalog.rate_by_code() else catalog.indicator_by_code()[code].kind
    this_year = city[city["year"] == year]
    frame = selected(this_year, ALL_CITIES)  # every 市州 is drawn; the chosen ones stand out
    row = _year_row(province, year)
    bar, caption = _bar(frame, row, year=year, code=code, kind=kind, cities=cities)
    bar = None if bar is None else charts.frozen(bar)
    label = f"{name}（{unit}）"
    trend = _trend(city, cities, label)
    style = catalog.measure_kind(code)
    lines = charts.trend(
        city, title=f"{name}历年变化", unit=unit, kind=style, chosen=cities,
        province=dict(zip(province["year"], province["average"], strict=True)),
        province_label="全省" if kind == "rate" else "全省平均",
    )  # fmt: skip
    if lines is not None:
        years = sorted({int(y) for y in city.dropna(subset=["value"])["year"]})
        lines = charts.frozen(caliber.mark_changes(lines, changes, years))
    sample = bool(this_year["is_sample"].fillna(False).astype(bool).any())
    return DomainView(
        bar, caption, _shown(frame, row, kind, label), lines, trend, year_table(city, province, cities, kind),
        province_text(row, year, name, unit, kind), sample, style,
    )  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=256)
def cached(snap: data.Snapshot, include_pending: bool, code: str, year: int, cities: tuple[str, ...]) -> DomainView:
    """The view, built once per warehouse version and choice; every input is an argument."""
    return build(
        data.city(snap, include_pending, measure=code),
        data.province(snap, include_pending, measure=code),
        code=code, year=year, cities=cities, changes=data.catalogue(snap).changes(code),
    )  # fmt: skip
