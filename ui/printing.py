"""What a print-out of any page says at its top, drawn by app.py before the page and shown only in print
(ui.chrome's print stylesheet): the platform and page, the page's filters, 数据截至… and the 示例数据 notice.

The A4 layout and the page numbers are the stylesheet's; the server-built PDF of the 类别 pages and the
市州画像 is ui.pdf's.
"""

from __future__ import annotations

import streamlit as st

from ui import chrome, data, filters, handout, plain

PLATFORM = "湖南省妇联统计平台"
SAMPLE = "示例数据：本页的数字含示例数据（除原文给出的 2016 年数字外均为虚构），仅供演示，不代表真实统计。"


def lines(page_title: str) -> list[str]:
    """The header's lines for the page the user is on (text from the catalogue goes out as plain text)."""
    chosen = filters.current()
    snap = data.snapshot()
    shown = [f"{PLATFORM} · {page_title}"]
    if chosen.year is None:
        return shown
    shown.append(handout.filters_note())
    moment = handout.data_date(data.data_date(snap, chosen.include_pending))
    if moment:
        shown.append(moment)
    if bool(data.province(snap, chosen.include_pending, year=chosen.year)["is_sample"].any()):
        shown.append(SAMPLE)
    return shown


def header(page_title: str) -> None:
    """The print-out's header: hidden on screen (it takes no room there)."""
    with st.container(key=chrome.PRINT_HEADER, gap="small"):
        first, *rest = lines(page_title)
        st.markdown(plain.bold(first))
        for line in rest:
            st.caption(plain.markdown(line))
