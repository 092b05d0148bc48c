"""The overview's content (cards, map, ranking, coverage), cached per warehouse version and choice."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import catalog
from etl.cn_format import cn_change, cn_percent_change, cn_quantity
from ui import charts, data, metrics
from ui.map import city_choropleth


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None
    caption: str


def _delta(values: pd.DataFrame, year: int, unit: str, shown: float | None) -> str | None:
    """The change in the scale of the card's figure: "+0.71万人（+6.1%）" beside 12.46万人."""
    change = metrics.change_on_year_before(values, year)
    if change is None:
        return None
    absolute, percent = change
    text = cn_change(absolute, unit, shown)
    return text + (f"（{cn_percent_change(percent)}）" if percent is not None else "")


@st.cache_data(show_spinner=False, max_entries=64)
def cards(version: tuple, year: int) -> tuple[list[Card], dict[str, int]]:
    """One card per domain: province total of its headline indicator, change on the year before, coverage."""
    df = data.values()
    coverage = metrics.domain_coverage(df, year)
    result = []
    for domain in catalog.domains():
        indicator = catalog.indicator_by_code()[domain.headline_indicator]
        values = metrics.series(df, indicator.code)
        total = metrics.province_total(values, year)
        result.append(
            Card(
                f"{domain.name}·{indicator.name}",
                cn_quantity(total.value, indicator.unit),
                _delta(values, year, indicator.unit, total.value),
                total.coverage,
            )
        )
    return result, coverage


@dataclass
class Distribution:
    map: go.Figure
    ranking: go.Figure
    missing: list[str]
    table: pd.DataFrame  # what the map and the ranking show


@st.cache_data(show_spinner=False, max_entries=64)
def distribution(version: tuple, year: int, code: str) -> Distribution:
    indicator = catalog.indicator_by_code()[code]
    frame = metrics.by_city(metrics.series(data.values(), code), year)
    names = {c.code: c.name for c in catalog.cities()}
    values = {r.region_code: (None if pd.isna(r.value) else r.value) for r in frame.itertuples()}
    title = f"{year}年{indicator.name}"
    return Distribution(
        city_choropleth(values, title=title, unit=indicator.unit, names=names),
        charts.ranking_bar(frame, title=f"{title}排名", unit=indicator.unit),
        frame[frame["value"].isna()]["region_name"].tolist(),
        frame.set_index(pd.Index(frame["region_name"], name="市州"))[["value"]].rename(
            columns={"value": indicator.label}
        ),
    )
