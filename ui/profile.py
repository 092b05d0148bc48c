"""The city profile's content: ranks, shares and history of one 市州, cached per warehouse version."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import catalog
from ui import charts, data, metrics


@dataclass
class Profile:
    shares: go.Figure | None
    tables: dict[str, pd.DataFrame]  # domain → indicators × years, with a rank column first


def _rank_texts(df: pd.DataFrame, region_code: str, year: int) -> tuple[dict[str, str], pd.DataFrame]:
    ranks = metrics.ranks(df, year)
    mine = ranks[ranks["region_code"] == region_code].set_index("indicator")
    return {
        i.code: f"第 {mine.loc[i.code, 'rank']} 名（共 {mine.loc[i.code, 'reported']} 个市州填报）"
        if i.code in mine.index
        else "未填报"
        for i in catalog.indicators()
    }, mine


@st.cache_data(show_spinner=False, max_entries=64)
def build_profile(version: tuple, region_code: str, year: int) -> Profile:
    df = data.values()
    name = catalog.region_by_code()[region_code].name
    texts, mine = _rank_texts(df, region_code, year)
    shares = {
        f"{i.name}（{i.unit}）": float(mine.loc[i.code, "share"]) for i in catalog.indicators() if i.code in mine.index
    }
    figure = charts.share_bar(shares, title=f"{name}占全省比重（{year}年）") if shares else None
    tables = {}
    for domain in catalog.domains():
        table = metrics.city_indicator_table(df, region_code, domain.code)
        table.insert(0, f"{year}年排名", [texts[i.code] for i in catalog.domain_indicators(domain.code)])
        tables[domain.code] = table
    return Profile(figure, tables)
