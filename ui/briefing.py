"""The annual briefing for the page, built once per warehouse version, wording file and year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import briefing, chart_images, totals
from etl.briefing import Briefing, BriefingError
from ui import briefing_figures, data
from ui.common import OWN_CITY_ONLY, download


@st.cache_data(show_spinner=False, max_entries=16)
def _build(version: tuple, wording: tuple, year: int) -> Briefing:
    return briefing.build_briefing(data.values(), year)


def build(year: int) -> Briefing | None:
    """The year's briefing, or None after saying in Chinese why there is none."""
    try:
        return _build(data.version(), briefing.templates_version(), year)
    except (BriefingError, OSError) as exc:
        st.error(f"无法生成简报：{exc}")
        return None


@st.cache_data(show_spinner=False, max_entries=8)
def _images(version: tuple, year: int) -> tuple[list[tuple[str, bytes]], str | None]:
    """The charts' PNGs: a few seconds of Chromium, so once per warehouse version and year."""
    return briefing_figures.images(data.values(), year)


def downloads(shown: Briefing) -> None:
    """Word (a 公文 with the pages' charts) and Markdown of the briefing on screen, built only when someone clicks."""
    name = f"{shown.year}年统计简报"
    reason = chart_images.unavailable_reason()
    if reason:
        st.caption(f"Word 简报将不含图表：{reason}。")
    left, right, _ = st.columns([1, 1, 4])
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    version = data.version()  # taken now: the file is built on another thread at the click
    offered = download(
        left,
        "下载 Word",
        lambda: briefing.to_docx(shown, _images(version, shown.year)[0]),
        file_name=f"{name}.docx",
        mime=docx_mime,
        key="briefing_docx",
    )
    download(
        right,
        "下载 Markdown",
        lambda: briefing.to_markdown(shown),
        file_name=f"{name}.md",
        mime="text/markdown",
        key="briefing_md",
    )
    if not offered:
        st.caption(OWN_CITY_ONLY)


def with_total(shown: Briefing, domain: str) -> pd.DataFrame:
    """A 类别's table as the Word file has it: the 市州, then their 全省合计 (from the briefing, not re-added)."""
    part = shown.table[domain]
    total = pd.DataFrame(
        [[shown.totals[(domain, c)] for c in part.columns]],
        columns=part.columns,
        index=pd.Index([totals.total_label(part.index)], name=part.index.name),
    )
    return pd.concat([part, total])
