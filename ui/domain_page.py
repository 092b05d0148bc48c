"""The one implementation behind the four domain pages: bar by 市州, lines by 年度, 市州 × 年度 table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import catalog
from etl.cn_format import cn_quantity
from ui import charts, data, filters, metrics
from ui.common import display_table, downloads, require_data, sample_notice


def _options(domain: str) -> dict[str, tuple[str, str]]:
    """code → (name, unit) for the domain's indicators, then its derived rates."""
    options = {i.code: (i.name, i.unit) for i in catalog.domain_indicators(domain)}
    options |= {r.code: (r.name, r.unit) for r in metrics.RATES if r.domain == domain}
    return options


def render(domain_code: str) -> None:
    domain = catalog.domain_by_code()[domain_code]
    st.title(domain.name)
    df = data.values()
    if not require_data(df):
        return
    chosen = filters.current()
    domain_df = df[df["domain"] == domain_code]
    sample_notice(domain_df[domain_df["year"] == chosen.year])
    options = _options(domain_code)
    code = st.selectbox(
        "指标",
        list(options),
        format_func=lambda c: f"{options[c][0]}（{options[c][1]}）",
        key=f"{domain_code}_indicator",
    )
    name, unit = options[code]
    values = metrics.series(domain_df, code)
    if code in metrics.RATE_BY_CODE:
        rate = metrics.RATE_BY_CODE[code]
        parts = catalog.indicator_by_code()
        st.caption(f"{name} = {parts[rate.numerator].name} ÷ {parts[rate.denominator].name}，两项都已填报时才计算。")
    _year_bar(values, chosen, name, unit, key=f"{domain_code}_{code}_bar")
    _trend(values, chosen, name, unit, key=f"{domain_code}_{code}_trend")
    _table(values, chosen, name, unit, metrics.years(df), key=f"{domain_code}_{code}_table")


def _year_bar(values: pd.DataFrame, chosen: filters.Filters, name: str, unit: str, key: str) -> None:
    year = chosen.year
    frame = metrics.by_city(values, year)
    frame = frame[frame["region_code"].isin(chosen.cities)]
    reported = frame.dropna(subset=["value"])
    average = float(reported["value"].mean()) if len(reported) else None
    st.subheader(f"{year}年各市州{name}")
    if reported.empty:
        st.info(f"{year}年所选市州均未填报{name}。")
        return
    st.plotly_chart(
        charts.bar_by_city(frame, title=f"{year}年{name}（按市州，从高到低）", unit=unit, average=average), key=key
    )
    missing = frame[frame["value"].isna()]["region_name"].tolist()
    note = f"{len(reported)}/{len(frame)} 个所选市州已填报；虚线为已填报市州平均 {cn_quantity(average, unit)}。"
    st.caption(note + (f"未填报：{'、'.join(missing)}。" if missing else ""))
    shown = reported.sort_values("value", ascending=False)[["region_name", "value"]]
    shown = shown.rename(columns={"region_name": "市州", "value": f"{name}（{unit}）"}).set_index("市州")
    downloads(shown, name=f"{year}年{name}_按市州", title=f"{year}年各市州{name}（{unit}）", key=key)


def _trend(values: pd.DataFrame, chosen: filters.Filters, name: str, unit: str, key: str) -> None:
    st.subheader(f"{name}历年变化")
    rows = values[values["region_code"].isin(chosen.cities)]
    if rows.dropna(subset=["value"]).empty:
        st.info("所选市州没有历年数据。")
        return
    st.plotly_chart(charts.lines_by_year(rows, title=f"{name}（按年度）", unit=unit), key=key)


def _table(values: pd.DataFrame, chosen: filters.Filters, name: str, unit: str, all_years: list[int], key: str) -> None:
    st.subheader(f"{name}：市州 × 年度")
    table = metrics.city_year_table(values, chosen.cities, all_years)
    st.dataframe(display_table(table), key=key, width="stretch")
    st.caption(f"单位：{unit}；“未填报”表示该市州当年未报此项。")
    downloads(table, name=f"{name}_市州x年度", title=f"{name}（{unit}）：市州 × 年度", key=f"{key}_dl")
