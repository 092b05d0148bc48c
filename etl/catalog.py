"""Reference data: regions, domains and indicators, read from the CSV files in etl/reference/."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).with_name("reference")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    parent_code: str | None
    level: str  # province | city (the 14 市州) | county (县市区) | unit (省级单位: 省妇联机关各部门, 省直妇工委)
    sort_order: int
    valid_from: int | None = None  # first year under this code (None: before the platform's first year)
    replaced_in: int | None = None  # the year `successor` took over (撤县设市, 更名): this code is valid before it
    successor: str | None = None

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or year >= self.valid_from) and (
            self.replaced_in is None or year < self.replaced_in
        )


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    sort_order: int
    headline_indicator: str


@dataclass(frozen=True)
class Indicator:
    code: str
    domain: str
    name: str
    unit: str
    kind: str  # "count" (whole numbers) or "amount" (万元, decimals allowed)
    sort_order: int
    definition: str
    # Who reports it: "city" (the 14 市州), "county" (县市区 rows in a 市州's return), "unit" (省级单位)
    levels: tuple[str, ...] = ("city",)

    @property
    def label(self) -> str:
        """Header text as the template writes it: name（unit）."""
        return f"{self.name}（{self.unit}）"

    @property
    def is_count(self) -> bool:
        return self.kind == "count"


@dataclass(frozen=True)
class Rate:
    """A derived figure: numerator ÷ denominator × factor, where both are reported and the denominator isn't 0."""

    code: str
    domain: str
    name: str
    unit: str
    numerator: str
    denominator: str
    factor: float
    sort_order: int

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）"


def _rows(file_name: str) -> list[dict[str, str]]:
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
        for r in sorted(_rows("regions.csv"), key=lambda r: int(r["sort_order"]))
    )


@cache
def cities() -> tuple[Region, ...]:
    """The 14 市州 in official order."""
    return tuple(r for r in regions() if r.level == "city")


@cache
def region_by_code() -> dict[str, Region]:
    return {r.code: r for r in regions()}


@cache
def _region_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for row in _rows("regions.csv"):
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


def counties_of(city_code: str, year: int | None = None) -> tuple[Region, ...]:
    """A 市州's 县市区 valid in `year` (today's when None), in official order."""
    return tuple(
        r
        for r in regions()
        if r.level == "county"
        and r.parent_code == city_code
        and (r.valid_in(year) if year is not None else r.successor is None)
    )


@cache
def units() -> tuple[Region, ...]:
    """The 省级单位 (省妇联机关各部门, 省直妇工委) that report province-only figures."""
    return tuple(r for r in regions() if r.level == "unit")


@cache
def domains() -> tuple[Domain, ...]:
    return tuple(
        Domain(r["code"], r["name"], int(r["sort_order"]), r["headline_indicator"])
        for r in sorted(_rows("domains.csv"), key=lambda r: int(r["sort_order"]))
    )


@cache
def domain_by_code() -> dict[str, Domain]:
    return {d.code: d for d in domains()}


def find_domain(text: object) -> Domain | None:
    wanted = normalize_text(text)
    for d in domains():
        if wanted in (d.code, normalize_text(d.name)):
            return d
    return None


@cache
def indicators() -> tuple[Indicator, ...]:
    order = {d.code: d.sort_order for d in domains()}
    items = [
        Indicator(
            code=r["code"],
            domain=r["domain"],
            name=r["name"],
            unit=r["unit"],
            kind=r["kind"],
            sort_order=int(r["sort_order"]),
            definition=r["definition"],
            levels=tuple(r["levels"].split(";")),
        )
        for r in _rows("indicators.csv")
    ]
    return tuple(sorted(items, key=lambda i: (order[i.domain], i.sort_order)))


@cache
def indicator_by_code() -> dict[str, Indicator]:
    return {i.code: i for i in indicators()}


@cache
def rates() -> tuple[Rate, ...]:
    """The derived rates of etl/reference/rates.csv, in domain order."""
    order = {d.code: d.sort_order for d in domains()}
    items = [
        Rate(r["code"], r["domain"], r["name"], r["unit"], r["numerator"], r["denominator"], float(r["factor"]),
             int(r["sort_order"]))
        for r in _rows("rates.csv")
    ]  # fmt: skip
    return tuple(sorted(items, key=lambda r: (order[r.domain], r.sort_order)))


@cache
def rate_by_code() -> dict[str, Rate]:
    return {r.code: r for r in rates()}


def measure_name_unit(code: str) -> tuple[str, str]:
    """(name, unit) of an indicator or a rate."""
    found = indicator_by_code().get(code) or rate_by_code()[code]
    return found.name, found.unit


def domain_measures(domain: str) -> dict[str, tuple[str, str]]:
    """code → (name, unit): the domain's indicators, then its derived rates."""
    options = {i.code: (i.name, i.unit) for i in domain_indicators(domain)}
    return options | {r.code: (r.name, r.unit) for r in rates() if r.domain == domain}


def domain_indicators(domain: str) -> tuple[Indicator, ...]:
    return tuple(i for i in indicators() if i.domain == domain)


@cache
def _indicator_names() -> dict[str, Indicator]:
    return {normalize_text(i.name): i for i in indicators()}


_UNIT_IN_PARENS = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")


def parse_header(text: object) -> tuple[Indicator, str | None] | None:
    """Match a header cell to an indicator: returns (indicator, unit written or None).

    Units may be in ASCII or full-width parentheses (NFKC folds both) or left out; a unit written
    without parentheses straight after the name (实现就业妇女人数人) is accepted too.
    """
    text = normalize_text(text)
    if not text:
        return None
    match = _UNIT_IN_PARENS.match(text)
    if match:
        found = _indicator_names().get(match["name"])
        return (found, match["unit"] or None) if found else None
    found = _indicator_names().get(text)
    if found:
        return found, None
    for name, indicator in _indicator_names().items():
        if text.startswith(name) and text[len(name) :] == normalize_text(indicator.unit):
            return indicator, indicator.unit
    return None
