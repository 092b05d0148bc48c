"""任务数 (管理员): the targets of a year per 市州, 县市区 or 省级单位 and indicator — imported from the 任务数 table
(the return's own layout, checked as strictly as a return) or set one by one; the domain pages show 完成率 beside
the figures and the briefing says who met them."""

import streamlit as st

from etl import catalog, config, levels, targets
from etl.roles import CATALOG
from ui import auth, data, targets_admin
from ui.common import NOT_FIGURES, XLSX_MIME, download

auth.require(CATALOG)
st.title("任务数")
snap = data.snapshot()
cat = data.catalogue(snap)
year = st.selectbox("年度", list(range(config.collecting_year() + 1, config.FIRST_YEAR - 1, -1)), key="targets_year")
st.caption("任务数是各市州（县市区、省级单位）本年度应完成的数；各类别页面在完成数旁显示完成率并按完成率排名，"
           "年度简报写明哪些市州完成了任务。")  # fmt: skip
targets_admin.notice()
rows = data.targets_list(snap, year)
st.subheader(f"{year}年已设置的任务数（{len(rows)} 项）")
st.dataframe(targets_admin.table(rows), hide_index=True, width="stretch", key="targets_table",
             on_select="rerun", selection_mode="multi-row")  # fmt: skip
st.button("删除所选任务数", key="targets_delete", on_click=targets_admin.delete, args=(rows, "targets_table"))

st.subheader("批量导入")
download(st, f"下载{year}年任务数表（Excel）", lambda: targets.template_bytes(year), file_name=f"{year}年任务数表.xlsx",
         mime=XLSX_MIME, key="targets_template", regions=NOT_FIGURES, action=CATALOG)  # fmt: skip
st.file_uploader("选择填好的任务数表", type=["xlsx", "xls"], key="targets_file")
st.button("导入任务数", key="targets_import", on_click=targets_admin.import_file, args=("targets_file",))

st.subheader("逐项设置")
regions = [*catalog.cities(), *(c for city in catalog.cities() for c in catalog.counties_of(city.code, year)),
           *catalog.units()]  # fmt: skip
names = {r.code: r.name if r.level != levels.COUNTY else f"{r.name}（{catalog.region_by_code()[r.parent_code].name}）"
         for r in regions}  # fmt: skip
st.selectbox("市州、县市区或省级单位", list(names), format_func=names.get, key="target_region")
indicators = {i.code: f"{i.name}（{i.unit}）" for i in cat.edition(year).indicators}
st.selectbox("指标", list(indicators), format_func=indicators.get, key="target_indicator")
st.text_input("任务数（按指标的单位填准确数字，金额以万元计）", key="target_value", max_chars=30)
st.button("保存任务数", key="targets_set", on_click=targets_admin.set_one, args=(year,))
