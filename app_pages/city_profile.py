"""市州画像: one 市州, every indicator across the years, its rank among the 14 and share of the province."""

import streamlit as st

from etl import catalog
from ui import charts, data, filters, metrics
from ui.common import display_table, downloads, require_data, sample_notice

st.title("市州画像")
df = data.values()
if require_data(df):
    chosen = filters.current()
    names = {c.code: c.name for c in catalog.cities()}
    default = chosen.cities[0] if len(chosen.cities) == 1 else catalog.cities()[0].code
    code = st.selectbox(
        "市州", list(names), index=list(names).index(default), format_func=names.get, key="profile_city"
    )
    city_df = df[df["region_code"] == code]
    sample_notice(city_df)
    year = chosen.year
    ranks = metrics.ranks(df, year)
    mine = ranks[ranks["region_code"] == code].set_index("indicator")
    st.subheader(f"{names[code]}{year}年在全省的位置")
    rows = []
    for indicator in catalog.indicators():
        if indicator.code in mine.index:
            row = mine.loc[indicator.code]
            rows.append((indicator, f"第 {row['rank']} 名（共 {row['reported']} 个市州填报）", row["share"]))
        else:
            rows.append((indicator, "未填报", None))
    shares = {f"{i.name}（{i.unit}）": s for i, _, s in rows if s is not None}
    if shares:
        st.plotly_chart(charts.share_bar(shares, title=f"{names[code]}占全省比重（{year}年）"), key="profile_share")
    for domain in catalog.domains():
        st.markdown(f"**{domain.name}**")
        table = metrics.city_indicator_table(df, code, domain.code)
        table.insert(0, f"{year}年排名", [rank for i, rank, _ in rows if i.domain == domain.code])
        st.dataframe(display_table(table), width="stretch", key=f"profile_{domain.code}")
        downloads(
            table,
            name=f"{names[code]}_{domain.name}",
            title=f"{names[code]}{domain.name}历年数据",
            key=f"profile_{domain.code}_dl",
        )
