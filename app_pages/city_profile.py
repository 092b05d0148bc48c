"""市州画像: one 市州, every indicator across the years, its rank among the 14 and share of the province."""

import streamlit as st

from etl import catalog, charts
from etl.cn_format import kind_of
from etl.roles import VIEW
from ui import auth, chrome, data, filters, pdf, plain, printing, profile, provenance, tables
from ui.common import downloads, incomplete_text, require_data, sample_notice, today, year_banner

auth.require(VIEW)
st.title("市州画像")
snap, chosen = data.snapshot(), filters.current()
years = data.years(snap)
if require_data(years, chosen.include_pending):
    names = {c.code: c.name for c in catalog.cities()}
    default = chosen.cities[0] if len(chosen.cities) == 1 else catalog.cities()[0].code
    code = st.selectbox(
        "市州",
        list(names),
        index=list(names).index(default),
        format_func=names.get,
        placeholder="请选择",
        key="profile_city",
    )
    year = chosen.year
    year_banner(years, year, today())
    view = profile.cached(snap, chosen.include_pending, code, year)
    sample_notice(view.is_sample)
    header, banner = printing.lines("市州画像"), incomplete_text(years, year, today())
    pdf.offer(
        lambda: pdf.profile_report(view, region_code=code, year=year, banner=banner, header=header),
        key=(snap, chosen.include_pending, "profile", code, year), file_name=f"{names[code]}{year}年市州画像.pdf",
        widget_key="profile_pdf",
    )  # fmt: skip
    st.subheader(f"{names[code]}{year}年在全省的位置")
    st.caption("排名与占比按全部 14 个市州计算。点选表中任一数字，可查看它来自哪个文件、哪个单元格、由谁何时上报。")
    if view.shares is not None:
        st.plotly_chart(charts.thawed(view.shares), key="profile_share", config=chrome.PLOTLY_CONFIG)
    for domain in catalog.domains():
        table = view.tables[domain.code]
        st.markdown(plain.bold(domain.name))
        units = [i.unit for i in catalog.domain_indicators(domain.code)]
        event = tables.per_row(
            table, units, key=f"profile_{domain.code}", on_select="rerun", selection_mode="single-cell"
        )
        picked = provenance.picked_indicator_cell(event.selection, catalog.domain_indicators(domain.code))
        if picked:
            provenance.explain(snap, code, picked[1], picked[0], chosen.include_pending)
        downloads(
            table,
            name=f"{names[code]}_{domain.name}",
            title=f"{names[code]}{domain.name}历年数据",
            key=f"profile_{domain.code}_dl",
            row_kinds=[kind_of(unit) for unit in units],
        )
