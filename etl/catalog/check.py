"""Whether a catalogue holds together: codes, references between entities, names a header can be matched to,
rule templates. Run on every change (page, import) before anything is written; returns every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Formatter

from etl.catalog.model import (
    EVERY,
    KINDS,
    LEVELS,
    PLACEHOLDERS,
    RULE_KINDS,
    SEVERITIES,
    Catalogue,
    Indicator,
)
from etl.catalog.regions import header_words, normalize_text

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ISSUE_CODE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
PHRASE_PLACEHOLDERS = {"value", "number", "name", "数值", "数字", "名称"}  # etl/briefing.py fills these
# Names and units stand in page titles, labels and chart axes, briefing phrases in its Markdown: no character there
# may start markup or a link, and none is needed (Chinese names use full-width brackets).
SHOWN_IN_TITLES = ("name", "unit", "phrase")
MARKUP = re.compile(r"[\[\]()<>*_`~#$|\\@\x00-\x1f\x7f]|(?i:www\.|https?:|ftp:|mailto:)")
MARKUP_WORDS = "[ ] ( ) < > * _ ` ~ # $ | \\ @、网址及控制字符"
KIND_WORDS = "、".join(word.split("（")[0] for word in KINDS.values())
RULE_WORDS = "、".join(RULE_KINDS.values())
MAX_TEXT = {"name": 40, "unit": 10, "definition": 500, "note": 500, "message": 300, "phrase": 120, "icon": 40}


@dataclass(frozen=True)
class Problem:
    entity: str  # domains | indicators | rates | rules
    code: str
    valid_from: int
    field: str  # the field at fault ("" for the version as a whole)
    message: str


def check(cat: Catalogue) -> list[Problem]:
    """Every problem of the catalogue as a whole, in entity order."""
    problems: list[Problem] = []
    problems += _domains(cat)
    problems += _indicators(cat)
    problems += _rates(cat)
    problems += _rules(cat)
    return problems


def _texts(entity: str, item: object) -> list[Problem]:
    found = []
    if not CODE.match(item.code):
        found.append(
            _p(
                entity,
                item,
                "code",
                f"代码“{item.code}”应以小写英文字母开头，只含小写字母、数字和下划线（至多 40 个）。",
            )
        )
    for name, limit in MAX_TEXT.items():
        value = getattr(item, name, None)
        if isinstance(value, str) and len(value) > limit:
            found.append(_p(entity, item, name, f"内容过长（{len(value)} 字），至多 {limit} 字。"))
    for name in SHOWN_IN_TITLES:
        value = getattr(item, name, None)
        if isinstance(value, str) and MARKUP.search(value):
            found.append(_p(entity, item, name, f"“{value}”含有不能用于名称的符号：{MARKUP_WORDS}，请改用中文标点。"))
    return found


def _p(entity: str, item: object, field: str, message: str) -> Problem:
    return Problem(entity, item.code, item.valid_from, field, message)


def _domains(cat: Catalogue) -> list[Problem]:
    found: list[Problem] = []
    names: dict[str, str] = {}
    indicators = cat.versions("indicators")
    for code, versions in cat.versions("domains").items():
        for d in versions:
            found += _texts("domains", d)
            other = names.setdefault(normalize_text(d.name), code)
            if other != code:
                found.append(_p("domains", d, "name", f"类别名称“{d.name}”已被类别 {other} 使用。"))
            head = indicators.get(d.headline_indicator)
            if head is None or head[-1].domain != code:
                found.append(_p("domains", d, "headline_indicator",
                                f"主要指标“{d.headline_indicator}”不是本类别的指标。"))  # fmt: skip
    return found


def _indicators(cat: Catalogue) -> list[Problem]:
    found: list[Problem] = []
    domains = cat.versions("domains")
    structural = _structural_words()
    owners: dict[str, set[str]] = {}
    for code, versions in cat.versions("indicators").items():
        for i in versions:
            found += _texts("indicators", i) + _indicator_fields(i, versions[0].domain, domains)
            for name in (i.name, *i.aliases):
                key = normalize_text(name)
                owners.setdefault(key, set()).add(code)
                if key in structural:
                    message = f"“{name}”是表格的结构用语（如市州、年度），不能作指标名称。"
                    found.append(_p("indicators", i, "name", message))
            problem = template_problem(i.phrase if i.phrase.strip() != "-" else "", PHRASE_PLACEHOLDERS)
            if problem:
                found.append(_p("indicators", i, "phrase", problem))
    return found + _shared_names(cat, owners)


def _indicator_fields(i: Indicator, first_domain: str, domains: dict) -> list[Problem]:
    found = []
    if i.domain not in domains:
        found.append(_p("indicators", i, "domain", f"类别“{i.domain}”不存在。"))
    if i.domain != first_domain:
        found.append(_p("indicators", i, "domain", "指标不能改换类别；请停用它，在新类别中另建指标。"))
    if i.kind not in KINDS:
        found.append(_p("indicators", i, "kind", f"类型应为 {KIND_WORDS} 之一，写的是“{i.kind}”。"))
    if i.decimals is not None and not 0 <= i.decimals <= 6:
        found.append(_p("indicators", i, "decimals", "小数位应为 0 至 6。"))
    if i.kind == "count" and i.decimals not in (None, 0):
        found.append(_p("indicators", i, "decimals", "计数指标只能是整数（小数位 0）。"))
    if [level for level in i.levels if level not in LEVELS] or not i.levels:
        found.append(_p("indicators", i, "levels", f"填报层级应为 {'、'.join(LEVELS)} 中的一个或几个。"))
    return found


def _shared_names(cat: Catalogue, owners: dict[str, set[str]]) -> list[Problem]:
    """A name or alias two indicators answer to: a header could not tell them apart (said of both)."""
    found = []
    for code, versions in cat.versions("indicators").items():
        for i in versions:
            for name in (i.name, *i.aliases):
                others = sorted(owners[normalize_text(name)] - {code})
                if others:
                    field = "name" if name == i.name else "aliases"
                    message = f"名称“{name}”也是指标 {'、'.join(others)} 的名称或别名，表头会无法区分。"
                    found.append(_p("indicators", i, field, message))
    return found


def _structural_words() -> set[str]:
    words = header_words()
    return set(words.region | words.year | words.long_indicator | words.long_value | words.total)


def _rates(cat: Catalogue) -> list[Problem]:
    found: list[Problem] = []
    domains, indicators = cat.versions("domains"), cat.versions("indicators")
    for code, versions in cat.versions("rates").items():
        for r in versions:
            found += _texts("rates", r)
            if code in indicators:
                found.append(_p("rates", r, "code", f"代码“{code}”已是一项指标的代码。"))
            if r.domain not in domains:
                found.append(_p("rates", r, "domain", f"类别“{r.domain}”不存在。"))
            for name in ("numerator", "denominator"):
                if getattr(r, name) not in indicators:
                    found.append(_p("rates", r, name, f"指标“{getattr(r, name)}”不存在。"))
            if not r.factor > 0:
                found.append(_p("rates", r, "factor", "乘数应大于 0。"))
    return found


def _rules(cat: Catalogue) -> list[Problem]:
    found: list[Problem] = []
    domains, indicators = cat.versions("domains"), cat.versions("indicators")
    for _code, versions in cat.versions("rules").items():
        for r in versions:
            found += _texts("rules", r)
            if r.kind not in RULE_KINDS:
                found.append(_p("rules", r, "kind", f"规则类型应为 {RULE_WORDS} 之一，写的是“{r.kind}”。"))
                continue
            if r.severity not in SEVERITIES:
                found.append(_p("rules", r, "severity", "级别应为 error（错误）或 warning（警告）。"))
                continue
            if r.domain and r.domain not in domains:
                found.append(_p("rules", r, "domain", f"类别“{r.domain}”不存在。"))
            found += _rule_parts(r, indicators)
            if r.issue and not ISSUE_CODE.match(r.issue):
                found.append(_p("rules", r, "issue", "问题代码只含小写字母、数字和连字符，如 jobs-exceed-offers。"))
            problem = template_problem(r.message, PLACEHOLDERS[r.kind])
            if problem:
                found.append(_p("rules", r, "message", problem))
    return found


def _rule_parts(r: object, indicators: dict) -> list[Problem]:
    found = []
    if r.left != EVERY and r.left not in indicators:
        found.append(_p("rules", r, "left", f"指标“{r.left}”不存在。"))
    if r.left == EVERY and r.kind not in ("yoy", "county_sum"):
        message = "只有与上年比较（yoy）和县市区之和（county_sum）的规则可用 * 表示全部指标。"
        found.append(_p("rules", r, "left", message))
    missing = [code for code in r.right if code not in indicators]
    if missing:
        found.append(_p("rules", r, "right", f"指标“{'、'.join(missing)}”不存在。"))
    wanted = {"le": "至少一个", "band": "恰好一个"}.get(r.kind)
    if (r.kind == "le" and not r.right) or (r.kind == "band" and len(r.right) != 1):
        found.append(_p("rules", r, "right", f"这类规则需要{wanted}指标B。"))
    if r.kind in ("band", "yoy"):
        if r.low is None and r.high is None:
            found.append(_p("rules", r, "high", "请至少填写下限或上限之一。"))
        elif r.low is not None and r.high is not None and not r.low < r.high:
            found.append(_p("rules", r, "high", "上限应大于下限。"))
        elif (r.low is not None and r.low < 0) or (r.high is not None and r.high <= 0):
            found.append(_p("rules", r, "low", "下限不能为负，上限应大于 0。"))
    if r.kind == "county_sum":
        if r.tolerance is None or r.tolerance < 0:
            found.append(_p("rules", r, "tolerance", "请填写不小于 0 的容差。"))
        elif r.left in indicators and "county" not in indicators[r.left][-1].levels:
            found.append(_p("rules", r, "left", f"指标“{r.left}”不在县市区填报，无从核对县市区之和。"))
    return found


def template_problem(template: str, allowed: set[str]) -> str | None:
    """Why a message template cannot be used, or None: only the kind's placeholders, by name, unformatted."""
    if not template:
        return None
    try:
        parts = list(Formatter().parse(template))
    except ValueError:
        return "提示语中的花括号不成对。要写花括号本身，请写两个：{{ 或 }}。"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            return (
                f"提示语中的占位符“{{{name}}}”不可用；可用的有：{'、'.join('{' + a + '}' for a in sorted(allowed))}。"
            )
    return None
