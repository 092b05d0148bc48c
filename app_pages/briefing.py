"""年度简报: the year's briefing to read on screen and download as Word or Markdown (published figures unless
含待审核数据 is on)."""

import streamlit as st

from etl.briefing import table_parts
from etl.roles import VIEW
from ui import auth, briefing, data, filters, plain, tables
from ui.common import require_data

auth.require(VIEW)
st.title("年度简报")
snap, chosen = data.snapshot(), filters.current()
years = data.years(snap)
if require_data(years, chosen.include_pending):
    options = sorted(years.with_pending if chosen.include_pending else years.published)[::-1]
    default = chosen.year
    year = st.selectbox(
        "简报年度",
        options,
        index=options.index(default) if default in options else 0,
        format_func=lambda y: f"{y}年",
        placeholder="请选择",
        key="briefing_year",
    )
    shown = briefing.build(snap, year, chosen.include_pending)
    if shown is not None:
        briefing.downloads(snap, shown, chosen.include_pending)
        st.header(shown.title)
        if shown.note:
            st.warning(shown.note)
        # Markdown is safe here: the wording file, the figures, and catalogue names and phrases, which refuse markup.
        st.subheader(shown.headings["summary"])
        st.markdown(shown.summary)
        st.subheader(shown.headings["cities"])
        for name, text in shown.sections:
            st.markdown(plain.bold(name))
            st.markdown(text)
        if shown.missing:
            st.markdown(shown.missing)
        st.subheader(shown.headings["table"])
        st.caption(shown.headings["table_note"])
        for domain, _ in table_parts(shown.table):
            st.markdown(plain.bold(domain))
            tables.figures(briefing.with_total(shown, domain), shown.kinds(domain), key=f"briefing_table_{domain}")
