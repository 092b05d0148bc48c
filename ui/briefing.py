"""The annual briefing for the page: built from the marts once per warehouse version, wording file, year and scope."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import briefing, chart_images
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


def downloads(snap: data.Snapshot, shown: Briefing, include_pending: bool) -> None:
    """Word (a 公文 with the pages' charts) and Markdown of the briefing on screen, built only when someone clicks."""
    name = f"{shown.year}年统计简报" + ("（含待审核数据）" if include_pending else "")
    reason = chart_images.unavailable_reason()
    if reason:
        st.caption(f"Word 简报将不含图表：{reason}。")
    left, right, _ = st.columns([1, 1, 4])
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def docx() -> bytes:  # on another thread at the click: everything it reads was taken now
        images, _ = data.briefing_images(snap, shown.year, include_pending, shown.as_of)
        return briefing.to_docx(shown, images)

    offered = download(left, "下载 Word", docx, file_name=f"{name}.docx", mime=docx_mime, key="briefing_docx")
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
    """A 类别's table as the Word file has it: the 市州, then the province's total (from the marts, not re-added)."""
    part = shown.table[domain]
    total = pd.DataFrame(
        [[shown.totals[(domain, c)] for c in part.columns]],
        columns=part.columns,
        index=pd.Index([shown.total_labels[domain]], name=part.index.name),
    )
    return pd.concat([part, total])
