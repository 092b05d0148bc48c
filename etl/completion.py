"""Who met a target (任务数), in words: the briefing's sentence and the pages' caption say it alike.

The figures are mart_targets rows (etl.warehouse.marts.targets): 完成率 and `met` are computed there, once; this
module only sorts the regions into 已完成 / 未完成 / 未填报 and names them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

MET, NOT_MET, NOT_REPORTED = "已完成", "未完成", "未填报"
LEVEL_WORDS = {"city": "市州", "county": "县市区", "unit": "省级单位"}


def state(row: dict) -> str:
    """已完成 when the figure reached the target, 未完成 when it did not, 未填报 when there is no figure."""
    actual = row["actual"]
    if actual is None or actual != actual:
        return NOT_REPORTED
    return MET if row["met"] else NOT_MET


def groups(records: Iterable[dict]) -> dict[str, list[str]]:
    """Region names by state, in the order given (official order, or by 完成率)."""
    found: dict[str, list[str]] = {MET: [], NOT_MET: [], NOT_REPORTED: []}
    for row in records:
        found[state(row)].append(row["region_name"])
    return found


def summary(rows: pd.DataFrame, level: str) -> str:
    """14 个市州下达了任务数：已完成 9 个（长沙市、株洲市…），未完成 4 个（…），未填报 1 个（…）。"""
    records = rows.to_dict("records")
    parts = [f"{word} {len(names)} 个（{'、'.join(names)}）" for word, names in groups(records).items() if names]
    return f"{len(records)} 个{LEVEL_WORDS.get(level, '单位')}下达了任务数：" + "，".join(parts) + "。"


def briefing_sentences(frame: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """One sentence per indicator with 市州 targets of the year: 巾帼志愿者人数任务完成情况：14 个市州下达了…。
    `frame` is the year's mart_targets rows in one scope, `names` indicator code → name (in catalogue order)."""
    cities = frame[frame["level"] == "city"]
    sentences = []
    for code, name in names.items():
        rows = cities[cities["indicator"] == code].sort_values("region_order")
        if not rows.empty:
            sentences.append(f"{name}任务完成情况：" + summary(rows, "city"))
    return sentences
