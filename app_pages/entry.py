"""在线填报: one 类别 of a 市州's year typed in the browser, kept as a draft, checked and submitted as a file is."""

import streamlit as st

from etl import catalog, config, online
from etl.roles import STATISTICIAN, UPLOAD
from ui import auth, desk, entry, upload

user = auth.require(UPLOAD)
st.title("在线填报")
st.caption(
    "不用 Excel 也可以上报：选择类别逐项填写，可随时保存草稿，下次接着填；提交时与上传的报表做同样的检查，"
    "同样经省妇联审核通过后发布。"
)
cities = {c.code: c.name for c in catalog.cities()}
left, middle, _ = st.columns([2, 1, 1])
region = left.selectbox(
    "市州",
    [user.region_code] if user.role == STATISTICIAN else list(cities),  # a 统计员 reports for one 市州
    format_func=cities.get,
    placeholder="请选择",
    key="entry_region",
)
year = int(
    middle.number_input(
        "年度",
        min_value=config.FIRST_YEAR,
        max_value=upload.this_year(),
        value=min(config.collecting_year(), upload.this_year()),
        key="entry_year",
    )
)
statuses = {s.domain: s for s in desk.show(region, year, key="entry_desk")}
names = dict(online.domains())
domain = st.radio("类别", list(names), format_func=names.get, horizontal=True, key="entry_domain")
entry.grid(user, (region, year, domain), statuses.get(domain))
