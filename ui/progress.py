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
    notices: dict[str, str]  # 市州 → its 催报 notice, for those with gaps
    deadline: date | None
    locks: list[dict]  # this year's review locks (region_code 430000 = the whole year)

    @property
    def heading(self) -> str:
        """The summary in bold: counts and our own words only, so its “/” stays Markdown as written."""
        return "**" + self.summary + "**"


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


ORDINALS = "一二三四五六七八九十"
ISSUER = "湖南省妇女联合会"


def ordinal(n: int) -> str:
    """1 → 一, 12 → 十二: the numbering of a 公文's items."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (ORDINALS[tens - 1] if tens > 1 else "") + "十" + (ORDINALS[ones - 1] if ones else "")


def gaps(rows: list[dict], missing: dict[str, list[str]]) -> list[str]:
    """What one 市州 still owes, per 类别: not sent, sent in part (which indicators), or returned (why)."""
    found = []
    for row in rows:
        if row.get("status") == "returned":
            found.append(f"{row['domain_name']}：已被省妇联退回（退回原因：{row.get('review_note') or '未写明'}），"
                         "请更正后重新报送")  # fmt: skip
        elif status(row) == MISSING:
            found.append(f"{row['domain_name']}：尚未报送")
        elif status(row) == PARTIAL:
            names = missing.get(row["domain"], [])
            listed = f"{'、'.join(names)}共 " if names else ""
            left = row["indicators"] - row["reported"]
            found.append(f"{row['domain_name']}：已报送 {row['reported']} 项，{listed}{left} 项未填报")
    return found


def notice(city: str, year: int, rows: list[dict], missing: dict[str, list[str]], deadline: date | None,
           today: date) -> str | None:  # fmt: skip
    """The 催报 notice to one 市州, ready to paste: a short formal text (公文 wording) with the deadline and what is
    missing; None when the 市州 owes nothing."""
    owed = gaps(rows, missing)
    if not owed:
        return None
    due = f"应于{cn_date(deadline)}前" if deadline else "应及时"
    lines = [
        f"关于报送{year}年度妇联统计数据的催报通知",
        "",
        f"{city}妇联：",
        f"　　按照全省妇联统计工作安排，{year}年度统计数据{due}通过湖南省妇联统计平台报送。"
        f"截至{cn_date(today)}，你单位尚有以下数据未报送或需更正：",
    ]
    lines += [f"　　{ordinal(n)}、{text}{'。' if n == len(owed) else '；'}" for n, text in enumerate(owed, start=1)]
    if deadline is None:
        ask = "请尽快登录平台，在“数据上报”页面上传报表或在线填报。"
    elif deadline > today:
        ask = f"请于{cn_date(deadline)}前（还有 {(deadline - today).days} 天）登录平台补报。"
    elif deadline == today:
        ask = f"今天（{cn_date(deadline)}）为报送截止日期，请于今天内登录平台补报。"
    else:
        ask = f"报送截止日期{cn_date(deadline)}已过，请于收到本通知后尽快登录平台补报。"
    lines += [f"　　{ask}如有困难，请及时与省妇联联系。", "　　特此通知。", "", ISSUER, cn_date(today)]
    return "\n".join(lines)


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


def build_view(  # noqa: PLR0913
    rows: list[dict], deadline: date | None, locks: list[dict], cities: tuple[str, ...], today: date,
    missing: dict[tuple[str, str], list[str]] | None = None, year: int | None = None,
) -> View:  # fmt: skip
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
    missing = missing or {}
    notices = {}
    for city, cells in by_city.items():
        owed = {domain: names for (region, domain), names in missing.items() if region == cells[0]["region_code"]}
        text = notice(city, year or today.year - 1, cells, owed, deadline, today)
        if text:
            notices[city] = text
    return View(matrix, summarise(rows, deadline), notices, deadline, locks)


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
