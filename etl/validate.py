"""Checks across values: impossible figures (errors, with the likely fix), and warnings that are loaded but
reported, kept, and shown to the reviewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from etl import catalog
from etl.extract import Extraction, Observation
from etl.issues import Issue, make_issue

Key = tuple[str, int, str]  # (region_code, year, indicator_code)

# (part, whole, issue code): part > whole cannot be true (errors) or needs a second look (warnings).
IMPOSSIBLE = [
    ("cervical_screened", "screened_total", "impossible-figure"),
    ("breast_screened", "screened_total", "impossible-figure"),
    ("cases_found", "screened_total", "impossible-figure"),
]
SUSPICIOUS = [
    ("women_employed", "jobs_offered", "employed-exceeds-jobs"),
    ("women_borrowers", "loan_count", "borrowers-exceed-loans"),
    ("patients_aided", "cases_found", "aided-exceed-cases"),
]
LOAN_AVERAGE_RANGE = (0.5, 50.0)  # 万元 per loan: outside it, a warning
LOAN_AVERAGE_IMPOSSIBLE = 100.0  # 万元 per loan: above it no 市州's micro-loans can be, an error
JUMP_FACTOR = 10  # × last year (or ÷): a warning
JUMP_IMPOSSIBLE = 100  # × last year: an error
YUAN_PER_WAN = 10_000


def format_number(value: float) -> str:
    """Exact figure for messages: 75700, 10211.5 (never 75700.0)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def validate(extraction: Extraction, file_name: str) -> list[Issue]:
    """All cross-value issues a file shows on its own (errors included); the warehouse is not needed."""
    values = _index(extraction)
    issues: list[Issue] = []
    issues += _comparisons(values, file_name, IMPOSSIBLE + SUSPICIOUS)
    issues += _loan_averages(values, file_name)
    issues += _totals(extraction, file_name)
    return issues


def year_on_year(extraction: Extraction, file_name: str, previous: Mapping[Key, float | None]) -> list[Issue]:
    """Warnings for jumps against last year, taken from the file itself or else from the warehouse (`previous`)."""
    return _jumps(_index(extraction), file_name, previous)


def _index(extraction: Extraction) -> dict[Key, Observation]:
    return {(o.region_code, o.year, o.indicator): o for o in extraction.observations}


def _issue(code: str, obs: Observation, file_name: str, **fields: object) -> Issue:
    return make_issue(code, file=file_name, sheet=obs.sheet, cell=obs.cell, **fields)


def _comparisons(values: dict[Key, Observation], file_name: str, rules: list[tuple[str, str, str]]) -> list[Issue]:
    names = catalog.indicator_by_code()
    issues = []
    for part_code, whole_code, issue_code in rules:
        for part in _of_indicator(values, part_code):
            whole = values.get((part.region_code, part.year, whole_code))
            if whole is None or part.value is None or whole.value is None or part.value <= whole.value:
                continue
            issues.append(
                _issue(
                    issue_code,
                    part,
                    file_name,
                    part=names[part_code].name,
                    part_value=format_number(part.value),
                    whole=names[whole_code].name,
                    whole_value=format_number(whole.value),
                )
            )
    return issues


def _of_indicator(values: dict[Key, Observation], code: str) -> list[Observation]:
    return [obs for key, obs in values.items() if key[2] == code]


def _loan_averages(values: dict[Key, Observation], file_name: str) -> list[Issue]:
    issues = []
    low, high = LOAN_AVERAGE_RANGE
    for amount in _of_indicator(values, "loan_amount"):
        count = values.get((amount.region_code, amount.year, "loan_count"))
        if amount.value is None or count is None or not count.value:
            continue
        average = amount.value / count.value
        if average > LOAN_AVERAGE_IMPOSSIBLE:
            issues.append(
                _issue(
                    "loan-average-impossible", amount, file_name, amount=format_number(amount.value),
                    count=format_number(count.value), average=f"{average:.2f}", fixed=in_wan(amount.value),
                )
            )  # fmt: skip
        elif not low <= average <= high:
            issues.append(_issue("loan-average-out-of-range", amount, file_name, average=f"{average:.2f}"))
    return issues


def in_wan(yuan: float) -> str:
    """The figure a 万元 cell should hold when 元 were typed: 13800 → 1.38."""
    return format_number(round(yuan / YUAN_PER_WAN, 4))


def _totals(extraction: Extraction, file_name: str) -> list[Issue]:
    sums: dict[tuple[int, str], float] = defaultdict(float)
    for obs in extraction.observations:
        if obs.value is not None:
            sums[(obs.year, obs.indicator)] += obs.value
    issues = []
    for total in extraction.totals:
        actual = sums.get((total.year, total.indicator), 0.0)
        if abs(actual - total.value) > 0.005:
            issues.append(
                make_issue(
                    "total-mismatch",
                    file=file_name,
                    sheet=total.sheet,
                    cell=total.cell,
                    indicator=catalog.indicator_by_code()[total.indicator].name,
                    total=format_number(total.value),
                    sum=format_number(actual),
                )
            )
    return issues


def _jumps(values: dict[Key, Observation], file_name: str, previous: Mapping[Key, float | None]) -> list[Issue]:
    """Against the same region's previous year (in this file or the warehouse): over 100× is an error, over 10× or
    under 1/10 a warning."""
    names = catalog.indicator_by_code()
    issues = []
    for (region, year, code), obs in values.items():
        before_obs = values.get((region, year - 1, code))
        before = before_obs.value if before_obs is not None else previous.get((region, year - 1, code))
        if obs.value is None or not before:
            continue
        ratio = obs.value / before
        if not (ratio > JUMP_FACTOR or ratio < 1 / JUMP_FACTOR):
            continue
        text = f"{ratio:.1f} 倍" if ratio >= 1 else f"{ratio:.1%}"
        fields = {
            "indicator": names[code].name, "value": format_number(obs.value), "previous": format_number(before),
            "ratio": text,
        }  # fmt: skip
        if ratio > JUMP_IMPOSSIBLE:
            fix = (
                f"是否按元填写？按万元应为 {in_wan(obs.value)}。"
                if names[code].unit == "万元"
                else "请核对是否多输了数字、填错了行或单位。"
            )
            issues.append(_issue("year-on-year-impossible", obs, file_name, fix=fix, **fields))
        else:
            issues.append(_issue("year-on-year-jump", obs, file_name, **fields))
    return issues
