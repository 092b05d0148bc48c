"""填报进度: 市州 × 类别 reporting and review state for the sidebar year, 退回 reasons, the 截止日期, 审核锁定 and
ready-to-send 催报 notes. Works before the year's first return, so a deadline can be set ahead."""

from datetime import date

import streamlit as st

from etl import actions, catalog, config, warehouse
from etl.roles import DEADLINE, LOCK, STATISTICIAN, VIEW, PermissionDenied
from etl.warehouse.locks import PROVINCE
from ui import auth, data, desk, filters, plain
from ui.common import NOT_FIGURES, download, today
from ui.progress import DONE, LATE, MISSING, PARTIAL, build_view, cn_date, colour, returned_table

NOTICE_KEY = "progress_notice"


def set_lock(year: int, locked: bool) -> None:
    """Button callback: lock or unlock the chosen 市州 (or the whole year), then say what happened."""
    region = st.session_state.get("progress_lock_scope")
    user = auth.acting_user(LOCK)
    if user is None:
        return
    scope = f"{catalog.region_by_code()[region].name if region else '全省'}{year}年"
    try:
        act = actions.lock if locked else actions.unlock
        changed = act(user, config.warehouse_path(), year, region)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    if locked:
        text = f"已审核锁定：{scope}。锁定后不再接受上报和恢复。" if changed else f"{scope}原本已锁定。"
    else:
        text = f"已解除锁定：{scope}。" if changed else f"{scope}原本未锁定（如为整年锁定，请选择“全省”解除）。"
    st.session_state[NOTICE_KEY] = ("success" if changed else "info", text)


def lock_editor(year: int, locks: list[dict]) -> None:
    st.subheader("审核锁定")
    whole = [lock for lock in locks if lock["region_code"] == PROVINCE]
    if whole:
        by = plain.markdown(whole[0]["locked_by"])
        st.info(f"{year}年已整年审核锁定（{by}，{whole[0]['locked_at']:%Y-%m-%d %H:%M}）。")
    cities = {c.code: c.name for c in catalog.cities()}
    left, middle, right, _ = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    left.selectbox(
        "范围", [None, *cities], format_func=lambda c: "全省（整个年度）" if c is None else cities[c],
        placeholder="请选择", key="progress_lock_scope",
    )  # fmt: skip
    middle.button("锁定", key="progress_lock", on_click=set_lock, args=(year, True), icon=":material/lock:")
    right.button("解除锁定", key="progress_unlock", on_click=set_lock, args=(year, False))
    st.caption(
        "审核通过时，该市州该年度的那一类会自动锁定。锁定后上报和版本恢复都会被拒绝，直到管理员解除锁定；"
        "按类别的锁定可用命令行 `python -m etl unlock --year 年度 --region 市州 --domain 类别` 解除。"
    )


def save_deadline(year: int, key: str) -> None:
    """Button callback: runs before the rerun, so the page below already reads the new deadline."""
    chosen = st.session_state.get(key)
    if chosen is None:
        st.session_state[NOTICE_KEY] = ("warning", "请先选择截止日期。")
        return
    user = auth.acting_user(DEADLINE)
    if user is None:
        return
    try:
        actions.set_deadline(user, config.warehouse_path(), year, chosen)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = ("success", f"已保存：{year}年截止日期为{cn_date(chosen)}。")


def deadline_editor(year: int, deadline: date | None) -> None:
    key = f"progress_deadline_{year}"
    left, right, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
    left.date_input(f"{year}年截止日期", value=deadline, key=key, format="YYYY-MM-DD")
    right.button("保存", key="progress_deadline_save", on_click=save_deadline, args=(year, key))
    st.caption(f"当前截止日期：{cn_date(deadline)}" if deadline else "尚未设置截止日期。")


def reminders(year: int, notices: dict[str, str], own: bool) -> None:
    st.subheader("催报通知")
    if not notices:
        st.success("本市州已报齐，无需催报。" if own else "所选市州均已报齐，无需催报。")
        return
    if own:
        st.caption("本市州尚未报齐：以下是省妇联发出的催报通知的内容。")
    else:
        st.caption(f"{len(notices)} 个市州有缺报：每个市州一份通知，点右上角按钮复制后发送。")
    for text in notices.values():
        st.code(text, language=None, wrap_lines=True)
    download(
        st,
        "下载全部催报通知（.txt）",
        # With a BOM, as the CSV downloads: older Windows Notepad otherwise guesses GBK and shows 乱码.
        ("\n\n\n".join(notices.values()) + "\n").encode("utf-8-sig"),
        file_name=f"{year}年催报通知.txt",
        mime="text/plain",
        key="progress_messages_txt",
        regions=NOT_FIGURES,
        action=VIEW,
    )


user = auth.require(VIEW)
st.title("填报进度")
snap, chosen = data.snapshot(), filters.current()
year = chosen.year
if not chosen.cities:
    st.info("请在左侧选择市州。")
    st.stop()
rows, deadline, locks = data.progress(snap, year)
view = build_view(rows, deadline, locks, chosen.cities, today(), data.unreported(snap, year), year)
kind, text = st.session_state.pop(NOTICE_KEY, (None, None))
if kind:
    getattr(st, kind)(plain.markdown(text))
if auth.may(DEADLINE):
    deadline_editor(year, view.deadline)
elif view.deadline:
    st.caption(f"{year}年截止日期：{cn_date(view.deadline)}")
st.subheader(f"{year}年各市州填报情况")
st.markdown(view.heading)
st.dataframe(view.matrix.style.map(colour), key="progress_matrix", width="stretch", height="content")
st.caption(
    f"按“市州 × 类别”计（含待审核数据）：{DONE}＝该类指标全部填报，{PARTIAL} 3/6＝6 项中填了 3 项，"
    f"{MISSING}＝该类没有任何数据；时间为当前版本的上报时间（北京时间），晚于截止日期的标“{LATE}”；其后是审核状态：待审核、已审核或已退回。"
)
returned = returned_table(data.returned(snap, None, year), chosen.cities)
if len(returned):
    st.subheader("已退回，待重新上报")
    st.dataframe(returned, hide_index=True, width="stretch", key="progress_returned")
    st.caption("审核员退回的数据不会发布。请按退回原因更正后，在“数据上报”重新上报。")
if auth.may(LOCK):
    lock_editor(year, view.locks)
st.subheader("一个市州的各类情况")
mine = user.region_code if user.role == STATISTICIAN else None
one = st.selectbox(
    "市州", chosen.cities, index=chosen.cities.index(mine) if mine in chosen.cities else 0,
    format_func=lambda c: catalog.region_by_code()[c].name, placeholder="请选择", key="progress_one_city",
)  # fmt: skip
desk.show(one, year, key="progress_desk", deadline=False)
# A 统计员 reads only the notice to their own 市州; staff of the province send one to each 市州 with gaps.
own_name = catalog.region_by_code()[mine].name if mine else None
reminders(year, {c: t for c, t in view.notices.items() if mine is None or c == own_name}, mine is not None)
