"""Plotly figures in one house style, read in five seconds: bars in one colour with the chosen 市州 accented,
the province's line labelled with how many 市州 it stands on, 未填报 shown as a slot (never a 0 bar, never left
out), trends as the chosen 市州 against grey others or as small multiples. Chinese labels, axes and hovers in
万/亿 from etl.cn_format. Pure plotly, no Streamlit: the pages, the Word briefing and the PDF reports draw the
same figure with the same builder.

Figures still 待审核 (a `pending` column in the frame) are drawn hatched (bars) or as open diamonds (lines), and
say so on hover. Titles sit left with a subtitle and legends are replaced by labels at the data, so nothing runs
under Streamlit's toolbar (top right) or over an axis, at 1440 px as at a phone's 390 px.

Figures are built in one shot (traces + a layout dict): plotly's update_*/add_hline/make_subplots helpers cost
several ms each, which a page rerun cannot afford (PERFORMANCE.md budget 7).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from etl import catalog
from etl.cn_format import MISSING, PERCENT, Kind, cn_number, cn_quantity, kind_of, value_axis

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BAR = "#5B7A99"  # the one colour of every 市州
ACCENT = "#C8102E"  # the federation's red: the chosen 市州
OTHER = "#CDD3DA"  # the other 市州 behind a highlighted trend
AVERAGE = "#333333"  # the province's line
MUTED = "#8C8C8C"  # 未填报 slots, panel titles
GRID = "#EEEEEE"
# The chosen 市州 of a trend, each its own colour (the first is the accent): at most this many are highlighted;
# more are drawn as small multiples.
HIGHLIGHTS = (ACCENT, "#1F5FA8", "#E08A00", "#2E8B57")
PENDING_MARK = "（待审核）"
ROW = 26  # px a 市州 takes in a horizontal bar chart


def _pending(frame: pd.DataFrame) -> list[bool]:
    return [bool(p) for p in frame["pending"].fillna(False)] if "pending" in frame else [False] * len(frame)


def _hover_values(values: list, unit: str, pending: list[bool], kind: Kind | None) -> list[str]:
    return [cn_quantity(v, unit, kind) + (PENDING_MARK if p else "") for v, p in zip(values, pending, strict=True)]


def frozen(figure: go.Figure) -> dict:
    """What a cache keeps of a figure: unpickling a go.Figure validates it all again (20–30 ms a chart, measured
    in bench/bench_pages.py), while a dict unpickles at once."""
    return figure.to_dict()


def thawed(spec: dict | None) -> go.Figure | None:
    """The figure of a cached spec, for st.plotly_chart: it was validated when built, so it is not again (< 1 ms)."""
    return None if spec is None else go.Figure(spec, _validate=False)


def short_name(name: str) -> str:
    """A 市州 as an axis or a line label names it: 湘西土家族苗族自治州 → 湘西州; the others as they are."""
    if len(name) <= 5:
        return name
    city = next((c for c in catalog.cities() if c.name == name), None)
    if city is None:
        return name
    return city.short_name + ("州" if name.endswith("州") else "")


def _layout(title: str, subtitle: str = "", *, height: int = 420, top: int = 64, **extra: object) -> dict:
    """The house layout. Its own small template replaces plotly's default one, which would add 3.6 KB of
    unused styling to every figure's JSON; axis and annotation defaults shared by many go in it too."""
    shared = extra.pop("template", {})
    lines = extra.pop("lines", None)  # the style every line trace shares (etl.charts._line_defaults)
    # Margins grow to fit the axes' labels (plotly's default template did that; Streamlit's theme does on a page,
    # but not kaleido drawing the briefing's or a PDF's image).
    axes = {name: {"automargin": True} | shared.pop(name, {}) for name in ("xaxis", "yaxis")}
    return {
        "template": {"layout": {"font": {"family": FONT, "size": 12}, "hoverlabel": {"font": {"family": FONT}},
                                "plot_bgcolor": "white", "paper_bgcolor": "white", "separators": ".,", **axes,
                                **shared}} | ({"data": {"scatter": [lines]}} if lines else {}),
        "title": {
            "text": title, "subtitle": {"text": subtitle, "font": {"size": 12, "color": MUTED}},
            "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top", "yref": "container",
            "pad": {"t": 8, "l": 4}, "font": {"size": 15},
        },
        "height": height,
        "margin": {"l": 8, "r": 12, "t": top, "b": 8},
        "showlegend": False,
        **extra,
    }  # fmt: skip


def _value_axis(values: list[float], unit: str, kind: Kind | None, *, reach: float | None = None, count: int = 5):
    """Ticks in 万/亿 from the one formatter (etl.cn_format), never plotly's 200,000 or 140M. `reach` (the
    province's line) is kept inside the range too."""
    shown = [v for v in [*values, reach] if v is not None and v == v] or [0.0]  # NaN (未填报) takes no part
    axis = value_axis(min(shown), max(shown), unit, kind, count)
    return {
        "title": {"text": axis.title, "font": {"size": 11, "color": MUTED}},
        "gridcolor": GRID,
        "tickmode": "array",
        "tickvals": axis.tickvals,
        "ticktext": axis.ticktext,
        "range": list(axis.range),
        "zeroline": False,
        "fixedrange": True,
    }


def _bar_colors(codes: list[str], chosen: Collection[str]) -> list[str] | str:
    """One colour; the chosen 市州 in the accent, unless every drawn 市州 is chosen (nothing stands out then)."""
    accent = set(chosen) & set(codes)
    if not accent or accent == set(codes):
        return BAR
    return [ACCENT if c in accent else BAR for c in codes]


def _bar_marker(codes: list[str], pending: list[bool], chosen: Collection[str]) -> dict:
    """A pending figure hatched, so it never passes for a reviewed one (white stripes read on either colour)."""
    marker = {"color": _bar_colors(codes, chosen)}
    if any(pending):
        marker["pattern"] = {"shape": ["/" if p else "" for p in pending], "fgcolor": "white", "solidity": 0.45}
    return marker


def _average_line(average: float, text: str, axis: dict) -> dict:
    """The province's line across the bars (vertical: bars are horizontal), labelled above the plot on the side
    with room, as layout shapes (add_vline is slow)."""
    low, high = axis["range"]
    right = high > low and (average - low) / (high - low) > 0.5
    return {
        "shapes": [
            {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": average, "x1": average,
             "line": {"dash": "dash", "color": AVERAGE, "width": 1.5}}
        ],
        "annotations": [
            {"yref": "paper", "y": 1, "yanchor": "bottom", "x": average, "xanchor": "right" if right else "left",
             "text": text, "showarrow": False, "align": "right" if right else "left", "font": {"size": 11}}
        ],
    }  # fmt: skip


def average_text(label: str, average: float, unit: str, reported: int | None) -> str:
    """全省平均（已报 12 个市州）<br>1523.0个: the line's label, in the average's style (one decimal for counts)."""
    scope = f"（已报 {int(reported)} 个市州）" if reported else ""
    return f"{label}{scope}<br>{cn_quantity(average, unit, kind_of(unit, derived=True))}"


def bar_by_city(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    subtitle: str = "从高到低",
    average: float | None = None,
    average_label: str = "全省平均",
    reported: int | None = None,
    kind: Kind | None = None,
    chosen: Collection[str] = (),
) -> go.Figure:
    """Horizontal bars of the frame's 市州 (region_code, region_name, value, pending), high → low from the top;
    a 市州 without a figure keeps its row, marked 未填报, at the bottom (never a 0 bar, never left out). The
    dashed line is the province's figure (`average`, from the marts), whatever 市州 the frame holds."""
    kind = kind or kind_of(unit)
    rows = frame.dropna(subset=["value"]).sort_values("value", ascending=False, kind="stable")
    missing = frame.loc[frame["value"].isna(), "region_name"].tolist()
    values, pending = rows["value"].tolist(), _pending(rows)
    names = rows["region_name"].tolist()
    bar = go.Bar(
        x=values,
        y=names,
        orientation="h",
        marker=_bar_marker(rows["region_code"].tolist(), pending, chosen),
        text=[cn_number(v, kind) for v in values],
        textposition="outside",
        cliponaxis=False,
        textfont={"size": 11},
        customdata=_hover_values(values, unit, pending, kind),
        hovertemplate="%{y}：%{customdata}<extra></extra>",
    )
    line = average is not None and average == average
    axis = _value_axis(values, unit, kind, reach=average if line else None)
    # Room past the longest bar for its figure ("12.46万"), so no label is cut by the frame.
    low, high = axis["range"]
    axis["range"] = [low, high + (high - low) * 0.12]
    traces = [bar]
    if missing:
        traces.append(
            go.Scatter(
                x=[low + (high - low) * 0.01] * len(missing), y=missing, mode="text", text=[MISSING] * len(missing),
                textposition="middle right", textfont={"color": MUTED, "size": 11},
                hovertemplate=f"%{{y}}：{MISSING}<extra></extra>",
            )
        )  # fmt: skip
    order = names + missing
    y_axis = {
        "type": "category", "categoryorder": "array", "categoryarray": order, "autorange": "reversed",
        "tickmode": "array", "tickvals": order, "ticktext": [short_name(n) for n in order], "fixedrange": True,
    }  # fmt: skip
    extra = _average_line(average, average_text(average_label, average, unit, reported), axis) if line else {}
    height = ROW * len(order) + (118 if line else 90)
    layout = _layout(title, subtitle, height=height, top=96 if line else 64, xaxis=axis, yaxis=y_axis, **extra)
    layout["bargap"] = 0.3
    return go.Figure(data=traces, layout=layout)


def year_bar(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    year: int,
    name: str,
    unit: str,
    kind: Kind | None = None,
    average: float | None = None,
    average_label: str = "全省平均",
    reported: int | None = None,
    chosen: Collection[str] = (),
) -> go.Figure | None:
    """A 类别 page's bar of one year, which the Word briefing and the PDF embed too: every 市州 high → low (未填报
    ones kept, at the bottom) with the province's line (from the marts, never the mean of the bars); None when
    none of them reported."""
    if frame["value"].dropna().empty:
        return None
    return bar_by_city(
        frame, title=f"{year}年{name}", subtitle=accent_note(frame, chosen, "各市州从高到低"), unit=unit,
        average=average, average_label=average_label, reported=reported, kind=kind, chosen=chosen,
    )  # fmt: skip


def accent_note(frame: pd.DataFrame, chosen: Collection[str], text: str) -> str:
    """The subtitle of bars, saying what the red is when some (not all) of the drawn 市州 are chosen."""
    drawn = set(frame["region_code"])
    return text + ("；红色为所选市州" if set(chosen) & drawn and not drawn <= set(chosen) else "")


def ranking_bar(
    frame: pd.DataFrame, *, title: str, unit: str, kind: Kind | None = None, chosen: Collection[str] = ()
) -> go.Figure:
    """The overview's ranking: the same bars as the 类别 pages, without the province's line."""
    subtitle = accent_note(frame, chosen, "从高到低")
    return bar_by_city(frame, title=title, subtitle=subtitle, unit=unit, kind=kind, chosen=chosen)


# ---------------------------------------------------------------- trends


def _year_axis(**extra: object) -> dict:
    return {"showgrid": False, "tickformat": "d", "fixedrange": True, **extra}


# A trend's traces share one year range (x0, dx in the template: no x array per line) and their common style
# sits in the figure's template once; a line carries its name, values, hovers and, where some are 待审核, its
# markers. 14 市州 × 20 years stay under 20 KiB of JSON (bench/bench_pdf.py).
LINE_HOVER = "%{fullData.name} %{x}年：%{customdata}<extra></extra>"
OPEN_DIAMOND, CIRCLE = 102, 0  # plotly's symbol numbers: "diamond-open", "circle"


def _compact(value: float | None) -> float | int | None:
    """A value as the JSON needs it to place a point: 4 significant digits (a ten-thousandth of the axis is
    below a pixel; the hover shows the exact figure), whole numbers without ".0"."""
    if value is None or value != value:
        return None
    placed = float(f"{value:.4g}")
    return int(placed) if placed.is_integer() and abs(placed) < 1e15 else placed


def _line_defaults(first_year: int, color: str, width: float, size: float) -> dict:
    return {
        "mode": "lines+markers", "connectgaps": False, "hovertemplate": LINE_HOVER,
        "x0": first_year, "dx": 1, "line": {"color": color, "width": width}, "marker": {"color": color, "size": size},
    }  # fmt: skip


def _line(rows: pd.DataFrame, name: str, t: Trend, **style: object) -> go.Scatter:
    """One 市州's line over the trend's years: a missing year is a gap, not a drop to 0; a pending figure an
    open diamond, twice the size of its line's dots."""
    values, pending = rows["value"].tolist(), _pending(rows)
    by_year = dict(zip(rows["year"].astype(int), zip(values, pending, strict=True), strict=True))
    cells = [by_year.get(y, (None, False)) for y in t.years]
    hovers = _hover_values([v for v, _ in cells if v is not None], t.unit, [p for v, p in cells if v is not None],
                           t.kind)  # fmt: skip
    hover = iter(hovers)
    marker = style.pop("marker", {})
    if any(pending):
        size = marker.get("size", t.size)
        marker |= {"symbol": [OPEN_DIAMOND if p else CIRCLE for _, p in cells],
                   "size": [size * 2 if p else size for _, p in cells]}  # fmt: skip
    return go.Scatter(
        y=[_compact(v) for v, _ in cells],
        name=name,
        customdata=[None if v is None else next(hover) for v, _ in cells],
        **({"marker": marker} if marker else {}),
        **style,
    )


def _province_line(t: Trend, **axes: str) -> go.Scatter:
    """The province's figure each year, dashed (its hover is the page's text)."""
    return go.Scatter(
        name=t.province_label,
        y=[_compact(t.province.get(y)) for y in t.years],
        mode="lines",
        line={"color": AVERAGE, "width": 1.2, "dash": "dash"},
        hoverinfo="skip",
        **axes,
    )


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return dict(tuple(frame.sort_values("year").groupby("region_code", sort=False)))


def _end_label(year: int, value: float, text: str, color: str, size: int = 12) -> dict:
    return {
        "x": year, "y": value, "xanchor": "left", "yanchor": "middle", "xshift": 6, "text": text,
        "showarrow": False, "font": {"color": color, "size": size},
    }  # fmt: skip


def trend(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    kind: Kind | None = None,
    chosen: Collection[str] = (),
    province: Mapping[int, float] | None = None,
    province_label: str = "全省平均",
) -> go.Figure | None:
    """A measure over the years (frame: region_code, year, value, pending of every 市州 there is).

    Up to four chosen 市州 (of fewer than all) are drawn in colour, named at their line's end, against the others
    in grey; more are drawn as small multiples, a panel per 市州 in official order on one scale. The province's
    figure of each year (`province`, from the marts) is the dashed line. None when the chosen 市州 have no figure.
    """
    groups = _groups(frame.dropna(subset=["value"]))
    codes = [c.code for c in catalog.cities() if c.code in groups]
    picked = [c for c in codes if c in set(chosen)]
    if not picked:
        return None
    known = {int(y): float(v) for y, v in (province or {}).items() if v is not None and v == v}
    highlighted = len(picked) <= len(HIGHLIGHTS) and len(picked) < len(codes)
    shown = {int(y) for c in (codes if highlighted else picked) for y in groups[c]["year"]} | set(known)
    years = range(min(shown), max(shown) + 1)
    if highlighted:
        return _highlighted(groups, codes, picked, Trend(title, unit, kind, known, province_label, years, 3))
    return _small_multiples(groups, picked, Trend(title, unit, kind, known, province_label, years, 4))


@dataclass(frozen=True)
class Trend:
    title: str
    unit: str
    kind: Kind | None
    province: dict[int, float]
    province_label: str
    years: range  # every line is drawn over these years (x0 = the first, one a step)
    size: int  # the dots of a plain line (the template's)


def _highlighted(groups: dict, codes: list[str], picked: list[str], t: Trend) -> go.Figure:
    names = catalog.region_by_code()
    traces, labels = [], []
    for code in (c for c in codes if c not in picked):  # drawn first: underneath
        traces.append(_line(groups[code], names[code].name, t))  # the template's grey
    if t.province:
        traces.append(_province_line(t))
        last = max(t.province)
        labels.append(_end_label(last, t.province[last], t.province_label, AVERAGE, 11) | {"yanchor": "top"})
    for code, color in zip(picked, HIGHLIGHTS, strict=False):
        rows = groups[code]
        traces.append(_line(rows, names[code].name, t, line={"color": color, "width": 2.5},
                            marker={"color": color, "size": 6}))  # fmt: skip
        end = rows.iloc[-1]
        labels.append(_end_label(int(end["year"]), float(end["value"]), short_name(names[code].name), color))
    values = [v for trace in traces for v in trace.y if v is not None and v == v]
    subtitle = "彩色为所选市州，灰色为其他市州" + (f"，虚线为{t.province_label}" if t.province else "")
    layout = _layout(
        t.title, subtitle, height=400, yaxis=_value_axis(values, t.unit, t.kind), annotations=labels,
        xaxis=_year_axis(), margin={"l": 8, "r": 64, "t": 64, "b": 8},
        lines=_line_defaults(t.years[0], OTHER, 1, t.size),
    )  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def _grid(count: int, columns: int) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of each panel of a grid filled row by row."""
    rows = math.ceil(count / columns)
    gap_x, gap_y = 0.08, 0.2 / rows
    width, height = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    cells = []
    for i in range(count):
        row, column = divmod(i, columns)
        x0, y1 = column * (width + gap_x), 1 - row * (height + gap_y)
        cells.append(([round(x0, 6), min(1.0, round(x0 + width, 6))], [max(0.0, round(y1 - height, 6)), round(y1, 6)]))
    return cells


def _small_multiples(groups: dict, picked: list[str], t: Trend) -> go.Figure:
    """A 2-column grid of panels on one value axis and one year axis (their settings in the figure's template,
    once); only the outer panels carry tick labels."""
    names = catalog.region_by_code()
    columns = 2 if len(picked) > 1 else 1
    rows = math.ceil(len(picked) / columns)
    values = [v for c in picked for v in groups[c]["value"] if v == v] + list(t.province.values())
    years = t.years
    axis = _value_axis(values, t.unit, t.kind, count=2)
    shared = {
        "yaxis": axis | {"title": {"text": ""}},  # the unit goes in the subtitle: one title for 14 panels
        "xaxis": _year_axis(range=[years[0] - 0.5, years[-1] + 0.5], nticks=5),
        "annotationdefaults": {"x": 0.02, "y": 1, "xanchor": "left", "yanchor": "top", "showarrow": False},
    }
    traces, annotations, axes = [], [], {}
    for i, (code, (x_domain, y_domain)) in enumerate(zip(picked, _grid(len(picked), columns), strict=True)):
        n = "" if i == 0 else str(i + 1)
        bottom = i + columns >= len(picked)
        axes[f"xaxis{n}"] = {"domain": x_domain, "anchor": f"y{n}"} | ({} if bottom else {"showticklabels": False})
        axes[f"yaxis{n}"] = {"domain": y_domain, "anchor": f"x{n}"} | ({} if i % columns == 0 else
                                                                       {"showticklabels": False})  # fmt: skip
        if t.province:
            traces.append(_province_line(t, xaxis=f"x{n}", yaxis=f"y{n}"))
        traces.append(_line(groups[code], names[code].name, t, xaxis=f"x{n}", yaxis=f"y{n}"))  # the template's style
        annotations.append({"xref": f"x{n} domain", "yref": f"y{n} domain", "text": short_name(names[code].name)})
    subtitle = f"每格一个市州，纵轴相同（{axis['title']['text']}）"
    subtitle += f"；虚线为{t.province_label}" if t.province else ""
    layout = _layout(t.title, subtitle, height=rows * 118 + 96, top=72, annotations=annotations, template=shared,
                     lines=_line_defaults(years[0], BAR, 2, t.size), **axes)  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def share_bar(values: dict[str, float], *, title: str, pending: frozenset[str] = frozenset()) -> go.Figure:
    """Share of the province total (%) of one 市州 per indicator, for the city profile; pending ones hatched."""
    marker = {"color": ACCENT}
    if pending:
        marker["pattern"] = {"shape": ["/" if k in pending else "" for k in values], "fgcolor": "white"}
    shares = list(values.values())
    bar = go.Bar(
        y=list(values),
        x=shares,
        orientation="h",
        marker=marker,
        text=[cn_quantity(v, "%", PERCENT) for v in shares],
        textposition="outside",
        cliponaxis=False,
        textfont={"size": 11},
        customdata=[cn_quantity(v, "%", PERCENT) + (PENDING_MARK if k in pending else "") for k, v in values.items()],
        hovertemplate="%{y}：占全省 %{customdata}<extra></extra>",
    )
    axis = _value_axis(shares, "%", PERCENT) | {"title": {"text": "占全省比重（%）", "font": {"size": 11}}}
    low, high = axis["range"]
    axis["range"] = [low, high + (high - low) * 0.12]
    height = max(300, ROW * len(values) + 90)
    y_axis = {"autorange": "reversed", "fixedrange": True}
    return go.Figure(
        data=[bar], layout=_layout(title, "各指标占全省合计的比重", height=height, xaxis=axis, yaxis=y_axis)
    )


def completion_bar(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """完成率 (`completion_pct`, from mart_targets) by 市州 or 县市区, highest first, as horizontal bars with the
    target at 100%: a region that met it in the accent, one that did not in the house colour. Regions with no
    figure are left out (their row in the table says so)."""
    rows = frame.dropna(subset=["completion_pct"]).sort_values("completion_pct", ascending=False)
    values, pending = rows["completion_pct"].astype(float).tolist(), _pending(rows)
    marker = {"color": [ACCENT if met else BAR for met in rows["met"].astype(bool)]}
    if any(pending):
        marker["pattern"] = {"shape": ["/" if p else "" for p in pending], "fgcolor": "white", "solidity": 0.45}
    bar = go.Bar(
        y=rows["region_name"].tolist(),
        x=values,
        orientation="h",
        marker=marker,
        customdata=[f"{v:.1f}%" + (PENDING_MARK if p else "") for v, p in zip(values, pending, strict=True)],
        hovertemplate="%{y}：完成率 %{customdata}<extra></extra>",
    )
    axis = _value_axis(values, "%", kind_of("%"), reach=100.0)
    axis["title"] = {"text": "完成率（%）", "font": {"size": 11}}
    height = max(300, ROW * len(values) + 90)
    layout = _layout(title, "红色：已完成任务数", height=height, xaxis=axis, yaxis={"autorange": "reversed"})
    return go.Figure(data=[bar], layout=layout | _average_line(100.0, "任务数（100%）", axis))
