"""Regions (湖南省, its 14 市州 and their 县市区) and the words that shape a table: fixed reference data, read from
etl/reference/regions.csv and header_words.csv. Not versioned with the catalogue: a 管理员 edits indicators, not
the map."""

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
    level: str  # province | city | county
    sort_order: int


def reference_rows(file_name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / file_name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def normalize_text(text: object) -> str:
    """NFKC (full-width → half-width) and all white space removed, as users type names."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


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
def counties_of(city_code: str) -> tuple[Region, ...]:
    """The 县市区 of one 市州, in official order."""
    return tuple(r for r in regions() if r.level == "county" and r.parent_code == city_code)


def city_of(region_code: str) -> str:
    """The 市州 a region belongs to: itself for a 市州, its parent for a 县市区."""
    region = region_by_code()[region_code]
    return region.parent_code if region.level == "county" else region.code


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


def find_region(text: object) -> Region | None:
    """The region a typed name means, or None.

    Accepts the official name, the name without 市/州, a trailing 妇联, the 湘西 forms, the GB/T 2260
    code, and any white space or full-width characters around or inside.
    """
    code = _region_aliases().get(normalize_text(text))
    return region_by_code().get(code) if code else None


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
