"""The rules engine: the catalogue's rules of each value's year, applied to the observations of one file.

Kinds (etl/catalog/model.Rule): le (A ≤ B + …), band (A ÷ B within bounds), yoy (this year ÷ last year within
bounds), county_sum (Σ 县市区 = 市州 within a tolerance). Each breach is an Issue with the rule's code, severity and
message, at the cell of the value it is about, naming its indicator. A value that breaks an error rule is not
reported again by a warning rule of the same kind and indicators (over 100× last year is an error, not also a jump).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from etl import catalog, levels
from etl.catalog import EVERY, Catalogue, Indicator, Rule
from etl.issues import Issue
from etl.records import Observation, format_number

Key = tuple[str, int, str]  # (region_code, year, indicator_code)
YUAN_PER_WAN = 10_000
FILE_ALONE = ("le", "band", "county_sum")  # need nothing but the file; yoy needs last year (file or warehouse)


def in_wan(yuan: float) -> str:
    """The figure a 万元 cell should hold when 元 were typed: 13800 → 1.38."""
    return format_number(round(yuan / YUAN_PER_WAN, 4))


def fix_for(indicator: Indicator, value: float) -> str:
    """What to do about a figure far too large: for 万元, the value in 万元."""
    if indicator.unit == "万元":
        return f"是否按元填写？按万元应为 {in_wan(value)}。"
    return "请核对是否多输了数字、填错了行或单位。"


@dataclass
class _Run:
    """One evaluation: the file's values by key, where issues go, and what already broke an error rule."""

    values: dict[Key, Observation]
    file_name: str
    cat: Catalogue
    previous: Mapping[Key, float | None]
    issues: list[Issue]
    broken: set[tuple]

    def emit(self, rule: Rule, obs: Observation, fields: dict, group: tuple) -> None:
        if rule.severity == "warning" and group in self.broken:
            return
        if rule.severity == "error":
            self.broken.add(group)
        indicator = self.cat.edition(None).indicator_by_code[obs.indicator]
        self.issues.append(
            Issue(rule.issue_code, rule.severity, _render(rule, fields), self.file_name, obs.sheet, obs.cell,
                  indicator.name, (obs.region_code, obs.year, obs.indicator))
        )  # fmt: skip

    def last_year(self, obs: Observation) -> float | None:
        """The same region's figure the year before, along its line (宁乡市 2017 ← 宁乡县 2016)."""
        key = (catalog.region_in_year(obs.region_code, obs.year - 1).code, obs.year - 1, obs.indicator)
        before = self.values.get(key)
        return before.value if before is not None else self.previous.get(key)


def _render(rule: Rule, fields: dict) -> str:
    """The rule's template with its fields; the kind's default if a template slipped past the check."""
    try:
        return rule.template.format_map(fields)
    except (KeyError, IndexError, ValueError, AttributeError):
        return replace(rule, message="").template.format_map(fields)


def check(
    observations: Iterable[Observation],
    file_name: str,
    cat: Catalogue | None = None,
    *,
    kinds: tuple[str, ...] = FILE_ALONE,
    previous: Mapping[Key, float | None] | None = None,
) -> list[Issue]:
    """Issues of the rules of `kinds`, for every value against the rules of its own year."""
    cat = cat or catalog.active()
    values = {(o.region_code, o.year, o.indicator): o for o in observations}
    run = _Run(values, file_name, cat, previous or {}, [], set())
    by_year: dict[int, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for obs in values.values():
        if obs.value is not None:
            by_year[obs.year][obs.indicator].append(obs)
    for year in sorted(by_year):
        rules = [r for r in cat.edition(year).rules if r.kind in kinds]
        for rule in sorted(rules, key=lambda r: r.severity != "error"):  # errors first: they silence warnings
            CHECKS[rule.kind](run, rule, _of(by_year[year], rule, cat))
    return run.issues


def _of(reported: dict[str, list[Observation]], rule: Rule, cat: Catalogue) -> list[Observation]:
    """The reported values a rule is about: its indicator's, or (`*`) every indicator's of its domain or all."""
    if rule.left != EVERY:
        return reported.get(rule.left, [])
    domain_of = cat.edition(None).indicator_by_code
    return [o for code, found in reported.items() if not rule.domain or domain_of[code].domain == rule.domain
            for o in found]  # fmt: skip


def _names(cat: Catalogue, codes: Iterable[str]) -> str:
    names = cat.edition(None).indicator_by_code
    return "与".join(names[c].name for c in codes) + ("之和" if len(tuple(codes)) > 1 else "")


def _le(run: _Run, rule: Rule, observations: list[Observation]) -> None:
    names = run.cat.edition(None).indicator_by_code
    for obs in observations:
        parts = [run.values.get((obs.region_code, obs.year, code)) for code in rule.right]
        if any(p is None or p.value is None for p in parts):
            continue
        whole = sum(p.value for p in parts)
        if obs.value <= whole:
            continue
        fields = {"left": names[obs.indicator].name, "left_value": format_number(obs.value),
                  "right": _names(run.cat, rule.right), "right_value": format_number(whole),
                  "unit": names[obs.indicator].unit, "fix": "请核对后更正。"}  # fmt: skip
        run.emit(rule, obs, fields, ("le", obs, rule.right))


def _band(run: _Run, rule: Rule, observations: list[Observation]) -> None:
    names = run.cat.edition(None).indicator_by_code
    (right,) = rule.right
    for obs in observations:
        base = run.values.get((obs.region_code, obs.year, right))
        if base is None or not base.value:
            continue
        ratio = obs.value / base.value
        if _within(ratio, rule):
            continue
        left, under = names[obs.indicator], names[right]
        fields = {
            "left": left.name, "left_value": format_number(obs.value), "left_unit": left.unit,
            "right": under.name, "right_value": format_number(base.value), "right_unit": under.unit,
"ratio": f"{ratio:.2f}", "range": _range(rule, f"{left.unit}/{under.unit}"),
            "low": _bound(rule.low), "high": _bound(rule.high), "fix": fix_for(left, obs.value),
        }  # fmt: skip
        run.emit(rule, obs, fields, ("band", obs, rule.right))


def _yoy(run: _Run, rule: Rule, observations: list[Observation]) -> None:
    names = run.cat.edition(None).indicator_by_code
    for obs in observations:
        before = run.last_year(obs)
        if not before:
            continue
        ratio = obs.value / before
        if _within(ratio, rule):
            continue
        indicator = names[obs.indicator]
        fields = {
            "indicator": indicator.name, "value": format_number(obs.value), "previous": format_number(before),
            "ratio": f"{ratio:.1f} 倍" if ratio >= 1 else f"{ratio:.1%}", "unit": indicator.unit,
            "fix": fix_for(indicator, obs.value), "low": _bound(rule.low), "high": _bound(rule.high),
        }  # fmt: skip
        run.emit(rule, obs, fields, ("yoy", obs))


def _county_sum(run: _Run, rule: Rule, observations: list[Observation]) -> None:
    regions = catalog.region_by_code()
    names = run.cat.edition(None).indicator_by_code
    for obs in observations:
        if regions[obs.region_code].level != "city" or levels.is_summed(obs.cell):  # a sum agrees with itself
            continue
        of_year = catalog.counties_of(obs.region_code, obs.year)
        counties = [run.values.get((c.code, obs.year, obs.indicator)) for c in of_year]
        given = [c.value for c in counties if c is not None and c.value is not None]
        # Only when every 县市区 reported: a partial sum is etl.levels's to judge (it may not exceed the 市州)
        if len(given) < len(of_year) or abs(sum(given) - obs.value) <= (rule.tolerance or 0):
            continue
        fields = {"indicator": names[obs.indicator].name, "sum": format_number(sum(given)),
                  "value": format_number(obs.value), "city": regions[obs.region_code].name,
                  "tolerance": format_number(rule.tolerance or 0), "unit": names[obs.indicator].unit}  # fmt: skip
        run.emit(rule, obs, fields, ("county_sum", obs))


def _within(ratio: float, rule: Rule) -> bool:
    return (rule.low is None or ratio >= rule.low) and (rule.high is None or ratio <= rule.high)


def _bound(value: float | None) -> str:
    return "" if value is None else format_number(value)


def _range(rule: Rule, unit: str) -> str:
    if rule.low is not None and rule.high is not None:
        return f"{_bound(rule.low)}–{_bound(rule.high)} {unit}"
    return f"不超过 {_bound(rule.high)} {unit}" if rule.high is not None else f"不低于 {_bound(rule.low)} {unit}"


CHECKS: dict[str, Callable[[_Run, Rule, list[Observation]], None]] = {
    "le": _le, "band": _band, "yoy": _yoy, "county_sum": _county_sum,
}  # fmt: skip
