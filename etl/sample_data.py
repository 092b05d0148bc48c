"""Sample returns (示例) 2016–2024: the 2016 review's exact figures, the rest invented but plausible."""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from etl import catalog, config
from etl.template import FIRST_DATA_ROW, HEADER_ROW, template_bytes

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FIRST_SAMPLE_YEAR = 2016
RANDOM_SEED = 2016
FILE_NAME = "示例_{year}_全省报表.xlsx"
# A year's change of an independent figure: −10%…+25%, most often about flat (mean +5%), so eight years
# compound to about 1.5× rather than 1.8×; far inside the 10× year-on-year warning either way.
GROWTH = (0.90, 1.25, 1.0)  # low, high, mode
RATIO_DRIFT = (0.95, 1.05)  # a year's change of a ratio between figures

Values = dict[tuple[str, str], float | None]  # (市州 name, indicator code) → value; None = 未填报

# Rough size of each 市州 (长沙 = 1), after its population; scales every invented 2016 figure.
CITY_SIZE = {
    "长沙市": 1.0,
    "株洲市": 0.7,
    "湘潭市": 0.5,
    "衡阳市": 0.85,
    "邵阳市": 0.8,
    "岳阳市": 0.8,
    "常德市": 0.8,
    "张家界市": 0.3,
    "益阳市": 0.65,
    "郴州市": 0.7,
    "永州市": 0.7,
    "怀化市": 0.65,
    "娄底市": 0.6,
    "湘西土家族苗族自治州": 0.4,
}

# 2016 range of each independent figure: a city of size s lands at high × s × 0.8…1, never below low.
PRIMARY: dict[str, tuple[float, float]] = {
    "job_fairs": (20, 80),
    "jobs_offered": (20_000, 90_000),
    "training_sessions": (10, 60),
    "demo_bases": (10, 60),
    "loan_count": (300, 1_500),
    "screened_total": (30_000, 120_000),
    "village_stations": (200, 1_500),
    "female_leaders": (300, 2_500),
    "ecom_training_sessions": (10, 50),
    "incubators": (1, 15),
}


@dataclass(frozen=True)
class Ratio:
    """A figure that hangs from another: value = parent × ratio, the ratio kept within [low, high]."""

    parent: str
    low: float
    high: float


# Parents come before children. 获贷妇女 comes first of the 贷款笔数 children: 岳阳's seeded 获贷妇女
# decides its unseeded 笔数, which the other children then hang from.
DERIVED: dict[str, Ratio] = {
    "women_employed": Ratio("jobs_offered", 0.06, 0.14),
    "training_attendance": Ratio("training_sessions", 500, 1_500),  # 人次 per 期
    "women_borrowers": Ratio("loan_count", 0.85, 1.0),
    "loan_amount": Ratio("loan_count", 8, 15),  # 万元 per 笔
    "self_employed_supported": Ratio("loan_count", 0.6, 0.9),
    "jobs_created": Ratio("self_employed_supported", 2, 4),
    "interest_subsidy": Ratio("loan_amount", 0.02, 0.06),
    "cervical_screened": Ratio("screened_total", 0.8, 1.0),
    "breast_screened": Ratio("screened_total", 0.8, 1.0),
    "cases_found": Ratio("screened_total", 0.0005, 0.003),
    "patients_aided": Ratio("cases_found", 0.6, 1.0),
    "aid_funds": Ratio("patients_aided", 0.5, 2.0),  # 万元 per person aided
    "ecom_training_attendance": Ratio("ecom_training_sessions", 150, 600),  # 人次 per 期
}

# Exact 2016 figures of the review (shared/seeds/000_354de88c5772150a.txt), reported as they stand.
SEED_2016: dict[tuple[str, str], float] = {
    ("株洲市", "job_fairs"): 44,
    ("株洲市", "jobs_offered"): 75_700,
    ("株洲市", "women_employed"): 5_890,
    ("邵阳市", "village_stations"): 1_287,
    ("岳阳市", "women_borrowers"): 1_289,
    ("岳阳市", "screened_total"): 103_200,
    ("益阳市", "loan_count"): 878,
    ("益阳市", "loan_amount"): 10_211,
    ("益阳市", "self_employed_supported"): 716,
    ("益阳市", "jobs_created"): 2_135,
    ("娄底市", "training_sessions"): 36,
    ("娄底市", "training_attendance"): 53_000,
    ("娄底市", "incubators"): 7,
    ("长沙市", "demo_bases"): 41,
}
# Approximate figures of the review (近2000, 近亿元, 700多万元) are never reported as numbers; they only
# set the unseen 2016 level so that 2017 follows on from the real order of size.
APPROXIMATE_2016: dict[tuple[str, str], float] = {
    ("邵阳市", "female_leaders"): 1_990,
    ("岳阳市", "loan_amount"): 9_900,
    ("岳阳市", "aid_funds"): 720,
}

# Gaps, so the product shows 未填报 honestly. (year, 市州, domain): the whole row blank, not reported yet.
UNREPORTED_ROWS = {
    (2023, "怀化市", "loans"),
    (2024, "张家界市", "ecommerce"),
    (2024, "湘西土家族苗族自治州", "ecommerce"),
}
# (year, 市州, indicator): one cell blank.
UNREPORTED_CELLS = {
    *((FIRST_SAMPLE_YEAR, city, code) for city, code in APPROXIMATE_2016),
    (2021, "郴州市", "female_leaders"),
    (2022, "湘潭市", "interest_subsidy"),
    (2024, "永州市", "aid_funds"),
}


@dataclass
class _City:
    """One 市州's unrounded levels of the independent figures and its current ratios."""

    name: str
    levels: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)


def _round(code: str, value: float) -> float:
    """万元 to 2 decimals; counts whole and at least 1, since a 0 after a figure reads as a collapse."""
    if catalog.indicator_by_code()[code].is_count:
        return max(1, round(value))
    return round(value, 2)


def _figures(city: _City) -> dict[str, float]:
    """This year's figures of one city: independent ones rounded, derived ones from their rounded parents."""
    values = {code: _round(code, level) for code, level in city.levels.items()}
    for code, rule in DERIVED.items():
        values[code] = _round(code, values[rule.parent] * city.ratios[code])
    return values


def _start(name: str, rng: random.Random) -> _City:
    """2016 levels and ratios: seeded figures where the review has them, drawn by city size elsewhere."""
    city = _City(name)
    size = CITY_SIZE[name]
    for code, (low, high) in PRIMARY.items():
        drawn = max(low, high * size * rng.uniform(0.8, 1.0))
        city.levels[code] = SEED_2016.get((name, code), APPROXIMATE_2016.get((name, code), drawn))
    values = {code: _round(code, level) for code, level in city.levels.items()}
    for code, rule in DERIVED.items():
        city.ratios[code] = rng.uniform(rule.low, rule.high)
        target = SEED_2016.get((name, code), APPROXIMATE_2016.get((name, code)))
        if target is not None:
            _fit_to_target(city, values, code, target)
        values[code] = _round(code, values[rule.parent] * city.ratios[code])
    return city


def _fit_to_target(city: _City, values: dict[str, float], code: str, target: float) -> None:
    """Make a derived figure hit its 2016 target: move an unseeded parent if free, else the ratio."""
    parent = DERIVED[code].parent
    children_done = any(r.parent == parent and c in city.ratios and c != code for c, r in DERIVED.items())
    parent_is_free = parent in PRIMARY and (city.name, parent) not in SEED_2016 and not children_done
    if parent_is_free:
        city.levels[parent] = target / city.ratios[code]
        values[parent] = _round(parent, city.levels[parent])
    city.ratios[code] = target / values[parent]
    if DERIVED[code].high <= 1 and city.ratios[code] > 1:
        raise ValueError(f"{city.name} 2016: {code} {target} exceeds its {parent} {values[parent]}")


def _advance(city: _City, rng: random.Random) -> None:
    """One year on: independent figures grow −10%…+25%, ratios drift a little within their range."""
    for code in city.levels:
        city.levels[code] *= rng.triangular(*GROWTH)
    for code, rule in DERIVED.items():
        drifted = city.ratios[code] * rng.uniform(*RATIO_DRIFT)
        city.ratios[code] = min(max(drifted, rule.low), rule.high)


def _reported(year: int, name: str, figures: dict[str, float]) -> Values:
    """What the city's return shows: its figures with this year's gaps blanked."""
    domain_of = {i.code: i.domain for i in catalog.indicators()}
    return {
        (name, code): None
        if (year, name, domain_of[code]) in UNREPORTED_ROWS or (year, name, code) in UNREPORTED_CELLS
        else value
        for code, value in figures.items()
    }


def sample_values(years: Iterable[int]) -> dict[int, Values]:
    """Reported values per year. Always generated from 2016 on, so a year's figures never depend on `years`."""
    wanted = sorted(set(years))
    if not wanted or wanted[0] < FIRST_SAMPLE_YEAR:
        raise ValueError(f"sample years start at {FIRST_SAMPLE_YEAR}, got {wanted}")
    rng = random.Random(RANDOM_SEED)
    # Years outer, cities inner: adding a later year does not shift the draws of earlier ones.
    cities = [_start(c.name, rng) for c in catalog.cities()]
    out: dict[int, Values] = {}
    for year in range(FIRST_SAMPLE_YEAR, wanted[-1] + 1):
        if year > FIRST_SAMPLE_YEAR:
            for city in cities:
                _advance(city, rng)
        if year in wanted:
            out[year] = {k: v for city in cities for k, v in _reported(year, city.name, _figures(city)).items()}
    return out


def _fill_sheet(ws: Worksheet, domain: str, values: Values) -> None:
    columns = {ws.cell(HEADER_ROW, c).value: c for c in range(2, ws.max_column + 1)}
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        name = ws.cell(row, 1).value
        for indicator in catalog.domain_indicators(domain):
            value = values.get((name, indicator.code))
            if value is not None:  # blank stays blank: 未填报, never 0
                ws.cell(row, columns[indicator.label], value)


def workbook_bytes(year: int, values: Values, last_year: Values | None = None) -> bytes:
    """The official all-市州 return of `year`, marked as a sample, with `values` typed in (and `last_year`'s, the
    sample of the year before, in the 上年数 columns)."""
    import openpyxl

    codes = {c.name: c.code for c in catalog.cities()}
    previous = {(codes[name], code): value for (name, code), value in (last_year or {}).items()}
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, sample=True, last_year=previous)))
    for domain in catalog.domains():
        _fill_sheet(wb[domain.name], domain.code, values)
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
