"""The annual briefing for the page, built once per warehouse version, wording file and year."""

from __future__ import annotations

import streamlit as st

from etl import briefing
from etl.briefing import Briefing, BriefingError
from ui import data, plain
from ui.common import OWN_CITY_ONLY, download


@st.cache_data(show_spinner=False, max_entries=16)
def _build(version: tuple, wording: tuple, year: int) -> Briefing:
    return briefing.build_briefing(data.values(), year)


def build(year: int) -> Briefing | None:
    """The year's briefing, or None after saying in Chinese why there is none."""
    try:
        return _build(data.version(), briefing.templates_version(), year)
    except (BriefingError, OSError) as exc:
        st.error(f"无法生成简报：{plain.markdown(exc)}")
        return None


def downloads(shown: Briefing) -> None:
    """Word and Markdown of the briefing on screen, built only when someone clicks."""
    name = f"{shown.year}年统计简报"
    left, right, _ = st.columns([1, 1, 4])
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    offered = download(
        left,
        "下载 Word",
        lambda: briefing.to_docx(shown),
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
