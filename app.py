"""湖南省妇联统计平台 — Streamlit entry point (the dashboards come with the pages issue)."""

import streamlit as st

from etl import catalog, config, warehouse

st.set_page_config(page_title="湖南省妇联统计平台", page_icon="📊", layout="wide")
st.title("湖南省妇联统计平台")
st.caption("14 个市州的就业创业、小额担保贷款、“两癌”检查、农村电商年度数据。")

try:
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        counts = warehouse.summary_counts(con)
        rows = warehouse.current_values(con)
except warehouse.WarehouseError as exc:
    st.info(f"尚无数据，请先上报。（{exc}）")
    st.stop()

cols = st.columns(3)
cols[0].metric("上报次数", counts["submissions"])
cols[1].metric("当前数值", counts["current_values"])
cols[2].metric("市州×年度×类别", counts["current_slices"])
years = sorted({r[0] for r in rows})
st.write(f"已有年度：{'、'.join(str(y) for y in years)}；市州：{len(catalog.cities())} 个。")
