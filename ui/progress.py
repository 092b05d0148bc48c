"""填报进度, pure: which 市州 reported which 类别 for a year, its review state, against the year's 截止日期, and the
催报 notes that follow. The page (app_pages/progress.py) draws it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from etl.roles import city_of
from etl.warehouse.locks import EVERY_DOMAIN, PROVINCE

DONE, PARTIAL, MISSING = "已报", "部分", "未报"
LATE = "（逾期）"
LOCKED = "已审核锁定"
REVIEW_STATES = {"pending": "待审核", "published": "已审核", "returned": "已退回"}
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
    """已报 / 部分 n/m / 未报, the review state of the newest version (待审核 / 已审核 / 已退回), when the current
    version was sent and whether that was after the deadline."""
    state = status(row)
    if state == MISSING:
        return MISSING + (" · 已退回" if row.get("status") == "returned" else "")
    text = state if state == DONE else f"{PARTIAL} {row['reported']}/{row['indicators']}"
    review = REVIEW_STATES.get(row.get("status"))
    text += f" · {review}" if review else ""
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


def lock_text(region_code: str, locks: list[dict]) -> str:
    """已审核锁定 · 张三 11-20 10:00 when the 市州's whole year (or the province's) is locked; 已审核锁定 2 类 when some
    of its 类别 are; else empty."""
    whole = [
        lock for lock in locks if lock["region_code"] in (region_code, PROVINCE) and lock["domain"] == EVERY_DOMAIN
    ]
    if whole:
        return f"{LOCKED} · {whole[0]['locked_by']} {whole[0]['locked_at']:%m-%d %H:%M}"
    some = {lock["domain"] for lock in locks if lock["region_code"] == region_code}
    return f"{LOCKED} {len(some)} 类" if some else ""


def build_view(
    rows: list[dict], deadline: date | None, locks: list[dict], cities: tuple[str, ...], today: date
) -> View:
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


def returned_table(rows: list[dict], cities: tuple[str, ...]) -> pd.DataFrame:
    """退回 versions nobody has sent again, with the reason, for the chosen 市州 (their 县市区 included). The
    reason comes right after the version: what the 统计员 must read is in view without scrolling the table."""
    return pd.DataFrame(
        [
            (r["region_name"], r["year"], r["domain_name"], f"第 {r['version']} 版", r["review_note"], r["reviewed_by"],
             f"{r['reviewed_at']:%Y-%m-%d %H:%M}", r["file_name"])
            for r in rows
            if city_of(r["region_code"]) in cities
        ],
        columns=["市州", "年度", "类别", "版本", "退回原因", "退回人", "退回时间", "文件名"],
    )  # fmt: skip


def colour(text: str) -> str:
    return next((style for state, style in COLOURS.items() if text.startswith(state)), "")
