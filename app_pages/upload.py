"""数据上报: where this 市州's year stands, the template, then one or several returns to check, review and submit."""

import streamlit as st

from etl import catalog, config
from etl.roles import STATISTICIAN, UPLOAD
from etl.template import template_bytes
from ui import auth, batch, data, desk, plain, submit, upload
from ui.common import ALL_CITIES, NOT_FIGURES, XLSX_MIME, download
from ui.progress import returned_table

user = auth.require(UPLOAD)
st.title("数据上报")
own = user.region_code if user.role == STATISTICIAN else None
cities = {c.code: c.name for c in catalog.cities()}
left, middle, _ = st.columns([2, 1, 1])
choices = [user.region_code] if user.role == STATISTICIAN else [None, *cities]  # a 统计员 reports one 市州
region = left.selectbox(
    "市州", choices, format_func=lambda c: "全部 14 个市州" if c is None else cities[c], placeholder="请选择"
)
year = middle.number_input(
    "年度",
    min_value=config.FIRST_YEAR,
    max_value=upload.this_year(),
    value=min(config.collecting_year(), upload.this_year()),
)
snap = data.snapshot()
desk.show(region, int(year), key="upload_desk")  # the state of each 类别 before anything else
returned = returned_table(data.returned(snap, own, None), ALL_CITIES)
if len(returned):
    st.warning(f"有 {len(returned)} 组数据被省妇联退回，未发布：请按退回原因更正后重新上报。")
    for row in returned.itertuples(index=False):  # the reviewer's words: plain text, never Markdown
        st.text(f"{row.市州}{row.年度}年{row.类别}（{row.版本}，{row.文件名}）：{row.退回人} 于 {row.退回时间} 退回。"
                f"\n退回原因：{row.退回原因}")  # fmt: skip
st.caption("上报的数据经省妇联审核通过后才发布，领导才会看到；审核通过后该类数据即审核锁定。")
st.markdown("**第一步：下载报表模板**")
template, online, _ = st.columns([1, 1, 2])
template_catalogue, last_year = data.catalogue(snap), data.published_figures(snap, int(year) - 1)
download(
    template,
    "下载模板",
    lambda: template_bytes(int(year), region, cat=template_catalogue, last_year=last_year),
    file_name=f"{int(year)}年{cities.get(region, '全省')}妇联统计报表.xlsx",
    mime=XLSX_MIME,
    key="upload_template",
    regions=NOT_FIGURES,
    action=UPLOAD,
)
online.page_link("app_pages/entry.py", label="不用 Excel：在线填报", icon=":material/edit_note:")

st.markdown("**第二步：上传填好的报表**")
st.caption(
    f"支持 .xlsx、.xls、.csv，单个文件不超过 {upload.LIMIT_MB} MB；可一次选择多个文件（如四个类别各一个文件），"
    "每个文件单独检查。空白表示未填报，不要填 0。"
)
# The widget lets through up to twice the limit, so a file a little too large gets the one Chinese refusal.
uploaded = st.file_uploader(
    "选择文件",
    type=["xlsx", "xlsm", "xls", "csv"],
    key=upload.uploader_key(),
    max_upload_size=config.UPLOAD_CEILING_MB,
    accept_multiple_files=True,
)
if not uploaded:
    submit.show_outcome()
    batch.show_outcome()
elif len(uploaded) == 1:
    st.markdown("**第三步：核对后提交**（提交前不会写入任何数据）")
    upload.review_and_submit(uploaded[0].getvalue(), uploaded[0].name)
else:
    st.markdown(plain.bold(f"第三步：逐个核对 {len(uploaded)} 个文件后提交") + "（提交前不会写入任何数据）")
    batch.review_and_submit(uploaded)
