"""Regions (湖南省, its 14 市州 and their 县市区, the 省级单位) and the words that shape a table: fixed reference
data, read from etl/reference/regions.csv and header_words.csv. Not versioned with the catalogue: a 管理员 edits
indicators, not the map.

A 县市区 re-coded or renamed (宁乡县 430124 → 宁乡市 430182 in 2017) is two regions: the old one valid before
`replaced_in`, naming its `successor`, the new one valid from that year. A row is read under the code valid in its
year whichever name it gives (`find_region(text, year)`), and a series follows the line (`lineage_code`)."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
PROVINCE_CODE = "430000"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    parent_code: str | None
    level: str  # province (湖南省) | city (14 市州) | county (县市区) | unit (省级单位: 省妇联机关各部门等)
    sort_order: int
    valid_from: int | None = None  # first year under this code (None: from the platform's first year)
    replaced_in: int | None = None  # the year `successor` took over (撤县设市, 更名): valid before it
    successor: str | None = None

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (
            self.replaced_in is None or year < self.replaced_in
        )


def reference_rows(file_name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / file_name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def normalize_text(text: object) -> str:
    """NFKC (full-width → half-width) and all white space removed, as users type names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _year(text: str) -> int | None:
    return int(text) if text else None


@cache
def regions() -> tuple[Region, ...]:
    return tuple(
        Region(
            code=r["code"],
            name=r["name"],
            short_name=r["short_name"],
            parent_code=r["parent_code"] or None,
            level=r["level"],
            sort_order=int(r["sort_order"]),
            valid_from=_year(r["valid_from"]),
            replaced_in=_year(r["replaced_in"]),
            successor=r["successor"] or None,
        )
        for r in sorted(reference_rows("regions.csv"), key=lambda r: int(r["sort_order"]))
    )


@cache
def cities() -> tuple[Region, ...]:
    """The 14 市州 in official order."""
    return tuple(r for r in regions() if r.level == "city")


@cache
def region_by_code() -> dict[str, Region]:
    return {r.code: r for r in regions()}


@cache
def counties_of(city_code: str, year: int | None = None) -> tuple[Region, ...]:
    """The 县市区 of one 市州 valid in `year` (today's when None), in official order."""
    return tuple(
        r
        for r in regions()
        if r.level == "county"
        and r.parent_code == city_code
        and (r.valid_in(year) if year is not None else r.successor is None)
    )


@cache
def units() -> tuple[Region, ...]:
    """The 省级单位 (省妇联机关各部门, 省直妇工委) that report the province-level figures."""
    return tuple(r for r in regions() if r.level == "unit")


def city_of(region_code: str) -> str:
    """The 市州 a region belongs to: itself for a 市州 (or a 省级单位), its parent for a 县市区."""
    region = region_by_code()[region_code]
    return region.parent_code if region.level == "county" else region.code


@cache
def _predecessor() -> dict[str, str]:
    return {r.successor: r.code for r in regions() if r.successor}


def region_in_year(code: str, year: int) -> Region:
    """The region of `code`'s line (predecessors and successors) valid in `year`: 430182 in 2016 is 430124."""
    region = region_by_code()[code]
    while region.replaced_in is not None and year >= region.replaced_in and region.successor:
        region = region_by_code()[region.successor]
    while region.valid_from is not None and year < region.valid_from and region.code in _predecessor():
        region = region_by_code()[_predecessor()[region.code]]
    return region


@cache
def lineage_code(code: str) -> str:
    """Today's code of a region's line (430124 宁乡县 → 430182 宁乡市): what a series across the change follows."""
    region = region_by_code()[code]
    while region.successor:
        region = region_by_code()[region.successor]
    return region.code


@cache
def _region_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for row in reference_rows("regions.csv"):
        names = {row["code"], row["name"], row["short_name"]}
        names.update(a for a in row["aliases"].split(";") if a)
        for name in list(names):
            names.add(name + "妇联")
        if row["level"] == "city":
            # Statisticians write 株洲 / 株洲市 / 株洲州 interchangeably.
            names.update({row["short_name"] + "市", row["short_name"] + "州"})
        for name in names:
            aliases[normalize_text(name)] = row["code"]
    return aliases


def find_region(text: object, year: int | None = None) -> Region | None:
    """The region a typed name means, or None.

    Accepts the official name, the name without 市/州, a trailing 妇联, the 湘西 forms, the GB/T 2260
    code, and any white space or full-width characters around or inside. Given a year, a 县市区 renamed or
    re-coded (宁乡县 → 宁乡市) is the code valid in that year, whichever of its names was written.
    """
    code = _region_aliases().get(normalize_text(text))
    if code is None:
        return None
    return region_in_year(code, year) if year is not None else region_by_code()[code]


@dataclass(frozen=True)
class HeaderWords:
    """Words that mark a table's columns and rows (header_words.csv), normalised as cells are."""

    region: frozenset[str]
    year: frozenset[str]
    long_indicator: frozenset[str]
    long_value: frozenset[str]
    long_unit: frozenset[str]
    ignored: frozenset[str]
    total: frozenset[str]
    note_prefixes: tuple[str, ...]


@cache
def header_words() -> HeaderWords:
    found: dict[str, list[str]] = {}
    for row in reference_rows("header_words.csv"):
        found.setdefault(row["role"], []).append(normalize_text(row["word"]))
    sets = {role: frozenset(words) for role, words in found.items()}
    return HeaderWords(
        sets["region"], sets["year"], sets["long_indicator"], sets["long_value"], sets["long_unit"], sets["ignored"],
        sets["total"], tuple(found["note_prefix"]),
    )  # fmt: skip
