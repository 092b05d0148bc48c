"""The catalogue: what the platform collects (domains, indicators, rules, derived rates) as versioned data, and
the regions it is collected from. The ground floor every other module stands on; imports only etl.config.

Model (etl/catalog/model.py)
----------------------------
- `Domain` (类别), `Indicator` (code, domain, name, unit, kind count/amount/ratio, decimals, levels
  city/county/province, definition/口径, header aliases, briefing phrase), `Rate` (numerator ÷ denominator ×
  factor) and `Rule` (le: A ≤ B (+ C); band: A ÷ B within [low, high]; yoy: this year ÷ last year within
  [low, high]; county_sum: Σ 县市区 = 市州 within a tolerance; severity error/warning; issue code; message
  template) are frozen dataclasses. Every one is a *version*: (code, valid_from) with a `note`, in force from
  its year until the next version's; `retired` ends the entity from its year.
- `Catalogue` holds every version of everything, with `revision` (committed changes) and `token` (unique per
  content: the cache key). `Catalogue.edition(year)` is the catalogue as it stood in a year (returns are read and
  checked against the edition of their year); `edition(None)` is the catalogue now (pages, names; retired
  entities stay reachable by code so old figures keep their labels). `changes(code)` lists 口径 changes
  (year, note) for chart marks; `version_label(code, year)` names the 口径 an exported figure was reported under.
- Where it lives: in the warehouse (etl/warehouse/migrations/0004_catalogue.sql; read and written by
  etl/warehouse/catalog_store.py, which caches it by token), seeded from the shipped files in etl/reference/
  (`seed.shipped()`). Edited on the 指标目录 page and by `python -m etl catalog import` (etl/catalog_admin.py),
  both through `check.check` (integrity) in one transaction that bumps the revision.
- `rows.FIELDS`: one row per version, with Chinese headers: the shipped CSVs, the warehouse tables, the
  catalogue workbook and the page forms all speak it.

Module functions
----------------
Regions are fixed reference data (regions.csv): `regions()`, `cities()`, `region_by_code()`, `find_region()`,
`counties_of()`, `city_of()`, `units()` (省级单位), `region_in_year()` and `lineage_code()` (a 县市区 across a
change of code). The functions over domains and indicators (`domains()`, `domain_by_code()`,
`find_domain()`, `indicators()`, `indicator_by_code()`, `domain_indicators()`, `rates()`, `rate_by_code()`,
`measure_name_unit()`, `domain_measures()`, `parse_header()`) answer from the *active* catalogue: the one
`activate()` last set in this process (the app sets its warehouse's at each run, the pipeline the one it loads
with), else the shipped one. Each takes an optional `year` (default: now). Code that holds a `Catalogue` should
pass it explicitly rather than rely on the active one.
"""

from __future__ import annotations

from etl.catalog.model import (
    EVERY,
    KINDS,
    LEVELS,
    RULE_KINDS,
    SEVERITIES,
    Catalogue,
    Domain,
    Edition,
    Indicator,
    Rate,
    Rule,
)
from etl.catalog.regions import (
    PROVINCE_CODE,
    REFERENCE_DIR,
    Region,
    cities,
    city_of,
    counties_of,
    find_region,
    header_words,
    lineage_code,
    normalize_text,
    region_by_code,
    region_in_year,
    regions,
    units,
)
from etl.catalog.seed import shipped
from etl.cn_format import Kind, kind_of

__all__ = [
    "EVERY", "KINDS", "LEVELS", "PROVINCE_CODE", "REFERENCE_DIR", "RULE_KINDS", "SEVERITIES", "Catalogue", "Domain",
    "Edition", "Indicator", "Rate", "Region", "Rule", "activate", "active", "cities", "city_of", "counties_of",
    "domain_by_code", "domain_indicators", "domain_measures", "domains", "edition", "find_domain", "find_region",
    "header_words", "indicator_by_code", "indicators", "lineage_code", "measure_kind", "measure_name_unit",
    "normalize_text", "parse_header", "rate_by_code", "rates", "region_by_code", "region_in_year", "regions",
    "shipped", "units",
]  # fmt: skip

_active: Catalogue | None = None


def activate(cat: Catalogue | None) -> Catalogue:
    """Make `cat` the catalogue the module functions answer from (None: back to the shipped one)."""
    global _active
    _active = cat
    return active()


def active() -> Catalogue:
    return _active if _active is not None else shipped()


def edition(year: int | None = None) -> Edition:
    return active().edition(year)


def domains(year: int | None = None) -> tuple[Domain, ...]:
    """The 类别 in force (not retired), in official order."""
    return edition(year).domains


def domain_by_code(year: int | None = None) -> dict[str, Domain]:
    return edition(year).domain_by_code


def find_domain(text: object) -> Domain | None:
    """A 类别 by code or name, as typed."""
    wanted = normalize_text(text)
    for d in domains():
        if wanted in (d.code, normalize_text(d.name)):
            return d
    return None


def indicators(year: int | None = None) -> tuple[Indicator, ...]:
    """The indicators in force, in domain order."""
    return edition(year).indicators


def indicator_by_code(year: int | None = None) -> dict[str, Indicator]:
    return edition(year).indicator_by_code


def domain_indicators(domain: str, year: int | None = None) -> tuple[Indicator, ...]:
    return edition(year).domain_indicators(domain)


def rates(year: int | None = None) -> tuple[Rate, ...]:
    """The derived rates, in domain order."""
    return edition(year).rates


def rate_by_code(year: int | None = None) -> dict[str, Rate]:
    return edition(year).rate_by_code


def measure_name_unit(code: str) -> tuple[str, str]:
    """(name, unit) of an indicator or a rate."""
    found = indicator_by_code().get(code) or rate_by_code()[code]
    return found.name, found.unit


def measure_kind(code: str) -> Kind:
    """How a measure's figures are written (etl.cn_format): a derived rate in a count unit is an average."""
    return kind_of(measure_name_unit(code)[1], derived=code in rate_by_code())


def domain_measures(domain: str) -> dict[str, tuple[str, str]]:
    """code → (name, unit): the domain's indicators, then its derived rates."""
    options = {i.code: (i.name, i.unit) for i in domain_indicators(domain)}
    return options | {r.code: (r.name, r.unit) for r in rates() if r.domain == domain}


def parse_header(text: object) -> tuple[Indicator, str | None] | None:
    """Match a header cell to an indicator: (indicator, unit written or None)."""
    return active().parse_header(text)
