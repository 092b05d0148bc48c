"""The briefing's charts: each 类别's headline indicator by 市州 for the year, drawn by the domain pages' own
builder (etl.charts.year_bar) over the same marts, so the Word briefing shows the figures leaders see on the
pages — with the province's average as the dashed line and pending figures hatched.

No Streamlit here: the page (through ui.data) and the command line (`python -m etl briefing`) both use it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import catalog, chart_images, charts
from etl.briefing import Figures


def _year_frame(f: Figures, code: str) -> pd.DataFrame:
    """Every 市州 in official order with its figure of the year (NaN = 未填报) and its pending flag."""
    rows = []
    for city in catalog.cities():
        try:
            row = f.city.loc[(city.code, code)]
            value, pending = row["value"], bool(row["pending"])
        except KeyError:
            value, pending = None, False
        rows.append((city.code, city.name, value, pending))
    frame = pd.DataFrame(rows, columns=["region_code", "region_name", "value", "pending"])
    return frame.astype({"value": "float64"})


def figures(f: Figures) -> list[tuple[str, go.Figure]]:
    """(indicator name, figure) per 类别 whose headline indicator some 市州 reported in the year."""
    found = []
    for domain in catalog.domains():
        indicator = catalog.indicator_by_code()[domain.headline_indicator]
        province = f.province.get(indicator.code) or {}
        figure = charts.year_bar(
            _year_frame(f, indicator.code), year=f.year, name=indicator.name, unit=indicator.unit,
            average=province.get("average"), reported=province.get("reported"),
        )  # fmt: skip
        if figure is not None:
            found.append((indicator.name, figure))
    return found


def images(f: Figures) -> tuple[list[tuple[str, bytes]], str | None]:
    """(indicator name, PNG) of the briefing's charts, or no charts and the reason in Chinese."""
    shown = figures(f)
    try:
        pngs = chart_images.render_png([figure for _, figure in shown])
    except chart_images.ChartsUnavailable as exc:
        return [], str(exc)
    return [(name, png) for (name, _), png in zip(shown, pngs, strict=True)], None
