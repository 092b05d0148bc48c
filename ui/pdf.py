"""下载 PDF of a 类别 page and of the 市州画像: the view the page shows (its own cached builder) as an
etl.pdf_report.Report, printed on the server when someone clicks — through ui.common.download, so the role is
checked again at the click and the download is audited as an export.

The same view at the same warehouse version gives the same PDF: the newest few are kept in memory (a build
starts a browser, a few seconds), keyed by the warehouse version and every choice that shapes the page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import streamlit as st

from etl import catalog, chart_images, pdf_report
from etl.cn_format import kind_of
from etl.pdf_report import Chart, Grid, Heading, Report, Text
from ui import common, tables
from ui.domain_view import PROVINCE_RATE, PROVINCE_TOTAL, REPORTED, DomainView
from ui.profile import Profile

MIME = "application/pdf"
KEPT = 16
_built: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()
PROFILE_NOTE = "排名与占比按全部 14 个市州计算；“未填报”表示当年未报此项；“（待审核）”表示尚未审核通过。"
TABLE_NOTE = "单位：{unit}；“未填报”表示该市州当年未报此项；“（待审核）”表示尚未审核通过。最后两行是全省的数字。"


def unavailable() -> str | None:
    """Why no PDF can be made on this server (no Chromium, no kaleido, switched off), in Chinese; None if it can."""
    reason = chart_images.unavailable_reason()
    return f"暂不能生成 PDF：{reason}。可用浏览器的“打印”打印本页（A4 纵向）。" if reason else None


def _kept(key: Hashable, make: Callable[[], bytes]) -> bytes:
    with _lock:
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
    made = make()
    with _lock:
        _built[key] = made
        while len(_built) > KEPT:
            _built.popitem(last=False)
    return made


def offer(report: Callable[[], Report], *, key: Hashable, file_name: str, widget_key: str) -> None:
    """The 下载 PDF button (built at the click), or why there is none on this server."""
    reason = unavailable()
    if reason:
        st.caption(reason)
        return
    common.download(
        st, "下载 PDF", lambda: _kept(key, lambda: pdf_report.build(report())), file_name=file_name, mime=MIME,
        key=widget_key,
    )  # fmt: skip


def domain_report(  # noqa: PLR0913
    view: DomainView, *, page: str, code: str, year: int, banner: str | None, header: list[str]
) -> Report:
    """A 类别 page for one measure: the bar of the year, the trend and the 市州 × 年度 table, as on the page.
    `header` is ui.printing's, taken when the page was drawn (the click runs on another thread)."""
    name, unit = catalog.measure_name_unit(code)
    blocks: list = [Text(banner)] if banner else []
    blocks += [Heading(f"{year}年各市州{name}"), Text(view.province, "strong")]
    if view.bar is not None:
        blocks += [Chart(view.bar), Text(view.caption, "note")]
    if view.lines is not None:
        blocks += [Heading(f"{name}历年变化"), Chart(view.lines)]
    bold = frozenset({PROVINCE_TOTAL, PROVINCE_RATE, REPORTED})
    blocks += [
        Heading(f"{name}：市州 × 年度"),
        Grid(tables.as_text(view.table, view.kind), bold),
        Text(TABLE_NOTE.format(unit=unit), "note"),
    ]
    return Report(f"{page}：{name}（{unit}）", header, blocks)


def profile_report(view: Profile, *, region_code: str, year: int, banner: str | None, header: list[str]) -> Report:
    """The 市州画像: the share chart and, per 类别, its indicators over the years with the year's rank."""
    city = catalog.region_by_code()[region_code].name
    blocks: list = [Text(banner)] if banner else []
    blocks.append(Heading(f"{city}{year}年在全省的位置"))
    if view.shares is not None:
        blocks.append(Chart(view.shares))
    for domain in catalog.domains():
        kinds = [kind_of(i.unit) for i in catalog.domain_indicators(domain.code)]
        blocks += [Heading(domain.name), Grid(tables.as_text(view.tables[domain.code], row_kinds=kinds))]
    blocks.append(Text(PROFILE_NOTE, "note"))
    return Report(f"市州画像：{city}（{year}年）", header, blocks)
