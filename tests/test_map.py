"""The committed Hunan boundaries (data/geo) and the 市州 choropleth built on them."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import plotly.graph_objects as go
import pytest

from etl.config import PROJECT_ROOT
from ui import map as hunan_map

GEO = PROJECT_ROOT / "data" / "geo"
CITIES_FILE = GEO / "hunan_cities.geojson"
COUNTIES_FILE = GEO / "hunan_counties.geojson"
LON, LAT = (108.7, 114.3), (24.6, 30.2)  # Hunan's bounding box, with a little room


def _official_cities() -> dict[str, str]:
    with (PROJECT_ROOT / "etl" / "reference" / "regions.csv").open(encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "city"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cities() -> dict:
    return _load(CITIES_FILE)


@pytest.fixture(scope="module")
def counties() -> dict:
    return _load(COUNTIES_FILE)


def _rings(collection: dict):
    for feature in collection["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for i, ring in enumerate(polygon):
                yield feature["id"], i == 0, ring


def _signed_area(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)) / 2


def _area(feature: dict) -> float:
    """Area in square degrees: exteriors are clockwise (negative), holes counter-clockwise (positive)."""
    return -sum(_signed_area(r) for p in feature["geometry"]["coordinates"] for r in p)


def _edges_used_once(collection: dict) -> set[tuple]:
    edges = Counter(
        tuple(sorted((tuple(a), tuple(b))))
        for _, _, ring in _rings(collection)
        for a, b in zip(ring, ring[1:], strict=False)
    )
    return {e for e, n in edges.items() if n == 1}


# ---- the files ----------------------------------------------------------------------------------


def test_cities_are_the_14_with_official_names(cities: dict) -> None:
    official = _official_cities()
    assert cities["type"] == "FeatureCollection"
    assert [f["id"] for f in cities["features"]] == sorted(official)
    for f in cities["features"]:
        assert f["properties"] == {"code": f["id"], "name": official[f["id"]]}
        assert f["geometry"]["type"] == "MultiPolygon"


def test_counties_are_122_under_the_14(counties: dict) -> None:
    official = _official_cities()
    features = counties["features"]
    assert len(features) == len({f["id"] for f in features}) == 122
    assert {f["properties"]["parent_code"] for f in features} == set(official)
    for f in features:
        props = f["properties"]
        assert props["code"] == f["id"] and len(f["id"]) == 6 and not f["id"].endswith("00")
        assert props["parent_code"] == f["id"][:4] + "00"
        assert props["name"].endswith(("区", "县", "市")), props


def test_counties_are_todays_with_their_codes(counties: dict) -> None:
    """Today's code and name of every 县市区 (祁阳市 is 431181, not 祁阳县's 431121): a row loads and draws alike."""
    with (PROJECT_ROOT / "etl" / "reference" / "regions.csv").open(encoding="utf-8") as f:
        today = {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "county" and not r["successor"]}
    assert {f["id"]: f["properties"]["name"] for f in counties["features"]} == today
    assert today["431181"] == "祁阳市" and "431121" not in today


def test_files_stay_small() -> None:
    assert CITIES_FILE.stat().st_size <= 250 * 1024
    assert COUNTIES_FILE.stat().st_size <= 600 * 1024


@pytest.mark.parametrize("path", [CITIES_FILE, COUNTIES_FILE], ids=["cities", "counties"])
def test_rings_closed_wound_for_plotly_and_inside_hunan(path: Path) -> None:
    # Plotly draws with d3-geo, which wants exteriors clockwise: RFC 7946's counter-clockwise fills the globe.
    for code, exterior, ring in _rings(_load(path)):
        assert len(ring) >= 4 and ring[0] == ring[-1], code
        assert (_signed_area(ring) < 0) == exterior, f"{code}: {'exterior' if exterior else 'hole'} wound wrong"
        for lon, lat in ring:
            assert LON[0] < lon < LON[1] and LAT[0] < lat < LAT[1], (code, lon, lat)
            assert round(lon, 4) == lon and round(lat, 4) == lat, (code, lon, lat)


def test_cities_tile_without_gaps(cities: dict, counties: dict) -> None:
    """Shared borders are identical in both neighbours: the only unshared edges are Hunan's outline."""
    assert _edges_used_once(cities) == _edges_used_once(counties)
    city_area = {f["id"]: _area(f) for f in cities["features"]}
    county_area = Counter()
    for f in counties["features"]:
        county_area[f["properties"]["parent_code"]] += _area(f)
    for code, area in city_area.items():
        assert area == pytest.approx(county_area[code], rel=1e-9), code
    square_degree_km2 = 111.2 * 111.2 * math.cos(math.radians(27.5))  # at Hunan's latitude
    assert sum(city_area.values()) * square_degree_km2 == pytest.approx(211_800, rel=0.02)  # Hunan's area


# ---- the figure ---------------------------------------------------------------------------------

NAMES = _official_cities()


def _choropleths(fig: go.Figure) -> list[go.Choropleth]:
    return [t for t in fig.data if t.type == "choropleth"]


def _values() -> dict[str, float | None]:
    values: dict[str, float | None] = {code: 10_000.0 * (i + 1) for i, code in enumerate(NAMES)}
    values["430200"] = 75_700
    values["431300"] = None
    values["430800"] = float("nan")
    del values["433100"]  # not in the data at all: still drawn, grey
    return values


def test_geojson_is_loaded_once() -> None:
    assert hunan_map.load_cities_geojson() is hunan_map.load_cities_geojson()


def test_every_city_drawn_with_its_value() -> None:
    fig = hunan_map.city_choropleth(_values(), title="提供就业岗位数", unit="个", names=NAMES)
    filled, grey = _choropleths(fig)
    assert sorted([*filled.locations, *grey.locations]) == sorted(NAMES)
    assert sorted(grey.locations) == ["430800", "431300", "433100"]
    expected = _values()
    assert dict(zip(filled.locations, filled.z, strict=True)) == {c: expected[c] for c in filled.locations}
    for trace in (filled, grey):
        assert trace.featureidkey == "id"
        assert sorted(f["id"] for f in trace.geojson["features"]) == sorted(trace.locations)  # none sent twice
    assert {c for _, c in grey.colorscale} == {hunan_map.MISSING} and grey.showscale is False


def test_hover_in_chinese() -> None:
    fig = hunan_map.city_choropleth(_values(), title="提供就业岗位数", unit="个", names=NAMES)
    filled, grey = _choropleths(fig)
    hover = dict(zip(filled.locations, filled.text, strict=True))
    assert hover["430200"] == "株洲市<br>提供就业岗位数：7.57万个"
    assert dict(zip(grey.locations, grey.text, strict=True))["433100"] == "湘西土家族苗族自治州<br>未填报"
    assert filled.hovertemplate == "%{text}<extra></extra>"


def test_all_missing_and_none_missing() -> None:
    empty = hunan_map.city_choropleth({}, title="t", unit="个", names=NAMES)
    assert [len(t.locations) for t in _choropleths(empty)] == [14]
    full = hunan_map.city_choropleth({c: 1.0 for c in NAMES}, title="t", unit="个", names=NAMES)
    assert [len(t.locations) for t in _choropleths(full)] == [14]


def test_offline_layout_and_size() -> None:
    fig = hunan_map.city_choropleth(_values(), title="2024年提供就业岗位数", unit="个", names=NAMES)
    # A choropleth first would make plotly.js fetch its world topojson from a CDN (and draw nothing offline).
    assert fig.data[0].type == "scattergeo" and fig.data[0].locations is None
    assert fig.layout.geo.visible is False and fig.layout.geo.fitbounds == "locations"
    assert fig.layout.height == 480
    assert "Noto Sans CJK SC" in fig.layout.font.family
    assert len(fig.to_json()) < 150_000


def test_labels_sit_inside_their_city(cities: dict) -> None:
    points = hunan_map.label_points()
    for feature in cities["features"]:
        lon, lat = points[feature["id"]]
        assert any(_inside(lon, lat, p[0]) for p in feature["geometry"]["coordinates"]), feature["id"]


def _inside(x: float, y: float, ring: list[list[float]]) -> bool:
    crossings = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            crossings += 1
    return crossings % 2 == 1


def test_nice_ticks() -> None:
    assert hunan_map._nice_ticks(31_000, 148_000) == [40_000, 60_000, 80_000, 100_000, 120_000, 140_000]
    assert hunan_map._nice_ticks(5, 5) == [5]
    assert all(math.isfinite(t) for t in hunan_map._nice_ticks(0.1, 0.9))


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (apt-get install chromium)")
def test_draws_all_14_offline_in_chromium(tmp_path: Path) -> None:
    """No network here: the 14 paths are drawn only if plotly.js asks the internet for nothing."""
    fig = hunan_map.city_choropleth(_values(), title="提供就业岗位数", unit="个", names=NAMES)
    page = tmp_path / "map.html"
    fig.write_html(page, include_plotlyjs=True)
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dom.count('class="choroplethlocation"') == 14
