"""Checks across values: the catalogue's rules (etl/ingest/rules.py) and the 合计 rows; then last year's figure
beside the problems it helps to judge. Errors refuse the file; warnings are loaded, reported, kept and shown to the
reviewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from etl import catalog
from etl.catalog import Catalogue
from etl.extract import Extraction
from etl.ingest.rules import FILE_ALONE, Key, check, in_wan
from etl.issues import Issue, make_issue
from etl.records import format_number

__all__ = ["format_number", "in_wan", "validate", "with_last_year", "year_on_year"]
# Problems with what was typed in one cell, where last year's figure helps to type the right one (a rule's
# message names the figures it compares already).
LAST_YEAR_HELPS = frozenset({"not-a-number", "approximate-value", "negative-value", "fraction-in-count", "yuan-in-wan"})


def validate(extraction: Extraction, file_name: str, cat: Catalogue | None = None) -> list[Issue]:
    """All cross-value issues a file shows on its own (errors included); the warehouse is not needed."""
    issues = check(extraction.observations, file_name, cat, kinds=FILE_ALONE)
    return issues + _totals(extraction, file_name, cat or catalog.active())


def year_on_year(
    extraction: Extraction, file_name: str, previous: Mapping[Key, float | None], cat: Catalogue | None = None
) -> list[Issue]:
    """Issues of the year-on-year rules, against last year from the file itself or else the warehouse."""
    return check(extraction.observations, file_name, cat, kinds=("yoy",), previous=previous)


def _totals(extraction: Extraction, file_name: str, cat: Catalogue) -> list[Issue]:
    """A 合计 row against the 市州 of the file (or its 省级单位): never its 县市区, which are in their 市州's."""
    sums: dict[tuple[int, str], float] = defaultdict(float)
    regions = catalog.region_by_code()
    for obs in extraction.observations:
        if obs.value is not None and regions[obs.region_code].level != "county":
            sums[(obs.year, obs.indicator)] += obs.value
    issues = []
    names = cat.edition(None).indicator_by_code
    for total in extraction.totals:
        actual = sums.get((total.year, total.indicator), 0.0)
        if abs(actual - total.value) > 0.005:
            name = names[total.indicator].name
            issues.append(
                make_issue("total-mismatch", file=file_name, sheet=total.sheet, cell=total.cell, subject=name,
                           indicator=name, total=format_number(total.value), sum=format_number(actual))
            )  # fmt: skip
    return issues


def with_last_year(
    issues: list[Issue], extraction: Extraction, previous: Mapping[Key, float | None], cat: Catalogue | None = None
) -> list[Issue]:
    """Issues about a value, with last year's figure (from the file, else the warehouse) when one is known."""
    names = (cat or catalog.active()).edition(None).indicator_by_code
    in_file = {(o.region_code, o.year, o.indicator): o.value for o in extraction.observations}
    out = []
    for issue in issues:
        if issue.code in LAST_YEAR_HELPS and issue.key is not None:
            region, year, code = issue.key
            before = in_file.get((region, year - 1, code), previous.get((region, year - 1, code)))
            if before is not None:
                issue = replace(issue, message=f"{issue.message}（上年为 {format_number(before)}{names[code].unit}）")
        out.append(issue)
    return out
