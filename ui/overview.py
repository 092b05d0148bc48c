"""The overview's content: cards of the province's headline figures, the map and ranking of the chosen 市州,
and who has reported — pure builders over mart frames, and their cached wrappers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from etl import catalog, charts
from etl.cn_format import cn_change, cn_percent_change, cn_quantity
from ui import data
from ui.common import ALL_CITIES, total_label
from ui.domain_view import province_row, selected
from ui.map import city_choropleth
from ui.tables import Table


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None
    caption: str
    help: str


def card(domain: catalog.Domain, row: dict | None, year: int) -> Card:
    """The province's total of the domain's headline indicator (mart_province), its change and its coverage."""
    indicator = catalog.indicator_by_code()[domain.headline_indicator]
    label = f"{domain.name}·{indicator.name}"
    if row is None or not row["reported"]:
        return Card(label, "未填报", None, total_label(0), "尚无市州填报。")
    delta = None
    if not pd.isna(row["change"]):
        # In the scale of the card's figure: "+0.71万人（+6.1%）" beside 12.46万人.
        delta = cn_change(row["change"], indicator.unit, row["total"])
        delta += f"（{cn_percent_change(row['change_pct'])}）" if not pd.isna(row["change_pct"]) else ""
    caption = total_label(int(row["reported"]))
    if row["pending_cities"]:
        caption += f"，其中 {int(row['pending_cities'])} 个市州待审核"
    comparable = f"两年都已填报的 {int(row['comparable'])} 个市州"
    return Card(
        label, cn_quantity(row["total"], indicator.unit), delta, caption, f"与{year - 1}年相比，只比较{comparable}。"
    )


def cards(province: pd.DataFrame, year: int) -> list[Card]:
    rows = {r["measure"]: r for r in province.to_dict("records")}
    return [card(d, rows.get(d.headline_indicator), year) for d in catalog.domains()]


@dataclass
class Distribution:
    map: dict  # frozen figures (charts.thawed draws them)
    ranking: dict
    missing: list[str]  # chosen 市州 that did not report
    table: Table  # what the map and the ranking show, with the province's row for its Excel file
    title: str


def distribution(
    city: pd.DataFrame, province: pd.DataFrame, *, code: str, year: int, cities: tuple[str, ...]
) -> Distribution:
    """Map (every 市州; unchosen ones grey) and ranking (every 市州; the chosen ones in red), from mart_city rows of
    the year; the province's row from its mart_province row."""
    name, unit = catalog.measure_name_unit(code)
    frame = selected(city, cities)
    values = {r.region_code: (None if pd.isna(r.value) else r.value) for r in frame.itertuples()}
    pending = frozenset(frame.loc[frame["pending"].fillna(False).astype(bool), "region_code"])
    unselected = frozenset(c.code for c in catalog.cities()) - set(cities)
    names = {c.code: c.name for c in catalog.cities()}
    title = f"{year}年{name}"
    ranking_title = f"{title}排名"
    column = f"{name}（{unit}）"
    index = pd.Index(frame["region_name"], name="市州")
    table = pd.DataFrame({column: frame["value"].tolist()}, index=index)
    flags = pd.DataFrame({column: frame["pending"].fillna(False).astype(bool).tolist()}, index=index)
    row = province.iloc[0].to_dict() if len(province) else None
    kind = "rate" if code in catalog.rate_by_code() else "indicator"
    total, label = province_row(row, kind, column)
    return Distribution(
        charts.frozen(
            city_choropleth(values, title=title, unit=unit, names=names, pending=pending, unselected=unselected)
        ),
        # Every 市州 is ranked; the chosen ones stand out (the map greys the others).
        charts.frozen(
            charts.ranking_bar(
                selected(city, ALL_CITIES),
                title=ranking_title,
                unit=unit,
                kind=catalog.measure_kind(code),
                chosen=cities,
            )
        ),
        frame[frame["value"].isna()]["region_name"].tolist(),
        Table(table, flags, frame, total, label),
        ranking_title,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def cached_cards(snap: data.Snapshot, include_pending: bool, year: int) -> list[Card]:
    return cards(data.province(snap, include_pending, year=year), year)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_distribution(
    snap: data.Snapshot, include_pending: bool, year: int, code: str, cities: tuple[str, ...]
) -> Distribution:
    return distribution(
        data.city(snap, include_pending, measure=code, year=year),
        data.province(snap, include_pending, measure=code, year=year),
        code=code, year=year, cities=cities,
    )  # fmt: skip
