"""总览: the province's headline figures, a map and ranking of the chosen 市州, and who has reported this year."""

import streamlit as st

from etl import catalog, charts
from etl.roles import VIEW
from ui import auth, chrome, data, filters, overview
from ui.common import CITY_COUNT, downloads, require_data, sample_notice, today, year_banner

CARDS_PER_ROW = 4

auth.require(VIEW)
st.title("湖南省妇联统计总览")
snap, chosen = data.snapshot(), filters.current()
years = data.years(snap)
if require_data(years, chosen.include_pending):
    year, pending = chosen.year, chosen.include_pending
    complete = year_banner(years, year, today())
    cards = overview.cached_cards(snap, pending, year)
    province = data.province(snap, pending, year=year)
    sample_notice(bool(province["is_sample"].any()))
    st.subheader(f"{year}年主要指标（{'全省合计' if complete else '已报市州合计'}，不随所选市州变化）")
    for start in range(0, len(cards), CARDS_PER_ROW):  # as many 类别 as the catalogue has, four to a row
        row = cards[start : start + CARDS_PER_ROW]
        for column, card in zip(st.columns(CARDS_PER_ROW)[: len(row)], row, strict=True):
            column.metric(card.label, card.value, delta=card.delta, help=card.help)
            column.caption(card.caption)

    st.subheader("各市州分布" if chosen.every_city else "所选市州分布")
    options = {i.code: i for i in catalog.indicators()}
    code = st.selectbox(
        "地图与排名指标",
        list(options),
        format_func=lambda c: f"{catalog.domain_by_code()[options[c].domain].name}·{options[c].label}",
        placeholder="请选择",
        key="overview_indicator",
    )
    if not chosen.cities:
        st.info("请在左侧选择市州。")
    else:
        view = overview.cached_distribution(snap, pending, year, code, chosen.cities)
        left, right = st.columns([3, 2])
        left.plotly_chart(charts.thawed(view.map), key="overview_map", config=chrome.PLOTLY_CONFIG)
        right.plotly_chart(charts.thawed(view.ranking), key="overview_rank", config=chrome.PLOTLY_CONFIG)
        if view.missing:
            st.caption(f"{year}年未填报{options[code].name}：{'、'.join(view.missing)}（地图中灰色）。")
        downloads(
            view.table, name=f"{year}年{options[code].name}_各市州", title=view.title, key="overview",
            kind=catalog.measure_kind(code),
        )  # fmt: skip

    st.subheader(f"{year}年填报情况（全省）")
    coverage = data.coverage(snap, pending)
    for column, domain in zip(st.columns(len(catalog.domains())), catalog.domains(), strict=True):
        reported = coverage.get((year, domain.code), (0, 0))[0]
        column.progress(reported / CITY_COUNT, text=f"{domain.name}：{reported}/{CITY_COUNT} 市州")
