"""Helpers for driving pages with AppTest and reading the plotly figures they draw."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def array(values: list | dict) -> list:
    """Plotly stores numeric arrays as base64 typed arrays in its JSON."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def bar_values(figure: dict) -> dict[str, float]:
    bar = figure["data"][0]
    return dict(zip(array(bar["x"]), array(bar["y"]), strict=True))


def open_page(at: AppTest, page: str, year: int | None = None) -> AppTest:
    at.run()
    if year is not None:
        at.selectbox(key="filter_year").set_value(year).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
