"""总览: headline cards per domain, a map of Hunan, a ranking and who has reported this year."""

import streamlit as st

from etl import catalog
from etl.cn_format import cn_quantity
from ui import charts, data, filters, metrics
from ui.common import require_data, sample_notice
from ui.map import city_choropleth

st.title("湖南省妇联统计总览")
df = data.values()
if require_data(df):
    chosen = filters.current()
    year = chosen.year
    sample_notice(df[df["year"] == year])
    coverage = metrics.domain_coverage(df, year)
    st.subheader(f"{year}年主要指标（全省合计）")
    for column, domain in zip(st.columns(len(catalog.domains())), catalog.domains(), strict=True):
        indicator = catalog.indicator_by_code()[domain.headline_indicator]
        values = metrics.series(df, indicator.code)
        total = metrics.province_total(values, year)
        change = metrics.change_on_year_before(values, year)
        delta = None
        if change is not None:
            absolute, percent = change
            delta = f"{'+' if absolute >= 0 else '−'}{cn_quantity(abs(absolute), indicator.unit)}"
            delta += f"（{percent:+.1f}%）" if percent is not None else ""
        column.metric(
            f"{domain.name}·{indicator.name}",
            cn_quantity(total.value, indicator.unit),
            delta=delta,
            help=f"与{year - 1}年相比（只比较两年都已填报的市州）。",
        )
        column.caption(f"{total.coverage}；{domain.name}共 {coverage[domain.code]}/14 市州已报")

    st.subheader("各市州分布")
    options = {i.code: i for i in catalog.indicators()}
    code = st.selectbox(
        "地图与排名指标",
        list(options),
        format_func=lambda c: f"{catalog.domain_by_code()[options[c].domain].name}·{options[c].label}",
        key="overview_indicator",
    )
    indicator = options[code]
    frame = metrics.by_city(metrics.series(df, code), year)
    left, right = st.columns([3, 2])
    names = {c.code: c.name for c in catalog.cities()}
    values = {r.region_code: (None if r.value != r.value else r.value) for r in frame.itertuples()}
    left.plotly_chart(
        city_choropleth(values, title=f"{year}年{indicator.name}", unit=indicator.unit, names=names),
        key="overview_map",
    )
    right.plotly_chart(
        charts.ranking_bar(frame, title=f"{year}年{indicator.name}排名", unit=indicator.unit), key="overview_rank"
    )
    missing = frame[frame["value"].isna()]["region_name"].tolist()
    if missing:
        st.caption(f"{year}年未填报{indicator.name}：{'、'.join(missing)}（地图中灰色）。")

    st.subheader(f"{year}年填报情况")
    cols = st.columns(len(catalog.domains()))
    for column, domain in zip(cols, catalog.domains(), strict=True):
        column.progress(coverage[domain.code] / 14, text=f"{domain.name}：{coverage[domain.code]}/14 市州")
