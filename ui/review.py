"""审核, pure: the queue of submissions waiting for review and, per submission, its values beside the published ones
and last year's, and its warnings. The page (app_pages/review.py) draws them."""

from __future__ import annotations

import pandas as pd

from etl.cn_format import table_text
from ui.history import domains_text, regions_text, when

QUEUE_COLUMNS = ["上报编号", "上报时间", "上报人", "市州", "年度", "类别", "待审核组数", "警告数", "文件名"]
VALUE_COLUMNS = [
    "年度",
    "市州",
    "类别",
    "指标",
    "单位",
    "上报值",
    "现已发布",
    "上年（已发布）",
    "与已发布相比",
    "来源单元格",
]
FIGURE_COLUMNS = ["上报值", "现已发布", "上年（已发布）", "与已发布相比"]  # written in each row's unit, as text


def queue_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (r["submission_id"], when(r["submitted_at"]), r["submitted_by"],
             regions_text(r["regions"]), r["years"], domains_text(r["domains"]), r["slices"], r["warnings"],
             r["file_name"])
            for r in rows
        ],
        columns=QUEUE_COLUMNS,
    )  # fmt: skip


def compared(value: float | None, published: float | None, was_published: bool, unit: str) -> str:
    """What approving would change for leaders."""
    if not was_published:
        return "新增" if value is not None else "未填报"
    if value == published:
        return "未变"
    return f"{table_text(published, unit)} → {table_text(value, unit)}"


def values_table(values: list[dict]) -> pd.DataFrame:
    """Each value sent, beside the published one and last year's published one, with its cell; figures written in
    the one number style of their unit (etl.cn_format)."""
    return pd.DataFrame(
        [
            (v["year"], v["region_name"], v["domain_name"], v["indicator_name"], v["unit"],
             table_text(v["value"], v["unit"]),
             table_text(v["published_value"], v["unit"]) if v["was_published"] else "尚未发布",
             table_text(v["last_year_value"], v["unit"]),
             compared(v["value"], v["published_value"], v["was_published"], v["unit"]),
             f"{v['sheet']}!{v['cell']}" if v["cell"] else "（文件中没有这一列）")
            for v in values
        ],
        columns=VALUE_COLUMNS,
    )  # fmt: skip


def warning_label(warning: dict) -> str:
    """The text a reviewer ticks to confirm one warning."""
    place = f"{warning['sheet']}!{warning['cell']}" if warning["sheet"] and warning["cell"] else "整个文件"
    subject = f" {warning['subject']}" if warning.get("subject") else ""  # the indicator, as every message names it
    return f"已核实 {place}{subject}：{warning['message']}"


def warning_key(submission_id: int, warning: dict) -> tuple:
    """How etl.actions.approve knows a warning was confirmed."""
    return submission_id, warning["sheet"], warning["cell"], warning["message"]
