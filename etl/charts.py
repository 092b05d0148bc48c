"""Plotly figures in one house style (Chinese labels, axes and hovers in 万/亿 from etl.cn_format, one colour per
市州); pure plotly, no Streamlit, so the pages and the briefing (page and `python -m etl briefing`) draw the
same figure with the same builder.

Figures still 待审核 (a `pending` column in the frame) are drawn hatched (bars) or as open diamonds (lines), and
say so on hover.

Figures are built in one shot (traces + a layout dict): plotly's update_*/add_hline helpers cost
several ms each, which a page rerun cannot afford (PERFORMANCE.md budget 7).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl import catalog
from etl.cn_format import PERCENT, Kind, cn_quantity, kind_of, value_axis

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
ACCENT = "#C8102E"
# One fixed colour per 市州, by official order, so a city looks the same on every chart.
PALETTE = [
    "#C8102E", "#1F77B4", "#2CA02C", "#FF7F0E", "#9467BD", "#8C564B", "#E377C2",
    "#17BECF", "#BCBD22", "#7F7F7F", "#AEC7E8", "#FF9896", "#98DF8A", "#C5B0D5",
]  # fmt: skip
CITY_COLORS = {city.code: PALETTE[i % len(PALETTE)] for i, city in enumerate(catalog.cities())}
GRID = "#EEEEEE"
PENDING_MARK = "（待审核）"


def _pending(frame: pd.DataFrame) -> list[bool]:
    return [bool(p) for p in frame["pending"]] if "pending" in frame else [False] * len(frame)


def _bar_marker(codes: list[str], pending: list[bool]) -> dict:
    """One colour per 市州; a pending figure hatched, so it never passes for a reviewed one."""
    marker = {"color": [CITY_COLORS.get(c, ACCENT) for c in codes]}
    if any(pending):
        marker["pattern"] = {"shape": ["/" if p else "" for p in pending], "fgcolor": "white", "solidity": 0.5}
    return marker


def _hover_values(values: list, unit: str, pending: list[bool], kind: Kind | None) -> list[str]:
    return [cn_quantity(v, unit, kind) + (PENDING_MARK if p else "") for v, p in zip(values, pending, strict=True)]


def frozen(figure: go.Figure) -> dict:
    """What a cache keeps of a figure: unpickling a go.Figure validates it all again (20–30 ms a chart, measured
    in bench/bench_pages.py), while a dict unpickles at once."""
    return figure.to_dict()


def thawed(spec: dict | None) -> go.Figure | None:
    """The figure of a cached spec, for st.plotly_chart: it was validated when built, so it is not again (< 1 ms)."""
    return None if spec is None else go.Figure(spec, _validate=False)


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


def _value_axis(values: list[float], unit: str, kind: Kind | None, *, reach: float | None = None) -> dict:
    """Ticks in 万/亿 from the one formatter (etl.cn_format), never plotly's 200,000 or 140M. `reach` (the
    province's line) is kept inside the range too."""
    shown = [v for v in [*values, reach] if v is not None and v == v] or [0.0]  # NaN (未填报) takes no part
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


def _average_line(average: float, unit: str, label: str, kind: Kind | None) -> dict:
    """A dashed horizontal line with its label, as layout shapes (add_hline is slow)."""
    return {
        "shapes": [
            {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": average, "y1": average,
             "line": {"dash": "dash", "color": "#555555", "width": 1.5}}
        ],
        "annotations": [
            {"xref": "paper", "x": 1, "xanchor": "right", "y": average, "yanchor": "bottom",
             "text": f"{label} {cn_quantity(average, unit, kind)}", "showarrow": False}
        ],
    }  # fmt: skip


def bar_by_city(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    average: float | None = None,
    average_label: str = "全省平均",
    kind: Kind | None = None,
) -> go.Figure:
    """Reporting 市州 sorted high → low; unreported ones are left out (never drawn as 0) and named by the caller.
    The dashed line is the province's figure (`average`), whatever 市州 the frame holds."""
    kind = kind or kind_of(unit)
    rows = frame.dropna(subset=["value"]).sort_values("value", ascending=False)
    values, pending = rows["value"].tolist(), _pending(rows)
    bar = go.Bar(
        x=rows["region_name"].tolist(),
        y=values,
        marker=_bar_marker(rows["region_code"].tolist(), pending),
        customdata=_hover_values(values, unit, pending, kind),
        hovertemplate="%{x}：%{customdata}<extra></extra>",
    )
    line = average is not None and average == average
    # The province's average of counts is no count: one decimal (etl.cn_format's average kind).
    extra = _average_line(average, unit, average_label, kind_of(unit, derived=True)) if line else {}
    axis = _value_axis(values, unit, kind, reach=average if line else None)
    return go.Figure(data=[bar], layout=_layout(title, yaxis=axis, xaxis={"showgrid": False}, **extra))


def year_bar(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    year: int,
    name: str,
    unit: str,
    kind: Kind | None = None,
    average: float | None = None,
    average_label: str = "全省平均",
    scope: str = "按市州",
) -> go.Figure | None:
    """A domain page's bar of one year, which the Word briefing embeds too: 市州 high → low with the province's
    line (from the marts, never the mean of the bars); None when none of the 市州 reported."""
    if frame["value"].dropna().empty:
        return None
    title = f"{year}年{name}（{scope}，从高到低）"
    return bar_by_city(frame, title=title, unit=unit, average=average, average_label=average_label, kind=kind)


def lines_by_year(frame: pd.DataFrame, *, title: str, unit: str, kind: Kind | None = None) -> go.Figure:
    """One line per 市州 over the years; a missing year is a gap, not a drop to 0."""
    names = catalog.region_by_code()
    groups = dict(tuple(frame.sort_values("year").groupby("region_code", sort=False)))
    traces = []
    for code in (c.code for c in catalog.cities() if c.code in groups):
        rows = groups[code]
        values, pending = rows["value"].tolist(), _pending(rows)
        marker = {
            "symbol": ["diamond-open" if p else "circle" for p in pending],
            "size": [11 if p else 6 for p in pending],
        }
        traces.append(
            go.Scatter(
                x=rows["year"].tolist(),
                y=values,
                name=names[code].name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": CITY_COLORS.get(code, ACCENT), "width": 2},
                marker=marker,
                customdata=_hover_values(values, unit, pending, kind),
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
    values, pending = rows["value"].tolist(), _pending(rows)
    bar = go.Bar(
        y=rows["region_name"].tolist(),
        x=values,
        orientation="h",
        marker=_bar_marker(rows["region_code"].tolist(), pending),
        customdata=_hover_values(values, unit, pending, kind),
        hovertemplate="%{y}：%{customdata}<extra></extra>",
    )
    return go.Figure(data=[bar], layout=_layout(title, height=460, xaxis=_value_axis(values, unit, kind)))


def share_bar(values: dict[str, float], *, title: str, pending: frozenset[str] = frozenset()) -> go.Figure:
    """Share of the province total (%) of one 市州 per indicator, for the city profile; pending ones hatched."""
    marker = {"color": ACCENT}
    if pending:
        marker["pattern"] = {"shape": ["/" if k in pending else "" for k in values], "fgcolor": "white"}
    bar = go.Bar(
        y=list(values),
        x=list(values.values()),
        orientation="h",
        marker=marker,
        customdata=[cn_quantity(v, "%", PERCENT) + (PENDING_MARK if k in pending else "") for k, v in values.items()],
        hovertemplate="%{y}：占全省 %{customdata}<extra></extra>",
    )
    axis = _value_axis(list(values.values()), "%", PERCENT) | {"title": {"text": "占全省比重（%）"}}
    height = max(300, 28 * len(values) + 80)
    return go.Figure(data=[bar], layout=_layout(title, height=height, xaxis=axis, yaxis={"autorange": "reversed"}))


def completion_bar(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """完成率 (`completion_pct`, from mart_targets) by 市州 or 县市区, highest first, with the target at 100%: a
    region that met it in the federation red, one that did not in grey. Regions not reported are left out."""
    rows = frame.dropna(subset=["completion_pct"]).sort_values("completion_pct", ascending=False)
    values, pending = rows["completion_pct"].astype(float).tolist(), _pending(rows)
    marker = {"color": [ACCENT if met else "#A6A6A6" for met in rows["met"].astype(bool)]}
    if any(pending):
        marker["pattern"] = {"shape": ["/" if p else "" for p in pending], "fgcolor": "white", "solidity": 0.5}
    bar = go.Bar(
        x=rows["region_name"].tolist(),
        y=values,
        marker=marker,
        customdata=[f"{v:.1f}%" + (PENDING_MARK if p else "") for v, p in zip(values, pending, strict=True)],
        hovertemplate="%{x}：完成率 %{customdata}<extra></extra>",
    )
    axis = _value_axis(values, "%", kind_of("%"), reach=100.0)
    line = _average_line(100.0, "%", "任务数", kind_of("%"))
    line["annotations"][0]["text"] = "任务数（100%）"
    return go.Figure(data=[bar], layout=_layout(title, yaxis=axis, xaxis={"showgrid": False}, **line))
