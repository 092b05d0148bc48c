"""The annual briefing for the page: built from the marts once per warehouse version, wording file, year and scope."""

from __future__ import annotations

import streamlit as st

from etl import briefing
from etl.briefing import Briefing, BriefingError
from ui import data, plain
from ui.common import OWN_CITY_ONLY, download, today


def build(snap: data.Snapshot, year: int, include_pending: bool) -> Briefing | None:
    """The year's briefing, or None after saying in Chinese why there is none."""
    try:
        return data.briefing(snap, briefing.templates_version(), year, include_pending, today())
    except (BriefingError, OSError) as exc:
        st.error(f"无法生成简报：{plain.markdown(exc)}")
        return None


def downloads(shown: Briefing, include_pending: bool) -> None:
    """Word and Markdown of the briefing on screen, built only when someone clicks."""
    name = f"{shown.year}年统计简报" + ("（含待审核数据）" if include_pending else "")
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
