"""The annual briefing (年度简报): a paragraph per reporting 市州 from its figures, one sentence naming the
市州 that sent nothing, tables ending with the province's total; as Markdown here, as a 公文 in Word
(etl.briefing_docx). Every figure comes from the marts (etl.warehouse.marts)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Formatter

import pandas as pd

from etl import catalog, completion, totals
from etl.cn_format import Kind, cn_number, cn_quantity, kind_of, table_text

TEMPLATES_FILE = catalog.REFERENCE_DIR / "briefing_templates.toml"
PLACEHOLDERS = frozenset(
    {"year", "city", "value", "number", "pct", "count", "missing", "subject", "date", "total", "name"}
)
NOT_WRITTEN = "-"  # an indicator's briefing phrase that keeps it out of the briefing
REQUIRED = {
    "": ("title", "sample_note", "issuer"),
    "headings": ("summary", "cities", "table", "table_note", "figure", "table_caption"),
    "paragraph": ("opening", "clause_joiner", "sentence_end", "sentence_joiner", "nothing_reported"),
    "remarks": ("leads", "rise", "fall"),
    "summary": (
        "complete",
        "incomplete",
        "incomplete_pending",
        "full_scope",
        "part_scope",
        "none_reported",
        "rise",
        "fall",
        "flat",
    ),
}
TABLE_FIRST_COLUMN = "市州"


class BriefingError(Exception):
    """A briefing that cannot be made (no data, a broken template file), with a Chinese message."""


@dataclass(frozen=True)
class Briefing:
    year: int
    title: str
    note: str | None  # the sample-data line under the title, when any figure is invented
    summary: str
    sections: tuple[tuple[str, str], ...]  # (市州 name, paragraph) of the reporting 市州, in official order
    missing: str | None  # one sentence naming the 市州 that sent nothing, if any
    table: pd.DataFrame  # 市州 × (类别, 指标（单位）), exact figures, NaN = 未填报
    totals: dict[tuple[str, str], float | None]  # per table column: the province's total (mart_province)
    total_labels: dict[str, str]  # 类别 → the label of its table's total row (全省合计, 已报 N 个市州合计)
    headings: dict[str, str]
    issuer: str  # 落款: who issues the briefing
    as_of: date  # the day it was made (Beijing), the 落款's date

    def kinds(self, domain: str) -> dict[str, Kind]:
        """Each column of a 类别's table: its unit kind (counts whole, 万元 two decimals)."""
        units = {i.label: i.unit for i in catalog.indicators()}
        return {label: kind_of(units[label]) for label in self.table[domain].columns}


# ---------------------------------------------------------------- templates


def templates_version(path: Path = TEMPLATES_FILE) -> tuple[int, int]:
    """Changes when staff edit the wording, so cached briefings are rebuilt."""
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def load_templates(path: Path = TEMPLATES_FILE) -> dict:
    """The wording file, checked so a typo shows as a Chinese message, not a traceback."""
    try:
        with path.open("rb") as f:
            templates = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BriefingError(f"无法读取简报模板 {path.name}：{exc}") from exc
    _check_templates(templates, path.name)
    return templates


def _check_templates(templates: dict, file_name: str) -> None:
    for section, keys in REQUIRED.items():
        table = templates.get(section) if section else templates
        for key in keys:
            if not isinstance(table, dict) or not isinstance(table.get(key), str):
                raise BriefingError(f"简报模板 {file_name} 缺少 {_where(section, key)}。")
    if not isinstance(templates["remarks"].get("change_threshold"), int | float):
        raise BriefingError(f"简报模板 {file_name} 中 [remarks] change_threshold 应为数字。")
    for where, text in _strings(templates):
        try:
            names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise BriefingError(f"简报模板 {file_name} 中 {where} 的花括号不成对：{text}") from exc
        unknown = sorted(names - PLACEHOLDERS)
        if unknown:
            raise BriefingError(f"简报模板 {file_name} 中 {where} 含未知占位符 {{{unknown[0]}}}。")


def _where(section: str, key: str) -> str:
    return f"[{section}] {key}" if section else key


def _strings(node: dict, section: str = "") -> Iterator[tuple[str, str]]:
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _strings(value, f"{section}.{key}" if section else key)
        elif isinstance(value, str):
            yield _where(section, key), value


class _Fields(dict):
    """A placeholder this template cannot fill stays visible, so whoever edited the wording sees it."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def say(template: str, **fields: object) -> str:
    return template.format_map(_Fields(fields))


def _say_figure(template: str, value: float, unit: str, name: str = "") -> str:
    quantity, number = cn_quantity(value, unit), cn_number(value)  # an office may write the placeholders in Chinese
    return say(template, value=quantity, number=number, name=name, 数值=quantity, 数字=number, 名称=name)


def clause_of(indicator: catalog.Indicator, t: dict) -> str | None:
    """How the briefing says an indicator's figure: its phrase in the catalogue, else the default of its kind."""
    if indicator.phrase.strip() == NOT_WRITTEN:
        return None
    return indicator.phrase or t.get("default_clauses", {}).get(indicator.kind)


def _pct_text(pct: float, words: dict) -> str:
    if round(pct, 1) == 0 and "flat" in words:
        return words["flat"]
    return say(words["rise" if pct > 0 else "fall"], pct=f"{abs(pct):.1f}%")


# ---------------------------------------------------------------- content


@dataclass(frozen=True)
class Figures:
    """What the briefing of a year says, as the marts (etl.warehouse.marts) compute it: nothing is recomputed here."""

    year: int
    city: pd.DataFrame  # mart_city rows of the year, indicators only, indexed by (region_code, measure)
    province: dict[str, dict]  # indicator → its mart_province row
    coverage: dict[str, int]  # domain → 市州 that reported it
    status: dict  # the year's mart_year row: cities, cities_reported, cities_complete, missing, incomplete
    is_sample: bool  # a figure of the year, or of the year before it is compared with, is 示例
    include_pending: bool
    as_of: date
    edition: catalog.Edition = field(default_factory=lambda: catalog.edition(None))  # the catalogue of the year
    targets: pd.DataFrame | None = None  # mart_targets rows of the year (任务数 and 完成率), when any were set


def read_figures(con, year: int, *, include_pending: bool = False, as_of: date | None = None) -> Figures:  # noqa: ANN001
    """Everything the briefing needs from one warehouse connection, in the published scope unless told."""
    from etl.warehouse import catalog_store, marts, now_beijing

    city = marts.city(con, include_pending, year=year)
    city = city[city["kind"] != "rate"].set_index(["region_code", "measure"])
    province = marts.province(con, include_pending, year=year)
    before = marts.province(con, include_pending, year=year - 1)
    empty = {"cities": len(catalog.cities()), "cities_reported": 0, "cities_complete": 0, "missing": "",
             "incomplete": ""}  # fmt: skip
    return Figures(
        year=year,
        city=city,
        province={r["measure"]: r for r in province.to_dict("records") if r["kind"] != "rate"},
        coverage={d: n for (y, d), (n, _) in marts.coverage(con, include_pending).items() if y == year},
        status=marts.year_status(con, include_pending).get(year, empty),
        is_sample=bool(province["is_sample"].any() or before["is_sample"].any()),
        include_pending=include_pending,
        as_of=as_of or now_beijing().date(),
        edition=catalog_store.catalogue(con).edition(year),
        targets=marts.targets(con, include_pending, year=year),
    )


def _cell(f: Figures, code: str, indicator: str, column: str) -> float | None:
    try:
        value = f.city.at[(code, indicator), column]
    except KeyError:
        return None
    return None if pd.isna(value) else value


def _remarks(code: str, indicator: str, f: Figures, words: dict) -> list[str]:
    remarks = []
    # Leading a field of one is no distinction.
    if _cell(f, code, indicator, "rank") == 1 and _cell(f, code, indicator, "reported") > 1:
        remarks.append(words["leads"])
    pct = _cell(f, code, indicator, "change_pct")
    if pct is not None and abs(round(pct, 1)) >= words["change_threshold"]:
        remarks.append(_pct_text(pct, words))
    return remarks


def _domain_sentence(code: str, domain: catalog.Domain, f: Figures, t: dict) -> str:
    clauses = []
    for indicator in f.edition.domain_indicators(domain.code):
        value, template = _cell(f, code, indicator.code, "value"), clause_of(indicator, t)
        if value is None or not template:
            continue  # an unreported figure gets no clause at all: never "0", never "未填报" in prose
        clauses.append(_say_figure(template, value, indicator.unit, indicator.name))
        if indicator.code == domain.headline_indicator:
            clauses.extend(_remarks(code, indicator.code, f, t["remarks"]))
    if not clauses:
        return ""
    return t["paragraph"]["clause_joiner"].join(clauses) + t["paragraph"]["sentence_end"]


def _city_paragraph(code: str, f: Figures, t: dict) -> str | None:
    """The 市州's paragraph; None when it reported nothing (it is named once, in the missing sentence)."""
    p = t["paragraph"]
    sentences = [s for d in f.edition.domains if (s := _domain_sentence(code, d, f, t))]
    if not sentences:
        return None
    opening = say(p["opening"], year=f.year, city=catalog.region_by_code()[code].name)
    return opening + p["sentence_joiner"].join(sentences)


def _total_sentence(domain: catalog.Domain, f: Figures, t: dict) -> str:
    s, indicator = t["summary"], f.edition.indicator_by_code[domain.headline_indicator]
    row = f.province.get(indicator.code) or {"reported": 0}
    # The domain's name, unless some 市州 sent the domain without its headline figure.
    subject = domain.name if f.coverage.get(domain.code, 0) == row["reported"] else indicator.name
    if not row["reported"]:
        return say(s["none_reported"], subject=subject)
    whole = row["reported"] == f.status["cities"]
    scope = s["full_scope"] if whole else say(s["part_scope"], count=row["reported"], subject=subject)
    template = s.get("totals", {}).get(indicator.code) or clause_of(indicator, t) or ""
    text = scope + _say_figure(template, row["total"], indicator.unit, indicator.name)
    # The change counts only 市州 that reported both years (mart_province): a late return is no growth.
    if not pd.isna(row["change_pct"]):
        text += t["paragraph"]["clause_joiner"] + _pct_text(row["change_pct"], s)
        if row["comparable"] < row["reported"] and s.get("comparable"):
            text += say(s["comparable"], count=int(row["comparable"]))
    return text + t["paragraph"]["sentence_end"]


def _opening(f: Figures, t: dict) -> str:
    """A complete year says so; any other says, first, how far it is and which 市州 are missing — one sentence."""
    s, status = t["summary"], f.status
    if status["cities_complete"] == status["cities"]:
        return say(s["complete"], year=f.year, count=status["cities"])
    template = s["incomplete_pending"] if f.include_pending else s["incomplete"]
    return say(
        template, year=f.year, date=f"{f.as_of.month}月{f.as_of.day}日", total=status["cities"],
        count=status["cities_complete"], missing=status["incomplete"],
    )  # fmt: skip


def _summary(f: Figures, t: dict) -> str:
    heads = f.edition.indicator_by_code
    sentences = [
        _total_sentence(d, f, t)
        for d in f.edition.domains
        if heads.get(d.headline_indicator) and heads[d.headline_indicator].summable
    ]
    if f.targets is not None:  # who met the 任务数 of the year (etl.completion; 完成率 from mart_targets)
        sentences += completion.briefing_sentences(f.targets, {i.code: i.name for i in f.edition.indicators})
    return _opening(f, t) + t["paragraph"]["sentence_joiner"].join(sentences)


def _table(f: Figures) -> pd.DataFrame:
    cities, indicators = catalog.cities(), f.edition.indicators
    rows = [[_cell(f, c.code, i.code, "value") for i in indicators] for c in cities]
    names = f.edition.domain_by_code
    columns = pd.MultiIndex.from_tuples([(names[i.domain].name, i.label) for i in indicators], names=["类别", "指标"])
    index = pd.Index([c.name for c in cities], name=TABLE_FIRST_COLUMN)
    return pd.DataFrame(rows, index=index, columns=columns, dtype=float)


def _totals(f: Figures, table: pd.DataFrame) -> tuple[dict[tuple[str, str], float | None], dict[str, str]]:
    """The province's total of every column that adds up (counts, amounts), from mart_province — the figure
    the pages show, never re-added here — and each 类别's label for its total row."""
    domains = catalog.domain_by_code()
    columns = {(domains[i.domain].name, i.label): i for i in catalog.indicators()}
    found, reported = {}, {}
    for column in table.columns:
        indicator = columns[column]
        row = f.province.get(indicator.code) or {"total": None, "reported": 0}
        additive = kind_of(indicator.unit).additive and not pd.isna(row["total"])
        found[column] = row["total"] if additive else None
        counts = reported.setdefault(column[0], [])
        counts += [int(row["reported"])] if row["reported"] else []  # a column nobody filled in reads 未填报
    return found, {domain: totals.columns_label(counts) for domain, counts in reported.items()}


def build_briefing(f: Figures, templates: dict | None = None) -> Briefing:
    """The briefing of a year from its figures (read_figures)."""
    t = templates or load_templates()
    if not f.status["cities_reported"]:
        scope = "" if f.include_pending else "已审核通过的"
        raise BriefingError(f"{f.year}年尚无市州{scope}报送数据，无法生成简报。")
    headings = {key: say(text, year=f.year) for key, text in t["headings"].items()}
    notes = [t["sample_note"]] if f.is_sample else []
    if f.include_pending and t.get("pending_note"):
        notes.append(t["pending_note"])
    paragraphs = {c.name: _city_paragraph(c.code, f, t) for c in catalog.cities()}
    silent = "、".join(name for name, text in paragraphs.items() if text is None)
    table = _table(f)
    column_totals, labels = _totals(f, table)
    return Briefing(
        year=f.year,
        title=say(t["title"], year=f.year),
        note="".join(notes) or None,
        summary=_summary(f, t),
        sections=tuple((name, text) for name, text in paragraphs.items() if text is not None),
        missing=say(t["paragraph"]["nothing_reported"], missing=silent) if silent else None,
        table=table,
        totals=column_totals,
        total_labels=labels,
        headings=headings,
        issuer=t["issuer"],
        as_of=f.as_of,
    )


def briefing_from(con, year: int, *, include_pending: bool = False, templates: dict | None = None) -> Briefing:  # noqa: ANN001
    """Read the figures and build the briefing: what the CLI and the page call."""
    return build_briefing(read_figures(con, year, include_pending=include_pending), templates)


def table_parts(table: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """The closing table one 类别 at a time: 23 columns side by side fit no page."""
    for domain in dict.fromkeys(table.columns.get_level_values(0)):
        yield domain, table[domain]


# ---------------------------------------------------------------- Markdown


def table_rows(b: Briefing, domain: str) -> Iterator[tuple[str, list[str], bool]]:
    """(first cell, figures as written, is the total) of a 类别's table: the 市州, then the province's total."""
    part, kinds = b.table[domain], b.kinds(domain)
    for name, row in part.iterrows():
        yield str(name), [table_text(v, "", kinds[c]) for c, v in row.items()], False
    total = [table_text(b.totals[(domain, c)], "", kinds[c]) if kinds[c].additive else "" for c in part.columns]
    yield b.total_labels[domain], total, True


def _markdown_table(b: Briefing, domain: str) -> list[str]:
    part = b.table[domain]
    header = [TABLE_FIRST_COLUMN, *part.columns]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * len(part.columns)]
    for name, cells, is_total in table_rows(b, domain):
        first = f"**{name}**" if is_total else name
        lines.append("| " + " | ".join([first, *cells]) + " |")
    return lines


def to_markdown(b: Briefing) -> str:
    lines = [f"# {b.title}", ""]
    if b.note:
        lines += [b.note, ""]
    lines += [f"## {b.headings['summary']}", "", b.summary, "", f"## {b.headings['cities']}", ""]
    for name, text in b.sections:
        lines += [f"### {name}", "", text, ""]
    if b.missing:
        lines += [b.missing, ""]
    lines += [f"## {b.headings['table']}", "", b.headings["table_note"], ""]
    for domain, _ in table_parts(b.table):
        lines += [f"### {domain}", "", *_markdown_table(b, domain), ""]
    return "\n".join(lines)


def to_docx(b: Briefing, images: Sequence[tuple[str, bytes]] = (), signed_on: date | None = None) -> bytes:
    """The briefing as a 公文 (GB/T 9704-2012) in Word, with the charts as images; see etl.briefing_docx."""
    from etl.briefing_docx import write_docx

    return write_docx(b, images, signed_on or b.as_of)


RENDERERS: dict[str, Callable[..., bytes]] = {
    ".docx": to_docx,
    ".md": lambda b, *_: to_markdown(b).encode("utf-8"),
}
