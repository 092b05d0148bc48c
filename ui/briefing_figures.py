"""The briefing's charts: each 类别's headline indicator by 市州 for the year, drawn by the domain pages' own
builder (ui.charts.year_bar), so the Word briefing shows the figures leaders see on the pages.

No Streamlit here: the page and the command line (`python -m etl briefing`) both use it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import catalog, chart_images
from ui import charts, metrics


def figures(frame: pd.DataFrame, year: int) -> list[tuple[str, go.Figure]]:
    """(indicator name, figure) per 类别 whose headline indicator some 市州 reported in the year."""
    found = []
    for domain in catalog.domains():
        indicator = catalog.indicator_by_code()[domain.headline_indicator]
        values = metrics.series(frame[frame["domain"] == domain.code], indicator.code)
        figure = charts.year_bar(metrics.by_city(values, year), year=year, name=indicator.name, unit=indicator.unit)
        if figure is not None:
            found.append((indicator.name, figure))
    return found


def images(frame: pd.DataFrame, year: int) -> tuple[list[tuple[str, bytes]], str | None]:
    """(indicator name, PNG) of the briefing's charts, or no charts and the reason in Chinese."""
    shown = figures(frame, year)
    try:
        pngs = chart_images.render_png([figure for _, figure in shown])
    except chart_images.ChartsUnavailable as exc:
        return [], str(exc)
    return [(name, png) for (name, _), png in zip(shown, pngs, strict=True)], None
