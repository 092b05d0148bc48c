"""填报进度: which 市州 reported which 类别 for a year, against the year's 截止日期, and the 催报 notes that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from etl import actions, catalog, config, warehouse
from etl.roles import DEADLINE, LOCK, VIEW, PermissionDenied
from etl.warehouse.locks import PROVINCE
from ui import auth, data, filters
from ui.common import NOT_FIGURES, download, require_data

DONE, PARTIAL, MISSING = "已报", "部分", "未报"
LATE = "（逾期）"
LOCKED = "已审核锁定"
NOTICE_KEY = "progress_notice"
COLOURS = {
    DONE: "background-color: #e6f4ea; color: #1e4620",
    PARTIAL: "background-color: #fff4e5; color: #663c00",
    MISSING: "background-color: #fde7e9; color: #8c1d18",
}


@dataclass
class View:
    matrix: pd.DataFrame  # 市州 × 类别, text cells
    summary: str
    messages: list[str]  # one 催报 note per 市州 with gaps
    deadline: date | None
    locks: list[dict]  # this year's review locks (region_code 430000 = the whole year)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def status(row: dict) -> str:
    if row["reported"] == 0:
        return MISSING
    return DONE if row["reported"] >= row["indicators"] else PARTIAL


def is_late(row: dict, deadline: date | None) -> bool:
    return deadline is not None and row["submitted_at"] is not None and row["submitted_at"].date() > deadline


def cell_text(row: dict, deadline: date | None) -> str:
    """已报 / 部分 n/m / 未报, then when the current version was sent and whether that was after the deadline."""
    state = status(row)
    if state == MISSING:
        return MISSING
    text = state if state == DONE else f"{PARTIAL} {row['reported']}/{row['indicators']}"
    text += f" · {row['submitted_at']:%Y-%m-%d %H:%M}"
    return text + (LATE if is_late(row, deadline) else "")


def reminder(city: str, rows: list[dict], deadline: date | None, today: date) -> str | None:
    """The note to paste into a message to the 市州, or None when it has reported everything."""
    gaps = []
    for row in rows:
        state = status(row)
        if state == PARTIAL:
            gaps.append(f"{row['domain_name']} {row['indicators'] - row['reported']} 项未填报")
        elif state == MISSING:
            gaps.append(f"{row['domain_name']}未报")
    if not gaps:
        return None
    if deadline is None:
        ask = "请尽快补报。"
    elif deadline >= today:
        ask = f"请于{cn_date(deadline)}前补报。"
    else:
        # "请于…前补报" with a date already gone would ask the impossible.
        ask = f"截止日期{cn_date(deadline)}已过，请尽快补报。"
    return f"{city}：{'，'.join(gaps)}，{ask}"


def summarise(rows: list[dict], deadline: date | None) -> str:
    counts = {state: sum(status(r) == state for r in rows) for state in (DONE, PARTIAL, MISSING)}
    text = f"{DONE} {counts[DONE]} / {PARTIAL} {counts[PARTIAL]} / {MISSING} {counts[MISSING]}"
    late = sum(is_late(r, deadline) for r in rows)
    return text + (f"；其中逾期上报 {late} 项" if late else "")


def _read(year: int) -> tuple[list[dict], date | None, list[dict]]:
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        return warehouse.progress(con, year), warehouse.deadline_of(con, year), warehouse.locks_of(con, year)


def lock_text(region_code: str, locks: list[dict]) -> str:
    """已审核锁定 · 张三 11-20 10:00 when the 市州 (or its whole year) is locked, else empty."""
    for lock in locks:
        if lock["region_code"] in (region_code, PROVINCE):
            return f"{LOCKED} · {lock['locked_by']} {lock['locked_at']:%m-%d %H:%M}"
    return ""


@st.cache_data(show_spinner=False, max_entries=32)
def build_view(version: tuple, year: int, cities: tuple[str, ...], today: date) -> View:
    rows, deadline, locks = _read(year)
    rows = [r for r in rows if r["region_code"] in cities]
    by_city: dict[str, list[dict]] = {}
    for row in rows:
        by_city.setdefault(row["region_name"], []).append(row)
    matrix = pd.DataFrame(
        {
            city: {r["domain_name"]: cell_text(r, deadline) for r in cells}
            | {"审核": lock_text(cells[0]["region_code"], locks)}
            for city, cells in by_city.items()
        }
    ).T
    matrix.index.name = "市州"
    messages = [m for city, cells in by_city.items() if (m := reminder(city, cells, deadline, today))]
    return View(matrix, summarise(rows, deadline), messages, deadline, locks)


def _colour(text: str) -> str:
    return next((style for state, style in COLOURS.items() if text.startswith(state)), "")


def _set_lock(year: int, locked: bool) -> None:
    """Button callback: lock or unlock the chosen 市州 (or the whole year), then say what happened."""
    region = st.session_state.get("progress_lock_scope")
    scope = f"{catalog.region_by_code()[region].name if region else '全省'}{year}年"
    try:
        act = actions.lock if locked else actions.unlock
        changed = act(auth.user(), config.warehouse_path(), year, region)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    if locked:
        text = f"已审核锁定：{scope}。锁定后不再接受上报和恢复。" if changed else f"{scope}原本已锁定。"
    else:
        text = f"已解除锁定：{scope}。" if changed else f"{scope}原本未锁定（如为整年锁定，请选择“全省”解除）。"
    st.session_state[NOTICE_KEY] = ("success" if changed else "info", text)


def _lock_editor(year: int, locks: list[dict]) -> None:
    st.subheader("审核锁定")
    whole = [lock for lock in locks if lock["region_code"] == PROVINCE]
    if whole:
        st.info(f"{year}年已整年审核锁定（{whole[0]['locked_by']}，{whole[0]['locked_at']:%Y-%m-%d %H:%M}）。")
    cities = {c.code: c.name for c in catalog.cities()}
    left, middle, right, _ = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    left.selectbox(
        "范围", [None, *cities], format_func=lambda c: "全省（整个年度）" if c is None else cities[c],
        placeholder="请选择", key="progress_lock_scope",
    )  # fmt: skip
    middle.button("锁定", key="progress_lock", on_click=_set_lock, args=(year, True), icon=":material/lock:")
    right.button("解除锁定", key="progress_unlock", on_click=_set_lock, args=(year, False))
    st.caption("锁定表示该市州该年度的数据已审核：之后的上报和版本恢复都会被拒绝，直到管理员解除锁定。")


def _save_deadline(year: int, key: str) -> None:
    """Button callback: runs before the rerun, so the page below already reads the new deadline."""
    chosen = st.session_state.get(key)
    if chosen is None:
        st.session_state[NOTICE_KEY] = ("warning", "请先选择截止日期。")
        return
    try:
        actions.set_deadline(auth.user(), config.warehouse_path(), year, chosen)
    except (warehouse.WarehouseError, PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = ("success", f"已保存：{year}年截止日期为{cn_date(chosen)}。")


def _deadline_editor(year: int, deadline: date | None) -> None:
    key = f"progress_deadline_{year}"
    left, right, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
    left.date_input(f"{year}年截止日期", value=deadline, key=key, format="YYYY-MM-DD")
    right.button("保存", key="progress_deadline_save", on_click=_save_deadline, args=(year, key))
    st.caption(f"当前截止日期：{cn_date(deadline)}" if deadline else "尚未设置截止日期。")


def _reminders(year: int, messages: list[str]) -> None:
    st.subheader("催报通知")
    if not messages:
        st.success("所选市州均已报齐，无需催报。")
        return
    st.caption(f"{len(messages)} 个市州有缺报，点右上角按钮复制后发送。")
    for message in messages:
        st.code(message, language=None, wrap_lines=True)
    download(
        st,
        "下载全部催报通知（.txt）",
        # With a BOM, as the CSV downloads: older Windows Notepad otherwise guesses GBK and shows 乱码.
        ("\n".join(messages) + "\n").encode("utf-8-sig"),
        file_name=f"{year}年催报通知.txt",
        mime="text/plain",
        key="progress_messages_txt",
        regions=NOT_FIGURES,
    )


def render() -> None:
    auth.require(VIEW)
    st.title("填报进度")
    if not require_data(data.values()):
        return
    chosen = filters.current()
    year = chosen.year
    if not chosen.cities:
        st.info("请在左侧选择市州。")
        return
    try:
        view = build_view(data.version(), year, tuple(chosen.cities), warehouse.now_beijing().date())
    except warehouse.WarehouseError as exc:
        st.error(str(exc))
        return
    kind, text = st.session_state.pop(NOTICE_KEY, (None, None))
    if kind:
        getattr(st, kind)(text)
    if auth.may(DEADLINE):
        _deadline_editor(year, view.deadline)
    elif view.deadline:
        st.caption(f"{year}年截止日期：{cn_date(view.deadline)}")
    st.subheader(f"{year}年各市州填报情况")
    st.markdown(f"**{view.summary}**")
    st.dataframe(view.matrix.style.map(_colour), key="progress_matrix", width="stretch", height="content")
    st.caption(
        f"按“市州 × 类别”计：{DONE}＝该类指标全部填报，{PARTIAL} 3/6＝6 项中填了 3 项，{MISSING}＝该类没有任何数据；"
        f"时间为当前版本的上报时间（北京时间），晚于截止日期的标“{LATE}”。"
    )
    if auth.may(LOCK):
        _lock_editor(year, view.locks)
    _reminders(year, view.messages)
