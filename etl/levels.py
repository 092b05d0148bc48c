"""Who reports what: the 14 市州, the 县市区 rows of a 市州's return, and the 省级单位 (省妇联机关各部门, 省直妇工委).

An indicator names the levels that report it (`levels`: city, county, province). A row reports an indicator when
its region's level is one of them: a 市州 for city, a 县市区 for county, a 省级单位 for province. A 县市区 row
carries only its county-level indicators. The 市州 figure of such an indicator may be written or left to its
县市区: when every 县市区 of that year reported it, the 市州 figure is their sum (its cells are the source); when
both are written, the catalogue's county_sum rule checks they agree (etl/ingest/rules.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from etl import catalog
from etl.catalog import Catalogue, Indicator, Region
from etl.issues import Issue, make_issue
from etl.records import Observation, format_number

CITY, COUNTY, PROVINCE = "city", "county", "province"  # an indicator's levels
UNIT = "unit"  # the level of a 省级单位's region, which reports the province-level indicators
REPORTS = {CITY: CITY, COUNTY: COUNTY, UNIT: PROVINCE}  # region level → the indicator level it reports
LEVEL_NAMES = {CITY: "市州", COUNTY: "县市区", PROVINCE: "省级单位"}
TOLERANCE = 0.005  # figures are kept to at most a few decimals; a sum within this is equal


def reports(indicator: Indicator, region: Region) -> bool:
    """Does `region`'s level report `indicator`?"""
    return REPORTS.get(region.level) in indicator.levels


def levels_text(indicator: Indicator) -> str:
    """市州、县市区 — who reports it, in words."""
    return "、".join(LEVEL_NAMES[level] for level in indicator.levels if level in LEVEL_NAMES)


def level_issue(indicator: Indicator, region: Region, **where: object) -> Issue:
    """A figure written in a row whose level does not report the indicator: say who does, and where it goes."""
    hint = "请删去这个数"
    if region.level == COUNTY and CITY in indicator.levels:
        city = catalog.region_by_code()[region.parent_code].name
        hint = f"如属{city}，请填在{city}一行"
    return make_issue(
        "level-not-reported", **where, region=region.name, level=LEVEL_NAMES[REPORTS[region.level]],
        indicator=indicator.name, levels=levels_text(indicator), hint=hint, subject=indicator.name,
    )  # fmt: skip


def source_cells(cells: Iterable[str]) -> str:
    """Where a summed figure comes from: `C5:C13` for a run of one column, else the cells joined by commas."""
    cells = list(cells)
    columns = {c.rstrip("0123456789") for c in cells}
    rows = sorted(int(c[len(c.rstrip("0123456789")) :]) for c in cells)
    if len(columns) == 1 and len(rows) > 1 and rows == list(range(rows[0], rows[0] + len(rows))):
        column = columns.pop()
        return f"{column}{rows[0]}:{column}{rows[-1]}"
    return ",".join(cells)


def is_summed(cell: str | None) -> bool:
    """A stored figure whose `cell` names several cells was added up from its 县市区 rows."""
    return bool(cell) and (":" in cell or "," in cell)


def complete_cities(
    observations: list[Observation], file_name: str, cat: Catalogue
) -> tuple[list[Observation], list[Issue]]:
    """The 市州 figures a file's 县市区 rows give: returns the observations with each blank (or absent) 市州
    figure whose every 县市区 of the year reported it replaced by their sum, and the warnings of a 市州 left blank
    while some of its 县市区 are too, or of reported 县市区 already adding up to more than their 市州's figure."""
    regions = catalog.region_by_code()
    groups: dict[tuple[str, int, str], list[Observation]] = defaultdict(list)
    for obs in observations:
        if regions[obs.region_code].level == COUNTY and obs.value is not None:
            groups[(regions[obs.region_code].parent_code, obs.year, obs.indicator)].append(obs)
    if not groups:
        return observations, []
    index = {(o.region_code, o.year, o.indicator): i for i, o in enumerate(observations)}
    out, added, issues = list(observations), [], []
    for (city, year, code), reported in groups.items():
        total = round(sum(o.value for o in reported), 6)
        every = len(reported) == len(catalog.counties_of(city, year))
        at = index.get((city, year, code))
        given = observations[at] if at is not None else None
        fields = _fields(cat, city, code, total, len(reported), len(catalog.counties_of(city, year)))
        if given is not None and given.value is not None:
            if not every and total - given.value > TOLERANCE:  # every one: the county_sum rule's to check
                issues.append(_issue("county-sum-exceeds", given, file_name, (city, year, code),
                                     value=format_number(given.value), **fields))  # fmt: skip
        elif every:
            derived = Observation(city, year, code, total, reported[0].sheet, source_cells(o.cell for o in reported))
            if at is None:
                added.append(derived)
            else:
                out[at] = derived
        else:
            issues.append(_issue("county-sum-partial", given or reported[0], file_name, (city, year, code), **fields))
    return out + added, issues


def _fields(cat: Catalogue, city: str, code: str, total: float, reported: int, expected: int) -> dict[str, object]:
    indicator = cat.edition(None).indicator_by_code[code]
    return {
        "city": catalog.region_by_code()[city].name, "indicator": indicator.name, "unit": indicator.unit,
        "sum": format_number(total), "reported": reported, "expected": expected,
    }  # fmt: skip


def _issue(code: str, obs: Observation, file_name: str, key: tuple[str, int, str], **fields: object) -> Issue:
    return make_issue(code, file=file_name, sheet=obs.sheet, cell=obs.cell, subject=str(fields["indicator"]),
                      key=key, **fields)  # fmt: skip
