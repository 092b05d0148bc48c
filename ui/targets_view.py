"""任务数 and 完成率 of one indicator and year, beside the figures: a bar of 完成率 (target at 100%) and a table
ranked by completion. Pure builders over mart_targets rows (ui.data.targets): 完成率 is computed there, once."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl import catalog, charts
from etl.cn_format import PERCENT, Kind
from etl.completion import LEVEL_WORDS, state, summary
from ui.tables import Table, pending_frame

TARGET, ACTUAL, RATE, RANK, STATE = "任务数", "完成数", "完成率（%）", "完成率排名", "完成情况"


@dataclass
class TargetsView:
    bar: dict | None  # frozen figure; None when no region with a target reported its figure
    table: Table  # one row per region with a target, ranked by 完成率 (未填报 last)
    caption: str
    kinds: dict[str, Kind]  # per column, for ui.tables.figures and the Excel file


def build(frame: pd.DataFrame, *, code: str, year: int, level: str, city_code: str | None = None) -> TargetsView | None:
    """The view of the targets of one level (the 县市区 of `city_code`), or None when there are none."""
    rows = frame[(frame["indicator"] == code) & (frame["year"] == year) & (frame["level"] == level)]
    if city_code is not None:
        rows = rows[rows["city_code"] == city_code]
    if rows.empty:
        return None
    rows = rows.sort_values(["completion_rank", "region_order"], na_position="last")
    name, unit = catalog.measure_name_unit(code)
    kind = catalog.measure_kind(code)
    table = pd.DataFrame(
        {
            TARGET: rows["target"].astype(float).tolist(),
            ACTUAL: rows["actual"].astype(float).tolist(),
            RATE: rows["completion_pct"].astype(float).tolist(),
            RANK: ["" if r != r else str(int(r)) for r in rows["completion_rank"]],
            STATE: [state(r) for r in rows.to_dict("records")],
        },
        index=pd.Index(rows["region_name"].tolist(), name=LEVEL_WORDS.get(level, "单位")),
    )
    flagged = {(n, c) for n, p in zip(rows["region_name"], rows["pending"], strict=True) if p for c in (ACTUAL, RATE)}
    where = LEVEL_WORDS.get(level, "单位")
    figure = charts.completion_bar(rows, title=f"{year}年各{where}{name}任务完成率（从高到低）")
    bar = None if rows["completion_pct"].dropna().empty else charts.frozen(figure)
    caption = summary(rows, level) + f"任务数与完成数单位：{unit}；完成率 = 完成数 ÷ 任务数 × 100%。"
    kinds = {TARGET: kind, ACTUAL: kind, RATE: PERCENT}
    return TargetsView(bar, Table(table, pending_frame(table, flagged), rows), caption, kinds)
