"""数据上报: download the template, upload a return, review its problems, changes and charts, then submit."""

import streamlit as st

from etl import catalog, config
from etl.roles import STATISTICIAN, UPLOAD
from etl.template import template_bytes
from ui import auth, upload
from ui.common import NOT_FIGURES, XLSX_MIME, download

user = auth.require(UPLOAD)
st.title("数据上报")
st.markdown("**第一步：下载报表模板**")
left, middle, right = st.columns([2, 1, 1])
cities = {c.code: c.name for c in catalog.cities()}
choices = [user.region_code] if user.role == STATISTICIAN else [None, *cities]  # a 统计员 reports one 市州
region = left.selectbox(
    "市州", choices, format_func=lambda c: "全部 14 个市州" if c is None else cities[c], placeholder="请选择"
)
year = middle.number_input(
    "年度", min_value=config.FIRST_YEAR, max_value=upload.this_year(), value=upload.this_year() - 1
)
download(
    right,
    "下载模板",
    lambda: template_bytes(int(year), region),
    file_name=f"{int(year)}年{cities.get(region, '全省')}妇联统计报表.xlsx",
    mime=XLSX_MIME,
    key="upload_template",
    regions=NOT_FIGURES,
)

st.markdown("**第二步：上传填好的报表**")
st.caption(f"支持 .xlsx、.xls、.csv，单个文件不超过 {upload.LIMIT_MB} MB。空白表示未填报，不要填 0。")
uploaded = st.file_uploader(
    "选择文件", type=["xlsx", "xlsm", "xls", "csv"], key=upload.uploader_key(), max_upload_size=upload.LIMIT_MB
)
if uploaded is None:
    upload.show_outcome()
else:
    st.markdown("**第三步：核对后提交**（提交前不会写入任何数据）")
    upload.review_and_submit(uploaded.getvalue(), uploaded.name)
