"""Tables on screen in the one number style (etl.cn_format): right-aligned, decimals fixed per unit kind.

A column of one unit stays numeric, so it sorts as numbers, and st.column_config writes it (75,700 /
10,211.50); a column that mixes units (one indicator per row) is written as text by the same formatter and
right-aligned. Blanks read 未填报, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from etl.cn_format import MISSING, Kind, table_text

PLAIN = "%d"  # 年度, 上报编号: whole numbers without separators (2016, not 2,016)


def _numeric(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]


def _show(table: pd.DataFrame, config: dict, key: str | None, options: dict):  # noqa: ANN202 - st.dataframe's result
    options.setdefault("width", "stretch")
    return st.dataframe(table, column_config=config, placeholder=MISSING, key=key, **options)


def _plain(columns: tuple[str, ...]) -> dict:
    return {name: st.column_config.NumberColumn(format=PLAIN) for name in columns}


def figures(
    table: pd.DataFrame,
    kind: Kind | Mapping[str, Kind],
    *,
    key: str | None = None,
    plain: tuple[str, ...] = (),
    **options: object,
):  # noqa: ANN201 - st.dataframe's result (a selection event when on_select is set)
    """A table whose columns each hold one unit: `kind` for every numeric column, or one per column."""
    kinds = kind if isinstance(kind, Mapping) else dict.fromkeys([c for c in _numeric(table) if c not in plain], kind)
    config = {name: st.column_config.NumberColumn(format=k.table_format) for name, k in kinds.items()}
    return _show(table, config | _plain(plain), key, options)


def _right_aligned(columns: list[str]) -> dict:
    return {name: st.column_config.TextColumn(alignment="right") for name in columns}


def per_row(table: pd.DataFrame, units: list[str], *, key: str | None = None, **options: object):  # noqa: ANN201
    """A table with one unit per row (indicators × years): figures written per row, right-aligned."""
    columns = _numeric(table)
    written = table.copy()
    for column in columns:
        written[column] = [table_text(v, unit) for v, unit in zip(table[column], units, strict=True)]
    return _show(written, _right_aligned(columns), key, options)


def per_unit_column(
    table: pd.DataFrame,
    value: str,
    unit: str,
    *,
    key: str | None = None,
    plain: tuple[str, ...] = (),
    **options: object,
):  # noqa: ANN201
    """A long table (年度, 市州, 指标, 单位, 数值): each figure written in its own row's unit."""
    written = table.copy()
    written[value] = [table_text(v, u) for v, u in zip(table[value], table[unit], strict=True)]
    return _show(written, _right_aligned([value]) | _plain(plain), key, options)
