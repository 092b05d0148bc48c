"""The one implementation behind the four domain pages: bar by 市州, lines by 年度, 市州 × 年度 table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from etl import catalog
from etl.cn_format import Kind, cn_quantity, kind_of
from etl.roles import VIEW
from ui import auth, charts, chrome, data, filters, metrics, provenance, tables
from ui.common import downloads, require_data, sample_notice


def _options(domain: str) -> dict[str, tuple[str, str]]:
    """code → (name, unit) for the domain's indicators, then its derived rates."""
    options = {i.code: (i.name, i.unit) for i in catalog.domain_indicators(domain)}
    options |= {r.code: (r.name, r.unit) for r in metrics.RATES if r.domain == domain}
    return options


def _kind(code: str, unit: str) -> Kind:
    """A derived rate in a count unit is an average (one decimal), not a count."""
    return kind_of(unit, derived=code in metrics.RATE_BY_CODE)


def _scope(df: pd.DataFrame, code: str, cities: list[str], years: list[int] | None = None) -> pd.DataFrame:
    """The current values a table of `code` is made of (a rate: both its parts), for its Excel file's marks."""
    rate = metrics.RATE_BY_CODE.get(code)
    codes = [rate.numerator, rate.denominator] if rate else [code]
    rows = df[df["indicator"].isin(codes) & df["region_code"].isin(cities)]
    return rows if years is None else rows[rows["year"].isin(years)]


@dataclass
class View:
    """Everything the page draws for one choice of indicator, year and 市州, computed once per warehouse version."""

    bar: go.Figure | None
    caption: str
    shown: pd.DataFrame
    lines: go.Figure | None
    trend: pd.DataFrame  # 市州, 年度, value: what the lines show
    table: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=256)
def build_view(version: tuple, domain: str, code: str, year: int, cities: tuple[str, ...]) -> View:
    df = data.values()
    name, unit = _options(domain)[code]
    kind = _kind(code, unit)
    values = metrics.series(df[df["domain"] == domain], code)
    frame = metrics.by_city(values, year)
    frame = frame[frame["region_code"].isin(cities)]
    reported = frame.dropna(subset=["value"])
    bar = charts.year_bar(frame, year=year, name=name, unit=unit, kind=kind)
    caption = ""
    if bar is not None:
        average = float(reported["value"].mean())
        missing = frame[frame["value"].isna()]["region_name"].tolist()
        caption = (
            f"{len(reported)}/{len(frame)} 个所选市州已填报；虚线为已填报市州平均 {cn_quantity(average, unit, kind)}。"
        )
        caption += f"未填报：{'、'.join(missing)}。" if missing else ""
    shown = reported.sort_values("value", ascending=False)[["region_name", "value"]]
    shown = shown.rename(columns={"region_name": "市州", "value": f"{name}（{unit}）"}).set_index("市州")
    trend = values[values["region_code"].isin(cities)]
    lines = (
        None
        if trend.dropna(subset=["value"]).empty
        else charts.lines_by_year(trend, title=f"{name}（按年度）", unit=unit, kind=kind)
    )
    table = metrics.city_year_table(values, list(cities), metrics.years(df))
    return View(bar, caption, shown, lines, _trend_table(trend, f"{name}（{unit}）"), table)


def _trend_table(trend: pd.DataFrame, label: str) -> pd.DataFrame:
    names = {c.code: (c.sort_order, c.name) for c in catalog.cities()}
    rows = trend.dropna(subset=["value"]).assign(order=lambda t: t["region_code"].map(lambda c: names[c][0]))
    rows = rows.sort_values(["order", "year"])
    return pd.DataFrame(
        {"年度": rows["year"].astype(int).tolist(), label: rows["value"].tolist()},
        index=pd.Index([names[c][1] for c in rows["region_code"]], name="市州"),
    )


def render(domain_code: str) -> None:
    auth.require(VIEW)
    domain = catalog.domain_by_code()[domain_code]
    st.title(domain.name)
    df = data.values()
    if not require_data(df):
        return
    chosen = filters.current()
    sample_notice(df[(df["domain"] == domain_code) & (df["year"] == chosen.year)])
    options = _options(domain_code)
    code = st.selectbox(
        "指标",
        list(options),
        format_func=lambda c: f"{options[c][0]}（{options[c][1]}）",
        placeholder="请选择",
        key=f"{domain_code}_indicator",
    )
    name, unit = options[code]
    kind = _kind(code, unit)
    if code in metrics.RATE_BY_CODE:
        rate = metrics.RATE_BY_CODE[code]
        parts = catalog.indicator_by_code()
        st.caption(f"{name} = {parts[rate.numerator].name} ÷ {parts[rate.denominator].name}，两项都已填报时才计算。")
    view = build_view(data.version(), domain_code, code, chosen.year, tuple(chosen.cities))
    key = f"{domain_code}_{code}"
    year = chosen.year
    st.subheader(f"{year}年各市州{name}")
    if view.bar is None:
        st.info(f"{year}年所选市州均未填报{name}。")
    else:
        st.plotly_chart(view.bar, key=f"{key}_bar", config=chrome.PLOTLY_CONFIG)
        st.caption(view.caption)
        downloads(
            view.shown, name=f"{year}年{name}_按市州", title=f"{year}年各市州{name}（{unit}）", key=f"{key}_bar",
            scope=_scope(df, code, chosen.cities, [year]), kind=kind,
        )  # fmt: skip
    st.subheader(f"{name}历年变化")
    if view.lines is None:
        st.info("所选市州没有历年数据。")
    else:
        st.plotly_chart(view.lines, key=f"{key}_trend", config=chrome.PLOTLY_CONFIG)
        downloads(
            view.trend, name=f"{name}_历年", title=f"{name}（{unit}）历年变化", key=f"{key}_trend",
            scope=_scope(df, code, chosen.cities), kind={f"{name}（{unit}）": kind},
        )  # fmt: skip
    st.subheader(f"{name}：市州 × 年度")
    event = tables.figures(view.table, kind, key=f"{key}_table", on_select="rerun", selection_mode="single-cell")
    st.caption(f"单位：{unit}；“未填报”表示该市州当年未报此项。点选表中的数，可查看它的来源。")
    downloads(
        view.table, name=f"{name}_市州x年度", title=f"{name}（{unit}）：市州 × 年度", key=f"{key}_table_dl",
        scope=_scope(df, code, chosen.cities), kind=kind,
    )  # fmt: skip
    picked = provenance.picked_cell(event.selection, view.table)
    if picked is not None:
        st.markdown("**这个数哪来的？**")
        provenance.explain_cell(*picked, code)
