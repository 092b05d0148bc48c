"""The annual briefing (年度简报): a paragraph per reporting 市州 from its figures, one sentence naming the
市州 that sent nothing, tables with 全省合计; as Markdown here, as a 公文 in Word (etl.briefing_docx)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Formatter

import pandas as pd

from etl import catalog, totals
from etl.cn_format import Kind, cn_number, cn_quantity, kind_of, table_text

TEMPLATES_FILE = catalog.REFERENCE_DIR / "briefing_templates.toml"
PLACEHOLDERS = frozenset({"year", "city", "value", "number", "pct", "count", "missing", "subject"})
REQUIRED = {
    "": ("title", "sample_note", "issuer"),
    "headings": ("summary", "cities", "table", "table_note", "figure", "table_caption"),
    "paragraph": ("opening", "clause_joiner", "sentence_end", "sentence_joiner", "nothing_reported"),
    "remarks": ("leads", "rise", "fall"),
    "summary": ("all_reported", "some_reported", "full_scope", "part_scope", "none_reported", "rise", "fall", "flat"),
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
    totals: dict[tuple[str, str], float | None]  # 全省合计 per table column (etl.totals.province_total)
    headings: dict[str, str]
    issuer: str  # 落款: who issues the briefing

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


def _say_figure(template: str, value: float, unit: str) -> str:
    return say(template, value=cn_quantity(value, unit), number=cn_number(value))


def _pct_text(pct: float, words: dict) -> str:
    if round(pct, 1) == 0 and "flat" in words:
        return words["flat"]
    return say(words["rise" if pct > 0 else "fall"], pct=f"{abs(pct):.1f}%")


# ---------------------------------------------------------------- content


def _wide(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """region_code × indicator code of one year, all 14 市州 and every indicator; NaN = 未填报."""
    rows = frame.loc[frame["year"] == year, ["region_code", "indicator", "value"]]
    found = {(r, i): v for r, i, v in rows.itertuples(index=False)}
    cities, indicators = [c.code for c in catalog.cities()], [i.code for i in catalog.indicators()]
    return pd.DataFrame(
        [[found.get((c, i)) for i in indicators] for c in cities], index=cities, columns=indicators, dtype=float
    )


def _pct(now: float, before: float) -> float | None:
    if pd.isna(now) or pd.isna(before) or before == 0:
        return None
    return (now - before) / before * 100


def _remarks(code: str, indicator: str, now: pd.DataFrame, before: pd.DataFrame, words: dict) -> list[str]:
    reported = now[indicator].dropna()
    remarks = []
    # Leading a field of one is no distinction.
    if len(reported) > 1 and now.at[code, indicator] == reported.max():
        remarks.append(words["leads"])
    pct = _pct(now.at[code, indicator], before.at[code, indicator])
    if pct is not None and abs(round(pct, 1)) >= words["change_threshold"]:
        remarks.append(_pct_text(pct, words))
    return remarks


def _domain_sentence(code: str, domain: catalog.Domain, now: pd.DataFrame, before: pd.DataFrame, t: dict) -> str:
    clauses = []
    for indicator in catalog.domain_indicators(domain.code):
        value, template = now.at[code, indicator.code], t.get("clauses", {}).get(indicator.code)
        if pd.isna(value) or not template:
            continue  # an unreported figure gets no clause at all: never "0", never "未填报" in prose
        clauses.append(_say_figure(template, value, indicator.unit))
        if indicator.code == domain.headline_indicator:
            clauses.extend(_remarks(code, indicator.code, now, before, t["remarks"]))
    if not clauses:
        return ""
    return t["paragraph"]["clause_joiner"].join(clauses) + t["paragraph"]["sentence_end"]


def _city_paragraph(code: str, year: int, now: pd.DataFrame, before: pd.DataFrame, t: dict) -> str | None:
    """The 市州's paragraph; None when it reported nothing (it is named once, in the missing sentence)."""
    p = t["paragraph"]
    sentences = [s for d in catalog.domains() if (s := _domain_sentence(code, d, now, before, t))]
    if not sentences:
        return None
    opening = say(p["opening"], year=year, city=catalog.region_by_code()[code].name)
    return opening + p["sentence_joiner"].join(sentences)


def _subject(domain: catalog.Domain, indicator: catalog.Indicator, now: pd.DataFrame) -> str:
    """The domain's name, unless some 市州 sent the domain without its headline figure."""
    columns = [i.code for i in catalog.domain_indicators(domain.code)]
    same = now[columns].notna().any(axis=1).sum() == now[indicator.code].notna().sum()
    return domain.name if same else indicator.name


def _total_sentence(domain: catalog.Domain, now: pd.DataFrame, before: pd.DataFrame, t: dict) -> str:
    s, indicator = t["summary"], catalog.indicator_by_code()[domain.headline_indicator]
    this_year = now[indicator.code].dropna()
    subject = _subject(domain, indicator, now)
    if this_year.empty:
        return say(s["none_reported"], subject=subject)
    whole = len(this_year) == len(now)
    scope = s["full_scope"] if whole else say(s["part_scope"], count=len(this_year), subject=subject)
    text = scope + _say_figure(s["totals"][indicator.code], this_year.sum(), indicator.unit)
    # Only 市州 that reported both years compare: a late return must not read as growth.
    both = now[indicator.code].notna() & before[indicator.code].notna()
    pct = _pct(now.loc[both, indicator.code].sum(), before.loc[both, indicator.code].sum()) if both.any() else None
    if pct is not None:
        text += t["paragraph"]["clause_joiner"] + _pct_text(pct, s)
        if both.sum() < len(this_year) and s.get("comparable"):
            text += say(s["comparable"], count=int(both.sum()))
    return text + t["paragraph"]["sentence_end"]


def _summary(year: int, now: pd.DataFrame, before: pd.DataFrame, t: dict) -> str:
    s = t["summary"]
    reported = now.notna().any(axis=1)
    if reported.all():
        opening = say(s["all_reported"], year=year, count=len(now))
    else:
        missing = "、".join(catalog.region_by_code()[c].name for c in now.index[~reported])
        opening = say(s["some_reported"], year=year, count=int(reported.sum()), missing=missing)
    totals = s.get("totals", {})
    sentences = [_total_sentence(d, now, before, t) for d in catalog.domains() if d.headline_indicator in totals]
    return opening + t["paragraph"]["sentence_joiner"].join(sentences)


def _table(now: pd.DataFrame) -> pd.DataFrame:
    table = now.copy()
    table.index = pd.Index([catalog.region_by_code()[c].name for c in now.index], name=TABLE_FIRST_COLUMN)
    names = catalog.domain_by_code()
    table.columns = pd.MultiIndex.from_tuples(
        [(names[i.domain].name, i.label) for i in catalog.indicators()], names=["类别", "指标"]
    )
    return table


def _totals(table: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """全省合计 of every column, by the one function the pages and Excel files use."""
    return {column: totals.province_total(table[column]) for column in table.columns}


def _has_sample(frame: pd.DataFrame, years: list[int]) -> bool:
    used = frame[frame["year"].isin(years) & frame["value"].notna()]
    return bool(used["is_sample"].fillna(False).astype(bool).any())


def build_briefing(frame: pd.DataFrame, year: int, templates: dict | None = None) -> Briefing:
    """The briefing of a year from the current-values frame (warehouse.values_frame)."""
    t = templates or load_templates()
    now, before = _wide(frame, year), _wide(frame, year - 1)
    if not now.notna().any().any():
        raise BriefingError(f"{year}年尚无市州报送数据，无法生成简报。")
    names = {c.code: c.name for c in catalog.cities()}
    headings = {key: say(text, year=year) for key, text in t["headings"].items()}
    paragraphs = {code: _city_paragraph(code, year, now, before, t) for code in now.index}
    silent = "、".join(names[code] for code, text in paragraphs.items() if text is None)
    table = _table(now)
    return Briefing(
        year=year,
        title=say(t["title"], year=year),
        note=t["sample_note"] if _has_sample(frame, [year, year - 1]) else None,
        summary=_summary(year, now, before, t),
        sections=tuple((names[code], text) for code, text in paragraphs.items() if text is not None),
        missing=say(t["paragraph"]["nothing_reported"], missing=silent) if silent else None,
        table=table,
        totals=_totals(table),
        headings=headings,
        issuer=t["issuer"],
    )


def table_parts(table: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """The closing table one 类别 at a time: 23 columns side by side fit no page."""
    for domain in dict.fromkeys(table.columns.get_level_values(0)):
        yield domain, table[domain]


# ---------------------------------------------------------------- Markdown


def table_rows(b: Briefing, domain: str) -> Iterator[tuple[str, list[str], bool]]:
    """(first cell, figures as written, is the total) of a 类别's table: the 市州, then 全省合计."""
    part, kinds = b.table[domain], b.kinds(domain)
    for name, row in part.iterrows():
        yield str(name), [table_text(v, "", kinds[c]) for c, v in row.items()], False
    total = [table_text(b.totals[(domain, c)], "", kinds[c]) for c in part.columns]
    yield totals.total_label(part.index), total, True


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


def to_docx(b: Briefing, images: list[tuple[str, bytes]] = (), signed_on: date | None = None) -> bytes:
    """The briefing as a 公文 (GB/T 9704-2012) in Word, with the charts as images; see etl.briefing_docx."""
    from etl.briefing_docx import write_docx

    return write_docx(b, images, signed_on)


RENDERERS: dict[str, Callable[..., bytes]] = {
    ".docx": to_docx,
    ".md": lambda b, *_: to_markdown(b).encode("utf-8"),
}
