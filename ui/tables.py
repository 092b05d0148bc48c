"""Tables on screen in the one number style (etl.cn_format): right-aligned, decimals fixed per unit kind.

A column of one unit stays numeric, so it sorts as numbers, and st.column_config writes it (75,700 /
10,211.50). A column that mixes units (one indicator per row), holds a 待审核 figure ("1,234（待审核）") or a
row that is no figure (已报市州数 "14/14") is written as text by the same formatter and right-aligned. Blanks
read 未填报, never 0.

`Table` is a table of figures as a builder hands it to a page: the numbers, which of them are 待审核, the mart
rows behind them and the province's row for the Excel file (ui.common.downloads).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from etl.charts import PENDING_MARK
from etl.cn_format import MISSING, Kind, exact, is_missing, kind_of, table_text

PLAIN = "%d"  # 年度, 上报编号: whole numbers without separators (2016, not 2,016)


@dataclass
class Table:
    """Figures as a page shows them and its files carry them."""

    frame: pd.DataFrame  # figures as numbers (NaN = 未填报); text only in rows that hold no figure ("14/14")
    pending: pd.DataFrame | None = None  # True where a figure is 待审核 (same index and columns as frame)
    scope: pd.DataFrame | None = None  # the mart rows behind it: each 市州's 示例/待审核 mark in its files
    total: dict[str, float | None] | None = None  # the province's row (from the marts) an Excel file ends with
    total_label: str = "全省合计"

    def marked(self) -> pd.DataFrame:
        """The table with each 待审核 figure written "1234（待审核）" (exact): what a CSV file carries."""
        if not self.has_pending:
            return self.frame
        marked = self.frame.astype(object)
        for column in self.frame.columns:
            flags = self.pending[column].to_numpy(dtype=bool)
            marked[column] = [
                exact(v) + PENDING_MARK if flag and _is_figure(v) else v
                for v, flag in zip(self.frame[column], flags, strict=True)
            ]
        return marked

    @property
    def has_pending(self) -> bool:
        return self.pending is not None and bool(self.pending.to_numpy(dtype=bool).any())


def as_table(table: Table | pd.DataFrame) -> Table:
    return table if isinstance(table, Table) else Table(table)


def pending_frame(frame: pd.DataFrame, cells: set[tuple[object, object]]) -> pd.DataFrame:
    """The booleans of Table.pending: True at each (row label, column) in `cells`."""
    flags = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for row, column in cells:
        flags.loc[row, column] = True
    return flags


def _is_figure(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not is_missing(value)


def _has_figures(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) or any(_is_figure(v) for v in column)


def _flags(t: Table, column: object) -> list[bool]:
    if t.pending is None:
        return [False] * len(t.frame)
    return t.pending[column].to_numpy(dtype=bool).tolist()


def _text(value: object, kind: Kind, pending: bool) -> object:
    """A cell as text in its kind's style; text (a rank, "14/14") stays as it is."""
    if isinstance(value, str):
        return value
    text = table_text(None if is_missing(value) else value, "", kind)
    return text + PENDING_MARK if pending and _is_figure(value) else text


TALL = 40  # rows: up to this a table is drawn whole (all 14 市州 and the province's rows, no inner scroll)


def _show(table: pd.DataFrame, config: dict, key: str | None, options: dict):  # noqa: ANN202 - st.dataframe's result
    """A table drawn whole when it is not long (Streamlit's default height shows ten rows and scrolls the rest,
    hiding 永州…湘西), its first column — the 市州 or the indicator — pinned while the years scroll sideways."""
    options.setdefault("width", "stretch")
    options.setdefault("height", "content" if len(table) <= TALL else "auto")
    first = table.columns[0] if options.get("hide_index") and len(table.columns) else "_index"
    config = config | {first: {**config.get(first, {}), "pinned": True}}
    return st.dataframe(table, column_config=config, placeholder=MISSING, key=key, **options)


def _plain(columns: tuple[str, ...]) -> dict:
    return {name: st.column_config.NumberColumn(format=PLAIN) for name in columns}


def _right_aligned(columns: list[str]) -> dict:
    return {name: st.column_config.TextColumn(alignment="right") for name in columns}


def figures(
    table: Table | pd.DataFrame,
    kind: Kind | Mapping[str, Kind],
    *,
    key: str | None = None,
    plain: tuple[str, ...] = (),
    **options: object,
):  # noqa: ANN201 - st.dataframe's result (a selection event when on_select is set)
    """A table whose columns each hold one unit: `kind` for every column of figures, or one per column."""
    t = as_table(table)
    frame = t.frame
    if isinstance(kind, Mapping):
        kinds = dict(kind)
    else:
        kinds = {c: kind for c in frame.columns if c not in plain and _has_figures(frame[c])}
    as_text = [c for c, _ in kinds.items() if not pd.api.types.is_numeric_dtype(frame[c]) or any(_flags(t, c))]
    written = frame.copy() if as_text else frame
    for column in as_text:
        written[column] = [_text(v, kinds[column], p) for v, p in zip(frame[column], _flags(t, column), strict=True)]
    config = {name: st.column_config.NumberColumn(format=k.table_format) for name, k in kinds.items()}
    return _show(written, config | _right_aligned(as_text) | _plain(plain), key, options)


def per_row(table: Table | pd.DataFrame, units: list[str], *, key: str | None = None, **options: object):  # noqa: ANN201
    """A table with one unit per row (indicators × years): figures written per row, right-aligned; columns of
    text (a rank) as they are."""
    t = as_table(table)
    columns = [c for c in t.frame.columns if _has_figures(t.frame[c])]
    written = t.frame.copy()
    for column in columns:
        written[column] = [
            _text(v, kind_of(unit), p) for v, unit, p in zip(t.frame[column], units, _flags(t, column), strict=True)
        ]
    return _show(written, _right_aligned(columns), key, options)


def text_figures(table: pd.DataFrame, columns: list[str], *, key: str | None = None, **options: object):  # noqa: ANN201
    """A table whose figure `columns` are already written as text in their rows' units (table_text):
    right-aligned like every other figure."""
    return _show(table, _right_aligned(columns), key, options)


def per_unit_column(
    table: pd.DataFrame,
    value: str,
    unit: str,
    *,
    key: str | None = None,
    plain: tuple[str, ...] = (),
    pending: str | None = None,
    **options: object,
):  # noqa: ANN201
    """A long table (年度, 市州, 指标, 单位, 数值): each figure written in its own row's unit; `pending` names a
    boolean column marking 待审核 figures (it is not shown)."""
    flags = table[pending].fillna(False).astype(bool).tolist() if pending else [False] * len(table)
    written = table.drop(columns=[pending]) if pending else table.copy()
    written[value] = [_text(v, kind_of(u), p) for v, u, p in zip(table[value], table[unit], flags, strict=True)]
    return _show(written, _right_aligned([value]) | _plain(plain), key, options)


def as_text(table: Table | pd.DataFrame, kind: Kind | None = None, row_kinds: list[Kind] | None = None) -> pd.DataFrame:
    """The table written as the page writes it (75,700 / 10,211.50 / 未填报 / 130（待审核）), for a print-out:
    one `kind` for every column of figures, or one per row."""
    t = as_table(table)
    written = t.frame.astype(object)
    for column in t.frame.columns:
        if not _has_figures(t.frame[column]):
            continue
        kinds = row_kinds or [kind or kind_of("")] * len(t.frame)
        written[column] = [_text(v, k, p) for v, k, p in zip(t.frame[column], kinds, _flags(t, column), strict=True)]
    return written
