"""Plotly figures in one house style (Chinese labels, axes and hovers in 万/亿 from etl.cn_format); no st.* calls.

Figures are built in one shot (traces + a layout dict): plotly's update_*/add_hline helpers cost
several ms each, which a page rerun cannot afford (PERFORMANCE.md budget 7).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import catalog
from etl.cn_format import Kind, cn_quantity, kind_of, value_axis

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
ACCENT = "#C8102E"
# One fixed colour per 市州, by official order, so a city looks the same on every chart.
PALETTE = [
    "#C8102E", "#1F77B4", "#2CA02C", "#FF7F0E", "#9467BD", "#8C564B", "#E377C2",
    "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8", "#FF9896", "#98DF8A", "#C5B0D5",
]  # fmt: skip
CITY_COLORS = {city.code: PALETTE[i % len(PALETTE)] for i, city in enumerate(catalog.cities())}
GRID = "#EEEEEE"


def _layout(title: str, *, height: int = 420, **extra: object) -> dict:
    return {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "plot_bgcolor": "white",
        "hoverlabel": {"font": {"family": FONT}},
        "showlegend": False,
        "separators": ".,",
        **extra,
    }


def _value_axis(values: list[float], unit: str, kind: Kind | None) -> dict:
    """Ticks in 万/亿 from the one formatter (etl.cn_format), never plotly's 200,000 or 140M."""
    shown = [v for v in values if v == v] or [0.0]  # NaN (未填报) takes no part in the range
    axis = value_axis(min(shown), max(shown), unit, kind)
    return {
        "title": {"text": axis.title},
        "gridcolor": GRID,
        "tickmode": "array",
        "tickvals": axis.tickvals,
        "ticktext": axis.ticktext,
        "range": list(axis.range),
        "zeroline": False,
    }


def _hover(values: list[float], unit: str, kind: Kind | None) -> list[str]:
    return [cn_quantity(v, unit, kind) for v in values]


def _average_line(average: float, unit: str, kind: Kind | None) -> dict:
    """A dashed horizontal line with its label, as layout shapes (add_hline is slow)."""
    return {
        "shapes": [
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": average, "y1": average,
             "line": {"dash": "dash", "color": "#555555", "width": 1.5}}
        ],
        "annotations": [
            {"xref": "paper", "x": 1, "xanchor": "right", "y": average, "yanchor": "bottom",
             "text": f"全省平均 {cn_quantity(average, unit, kind)}", "showarrow": False}
        ],
    }  # fmt: skip


def bar_by_city(
    frame: pd.DataFrame, *, title: str, unit: str, average: float | None = None, kind: Kind | None = None
) -> go.Figure:
    """Reporting 市州 sorted high → low; unreported ones are left out (never drawn as 0) and named by the caller."""
    kind = kind or kind_of(unit)
    rows = frame.dropna(subset=["value"]).sort_values("value", ascending=False)
    values = rows["value"].tolist()
    bar = go.Bar(
        x=rows["region_name"].tolist(),
        y=values,
        marker_color=[CITY_COLORS.get(c, ACCENT) for c in rows["region_code"]],
        customdata=_hover(values, unit, kind),
        hovertemplate="%{x}：%{customdata}<extra></extra>",
    )
    extra = _average_line(average, unit, kind) if average is not None else {}
    axis = _value_axis(values, unit, kind)
    return go.Figure(data=[bar], layout=_layout(title, yaxis=axis, xaxis={"showgrid": False}, **extra))


def year_bar(frame: pd.DataFrame, *, year: int, name: str, unit: str, kind: Kind | None = None) -> go.Figure | None:
    """A domain page's bar of one year, which the briefing embeds too: 市州 high → low, the dashed average of
    the reporting 市州; None when none reported."""
    reported = frame["value"].dropna()
    if reported.empty:
        return None
    title = f"{year}年{name}（按市州，从高到低）"
    return bar_by_city(frame, title=title, unit=unit, average=float(reported.mean()), kind=kind)


def lines_by_year(frame: pd.DataFrame, *, title: str, unit: str, kind: Kind | None = None) -> go.Figure:
    """One line per 市州 over the years; a missing year is a gap, not a drop to 0."""
    names = catalog.region_by_code()
    groups = dict(tuple(frame.sort_values("year").groupby("region_code", sort=False)))
    traces = []
    for code in (c.code for c in catalog.cities() if c.code in groups):
        rows = groups[code]
        values = rows["value"].tolist()
        traces.append(
            go.Scatter(
                x=rows["year"].tolist(),
                y=values,
                name=names[code].name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": CITY_COLORS.get(code, ACCENT), "width": 2},
                customdata=_hover(values, unit, kind),
                hovertemplate=f"{names[code].name} %{{x}}年：%{{customdata}}<extra></extra>",
            )
        )
    layout = _layout(
        title,
        showlegend=True,
        legend={"orientation": "h", "y": -0.15},
        yaxis=_value_axis(frame["value"].tolist(), unit, kind),
        xaxis={"showgrid": False, "dtick": 1, "tickformat": "d", "ticksuffix": "年"},
    )
    return go.Figure(data=traces, layout=layout)


def ranking_bar(frame: pd.DataFrame, *, title: str, unit: str, kind: Kind | None = None) -> go.Figure:
    """Horizontal ranking, largest on top, for the overview."""
    rows = frame.dropna(subset=["value"]).sort_values("value")
    values = rows["value"].tolist()
    bar = go.Bar(
        y=rows["region_name"].tolist(),
        x=values,
        orientation="h",
        marker_color=[CITY_COLORS.get(c, ACCENT) for c in rows["region_code"]],
        customdata=_hover(values, unit, kind),
        hovertemplate="%{y}：%{customdata}<extra></extra>",
    )
    return go.Figure(data=[bar], layout=_layout(title, height=460, xaxis=_value_axis(values, unit, kind)))


def share_bar(values: dict[str, float], *, title: str) -> go.Figure:
    """Share of the province total (%) of one 市州 per indicator, for the city profile."""
    bar = go.Bar(
        y=list(values),
        x=list(values.values()),
        orientation="h",
        marker_color=ACCENT,
        customdata=[cn_quantity(v, "%") for v in values.values()],
        hovertemplate="%{y}：占全省 %{customdata}<extra></extra>",
    )
    axis = _value_axis(list(values.values()), "%", None) | {"title": {"text": "占全省比重（%）"}}
    height = max(300, 28 * len(values) + 80)
    return go.Figure(data=[bar], layout=_layout(title, height=height, xaxis=axis, yaxis={"autorange": "reversed"}))
