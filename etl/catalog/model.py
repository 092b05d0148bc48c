"""The catalogue's entities and one immutable snapshot of them all (`Catalogue`), resolved per year.

Every entity is kept as versions: (code, valid_from) is one 口径, in force from `valid_from` until the next
version's year; a version with `retired` ends the entity from its year on. `Catalogue.edition(year)` is the
catalogue as it stood in a year (what a return of that year is read and checked against); `edition(None)` is the
catalogue now (names for pages, retired entities kept by code so old figures keep their labels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from etl.catalog.regions import normalize_text
from etl.config import FIRST_YEAR

KINDS = {"count": "计数（整数）", "amount": "金额", "ratio": "比率"}
LEVELS = {"city": "市州", "county": "县市区", "province": "省级"}
SEVERITIES = {"error": "错误", "warning": "警告"}
RULE_KINDS = {
    "le": "A ≤ B（+ C …）",
    "band": "A ÷ B 在合理区间内",
    "yoy": "与上年相比不超过倍数",
    "county_sum": "县市区之和 = 市州",
}
DEFAULT_DECIMALS = {"count": 0, "amount": 2, "ratio": 2}
EVERY = "*"  # a rule's `left` for every indicator (of its domain, or of all when the rule has no domain)


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    sort_order: int
    headline_indicator: str
    icon: str = ""  # Material icon name for the navigation (e.g. work); a default when blank
    valid_from: int = FIRST_YEAR
    retired: bool = False
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    domain: str
    name: str
    unit: str
    kind: str  # count (whole numbers) | amount (万元 and the like, decimals) | ratio (a reported rate: never summed)
    sort_order: int
    definition: str
    decimals: int | None = None  # None: the kind's default (count 0, amount 2, ratio 2)
    levels: tuple[str, ...] = ("city",)  # who reports it: city (市州), county (县市区), province (省级)
    aliases: tuple[str, ...] = ()  # other header texts that mean this indicator
    phrase: str = ""  # the briefing's clause; blank: the default sentence of its kind
    valid_from: int = FIRST_YEAR
    retired: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        """Header text as the template writes it: name（unit）."""
        return f"{self.name}（{self.unit}）"

    @property
    def is_count(self) -> bool:
        """Whole numbers only."""
        return self.places == 0

    @property
    def places(self) -> int:
        return DEFAULT_DECIMALS.get(self.kind, 2) if self.decimals is None else self.decimals

    @property
    def summable(self) -> bool:
        """A province total means something (not for a reported ratio)."""
        return self.kind != "ratio"


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
    valid_from: int = FIRST_YEAR
    retired: bool = False
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）"


@dataclass(frozen=True)
class Rule:
    """A check across values, declared, never coded:

    le          left ≤ sum(right)                   (cervical ≤ total; A ≤ B + C)
    band        low ≤ left ÷ right[0] ≤ high        (万元 per loan)
    yoy         low ≤ left ÷ left last year ≤ high  (left `*`: every indicator in the rule's domain, or in all)
    county_sum  |sum of left over a 市州's 县市区 − the 市州's left| ≤ tolerance
    Either bound may be left open. A value that breaks an error rule is not checked again by a warning rule of
    the same kind (over 100× last year is an error, not also a warning).
    """

    code: str
    domain: str  # "" for every domain
    kind: str
    left: str
    right: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    tolerance: float | None = None
    severity: str = "warning"
    issue: str = ""  # the stable issue code reported; blank: derived from kind and severity
    message: str = ""  # template; blank: the default of its kind and severity
    sort_order: int = 0
    valid_from: int = FIRST_YEAR
    retired: bool = False
    note: str = ""

    @property
    def issue_code(self) -> str:
        return self.issue or DEFAULT_ISSUES[(self.kind, self.severity)]

    @property
    def template(self) -> str:
        return self.message or DEFAULT_MESSAGES[(self.kind, self.severity)]


DEFAULT_ISSUES = {
    ("le", "error"): "impossible-figure", ("le", "warning"): "figure-exceeds",
    ("band", "error"): "ratio-impossible", ("band", "warning"): "ratio-out-of-range",
    ("yoy", "error"): "year-on-year-impossible", ("yoy", "warning"): "year-on-year-jump",
    ("county_sum", "error"): "county-sum-mismatch", ("county_sum", "warning"): "county-sum-differs",
}  # fmt: skip
_BAND = "{left} {left_value}{left_unit}、{right} {right_value}{right_unit}，平均每{right_unit} {ratio}{left_unit}，"
_COUNTY = "{indicator}：各县市区之和为 {sum}，而{city}填报 {value}，相差超过 {tolerance}"
DEFAULT_MESSAGES = {
    ("le", "error"): "{left}（{left_value}）大于{right}（{right_value}），数据不可能成立。请核对后更正。",
    ("le", "warning"): "{left}（{left_value}）大于{right}（{right_value}），请核实。",
    ("band", "error"): _BAND + "超出可能的范围（{range}），不可能成立。{fix}",
    ("band", "warning"): _BAND + "超出常见范围（{range}），请核实。{fix}",
    ("yoy", "error"): "{indicator}为 {value}，是上年（{previous}）的 {ratio}，不可能成立。{fix}",
    ("yoy", "warning"): "{indicator}为 {value}，是上年（{previous}）的 {ratio}。变化异常，请核实。",
    ("county_sum", "error"): _COUNTY + "。请核对后更正。",
    ("county_sum", "warning"): _COUNTY + "，请核实。",
}
# What a template may name, per rule kind (checked when a 管理员 saves a rule).
PLACEHOLDERS = {
    "le": {"left", "left_value", "right", "right_value", "unit", "fix"},
    "band": {"left", "left_value", "left_unit", "right", "right_value", "right_unit", "ratio",
             "range", "low", "high", "fix"},
    "yoy": {"indicator", "value", "previous", "ratio", "unit", "fix", "low", "high"},
    "county_sum": {"indicator", "sum", "value", "city", "tolerance", "unit"},
}  # fmt: skip

ENTITIES = ("domains", "indicators", "rates", "rules")
TYPES = {"domains": Domain, "indicators": Indicator, "rates": Rate, "rules": Rule}
Entity = Domain | Indicator | Rate | Rule


@dataclass(frozen=True)
class Edition:
    """The catalogue in one year (or now, `year` None): the version of each entity in force.

    The tuples list what is in force and not retired, in official order; the `*_by_code` maps of the current
    edition also keep retired entities, so that figures reported before still have a name.
    """

    year: int | None
    domains: tuple[Domain, ...]
    indicators: tuple[Indicator, ...]
    rates: tuple[Rate, ...]
    rules: tuple[Rule, ...]
    domain_by_code: dict[str, Domain]
    indicator_by_code: dict[str, Indicator]
    rate_by_code: dict[str, Rate]

    def domain_indicators(self, domain: str) -> tuple[Indicator, ...]:
        return self._per_domain.get(domain, ())

    @cached_property
    def _per_domain(self) -> dict[str, tuple[Indicator, ...]]:
        grouped: dict[str, list[Indicator]] = {}
        for indicator in self.indicators:
            grouped.setdefault(indicator.domain, []).append(indicator)
        return {code: tuple(items) for code, items in grouped.items()}


def _in_force(versions: list, year: int | None):  # noqa: ANN202 - one entity's versions, sorted by year
    """The version in force in `year` (the latest when None), or None before the first one."""
    if year is None:
        return versions[-1]
    found = None
    for version in versions:
        if version.valid_from > year:
            break
        found = version
    return found


@dataclass(frozen=True)
class Catalogue:
    """Every version of every entity, as read from the warehouse (or the shipped files); immutable.

    `revision` counts committed changes; `token` is unique to this content (cache key across processes).
    """

    domains_all: tuple[Domain, ...] = ()
    indicators_all: tuple[Indicator, ...] = ()
    rates_all: tuple[Rate, ...] = ()
    rules_all: tuple[Rule, ...] = ()
    revision: int = 0
    token: str = "shipped"
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def versions(self, entity: str) -> dict[str, list]:
        """code → its versions, oldest first."""
        key = ("versions", entity)
        if key not in self._memo:
            grouped: dict[str, list] = {}
            for item in sorted(getattr(self, f"{entity}_all"), key=lambda e: (e.code, e.valid_from)):
                grouped.setdefault(item.code, []).append(item)
            self._memo[key] = grouped
        return self._memo[key]

    def edition(self, year: int | None = None) -> Edition:
        key = ("edition", year)
        if key not in self._memo:
            self._memo[key] = self._build_edition(year)
        return self._memo[key]

    def _build_edition(self, year: int | None) -> Edition:
        current = {entity: self._current(entity, year) for entity in ENTITIES}
        live = {entity: [e for e in items.values() if not e.retired] for entity, items in current.items()}
        domains = tuple(sorted(live["domains"], key=lambda d: (d.sort_order, d.code)))
        order = {d.code: d.sort_order for d in current["domains"].values()}

        def in_domain_order(items: Iterable) -> tuple:
            return tuple(sorted(items, key=lambda i: (order.get(i.domain, 10**6), i.sort_order, i.code)))

        active = {d.code for d in domains}
        indicators = in_domain_order(i for i in live["indicators"] if i.domain in active)
        rates = in_domain_order(r for r in live["rates"] if r.domain in active)
        rules = tuple(sorted(live["rules"], key=lambda r: (order.get(r.domain, -1), r.sort_order, r.code)))
        keep_retired = year is None
        by_code = {
            entity: current[entity] if keep_retired else {e.code: e for e in live[entity]}
            for entity in ("domains", "indicators", "rates")
        }
        return Edition(
            year, domains, indicators, rates, rules, by_code["domains"], by_code["indicators"], by_code["rates"]
        )

    def _current(self, entity: str, year: int | None) -> dict:
        found = {}
        for code, versions in self.versions(entity).items():
            version = _in_force(versions, year)
            if version is not None:
                found[code] = version
        return found

    def indicator_in(self, code: str, year: int) -> Indicator | None:
        """The indicator's version in force in `year`; None when it is not collected that year."""
        memo = self._memo.setdefault("in_force", {})
        key = (code, year)
        if key not in memo:
            version = _in_force(self.versions("indicators").get(code, []), year)
            memo[key] = None if version is None or version.retired else version
        return memo[key]

    # ------------------------------------------------------------ header words

    def parse_header(self, text: object) -> tuple[Indicator, str | None] | None:
        """Match a header cell to an indicator: (its current version, unit written or None).

        Any name a version ever had and any alias are recognised. Units may be in ASCII or full-width
        parentheses (NFKC folds both) or left out; a unit written without parentheses straight after the name
        (实现就业妇女人数人) is accepted too.
        """
        memo = self._memo.setdefault("headers", {})
        key = str(text)
        if key not in memo:
            if len(memo) > 8192:  # hostile files may hold many distinct texts
                memo.clear()
            memo[key] = self._parse_header(normalize_text(text))
        return memo[key]

    def _parse_header(self, text: str) -> tuple[Indicator, str | None] | None:
        if not text:
            return None
        names = self.header_names()
        match = _UNIT_IN_PARENS.match(text)
        if match:
            found = names.get(match["name"])
            return (found, match["unit"] or None) if found else None
        found = names.get(text)
        if found:
            return found, None
        for name, indicator in names.items():
            rest = text[len(name) :] if text.startswith(name) else None
            if rest and rest in self.units_of(indicator.code):
                return indicator, rest
        return None

    def header_names(self) -> dict[str, Indicator]:
        """Normalised name or alias → the indicator's current version."""
        if "names" not in self._memo:
            current = self.edition(None).indicator_by_code
            names: dict[str, Indicator] = {}
            for code, versions in self.versions("indicators").items():
                for version in versions:
                    for name in (version.name, *version.aliases):
                        names.setdefault(normalize_text(name), current[code])
            self._memo["names"] = names
        return self._memo["names"]

    def units_of(self, code: str) -> frozenset[str]:
        """Every unit the indicator was ever counted in, normalised."""
        key = ("units", code)
        if key not in self._memo:
            self._memo[key] = frozenset(normalize_text(v.unit) for v in self.versions("indicators").get(code, []))
        return self._memo[key]

    # ------------------------------------------------------------ 口径 changes

    def changes(self, code: str) -> tuple[tuple[int, str], ...]:
        """(year, note) of each change of an indicator's or a rate's 口径 after its first version (a rate changes
        with its numerator and denominator too)."""
        entity = "rates" if code in self.versions("rates") else "indicators"
        versions = self.versions(entity).get(code, [])
        found = {(v.valid_from, v.note) for v in versions[1:]}
        if entity == "rates" and versions:
            for part in {versions[-1].numerator, versions[-1].denominator}:
                found |= {(year, note) for year, note in self.changes(part)}
        return tuple(sorted(found))

    def version_label(self, code: str, year: int) -> str:
        """The 口径 a figure of `year` was reported under: "2000年起" names the version by its first year."""
        versions = self.versions("indicators").get(code) or self.versions("rates").get(code) or []
        version = _in_force(versions, year)
        return f"{version.valid_from}年起" if version is not None else ""


_UNIT_IN_PARENS = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")
