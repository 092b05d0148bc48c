"""One 类别 (就业创业, 小额担保贷款, 两癌检查 … by the page's address): bar by 市州 with the province's line,
lines by 年度, the 市州 × 年度 table, and where each figure came from; then 任务数 and 完成率, the 县市区 of a
chosen 市州 and the 省级单位' figures where the indicator has them (ui.drilldown)."""

import streamlit as st

from etl import catalog, charts
from etl.roles import VIEW
from ui import auth, chrome, data, domain_view, drilldown, filters, pdf, plain, printing, provenance, tables
from ui.common import downloads, incomplete_text, page_url, require_data, sample_notice, today, year_banner

auth.require(VIEW)
domain = catalog.domain_by_code().get(page_url()) or catalog.domains()[0]
st.title(domain.name)
snap, chosen = data.snapshot(), filters.current()
years = data.years(snap)
if require_data(years, chosen.include_pending):
    year = chosen.year
    year_banner(years, year, today())
    options = catalog.domain_measures(domain.code)
    code = st.selectbox(
        "指标",
        list(options),
        format_func=lambda c: f"{options[c][0]}（{options[c][1]}）",
        placeholder="请选择",
        key=f"{domain.code}_indicator",
    )
    name, unit = options[code]
    if code in catalog.rate_by_code():
        rate, parts = catalog.rate_by_code()[code], catalog.indicator_by_code()
        st.caption(f"{name} = {parts[rate.numerator].name} ÷ {parts[rate.denominator].name}，两项都已填报时才计算。")
    key = f"{domain.code}_{code}"
    levels = drilldown.levels_of(code)
    if "city" not in levels and "county" not in levels:  # reported by 省级单位 only: no 市州 figures to draw
        drilldown.units(snap, chosen, code, year, key)
        st.stop()
    view = domain_view.cached(snap, chosen.include_pending, code, year, chosen.cities)
    sample_notice(view.is_sample)
    header, banner = printing.lines(domain.name), incomplete_text(years, year, today())
    pdf.offer(
        lambda: pdf.domain_report(view, page=domain.name, code=code, year=year, banner=banner, header=header),
        key=(snap, chosen.include_pending, code, year, chosen.cities), file_name=f"{year}年{domain.name}_{name}.pdf",
        widget_key=f"{domain.code}_{code}_pdf",
    )  # fmt: skip
    st.subheader(f"{year}年各市州{name}")
    st.markdown(plain.bold(view.province))
    if view.bar is None:
        st.info(f"{year}年各市州均未填报{name}。")
    else:
        st.plotly_chart(charts.thawed(view.bar), key=f"{key}_bar", config=chrome.PLOTLY_CONFIG)
        st.caption(view.caption)
        downloads(
            view.shown, name=f"{year}年{name}_按市州", title=f"{year}年各市州{name}（{unit}）", key=f"{key}_bar",
            kind=view.kind,
        )  # fmt: skip
    st.subheader(f"{name}历年变化")
    if view.lines is None:
        st.info("所选市州没有历年数据。")
    else:
        st.plotly_chart(charts.thawed(view.lines), key=f"{key}_trend", config=chrome.PLOTLY_CONFIG)
        for changed, note in data.catalogue(snap).changes(code):  # the catalogue's words: plain text
            st.caption(plain.markdown(f"{changed}年起{name}口径调整：{note or '未写明说明'}。此前年度按原口径填报。"))
        downloads(
            view.trend, name=f"{name}_历年", title=f"{name}（{unit}）历年变化", key=f"{key}_trend",
            kind={f"{name}（{unit}）": view.kind},
        )  # fmt: skip
    st.subheader(f"{name}：市州 × 年度")
    event = tables.figures(view.table, view.kind, key=f"{key}_table", on_select="rerun", selection_mode="single-cell")
    st.caption(
        f"单位：{unit}；“未填报”表示该市州当年未报此项；“（待审核）”表示尚未审核通过。"
        "最后两行是全省的数字（不随所选市州变化）。点选表中市州的数，可查看它的来源。"
    )
    downloads(
        view.table, name=f"{name}_市州x年度", title=f"{name}（{unit}）：市州 × 年度", key=f"{key}_table_dl",
        kind=view.kind,
    )  # fmt: skip
    picked = provenance.picked_cell(event.selection, view.table.frame)
    if picked is not None:
        st.markdown("**这个数哪来的？**")
        provenance.explain_cell(snap, *picked, code, chosen.include_pending)
    drilldown.targets(snap, chosen, code, year, key)
    if "county" in levels:
        drilldown.counties(snap, chosen, code, year, key)
    if "province" in levels:
        drilldown.units(snap, chosen, code, year, key)
