"""指标目录 (管理员): the domains, indicators, rules and derived rates every return is read, checked and charted by;
added, changed from a year (口径), corrected or retired here or in bulk from a workbook; every change recorded."""

import streamlit as st

from etl import catalog_workbook
from etl.roles import CATALOG
from ui import auth, catalog_editor, data
from ui.common import NOT_FIGURES, XLSX_MIME, download

auth.require(CATALOG)
st.title("指标目录")
snap = data.snapshot()
cat = data.catalogue(snap)
st.caption(catalog_editor.current_summary(cat) + "修改即时生效：模板、表头识别、检查、页面、导出和简报都按目录。")
catalog_editor.notice()
tabs = st.tabs(["指标", "类别", "规则", "派生指标", "修改记录", "批量导入导出"])
for tab, entity in zip(tabs[:4], ("indicators", "domains", "rules", "rates"), strict=True):
    with tab:
        st.dataframe(catalog_editor.versions_table(cat, entity), hide_index=True, width="stretch",
                     key=f"catalog_{entity}_table")  # fmt: skip
        st.caption("每行是一个口径版本：自“生效年度”起的报表按这一版检查，直到下一版。")
        catalog_editor.form(entity, cat)
with tabs[4]:
    st.dataframe(catalog_editor.revisions_table(data.catalogue_revisions(snap)), hide_index=True, width="stretch",
                 key="catalog_revisions")  # fmt: skip
with tabs[5]:
    st.markdown("**导出**：全部类别、指标、规则、派生指标及各口径版本，改好后在下面导入。")
    download(st, "下载指标目录（Excel）", lambda: catalog_workbook.workbook_bytes(cat), file_name="指标目录.xlsx",
             mime=XLSX_MIME, key="catalog_export", regions=NOT_FIGURES, action=CATALOG)  # fmt: skip
    st.markdown("**导入**：文件中的新增和修改全部检查通过才生效，任何一处有误都不导入，并指出工作表和单元格。")
    st.file_uploader("选择指标目录文件", type=["xlsx"], key="catalog_import_file")
    st.text_input("修改说明（必填）", key="catalog_import_note", max_chars=500)
    st.button("导入", key="catalog_import", on_click=catalog_editor.import_file, args=("catalog_import_file",))
