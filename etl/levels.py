"""Who reports what: the 14 市州, the 县市区 rows of a 市州's return, and the 省级单位 (省妇联机关各部门, 省直妇工委).

An indicator names the levels that report it (`levels` in etl/reference/indicators.csv). A 县市区 row carries only its
county-level indicators; a 市州 figure of such an indicator may be written or left to its 县市区: when every 县市区
of that year reported it, the 市州 figure is their sum (its cells are the source), and when both are written they
must agree (`sum of 县市区 = 市州`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from etl import catalog
from etl.catalog import Indicator, Region
from etl.issues import Issue, make_issue

if TYPE_CHECKING:
    from etl.extract import Observation

CITY, COUNTY, UNIT = "city", "county", "unit"
LEVEL_NAMES = {CITY: "市州", COUNTY: "县市区", UNIT: "省级单位"}
REPORTING_LEVELS = frozenset(LEVEL_NAMES)
TOLERANCE = 0.005  # 万元 figures are kept to 2 decimals; counts are whole


def reports(indicator: Indicator, region: Region) -> bool:
    """Does `region`'s level report `indicator`?"""
    return region.level in indicator.levels


def levels_text(indicator: Indicator) -> str:
    """市州、县市区 — who reports it, in words."""
    return "、".join(LEVEL_NAMES[level] for level in indicator.levels)


def level_issue(indicator: Indicator, region: Region, **where: str) -> Issue:
    """A figure written in a row whose level does not report the indicator: say who does, and where it goes."""
    if region.level == COUNTY:
        city = catalog.region_by_code()[region.parent_code]
        hint = f"如属{city.name}，请填在{city.name}一行" if CITY in indicator.levels else "请删去这个数"
    else:
        hint = "请删去这个数"
    return make_issue(
        "level-not-reported", **where, region=region.name, level=LEVEL_NAMES[region.level],
        indicator=indicator.name, levels=levels_text(indicator), hint=hint,
    )  # fmt: skip


def city_of(region_code: str) -> str:
    """The 市州 a region belongs to: itself for a 市州 (or a 省级单位), its parent for a 县市区."""
    region = catalog.region_by_code()[region_code]
    return region.parent_code if region.level == COUNTY else region.code


def source_cells(cells: Iterable[str]) -> str:
    """Where a summed figure comes from: `C5:C13` for a run of one column, else the cells joined by commas."""
    cells = list(cells)
    columns = {c.rstrip("0123456789") for c in cells}
    rows = sorted(int(c[len(c.rstrip("0123456789")) :]) for c in cells)
    if len(columns) == 1 and rows == list(range(rows[0], rows[0] + len(rows))) and len(rows) > 1:
        column = columns.pop()
        return f"{column}{rows[0]}:{column}{rows[-1]}"
    return ",".join(cells)


def is_summed(cell: str | None) -> bool:
    """A stored figure whose `cell` names several cells was added up from its 县市区 rows."""
    return bool(cell) and (":" in cell or "," in cell)


def complete_cities(observations: list[Observation], file_name: str) -> tuple[list[Observation], list[Issue]]:
    """Derive the 市州 figures its 县市区 rows give, and check `sum of 县市区 = 市州` where both are written.

    Returns the observations with derived 市州 figures in place of blank ones (or added, when the 市州's row is
    absent) and the warnings: a sum that disagrees, or a 市州 left blank while some of its 县市区 are too.
    """
    from etl.extract import Observation

    groups: dict[tuple[str, int, str], list[Observation]] = defaultdict(list)
    regions = catalog.region_by_code()
    for obs in observations:
        if regions[obs.region_code].level == COUNTY:
            groups[(regions[obs.region_code].parent_code, obs.year, obs.indicator)].append(obs)
    if not groups:
        return observations, []
    index = {(o.region_code, o.year, o.indicator): i for i, o in enumerate(observations)}
    out, issues, added = list(observations), [], []
    for (city, year, code), rows in groups.items():
        reported = [o for o in rows if o.value is not None]
        if not reported:
            continue
        total = round(sum(o.value for o in reported), 4)
        expected = len(catalog.counties_of(city, year))
        at = index.get((city, year, code))
        given = observations[at] if at is not None else None
        fields = _fields(city, code, total, len(reported), expected)
        if given is not None and given.value is not None:
            issue = _disagreement(given, total, len(reported) == expected, file_name, fields)
            if issue:
                issues.append(issue)
        elif len(reported) == expected:
            derived = Observation(city, year, code, total, reported[0].sheet, source_cells(o.cell for o in reported))
            if at is None:
                added.append(derived)
            else:
                out[at] = derived
        else:
            where = given or reported[0]
            issues.append(
                make_issue("county-sum-partial", file=file_name, sheet=where.sheet, cell=where.cell, **fields)
            )
    return out + added, issues


def _fields(city: str, code: str, total: float, reported: int, expected: int) -> dict[str, object]:
    from etl.validate import format_number

    indicator = catalog.indicator_by_code()[code]
    return {
        "city": catalog.region_by_code()[city].name, "indicator": indicator.name, "unit": indicator.unit,
        "sum": format_number(total), "reported": reported, "expected": expected,
    }  # fmt: skip


def _disagreement(given: Observation, total: float, every: bool, file_name: str, fields: dict) -> Issue | None:
    """Every 县市区 reported: their sum must equal the 市州's. Some did: their sum cannot exceed it."""
    from etl.validate import format_number

    if every and abs(total - given.value) > TOLERANCE:
        code = "county-sum-mismatch"
    elif not every and total - given.value > TOLERANCE:
        code = "county-sum-exceeds"
    else:
        return None
    return make_issue(code, file=file_name, sheet=given.sheet, cell=given.cell, value=format_number(given.value),
                      **fields)  # fmt: skip
