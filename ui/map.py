"""Choropleths over the committed boundaries in data/geo: the 14 市州, or the 县市区 of one 市州 (today's
boundaries, by today's code). Pure plotly, no tiles, works offline."""

from __future__ import annotations

import functools
import json
import math

import plotly.graph_objects as go

from etl import catalog
from etl.cn_format import cn_quantity, tick_labels
from etl.config import PROJECT_ROOT

GEO_DIR = PROJECT_ROOT / "data" / "geo"
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
MISSING = "#D9D9D9"
# Pale pink up to the federation red #C8102E and one shade past it, so the top city still stands out.
REDS = [[0.0, "#FDECEE"], [0.35, "#F2A2AE"], [0.7, "#C8102E"], [1.0, "#7A0A1C"]]
BORDER = {"color": "white", "width": 1}


CITIES, COUNTIES = "hunan_cities", "hunan_counties"  # the layers: file names in data/geo


@functools.cache
def load_geojson(layer: str) -> dict:
    """One layer (feature id = 6-digit code), built by scripts/build_geo.py; shared: do not modify."""
    with (GEO_DIR / f"{layer}.geojson").open(encoding="utf-8") as f:
        return json.load(f)


def load_cities_geojson() -> dict:
    return load_geojson(CITIES)


def _subset(codes: list[str], layer: str = CITIES) -> dict:
    """Only the features a trace draws: the geojson is embedded in every trace, so none is sent twice."""
    wanted = set(codes)
    features = [f for f in load_geojson(layer)["features"] if f["id"] in wanted]
    return {"type": "FeatureCollection", "features": features}


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """(area, x, y) of a ring by the shoelace formula; good enough at one province's scale."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area, cx, cy = area + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    return area / 2, cx / (3 * area), cy / (3 * area)


@functools.cache
def label_points(layer: str = CITIES) -> dict[str, tuple[float, float]]:
    """Where each region's name goes: the centroid of its largest polygon (enclaves and islets ignored)."""
    points = {}
    for feature in load_geojson(layer)["features"]:
        exteriors = [_ring_centroid(polygon[0]) for polygon in feature["geometry"]["coordinates"]]
        _, x, y = max(exteriors, key=lambda c: abs(c[0]))
        points[feature["id"]] = (x, y)
    return points


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round ticks (1, 2 or 5 × 10^k apart) inside [low, high], for a colour bar in 万/亿."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def _value_trace(codes: list[str], values: list[float], hover: list[str], unit: str, layer: str) -> go.Choropleth:
    ticks = _nice_ticks(min(values), max(values))
    labels, title = tick_labels(ticks, unit)
    return go.Choropleth(
        geojson=_subset(codes, layer),
        featureidkey="id",
        locations=codes,
        z=values,
        zmin=min(values),
        zmax=max(values),
        colorscale=REDS,
        marker_line=BORDER,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        colorbar={
            "title": {"text": title, "side": "top", "font": {"size": 12}},
            "tickvals": ticks,
            "ticktext": labels,
            "thickness": 12,
            "len": 0.6,
            "x": 0.98,
            "outlinewidth": 0,
        },
        name="",
    )


def _missing_trace(codes: list[str], hover: list[str], layer: str) -> go.Choropleth:
    """Unreported regions stay on the map in grey (a NaN z would make plotly leave them out)."""
    return go.Choropleth(
        geojson=_subset(codes, layer),
        featureidkey="id",
        locations=codes,
        z=[0] * len(codes),
        colorscale=[[0, MISSING], [1, MISSING]],
        showscale=False,
        marker_line=BORDER,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        name="",
    )


def _dark_fills(values: dict[str, float]) -> set[str]:
    """Cities whose fill is in the deep half of the scale, where a dark label would not read."""
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    return {c for c, v in values.items() if high > low and (v - low) / (high - low) >= 0.5}


def _label_trace(dark: set[str], short: dict[str, str], layer: str, size: int = 11) -> go.Scattergeo:
    points = {c: p for c, p in label_points(layer).items() if c in short}
    return go.Scattergeo(
        lon=[points[c][0] for c in points],
        lat=[points[c][1] for c in points],
        text=[short.get(c, c) for c in points],
        mode="text",
        textfont={"size": size, "color": ["white" if c in dark else "#333333" for c in points]},
        hoverinfo="skip",
        showlegend=False,
    )


def city_choropleth(  # noqa: PLR0913
    values: dict[str, float | None],
    *,
    title: str,
    unit: str,
    names: dict[str, str],
    pending: frozenset[str] = frozenset(),
    unselected: frozenset[str] = frozenset(),
) -> go.Figure:
    """One colour per 市州 by value (hover 株洲市<br>{title}：7.57万个); unreported ones grey (未填报), and so are
    the 市州 left out of the sidebar's selection (未选). A 待审核 figure says so on hover."""
    short = {c.code: c.short_name for c in catalog.cities()}
    features = load_cities_geojson()["features"]
    return _choropleth(values, features, short, CITIES, title=title, unit=unit, names=names, pending=pending,
                       unselected=unselected)  # fmt: skip


def county_choropleth(  # noqa: PLR0913
    values: dict[str, float | None],
    *,
    city_code: str,
    title: str,
    unit: str,
    names: dict[str, str],
    pending: frozenset[str] = frozenset(),
) -> go.Figure:
    """The 县市区 of one 市州, one colour each by value (`values` by today's code, so a 2016 figure of 宁乡县
    colours 宁乡市); unreported ones grey (未填报)."""
    features = [f for f in load_geojson(COUNTIES)["features"] if f["properties"]["parent_code"] == city_code]
    short = {f["id"]: f["properties"]["name"] for f in features}
    return _choropleth(values, features, short, COUNTIES, title=title, unit=unit, names=names, pending=pending,
                       label_size=10)  # fmt: skip


def _choropleth(  # noqa: PLR0913
    values: dict[str, float | None], features: list[dict], short: dict[str, str], layer: str, *, title: str,
    unit: str, names: dict[str, str], pending: frozenset[str], unselected: frozenset[str] = frozenset(),
    label_size: int = 11,
) -> go.Figure:  # fmt: skip
    codes = [f["id"] for f in features]
    label = {f["id"]: names.get(f["id"], f["properties"]["name"]) for f in features}
    filled = [c for c in codes if c not in unselected and not _is_missing(values.get(c))]
    missing = [c for c in codes if c not in filled]
    z = [float(values[c]) for c in filled]  # type: ignore[arg-type]
    # Labels go first: plotly.js asks for its world topojson from a CDN when the first geo trace has a
    # locationmode (a choropleth always has), and offline that fetch fails and blanks the whole map. A
    # text trace at lon/lat has none; it is still drawn above the choropleths (their layer is lower).
    fig = go.Figure(_label_trace(_dark_fills(dict(zip(filled, z, strict=True))), short, layer, label_size))
    if filled:
        hover = [
            f"{label[c]}<br>{title}：{cn_quantity(v, unit)}" + ("（待审核）" if c in pending else "")
            for c, v in zip(filled, z, strict=True)
        ]
        fig.add_trace(_value_trace(filled, z, hover, unit, layer))
    if missing:
        hover = [f"{label[c]}<br>{'未选' if c in unselected else '未填报'}" for c in missing]
        fig.add_trace(_missing_trace(missing, hover, layer))
    fig.update_geos(visible=False, fitbounds="locations", projection_type="mercator", bgcolor="rgba(0,0,0,0)")
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=480,
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        hoverlabel={"font": {"family": FONT}},
        showlegend=False,
    )
    return fig
