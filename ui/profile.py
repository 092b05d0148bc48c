"""The city profile's content: one 市州's rank and share among the 14 (mart_city) and its history."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from etl import catalog, charts
from ui import data
from ui.tables import Table, pending_frame


@dataclass
class Profile:
    shares: dict | None  # a frozen figure (charts.thawed draws it)
    tables: dict[str, Table]  # domain → indicators × years, with the year's rank first
    is_sample: bool


def rank_text(row: dict | None) -> str:
    if row is None or pd.isna(row["rank"]):
        return "未填报"
    return f"第 {int(row['rank'])} 名（共 {int(row['reported'])} 个市州填报）"


def indicator_table(history: pd.DataFrame, domain: str, years: list[int]) -> Table:
    """指标（单位） × 年度 of one 市州 and 类别: exact figures, 待审核 flagged, NaN = 未填报."""
    cells = {(r.measure, int(r.year)): r for r in history.itertuples()}
    indicators = catalog.domain_indicators(domain)
    rows = [[_value(cells.get((i.code, y))) for y in years] for i in indicators]
    table = pd.DataFrame(rows, columns=[f"{y}年" for y in years], dtype=object)
    table.index = pd.Index([i.label for i in indicators], name="指标")
    pending = {
        (i.label, f"{y}年")
        for i in indicators
        for y in years
        if (row := cells.get((i.code, y))) is not None and _value(row) is not None and row.pending
    }
    return Table(table, pending_frame(table, pending), history[history["domain"] == domain])


def _value(row) -> float | None:  # noqa: ANN001 - a namedtuple or None
    return None if row is None or pd.isna(row.value) else float(row.value)


def build(year_rows: pd.DataFrame, history: pd.DataFrame, region_code: str, year: int) -> Profile:
    """`year_rows`: the 市州's mart_city rows of the year (rank, share); `history`: its figures of every year."""
    name = catalog.region_by_code()[region_code].name
    ranked = {r["measure"]: r for r in year_rows.to_dict("records")}
    shares, pending = {}, set()
    for i in catalog.indicators():
        row = ranked.get(i.code)
        if row is not None and not pd.isna(row["share"]):
            shares[i.label] = float(row["share"])
            if row["pending"]:
                pending.add(i.label)
    title = f"{name}占全省比重（{year}年）"
    figure = charts.frozen(charts.share_bar(shares, title=title, pending=frozenset(pending))) if shares else None
    years = sorted(int(y) for y in history["year"].unique())
    tables = {}
    for domain in catalog.domains():
        table = indicator_table(history, domain.code, years)
        ranks = [rank_text(ranked.get(i.code)) for i in catalog.domain_indicators(domain.code)]
        table.frame.insert(0, f"{year}年排名", ranks)
        table.pending.insert(0, f"{year}年排名", False)
        tables[domain.code] = table
    sample = bool(history.loc[history["year"] == year, "is_sample"].fillna(False).astype(bool).any())
    return Profile(figure, tables, sample)


@st.cache_data(show_spinner=False, max_entries=64)
def cached(snap: data.Snapshot, include_pending: bool, region_code: str, year: int) -> Profile:
    return build(
        data.city(snap, include_pending, year=year, region_code=region_code),
        data.city_values(snap, include_pending, region_code=region_code),
        region_code,
        year,
    )
