"""审核 (审核员, 管理员): submissions waiting for review; per submission its values beside the published ones and
last year's, every warning with the 上报说明, the cells and the original file; 审核通过 (each warning confirmed) or
退回 with a reason."""

import streamlit as st

from etl import actions, config, warehouse
from etl.roles import REVIEW, PermissionDenied
from ui import auth, data, filters, plain, tables
from ui.history import original_file
from ui.review import FIGURE_COLUMNS, queue_table, values_table, warning_key, warning_label

NOTICE_KEY = "review_notice"


def _confirm_key(submission_id: int, index: int) -> str:
    return f"review_confirm_{submission_id}_{index}"


def approve(submission_id: int, warnings: list[dict], regions: list[str]) -> None:
    """Button callback: publish and lock what the submission holds, with every warning confirmed one by one."""
    user = auth.acting_user(REVIEW, regions)
    if user is None:
        return
    confirmed = [
        warning_key(submission_id, w)
        for i, w in enumerate(warnings)
        if st.session_state.get(_confirm_key(submission_id, i))
    ]
    try:
        slices = actions.approve(user, config.warehouse_path(), confirmed=confirmed, submission_id=submission_id)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = (
        "success", f"已审核通过第 {submission_id} 号上报（{len(slices)} 组）：数据已发布并审核锁定，领导即可看到。",
    )  # fmt: skip


def send_back(submission_id: int, regions: list[str]) -> None:
    """Button callback: return what the submission holds, with the reason the 统计员 will read."""
    user = auth.acting_user(REVIEW, regions)
    if user is None:
        return
    reason = st.session_state.get(f"review_reason_{submission_id}", "")
    try:
        slices = actions.send_back(user, config.warehouse_path(), reason=reason, submission_id=submission_id)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[f"review_reason_{submission_id}"] = ""
    st.session_state[NOTICE_KEY] = (
        "success",
        f"已退回第 {submission_id} 号上报（{len(slices)} 组），统计员将看到退回原因。",
    )


def detail(snap: data.Snapshot, row: dict) -> None:
    submission_id = row["submission_id"]
    values, warnings = data.review_detail(snap, submission_id)
    st.subheader(f"第 {submission_id} 号上报")
    st.text(f"文件：{row['file_name']}\n上报人：{row['submitted_by']}　上报时间：{row['submitted_at']:%Y-%m-%d %H:%M}")
    tables.text_figures(values_table(values), FIGURE_COLUMNS, hide_index=True, key=f"review_values_{submission_id}")
    st.caption("“现已发布”是领导现在看到的数，“上年（已发布）”是同一市州上一年已发布的数；未填报表示没有。")
    regions = sorted({v["region_code"] for v in values})
    original_file(row["archive_path"], row["file_name"], regions, f"review_original_{submission_id}")
    if warnings:
        st.markdown(plain.bold(f"警告（{len(warnings)} 条）：审核通过前请逐条核实并勾选"))
        st.text(f"统计员的上报说明：{row['note'] or '（未填写）'}")
        for index, warning in enumerate(warnings):
            # A label is Markdown, and a warning quotes the file (sheet names, cell text): shown as typed.
            st.checkbox(plain.markdown(warning_label(warning)), key=_confirm_key(submission_id, index))
    else:
        st.caption("这次上报没有警告。")
    unconfirmed = sum(not st.session_state.get(_confirm_key(submission_id, i)) for i in range(len(warnings)))
    left, right = st.columns(2)
    with left:
        st.button(
            "审核通过", type="primary", key=f"review_approve_{submission_id}", disabled=bool(unconfirmed),
            on_click=approve, args=(submission_id, warnings, regions), icon=":material/check:",
        )  # fmt: skip
        if unconfirmed:
            st.caption(f"还有 {unconfirmed} 条警告未勾选确认。")
    with right:
        st.text_area("退回原因（统计员将看到）", key=f"review_reason_{submission_id}", max_chars=actions.REASON_LIMIT)
        st.button("退回", key=f"review_return_{submission_id}", on_click=send_back, args=(submission_id, regions))


auth.require(REVIEW)
st.title("审核")
snap, chosen = data.snapshot(), filters.current()
kind, text = st.session_state.pop(NOTICE_KEY, (None, None))
if kind:
    getattr(st, kind)(plain.markdown(text))
this_year_only = st.toggle(f"只看{chosen.year}年", value=False, key="review_year_only")
rows = data.review_queue(snap, chosen.year if this_year_only else None)
if not rows:
    st.success("没有待审核的数据。")
    st.stop()
st.caption(
    f"待审核 {len(rows)} 次上报，最早的在前。审核通过即发布并审核锁定；退回的数据不发布，统计员按原因更正后重新上报。"
)
st.dataframe(queue_table(rows), hide_index=True, width="stretch", key="review_queue")
by_id = {r["submission_id"]: r for r in rows}
picked = st.selectbox(
    "审核一次上报",
    list(by_id),
    format_func=lambda i: f"第 {i} 号 · {by_id[i]['regions']} · {by_id[i]['years']}年 · {by_id[i]['file_name']}",
    placeholder="请选择",
    key="review_pick",
)
detail(snap, by_id[picked])
