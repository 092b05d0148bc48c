"""Plotly figures in one house style (Chinese labels, units on axes, one colour per 市州); no st.* calls."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import catalog
from etl.cn_format import cn_quantity

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
ACCENT = "#C8102E"
# One fixed colour per 市州, by official order, so a city looks the same on every chart.
PALETTE = [
    "#C8102E", "#1F77B4", "#2CA02C", "#FF7F0E", "#9467BD", "#8C564B", "#E377C2",
    "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8", "#FF9896", "#98DF8A", "#C5B0D5",
]  # fmt: skip
CITY_COLORS = {city.code: PALETTE[i % len(PALETTE)] for i, city in enumerate(catalog.cities())}


def _style(fig: go.Figure, *, title: str, y_title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
        showlegend=False,
        separators=".,",
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#EEEEEE", tickformat=",~r", rangemode="tozero")
    fig.update_xaxes(showgrid=False)
    return fig


def bar_by_city(frame: pd.DataFrame, *, title: str, unit: str, average: float | None = None) -> go.Figure:
    """Reporting 市州 sorted high → low; unreported ones are left out (never drawn as 0) and named by the caller."""
    rows = frame.dropna(subset=["value"]).sort_values("value", ascending=False)
    fig = go.Figure(
        go.Bar(
            x=rows["region_name"],
            y=rows["value"],
            marker_color=[CITY_COLORS.get(c, ACCENT) for c in rows["region_code"]],
            customdata=[cn_quantity(v, unit) for v in rows["value"]],
            hovertemplate="%{x}：%{customdata}<extra></extra>",
        )
    )
    if average is not None:
        fig.add_hline(
            y=average,
            line_dash="dash",
            line_color="#555555",
            annotation_text=f"全省平均 {cn_quantity(average, unit)}",
            annotation_position="top right",
        )
    return _style(fig, title=title, y_title=f"单位：{unit}")


def lines_by_year(frame: pd.DataFrame, *, title: str, unit: str) -> go.Figure:
    """One line per 市州 over the years; a missing year is a gap, not a drop to 0."""
    fig = go.Figure()
    names = catalog.region_by_code()
    for code, rows in frame.groupby("region_code", sort=False):
        rows = rows.sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=rows["year"],
                y=rows["value"],
                name=names[code].name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": CITY_COLORS.get(code, ACCENT), "width": 2},
                customdata=[cn_quantity(v, unit) for v in rows["value"]],
                hovertemplate=f"{names[code].name} %{{x}}年：%{{customdata}}<extra></extra>",
            )
        )
    fig = _style(fig, title=title, y_title=f"单位：{unit}")
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.15})
    fig.update_xaxes(dtick=1, tickformat="d", ticksuffix="年")
    return fig


def ranking_bar(frame: pd.DataFrame, *, title: str, unit: str) -> go.Figure:
    """Horizontal ranking, largest on top, for the overview."""
    rows = frame.dropna(subset=["value"]).sort_values("value")
    fig = go.Figure(
        go.Bar(
            y=rows["region_name"],
            x=rows["value"],
            orientation="h",
            marker_color=[CITY_COLORS.get(c, ACCENT) for c in rows["region_code"]],
            customdata=[cn_quantity(v, unit) for v in rows["value"]],
            hovertemplate="%{y}：%{customdata}<extra></extra>",
        )
    )
    fig = _style(fig, title=title, y_title="", height=460)
    fig.update_xaxes(title_text=f"单位：{unit}", gridcolor="#EEEEEE", tickformat=",~r")
    fig.update_yaxes(gridcolor=None)
    return fig


def share_bar(values: dict[str, float], *, title: str) -> go.Figure:
    """Share of the province total (%) of one 市州 per indicator, for the city profile."""
    fig = go.Figure(
        go.Bar(
            y=list(values),
            x=list(values.values()),
            orientation="h",
            marker_color=ACCENT,
            hovertemplate="%{y}：占全省 %{x:.1f}%<extra></extra>",
        )
    )
    fig = _style(fig, title=title, y_title="", height=max(300, 28 * len(values) + 80))
    fig.update_xaxes(title_text="占全省 %", ticksuffix="%")
    return fig
