"""One row per entity version, as the shipped CSV files, the warehouse tables, the catalogue workbook and the
指标目录 page hold it: the fields, their Chinese headers, and the parsing of what someone typed."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from etl.catalog.model import ENTITIES, KINDS, LEVELS, SEVERITIES, TYPES, Entity
from etl.config import FIRST_YEAR

LAST_YEAR = 2100
TRUE_WORDS, FALSE_WORDS = {"是", "true", "1", "yes", "y", "停用"}, {"否", "false", "0", "no", "n", "", "在用"}
SEPARATORS = (";", "；", "、", "\n")
KIND_WORDS = {**KINDS, "count": "计数"}  # “计数（整数）” is how the page explains it; “计数” is what people type
RULE_KIND_WORDS = {"le": "不大于", "band": "比值区间", "yoy": "与上年比", "county_sum": "县市区之和"}


@dataclass(frozen=True)
class Field:
    name: str  # attribute, table column and CSV column
    header: str  # Chinese column header (workbook, page)
    kind: str = "text"  # text | int | float | bool | list | year
    required: bool = False
    help: str = ""
    # code → Chinese word: either is accepted, the code is kept (the page and workbook speak Chinese)
    choices: Mapping[str, str] | None = None


_VERSION = (
    Field("valid_from", "生效年度", "year", help=f"这一口径从哪一年的报表起生效；空白：自 {FIRST_YEAR} 年起"),
    Field("retired", "停用", "bool", help="是：从生效年度起不再统计"),
    Field("note", "变更说明", "text", help="口径为什么改、改了什么"),
)
FIELDS: dict[str, tuple[Field, ...]] = {
    "domains": (
        Field("code", "代码", required=True, help="小写英文、数字和下划线，如 volunteer"),
        *_VERSION[:1],
        Field("name", "类别名称", required=True),
        Field("sort_order", "顺序", "int", True),
        Field("headline_indicator", "主要指标", required=True, help="本类别一项指标的代码：总览与简报用它"),
        Field("icon", "图标", help="Material 图标名，如 work；空白用默认图标"),
        *_VERSION[1:],
    ),
    "indicators": (
        Field("code", "代码", required=True),
        *_VERSION[:1],
        Field("domain", "类别", required=True, help="类别代码"),
        Field("name", "指标名称", required=True),
        Field("unit", "单位", required=True),
        Field("kind", "类型", required=True, help="计数、金额或比率", choices=KIND_WORDS),
        Field("decimals", "小数位", "int", help="空白：计数 0 位，金额与比率 2 位"),
        Field("levels", "填报层级", "list", help="市州、县市区、省级，可填多个，用分号隔开", choices=LEVELS),
        Field("definition", "口径说明", required=True),
        Field("aliases", "表头别名", "list", help="报表中可能写的其他名称，用分号隔开"),
        Field("phrase", "简报措辞", help="如 组织招聘会{数值}；空白用默认句式"),
        Field("sort_order", "顺序", "int", True),
        *_VERSION[1:],
    ),
    "rates": (
        Field("code", "代码", required=True),
        *_VERSION[:1],
        Field("domain", "类别", required=True),
        Field("name", "名称", required=True),
        Field("unit", "单位", required=True),
        Field("numerator", "分子指标", required=True),
        Field("denominator", "分母指标", required=True),
        Field("factor", "乘数", "float", True, help="如 100 得百分比"),
        Field("sort_order", "顺序", "int", True),
        *_VERSION[1:],
    ),
    "rules": (
        Field("code", "代码", required=True),
        *_VERSION[:1],
        Field("domain", "类别", help="空白：适用于全部类别"),
        Field(
            "kind",
            "规则类型",
            required=True,
            choices=RULE_KIND_WORDS,
            help="不大于（A ≤ B + C…）、比值区间（A ÷ B）、与上年比、县市区之和（= 市州）",
        ),  # fmt: skip
        Field("left", "指标A", required=True, help="指标代码；与上年比可填 * 表示全部指标"),
        Field("right", "指标B", "list", help="不大于：一个或几个指标（相加）；比值区间：分母指标"),
        Field("low", "下限", "float", help="比值区间：A÷B 的下限；与上年比：本年÷上年的下限（如 0.1）"),
        Field("high", "上限", "float", help="比值区间：A÷B 的上限；与上年比：本年÷上年的上限（如 10）"),
        Field("tolerance", "容差", "float", help="县市区之和：允许的差额"),
        Field("severity", "级别", required=True, help="错误（拒收）或警告（入库并提示审核）", choices=SEVERITIES),
        Field("issue", "问题代码", help="空白按类型与级别生成"),
        Field("message", "提示语", help="空白用默认提示语；可用 {left} {left_value} 等占位符"),
        Field("sort_order", "顺序", "int", True),
        *_VERSION[1:],
    ),
}
SHEETS = {"domains": "类别", "indicators": "指标", "rates": "派生指标", "rules": "规则"}
ENTITY_NAMES = {"domains": "类别", "indicators": "指标", "rates": "派生指标", "rules": "规则"}
assert set(FIELDS) == set(ENTITIES)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(spec: Field, value: object) -> tuple[object, str | None]:
    """(typed value, problem or None) of one typed cell."""
    text = _text(value)
    if not text:
        if spec.required:
            return None, f"“{spec.header}”不能为空。"
        return {"bool": False, "text": ""}.get(spec.kind), None  # None: the dataclass default
    if spec.kind == "text":
        if spec.choices:
            codes, problem = _chosen(spec, (text,))
            return (codes[0] if codes else None), problem
        return text, None
    if spec.kind == "list":
        parts = [text]
        for separator in SEPARATORS:
            parts = [piece for part in parts for piece in part.split(separator)]
        items = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
        return _chosen(spec, items) if spec.choices else (items, None)
    if spec.kind == "bool":
        lowered = text.lower()
        if lowered in TRUE_WORDS or lowered in FALSE_WORDS:
            return lowered in TRUE_WORDS, None
        return None, f"“{spec.header}”应填“是”或“否”，写的是“{text}”。"
    try:
        number = float(text)
    except ValueError:
        return None, f"“{spec.header}”应为数字，写的是“{text}”。"
    if not math.isfinite(number):
        return None, f"“{spec.header}”应为数字，写的是“{text}”。"
    if spec.kind == "float":
        return number, None
    if not number.is_integer():
        return None, f"“{spec.header}”应为整数，写的是“{text}”。"
    if spec.kind == "year" and not FIRST_YEAR <= number <= LAST_YEAR:
        return None, f"“{spec.header}”应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的年份，写的是“{text}”。"
    return int(number), None


def _words(choices: Mapping[str, str]) -> dict[str, str]:
    """Every way to write a choice → its code: the code, the Chinese word, the word without its explanation."""
    found = {code: code for code in choices}
    for code, word in choices.items():
        found[word] = found[word.split("（")[0]] = code
    return found


def _chosen(spec: Field, items: tuple[str, ...]) -> tuple[tuple[str, ...] | None, str | None]:
    """The codes of what was typed (codes or Chinese words), or the problem with the first that is neither."""
    words = _words(spec.choices or {})
    wrong = [item for item in items if item not in words and item.lower() not in words]
    if wrong:
        offered = "、".join(dict.fromkeys(w.split("（")[0] for w in (spec.choices or {}).values()))
        return None, f"“{spec.header}”应填 {offered} 之一，写的是“{wrong[0]}”。"
    return tuple(words.get(item, words.get(item.lower())) for item in items), None


def parse(entity: str, raw: Mapping[str, object]) -> tuple[Entity | None, list[tuple[str, str]]]:
    """An entity version from a row of typed or text cells; (None, [(field, problem), …]) when any is wrong."""
    values, problems = {}, []
    for spec in FIELDS[entity]:
        value, problem = _parse(spec, raw.get(spec.name))
        if problem:
            problems.append((spec.name, problem))
        elif value is not None:
            values[spec.name] = value
    if problems:
        return None, problems
    return TYPES[entity](**values), []


def to_row(item: Entity) -> dict[str, object]:
    """Typed values in FIELDS order (lists stay tuples): for the warehouse."""
    return {spec.name: getattr(item, spec.name) for spec in FIELDS[_entity_of(item)]}


def to_text(item: Entity) -> dict[str, object]:
    """Cell values for a workbook or CSV: lists joined with “;”, flags as 是/否, blanks for defaults."""
    out = {}
    for spec in FIELDS[_entity_of(item)]:
        value = getattr(item, spec.name)
        if spec.kind == "list":
            value = ";".join(value)
        elif spec.kind == "bool":
            value = "是" if value else "否"
        elif value is None:
            value = ""
        out[spec.name] = value
    return out


def _entity_of(item: Entity) -> str:
    return next(name for name, cls in TYPES.items() if isinstance(item, cls))


def entity_of(item: Entity) -> str:
    return _entity_of(item)


def with_version(item: Entity, valid_from: int, note: str, retired: bool | None = None) -> Entity:
    """The same definition as a version from `valid_from` (an edit on the page)."""
    changes = {"valid_from": valid_from, "note": note}
    if retired is not None:
        changes["retired"] = retired
    return replace(item, **changes)


def field_names(entity: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in FIELDS[entity])


def dataclass_fields(entity: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(TYPES[entity]) if not f.name.startswith("_"))
