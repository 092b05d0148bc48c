"""Sample returns (示例) 2016–2024: the 2016 review's exact figures, the rest invented but plausible.

Each year's file holds the 14 市州, the 县市区 rows of the indicators split below (summing exactly to their 市州),
and the 省级单位. Figures grow from 2016 by a random walk with a fixed seed; each family of figures draws from its
own generator, so adding one never shifts the figures of another.
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from etl import catalog, config, sample_seeds
from etl.sample_specs import CAPPED_BY_COUNTIES, SPECS, Spec
from etl.template import FIRST_DATA_ROW, HEADER_ROW, sheet_rows, template_bytes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FIRST_SAMPLE_YEAR = 2016
RANDOM_SEED = 2016
FILE_NAME = "示例_{year}_全省报表.xlsx"
# A year's change of an independent figure: −10%…+25%, most often about flat (mean +5%), so eight years
# compound to about 1.5× rather than 1.8×; far inside the 10× year-on-year warning either way.
GROWTH = (0.90, 1.25, 1.0)  # low, high, mode
RATIO_DRIFT = (0.95, 1.05)  # a year's change of a ratio between figures
WEIGHT_RANGE, WEIGHT_DRIFT = (0.5, 1.5), (0.95, 1.05)  # a 县市区's share of its 市州, and its yearly change

Values = dict[tuple[str, str], float | None]  # (region code, indicator code) → value; None = 未填报

# Indicators whose 县市区 rows the sample fills: figures large enough per 县市区 that a split never rounds a
# county to 0 one year and 1 the next (a 10× jump), and none a part of another (a split could cross it).
COUNTY_SPLIT = (
    "loan_count", "loan_amount", "screened_total", "village_stations", "female_leaders", "volunteers",
    "people_served", "children_cared", "women_homes", "rich_leaders", "funds_raised",
)  # fmt: skip
# (year, 市州, indicator) whose 市州 cell is left blank: the loader adds it up from the 县市区 rows.
SUMMED_FROM_COUNTIES = {(2024, "郴州市", "screened_total"), (2024, "郴州市", "village_stations")}

# Gaps, so the product shows 未填报 honestly. (year, 市州, domain): the whole row blank, not reported yet.
UNREPORTED_ROWS = {
    (2023, "怀化市", "loans"),
    (2024, "张家界市", "ecommerce"),
    (2024, "湘西土家族苗族自治州", "ecommerce"),
}
# (year, 市州, indicator): one cell blank (and its 县市区 too: a blank 市州 is not summed up here).
UNREPORTED_CELLS = {
    *((FIRST_SAMPLE_YEAR, city, code) for city, code in sample_seeds.CITY_2016_APPROXIMATE),
    (2021, "郴州市", "female_leaders"),
    (2022, "湘潭市", "interest_subsidy"),
    (2024, "永州市", "aid_funds"),
}


@dataclass
class _City:
    """One 市州's unrounded levels of the independent figures and its current ratios (with their bounds)."""

    name: str
    code: str
    levels: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)


def _round(code: str, value: float) -> float:
    """万元 to 2 decimals; counts whole and at least 1, since a 0 after a figure reads as a collapse."""
    if catalog.indicator_by_code()[code].is_count:
        return max(1, round(value))
    return round(value, 2)


def _figures(city: _City) -> dict[str, float]:
    """This year's figures of one city: independent ones rounded, derived ones from their rounded parents."""
    values = {code: _round(code, level) for code, level in city.levels.items()}
    for spec in SPECS:
        for code, rule in spec.derived.items():
            values[code] = _round(code, values[rule.parent] * city.ratios[code])
    for code in CAPPED_BY_COUNTIES:  # a count of 县市区 cannot pass the 市州's number of them
        values[code] = min(values[code], len(catalog.counties_of(city.code)))
    return values


def _start(city: _City, spec: Spec, rng: random.Random) -> None:
    """2016 levels and ratios of one family: seeded figures where the review has them, drawn by city size elsewhere."""
    seeds = sample_seeds.CITY_2016 | sample_seeds.CITY_2016_APPROXIMATE
    size = spec.city_size[city.name]
    for code, (low, high) in spec.primary.items():
        drawn = max(low, high * size * rng.uniform(0.8, 1.0))
        city.levels[code] = seeds.get((city.name, code), drawn)
    values = _figures_so_far(city)
    for code, rule in spec.derived.items():
        city.ratios[code] = rng.uniform(rule.low, rule.high)
        target = seeds.get((city.name, code))
        if target is not None:
            _fit_to_target(city, spec, values, code, target)
        city.bounds[code] = (min(rule.low, city.ratios[code]), max(rule.high, city.ratios[code]))
        values[code] = _round(code, values[rule.parent] * city.ratios[code])


def _figures_so_far(city: _City) -> dict[str, float]:
    values = {code: _round(code, level) for code, level in city.levels.items()}
    for code, ratio in city.ratios.items():
        parent = next(s.derived[code].parent for s in SPECS if code in s.derived)
        values[code] = _round(code, values[parent] * ratio)
    return values


def _fit_to_target(city: _City, spec: Spec, values: dict[str, float], code: str, target: float) -> None:
    """Make a derived figure hit its 2016 target: move an unseeded parent if free and the move keeps it plausible
    (within 1.5× the top of its range for the city's size), else the ratio."""
    parent = spec.derived[code].parent
    seeds = sample_seeds.CITY_2016
    children_done = any(r.parent == parent and c in city.ratios and c != code for c, r in spec.derived.items())
    moved = target / city.ratios[code]
    parent_is_free = (
        parent in spec.primary
        and (city.name, parent) not in seeds
        and not children_done
        and moved <= 1.5 * spec.primary[parent][1] * spec.city_size[city.name]
    )
    if parent_is_free:
        city.levels[parent] = moved
        values[parent] = _round(parent, moved)
    city.ratios[code] = target / values[parent]
    if spec.derived[code].high <= 1 and city.ratios[code] > 1:
        raise ValueError(f"{city.name} 2016: {code} {target} exceeds its {parent} {values[parent]}")


def _advance(city: _City, spec: Spec, rng: random.Random) -> None:
    """One year on: independent figures grow −10%…+25%, ratios drift a little within their range."""
    for code in spec.primary:
        city.levels[code] *= rng.triangular(*GROWTH)
    for code in spec.derived:
        low, high = city.bounds[code]
        city.ratios[code] = min(max(city.ratios[code] * rng.uniform(*RATIO_DRIFT), low), high)


def _blank(year: int, name: str, code: str) -> bool:
    domain = catalog.indicator_by_code()[code].domain
    return (year, name, domain) in UNREPORTED_ROWS or (year, name, code) in UNREPORTED_CELLS


def _split(total: float, weights: list[float], code: str) -> list[float]:
    """`total` shared by weight, rounded so that the parts add up to it exactly (largest remainder)."""
    scale = 1 if catalog.indicator_by_code()[code].is_count else 100  # 万元 in cents
    units = round(total * scale)
    exact = [units * w / sum(weights) for w in weights]
    parts = [int(e) for e in exact]
    for i in sorted(range(len(exact)), key=lambda i: parts[i] - exact[i])[: units - sum(parts)]:
        parts[i] += 1
    return [p / scale if scale > 1 else float(p) for p in parts]


def _county_values(year: int, city: _City, figures: dict[str, float], weights: dict[str, float]) -> Values:
    counties = catalog.counties_of(city.code, year)
    shares = [weights[catalog.lineage_code(c.code)] for c in counties]
    out: Values = {}
    for code in COUNTY_SPLIT:
        if _blank(year, city.name, code):
            continue
        for county, part in zip(counties, _split(figures[code], shares, code), strict=True):
            out[(county.code, code)] = part
    return out


def _city_values(year: int, city: _City, figures: dict[str, float]) -> Values:
    """What the city's own row shows: its figures with this year's gaps blanked (and the summed ones left out)."""
    return {
        (city.code, code): None
        if _blank(year, city.name, code) or (year, city.name, code) in SUMMED_FROM_COUNTIES
        else value
        for code, value in figures.items()
    }


def _unit_levels() -> dict[tuple[str, str], float]:
    return (
        sample_seeds.UNIT_2016_INVENTED | sample_seeds.UNIT_2016_APPROXIMATE | sample_seeds.UNIT_2016
    )  # exact last: it wins


def _unit_values(year: int, levels: dict[tuple[str, str], float]) -> Values:
    approximate = sample_seeds.UNIT_2016_APPROXIMATE
    return {
        key: None if year == FIRST_SAMPLE_YEAR and key in approximate and key not in sample_seeds.UNIT_2016
        else _round(key[1], level)
        for key, level in levels.items()
    }  # fmt: skip


def sample_values(years: Iterable[int]) -> dict[int, Values]:
    """Reported values per year. Always generated from 2016 on, so a year's figures never depend on `years`."""
    wanted = sorted(set(years))
    if not wanted or wanted[0] < FIRST_SAMPLE_YEAR:
        raise ValueError(f"sample years start at {FIRST_SAMPLE_YEAR}, got {wanted}")
    rngs = [random.Random(RANDOM_SEED + spec.seed_offset) for spec in SPECS]
    weight_rng, unit_rng = random.Random(RANDOM_SEED + 100), random.Random(RANDOM_SEED + 200)
    # Years outer, cities inner: adding a later year does not shift the draws of earlier ones.
    cities = [_City(c.name, c.code) for c in catalog.cities()]
    for spec, rng in zip(SPECS, rngs, strict=True):
        for city in cities:
            _start(city, spec, rng)
    lines = {catalog.lineage_code(r.code) for r in catalog.regions() if r.level == "county"}
    weights = {code: weight_rng.uniform(*WEIGHT_RANGE) for code in sorted(lines)}
    units = _unit_levels()
    out: dict[int, Values] = {}
    for year in range(FIRST_SAMPLE_YEAR, wanted[-1] + 1):
        if year > FIRST_SAMPLE_YEAR:
            for spec, rng in zip(SPECS, rngs, strict=True):
                for city in cities:
                    _advance(city, spec, rng)
            weights = {code: w * weight_rng.uniform(*WEIGHT_DRIFT) for code, w in weights.items()}
            units = {key: level * unit_rng.triangular(*GROWTH) for key, level in units.items()}
        if year in wanted:
            values: Values = {}
            for city in cities:
                figures = _figures(city)
                values |= _city_values(year, city, figures) | _county_values(year, city, figures, weights)
            out[year] = values | _unit_values(year, units)
    return out


def _fill_sheet(ws: Worksheet, domain: str, year: int, values: Values) -> None:
    columns = {ws.cell(HEADER_ROW, c).value: c for c in range(2, ws.max_column + 1)}
    for row, region in enumerate(sheet_rows(catalog.domain_indicators(domain, year), year), start=FIRST_DATA_ROW):
        for indicator in catalog.domain_indicators(domain):
            value = values.get((region.code, indicator.code))
            if value is not None:  # blank stays blank: 未填报, never 0
                ws.cell(row, columns[indicator.label], value)


def workbook_bytes(year: int, values: Values, last_year: Values | None = None) -> bytes:
    """The official all-市州 return of `year` (with its 县市区 and 省级单位 rows), marked as a sample, with `values`
    typed in (and `last_year`'s, the sample of the year before, in the 上年数 columns)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, sample=True, last_year=last_year or {})))
    for domain in catalog.domains():
        _fill_sheet(wb[domain.name], domain.code, year, values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_samples(folder: Path, years: Iterable[int] = range(2016, 2025)) -> list[Path]:
    """Write 示例_{year}_全省报表.xlsx for each year into `folder`; returns the paths, oldest first."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    every = sample_values(years)
    for year, values in sorted(every.items()):
        path = folder / FILE_NAME.format(year=year)
        path.write_bytes(workbook_bytes(year, values, every.get(year - 1)))
        paths.append(path)
    return paths


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else config.RAW_DIR
    for path in write_samples(folder):
        print(f"{path}（{path.stat().st_size // 1024} KB）")


if __name__ == "__main__":
    main(sys.argv[1:])
