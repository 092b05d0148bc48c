"""The statistician's desk, pure: where each 类别 of a 市州's year stands (未报 / 待审核 / 退回 with the reason /
已通过), its 审核锁定 and the 截止日期, said in words. 数据上报 and 在线填报 open with it; 填报进度 shows the same
for a chosen 市州. A lock or a passed deadline is said here, never as a cell error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from etl import catalog
from etl.warehouse.locks import covers
from ui import data, plain
from ui.common import ALL_CITIES, today
from ui.progress import cn_date

NOT_SENT, PENDING, RETURNED, PASSED = "未报", "待审核", "退回", "已通过"
STATES = {"pending": PENDING, "returned": RETURNED, "published": PASSED, "superseded": PENDING}
STATUS_COLUMNS = ["类别", "状态", "已填报", "上报时间", "审核锁定", "说明"]
COLOURS = {
    NOT_SENT: "background-color: #fde7e9; color: #8c1d18",
    RETURNED: "background-color: #fde7e9; color: #8c1d18",
    PENDING: "background-color: #fff4e5; color: #663c00",
    PASSED: "background-color: #e6f4ea; color: #1e4620",
}


@dataclass(frozen=True)
class SliceStatus:
    """One 类别 of one 市州's year."""

    domain: str
    domain_name: str
    state: str
    reported: int  # indicators with a value (pending included)
    indicators: int
    submitted_at: object  # datetime of the version on show, or None
    reason: str  # 退回: who returned it, when and why; else ""
    lock: dict | None  # the lock that covers it (who, when), or None

    @property
    def locked(self) -> bool:
        return self.lock is not None

    @property
    def remark(self) -> str:
        if self.locked:
            return "已审核锁定，不能再上报；如需更正，请联系管理员解除锁定。"
        return {
            NOT_SENT: "请上传报表或在线填报。",
            PENDING: "已上报，等待省妇联审核；审核前仍可重新上报。",
            RETURNED: self.reason,
            PASSED: "已审核通过并发布。",
        }[self.state]


def state_of(row: dict) -> str:
    """The newest version's review state; a 类别 with nothing sent is 未报."""
    if row.get("status") in STATES:
        return STATES[row["status"]]
    return PASSED if row["reported"] else NOT_SENT


def returned_reason(row: dict) -> str:
    when = f"{row['reviewed_at']:%Y-%m-%d %H:%M}" if row.get("reviewed_at") else ""
    return f"退回原因：{row.get('review_note') or '（未写原因）'}（{row.get('reviewed_by') or ''} {when} 退回）"


def slice_statuses(rows: list[dict], locks: list[dict], region_code: str, year: int) -> list[SliceStatus]:
    """The 类别 of one 市州 (progress rows of the year, in the catalogue's order) with their state and lock."""
    found = []
    for row in rows:
        if row["region_code"] != region_code:
            continue
        state = state_of(row)
        lock = next((x for x in locks if covers(x, region_code, year, row["domain"])), None)
        found.append(
            SliceStatus(
                row["domain"], row["domain_name"], state, row["reported"], row["indicators"], row["submitted_at"],
                returned_reason(row) if state == RETURNED else "", lock,
            )
        )  # fmt: skip
    return found


def lock_text(lock: dict | None) -> str:
    return f"{lock['locked_by']} 于 {lock['locked_at']:%Y-%m-%d %H:%M} 锁定" if lock else ""


def status_table(statuses: list[SliceStatus]) -> pd.DataFrame:
    """Text only: names and reasons come from people, and st.dataframe shows them as typed."""
    return pd.DataFrame(
        [
            (s.domain_name, s.state, f"{s.reported}/{s.indicators} 项",
             f"{s.submitted_at:%Y-%m-%d %H:%M}" if s.submitted_at else "", lock_text(s.lock), s.remark)
            for s in statuses
        ],
        columns=STATUS_COLUMNS,
    )  # fmt: skip


def deadline_text(year: int, deadline: date | None, today: date) -> str:
    """截止日期 and the days left, in words; a passed deadline is said, and what it means (late, not refused)."""
    if deadline is None:
        return f"{year}年尚未设置截止日期。"
    days = (deadline - today).days
    if days > 0:
        return f"{year}年截止日期：{cn_date(deadline)}，还有 {days} 天。"
    if days == 0:
        return f"{year}年截止日期：{cn_date(deadline)}，今天截止。"
    return f"{year}年截止日期{cn_date(deadline)}已过 {-days} 天：仍可上报，上报时间将标为逾期。"


def headline(city: str, year: int, statuses: list[SliceStatus]) -> str:
    """长沙市2025年：4 类中 已通过 1 类，待审核 1 类，退回 1 类，未报 1 类。"""
    counts = {state: sum(s.state == state for s in statuses) for state in (PASSED, PENDING, RETURNED, NOT_SENT)}
    parts = [f"{state} {n} 类" for state, n in counts.items() if n]
    return f"{city}{year}年：{len(statuses)} 类中 " + "，".join(parts) + "。"


def overview(rows: list[dict], locks: list[dict], year: int, cities: tuple[str, ...]) -> pd.DataFrame:
    """市州 × 类别 of the year's states for staff who look after every 市州 (·锁定 where a lock holds)."""
    table: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["region_code"] not in cities:
            continue
        locked = any(covers(x, row["region_code"], year, row["domain"]) for x in locks)
        table.setdefault(row["region_name"], {})[row["domain_name"]] = state_of(row) + (" · 锁定" if locked else "")
    frame = pd.DataFrame(table).T
    frame.index.name = "市州"
    return frame


def colour(text: str) -> str:
    return next((style for state, style in COLOURS.items() if str(text).startswith(state)), "")


# ---------------------------------------------------------------- the widget


def show(region_code: str | None, year: int, *, key: str, deadline: bool = True) -> list[SliceStatus]:
    """Where the 市州's year stands (every 市州 when region_code is None), before anything else on the page, with
    the 截止日期 unless the page says it already; returns the 类别 statuses of the one 市州 (empty for the
    overview)."""
    rows, due, locks = data.progress(data.snapshot(), year)
    when = deadline_text(year, due, today())
    if deadline and due is not None and due < today():
        st.warning(when, icon=":material/event_busy:")
    elif deadline:
        st.caption(when)
    if region_code is None:
        st.markdown(plain.bold(f"{year}年各市州填报情况"))
        table = overview(rows, locks, year, ALL_CITIES)
        st.dataframe(table.style.map(colour), key=f"{key}_overview", width="stretch", height="content")
        return []
    statuses = slice_statuses(rows, locks, region_code, year)
    st.markdown(plain.bold(headline(catalog.region_by_code()[region_code].name, year, statuses)))
    st.dataframe(
        status_table(statuses).style.map(colour, subset=["状态"]), key=f"{key}_status", hide_index=True,
        width="stretch",
        column_config={"说明": st.column_config.TextColumn(width="large")},
    )  # fmt: skip
    return statuses
