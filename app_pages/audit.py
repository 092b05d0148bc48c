"""审计日志: every log-in, upload, refusal, restore, lock, export and account change (管理员 only)."""

import streamlit as st

from etl import audit
from etl.roles import AUDIT
from etl.warehouse import now_beijing
from ui import audit_log, auth
from ui.common import NOT_FIGURES, XLSX_MIME, download

auth.require(AUDIT)
st.title("审计日志")
chosen = audit_log.filters()
entries = audit.entries(**chosen)
frame = audit_log.table(entries)
st.caption(f"共 {len(entries)} 条，最新在前。审计日志只能追加，任何角色都不能在系统中修改或删除。")
st.dataframe(frame, hide_index=True, width="stretch", key="audit_table", placeholder="")
left, right, _ = st.columns([1, 1, 4])
download(
    left, "下载 CSV", lambda: audit_log.csv(frame), file_name="审计日志.csv", mime="text/csv", key="audit_csv",
    regions=NOT_FIGURES, action=AUDIT,
)  # fmt: skip
exported_at = f"{now_beijing():%Y-%m-%d %H:%M}"
download(
    right, "下载 Excel", lambda: audit_log.xlsx(frame, chosen, exported_at), file_name="审计日志.xlsx",
    mime=XLSX_MIME, key="audit_xlsx", regions=NOT_FIGURES, action=AUDIT,
)  # fmt: skip
