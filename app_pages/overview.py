"""总览: headline cards per domain, a map of Hunan, a ranking and who has reported this year."""

import streamlit as st

from etl import catalog
from etl.cn_format import kind_of
from etl.roles import VIEW
from ui import auth, chrome, data, filters, overview
from ui.common import downloads, require_data, sample_notice

auth.require(VIEW)
st.title("湖南省妇联统计总览")
df = data.values()
if require_data(df):
    year = filters.current().year
    sample_notice(df[df["year"] == year])
    cards, coverage = overview.cards(data.version(), year)
    st.subheader(f"{year}年主要指标（全省合计）")
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(
            card.label, card.value, delta=card.delta, help=f"与{year - 1}年相比（只比较两年都已填报的市州）。"
        )
        column.caption(card.caption)

    st.subheader("各市州分布")
    options = {i.code: i for i in catalog.indicators()}
    code = st.selectbox(
        "地图与排名指标",
        list(options),
        format_func=lambda c: f"{catalog.domain_by_code()[options[c].domain].name}·{options[c].label}",
        placeholder="请选择",
        key="overview_indicator",
    )
    view = overview.distribution(data.version(), year, code)
    left, right = st.columns([3, 2])
    left.plotly_chart(view.map, key="overview_map", config=chrome.PLOTLY_CONFIG)
    right.plotly_chart(view.ranking, key="overview_rank", config=chrome.PLOTLY_CONFIG)
    if view.missing:
        st.caption(f"{year}年未填报{options[code].name}：{'、'.join(view.missing)}（地图中灰色）。")
    downloads(
        view.table,
        name=f"{year}年{options[code].name}_各市州",
        title=f"{year}年各市州{options[code].label}",
        key="overview",
        scope=df[(df["year"] == year) & (df["indicator"] == code)],
        kind=kind_of(options[code].unit),
    )

    st.subheader(f"{year}年填报情况")
    for column, domain in zip(st.columns(len(catalog.domains())), catalog.domains(), strict=True):
        column.progress(coverage[domain.code] / 14, text=f"{domain.name}：{coverage[domain.code]}/14 市州")
